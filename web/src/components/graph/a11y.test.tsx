import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// React Flow needs these browser APIs, which jsdom lacks.
beforeAll(() => {
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
  vi.stubGlobal("DOMMatrixReadOnly", class { m22 = 1; });
});

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn() }) }));
const api = vi.hoisted(() => ({ graph: vi.fn(), progress: vi.fn(), paths: vi.fn(), createPath: vi.fn(), documents: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { book, bookId } from "./book.fixture";
import { GraphView } from "./graph-view";

async function violations(container: HTMLElement): Promise<string[]> {
  const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html.slice(0, 200)).join(" | ")}`);
}

describe("GraphView accessibility", () => {
  beforeEach(() => {
    window.localStorage.clear();
    api.documents.mockResolvedValue([]);
    api.progress.mockResolvedValue({
      concepts: [{ concept_id: bookId(1, 1), title: "Topic 1.1", attempts: 1, p_known: 0.5, mastered: false, due_at: "2020-01-01T00:00:00Z", last_seen: null }],
      totals: { attempts: 1, concepts: 2, due_now: 1, introduced: 1, mastered: 0 },
      streak_days: 1,
      history: [],
      badges: [],
    });
  });

  it("has no axe violations on a small graph with a path", async () => {
    api.graph.mockResolvedValue(book(1, 2));
    api.paths.mockResolvedValue([{ id: "p", name: "Topic 1.2", created_at: "2026-01-01T00:00:00Z", steps: [bookId(1, 1), bookId(1, 2)], targets: [bookId(1, 2)] }]);
    const { container } = render(<main><GraphView /></main>);
    await screen.findByTestId("path-steps");
    expect(await violations(container)).toEqual([]);
  });

  it("has no axe violations with closed chapters, an open search list, and in the outline", async () => {
    const user = userEvent.setup();
    api.graph.mockResolvedValue(book(12, 20));
    api.paths.mockResolvedValue([]);
    const { container } = render(<main><GraphView /></main>);
    await screen.findAllByTestId("chapter-node");
    await user.type(screen.getByRole("combobox", { name: "Find a concept" }), "topic 3.");
    expect(screen.getAllByRole("option").length).toBeGreaterThan(0);
    expect(await violations(container)).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Outline" }));
    await user.click(screen.getByRole("button", { name: /^Not taught/ }));
    expect(await violations(container)).toEqual([]);
    // A book's outline is long: axe reads every row.
  }, 60_000);
});
