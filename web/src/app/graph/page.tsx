import type { Metadata } from "next";

import { GraphView } from "@/components/graph/graph-view";
import { AppShell } from "@/components/shell/app-shell";

export const metadata: Metadata = { title: "Concept graph" };

export default function GraphPage() {
  return (
    <AppShell>
      <GraphView />
    </AppShell>
  );
}
