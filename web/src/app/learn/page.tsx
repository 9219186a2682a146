import type { Metadata } from "next";

import { Learn } from "@/components/learn/learn";
import { AppShell } from "@/components/shell/app-shell";

export const metadata: Metadata = { title: "Learn" };

export default function LearnPage() {
  return (
    <AppShell>
      <Learn />
    </AppShell>
  );
}
