import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { ConceptGraph, PathOut, Progress } from "@/lib/api";

// React Flow measures with ResizeObserver and reads transforms with DOMMatrixReadOnly; jsdom has neither.
beforeAll(() => {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  class DOMMatrixReadOnlyStub {
    m22: number;
    constructor(transform?: string) {
      const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1];
      this.m22 = scale !== undefined ? Number(scale) : 1;
    }
  }
  vi.stubGlobal("ResizeObserver", ResizeObserverStub);
  vi.stubGlobal("DOMMatrixReadOnly", DOMMatrixReadOnlyStub);
});

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push, replace: vi.fn() }), usePathname: () => "/graph/" }));

const api = vi.hoisted(() => ({ graph: vi.fn(), progress: vi.fn(), paths: vi.fn(), createPath: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { GraphView } from "./graph-view";

const A = "00000000-0000-0000-0000-00000000000a";
const B = "00000000-0000-0000-0000-00000000000b";
const C = "00000000-0000-0000-0000-00000000000c";

function concept(id: string, title: string, position: number) {
  return { id, title, key: title.toLowerCase(), documents: [], key_points: [], level: 1, position, summary: "" };
}

const GRAPH: ConceptGraph = {
  nodes: [concept(A, "Variables", 0), concept(B, "Ownership", 1), concept(C, "Borrowing", 2)],
  edges: [
    { source: A, target: B, kind: "prerequisite", origin: "llm", weight: 1 },
    { source: B, target: C, kind: "prerequisite", origin: "llm", weight: 1 },
  ],
};

const PROGRESS: Progress = {
  concepts: [
    { concept_id: A, title: "Variables", attempts: 4, p_known: 0.97, mastered: true, due_at: "2099-01-01T00:00:00Z", last_seen: null },
    { concept_id: B, title: "Ownership", attempts: 2, p_known: 0.61, mastered: false, due_at: "2020-01-01T00:00:00Z", last_seen: null },
  ],
  totals: { attempts: 6, concepts: 3, due_now: 1, introduced: 2, mastered: 1 },
  streak_days: 1,
  history: [],
  badges: [],
};

function path(over: Partial<PathOut>): PathOut {
  return { id: "p1", name: "Borrowing", created_at: "2026-01-01T00:00:00Z", steps: [B, C], targets: [C], ...over };
}

describe("GraphView", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.graph.mockResolvedValue(GRAPH);
    api.progress.mockResolvedValue(PROGRESS);
    api.paths.mockResolvedValue([]);
  });

  it("shows each concept's mastery in words and its due mark", async () => {
    render(<GraphView />);
    expect(await screen.findByRole("button", { name: /^Variables\W+mastery mastered$/i })).toHaveTextContent("Mastered");
    const ownership = screen.getByRole("button", { name: /^Ownership\W+mastery 61%\W+review due$/i });
    expect(ownership).toHaveTextContent("Review due");
    expect(screen.getByRole("button", { name: /^Borrowing\W+mastery new$/i })).toHaveAttribute("data-mastery", "0");
    expect(screen.getAllByTestId("concept-node")).toHaveLength(3);
  });

  it("opens the concept's lesson on click in normal mode", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await user.click(await screen.findByRole("button", { name: /^Ownership/ }));
    expect(push).toHaveBeenCalledWith(`/learn/?concept=${B}`);
  });

  it("creates a path from chosen targets and lists its steps", async () => {
    const user = userEvent.setup();
    api.createPath.mockResolvedValue(path({ id: "p2", name: "Borrowing", steps: [B, C], targets: [C] }));
    render(<GraphView />);
    await screen.findAllByTestId("concept-node");

    await user.click(screen.getByRole("button", { name: "Choose targets" }));
    expect(screen.getByRole("button", { name: "Choose targets" })).toHaveAttribute("aria-pressed", "true");
    const borrowing = screen.getByRole("button", { name: /^Borrowing/ });
    await user.click(borrowing);
    expect(push).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: /^Borrowing/ })).toHaveAttribute("aria-pressed", "true");

    await user.click(screen.getByRole("button", { name: "Set learning path" }));
    expect(api.createPath).toHaveBeenCalledWith("Borrowing", [C]);

    const steps = await screen.findByTestId("path-steps");
    expect(within(steps).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      expect.stringContaining("Ownership"),
      expect.stringContaining("Borrowing"),
    ]);
    expect(screen.getByRole("button", { name: /^Ownership.*path\W+step 1$/i })).toHaveAttribute("data-step", "1");
    // Back to normal mode: a click opens the lesson again.
    expect(screen.queryByRole("button", { name: "Set learning path" })).not.toBeInTheDocument();
  });

  it("unselects a target on a second click and leaves target mode with Clear", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await screen.findAllByTestId("concept-node");
    await user.click(screen.getByRole("button", { name: "Choose targets" }));
    await user.click(screen.getByRole("button", { name: /^Borrowing/ }));
    await user.click(screen.getByRole("button", { name: /^Borrowing/ }));
    expect(screen.getByRole("button", { name: "Set learning path" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Clear" }));
    expect(screen.getByRole("button", { name: "Choose targets" })).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByRole("button", { name: /^Borrowing/ })).not.toHaveAttribute("aria-pressed");
  });

  it("highlights the newest existing path on load", async () => {
    api.paths.mockResolvedValue([path({ name: "Newest", steps: [C] }), path({ id: "old", name: "Old", steps: [A] })]);
    render(<GraphView />);
    const steps = await screen.findByTestId("path-steps");
    expect(steps).toHaveTextContent("Borrowing");
    expect(screen.getByText("Learning path: Newest")).toBeInTheDocument();
  });

  it("points to the Library when there are no concepts", async () => {
    api.graph.mockResolvedValue({ nodes: [], edges: [] });
    render(<GraphView />);
    expect(await screen.findByRole("link", { name: "Library" })).toHaveAttribute("href", expect.stringMatching(/^\/library\/?$/));
  });

  it("shows the server's words when loading fails", async () => {
    const { ApiError } = await import("@/lib/api");
    api.graph.mockRejectedValue(new ApiError(503, "The graph store is down."));
    render(<GraphView />);
    await waitFor(() => expect(screen.getByRole("alert")).toHaveTextContent("The graph store is down."));
  });
});
