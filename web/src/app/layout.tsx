import "@fontsource-variable/inter";
import "./globals.css";

import type { Metadata, Viewport } from "next";

import { SessionProvider } from "@/lib/session";

export const metadata: Metadata = {
  title: { default: "tutor", template: "%s · tutor" },
  description: "A tutor that teaches from your own notes.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SessionProvider>{children}</SessionProvider>
      </body>
    </html>
  );
}
