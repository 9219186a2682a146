import { render, screen } from "@testing-library/react";
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";

const api = vi.hoisted(() => ({ documents: vi.fn(), deleteDocument: vi.fn(), upload: vi.fn(), job: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { LibraryView } from "./library-view";

describe("LibraryView accessibility", () => {
  it("has no axe violations with documents listed", async () => {
    api.documents.mockResolvedValue([
      {
        id: "d1", path: "rust/ownership.md", kind: "notes", title: "Ownership", size_bytes: 10, content_hash: "x",
        chunks: 1, embedded_chunks: 1, graph_synced: true, ready: true, created_at: "2026-01-05T09:30:00Z", updated_at: "2026-01-05T09:30:00Z",
      },
    ]);
    const { container } = render(<main><LibraryView /></main>);
    await screen.findByTestId("document");
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);
  });
});
