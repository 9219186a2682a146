import { render, screen } from "@testing-library/react";
import axe from "axe-core";
import { beforeAll, describe, expect, it, vi } from "vitest";

// React Flow needs these browser APIs, which jsdom lacks.
beforeAll(() => {
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
  vi.stubGlobal("DOMMatrixReadOnly", class { m22 = 1; });
});

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn() }) }));
const api = vi.hoisted(() => ({ graph: vi.fn(), progress: vi.fn(), paths: vi.fn(), createPath: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { GraphView } from "./graph-view";

describe("GraphView accessibility", () => {
  it("has no axe violations", async () => {
    const node = (id: string, title: string) => ({ id, title, key: id, documents: [], key_points: [], level: 1, position: 0, summary: "" });
    api.graph.mockResolvedValue({
      nodes: [node("a", "Variables"), node("b", "Ownership")],
      edges: [{ source: "a", target: "b", kind: "prerequisite", origin: "llm", weight: 1 }],
    });
    api.progress.mockResolvedValue({
      concepts: [{ concept_id: "a", title: "Variables", attempts: 1, p_known: 0.5, mastered: false, due_at: "2020-01-01T00:00:00Z", last_seen: null }],
      totals: { attempts: 1, concepts: 2, due_now: 1, introduced: 1, mastered: 0 },
      streak_days: 1,
      history: [],
      badges: [],
    });
    api.paths.mockResolvedValue([{ id: "p", name: "Ownership", created_at: "2026-01-01T00:00:00Z", steps: ["a", "b"], targets: ["b"] }]);
    const { container } = render(<main><GraphView /></main>);
    await screen.findByTestId("path-steps");
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 200)).join(" | ")}`)).toEqual([]);
  });
});
