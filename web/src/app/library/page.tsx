import type { Metadata } from "next";

import { LibraryView } from "@/components/library/library-view";
import { AppShell } from "@/components/shell/app-shell";

export const metadata: Metadata = { title: "Library" };

export default function LibraryPage() {
  return (
    <AppShell>
      <LibraryView />
    </AppShell>
  );
}
