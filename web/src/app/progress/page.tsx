import type { Metadata } from "next";

import { ProgressView } from "@/components/progress/progress-view";
import { AppShell } from "@/components/shell/app-shell";

export const metadata: Metadata = { title: "Progress" };

export default function ProgressPage() {
  return (
    <AppShell>
      <ProgressView />
    </AppShell>
  );
}
