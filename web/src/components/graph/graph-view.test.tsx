import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { ConceptEdge, ConceptGraph, ConceptNode, PathOut, Progress } from "@/lib/api";

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

const api = vi.hoisted(() => ({ graph: vi.fn(), progress: vi.fn(), paths: vi.fn(), createPath: vi.fn(), documents: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { FOREWORD, book, bookId } from "./book.fixture";
import { GraphView, VIEW_KEY } from "./graph-view";

const A = "00000000-0000-0000-0000-00000000000a";
const B = "00000000-0000-0000-0000-00000000000b";
const C = "00000000-0000-0000-0000-00000000000c";

function concept(id: string, title: string, position: number, role: ConceptNode["role"] = "teachable", documents: string[] = []): ConceptNode {
  return { id, title, key: title.toLowerCase(), documents, key_points: [], level: 1, position, summary: "", role, terms: [] };
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
    api.documents.mockResolvedValue([]);
    window.localStorage.clear();
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

// A book renders hundreds of rows; on a busy machine that takes seconds.
describe("GraphView at the size of a book", { timeout: 30_000 }, () => {
  beforeEach(() => {
    vi.clearAllMocks();
    window.localStorage.clear();
    api.graph.mockResolvedValue(book(12, 20));
    api.progress.mockResolvedValue({ ...PROGRESS, concepts: [
      { concept_id: bookId(7, 13), title: "Topic 7.13", attempts: 3, p_known: 0.42, mastered: false, due_at: "2020-01-01T00:00:00Z", last_seen: null },
      { concept_id: bookId(1, 1), title: "Topic 1.1", attempts: 3, p_known: 0.99, mastered: true, due_at: "2099-01-01T00:00:00Z", last_seen: null },
    ] });
    api.paths.mockResolvedValue([]);
    api.documents.mockResolvedValue([]);
  });

  it("starts with every chapter closed, each with its count and mastery", async () => {
    render(<GraphView />);
    const chapters = await screen.findAllByTestId("chapter-node");
    // Twelve chapters with something to teach; the foreword is left to the outline.
    expect(chapters.map((c) => c.textContent)).toEqual(Array.from({ length: 12 }, (_, i) => expect.stringContaining(`Chapter ${i + 1}`)));
    expect(screen.queryAllByTestId("concept-node")).toHaveLength(0);
    expect(screen.getByRole("button", { name: /^Chapter 1\W+20 concepts\W+1 of 20 mastered$/ })).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByRole("button", { name: /^Chapter 7\W+20 concepts\W+0 of 20 mastered\W+1 due$/ })).toBeInTheDocument();
  });

  it("opens a chapter to show its concepts in reading order, and closes it again", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await user.click(await screen.findByRole("button", { name: /^Chapter 3\W/ }));
    const cards = screen.getAllByTestId("concept-node");
    expect(cards.map((c) => c.getAttribute("data-concept-id"))).toEqual(Array.from({ length: 20 }, (_, i) => bookId(3, i + 1)));
    expect(screen.getByRole("button", { name: /^Chapter 3\W/ })).toHaveAttribute("aria-expanded", "true");
    await user.click(screen.getByRole("button", { name: /^Chapter 3\W/ }));
    expect(screen.queryAllByTestId("concept-node")).toHaveLength(0);
  });

  it("finds a concept as you type, opens its chapter, marks it and focuses it", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await screen.findAllByTestId("chapter-node");
    const search = screen.getByRole("combobox", { name: "Find a concept" });
    await user.type(search, "topic 7.1");
    // 7.1 and 7.10 to 7.19 match; the list stops at eight, the closest first.
    const options = screen.getAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Topic 7.1Chapter 7", "Topic 7.10Chapter 7", "Topic 7.11Chapter 7", "Topic 7.12Chapter 7",
      "Topic 7.13Chapter 7", "Topic 7.14Chapter 7", "Topic 7.15Chapter 7", "Topic 7.16Chapter 7",
    ]);
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    for (let i = 0; i < 4; i++) await user.keyboard("{ArrowDown}");
    expect(search).toHaveAttribute("aria-activedescendant", options[4].id);
    await user.keyboard("{Enter}");

    expect(screen.queryByRole("listbox")).not.toBeInTheDocument();
    const card = screen.getByRole("button", { name: /^Topic 7\.13\W+mastery 42%\W+review due$/i });
    expect(card).toHaveAttribute("data-found", "true");
    expect(screen.getAllByTestId("concept-node")).toHaveLength(20);
    await waitFor(() => expect(card).toHaveFocus());
    // Enter on the focused card opens its lesson.
    await user.keyboard("{Enter}");
    expect(push).toHaveBeenCalledWith(`/learn/?concept=${bookId(7, 13)}`);
  });

  it("says so when no title matches", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await screen.findAllByTestId("chapter-node");
    await user.type(screen.getByRole("combobox", { name: "Find a concept" }), "monads");
    expect(screen.getByRole("listbox")).toHaveTextContent("No concept has that in its title.");
    await user.keyboard("{Enter}");
    expect(screen.queryAllByTestId("concept-node")).toHaveLength(0);
  });

  it("lists the contents in the outline, with mastery, due marks and Learn buttons", async () => {
    const user = userEvent.setup();
    render(<GraphView />);
    await user.click(await screen.findByRole("button", { name: "Outline" }));
    const chapters = screen.getAllByTestId("outline-chapter");
    expect(chapters).toHaveLength(12);
    const seventh = within(chapters[6]);
    expect(seventh.getByRole("heading", { level: 3 })).toHaveTextContent(/^Chapter 70 of 20 mastered, 1 due$/);
    const rows = seventh.getAllByTestId("outline-concept");
    // The chapter's heading is its title, not a row; its sections follow in reading order.
    expect(rows.map((r) => r.getAttribute("data-concept-id"))).toEqual(Array.from({ length: 20 }, (_, i) => bookId(7, i + 1)));
    expect(rows[12]).toHaveTextContent(/Topic 7\.13.*42%.*Review due.*Learn/);
    expect(within(rows[0]).getByTestId("outline-mastery")).toHaveTextContent("New");
    expect(screen.getAllByRole("button", { name: /^Learn / })).toHaveLength(240);

    await user.click(seventh.getByRole("button", { name: "Learn Topic 7.13" }));
    expect(push).toHaveBeenCalledWith(`/learn/?concept=${bookId(7, 13)}`);
  });

  it("keeps what is not taught under a closed group, dimmed and without Learn", async () => {
    const user = userEvent.setup();
    window.localStorage.setItem(VIEW_KEY, "outline");
    render(<GraphView />);
    const toggle = await screen.findByRole("button", { name: "Not taught (1)" });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText("Foreword")).not.toBeInTheDocument();
    await user.click(toggle);
    const row = screen.getAllByTestId("outline-concept").find((r) => r.getAttribute("data-concept-id") === FOREWORD)!;
    expect(row).toHaveAttribute("data-teachable", "false");
    expect(row).toHaveTextContent("(front matter)");
    expect(within(row).queryByRole("button")).not.toBeInTheDocument();
  });

  it("finds a concept in the outline and focuses its row", async () => {
    const user = userEvent.setup();
    window.localStorage.setItem(VIEW_KEY, "outline");
    render(<GraphView />);
    await screen.findAllByTestId("outline-chapter");
    await user.type(screen.getByRole("combobox", { name: "Find a concept" }), "forew");
    await user.keyboard("{Enter}");
    const row = screen.getAllByTestId("outline-concept").find((r) => r.getAttribute("data-concept-id") === FOREWORD)!;
    await waitFor(() => expect(row).toHaveFocus());
  });

  it("remembers the view chosen, and starts phones in the outline", async () => {
    const user = userEvent.setup();
    const first = render(<GraphView />);
    await user.click(await screen.findByRole("button", { name: "Outline" }));
    expect(window.localStorage.getItem(VIEW_KEY)).toBe("outline");
    first.unmount();
    const second = render(<GraphView />);
    expect(await screen.findByRole("button", { name: "Outline" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.queryByTestId("graph-canvas")).not.toBeInTheDocument();
    second.unmount();

    window.localStorage.clear();
    vi.stubGlobal("matchMedia", (query: string) => ({ matches: !query.includes("min-width"), media: query }));
    try {
      render(<GraphView />);
      expect(await screen.findByRole("button", { name: "Outline" })).toHaveAttribute("aria-pressed", "true");
    } finally {
      vi.unstubAllGlobals();
      vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
      vi.stubGlobal("DOMMatrixReadOnly", class { m22 = 1; });
    }
  });
});

describe("GraphView outline of nested notes", () => {
  const H = "00000000-0000-0000-0000-0000000000f1";
  const S1 = "00000000-0000-0000-0000-0000000000f2";
  const S1A = "00000000-0000-0000-0000-0000000000f3";
  const NAV = "00000000-0000-0000-0000-0000000000f4";
  const partOf = (source: string, target: string): ConceptEdge => ({ source, target, kind: "part_of", origin: "heading", weight: 1 });
  const NESTED: ConceptGraph = {
    nodes: [
      concept(H, "Ownership", 0, "chapter"),
      concept(S1, "Moves", 1),
      concept(S1A, "Moving a String", 2),
      concept(NAV, "Summary", 3, "navigation"),
    ],
    edges: [partOf(S1, H), partOf(S1A, S1), partOf(NAV, H)],
  };

  beforeEach(() => {
    vi.clearAllMocks();
    window.localStorage.setItem(VIEW_KEY, "outline");
    api.graph.mockResolvedValue(NESTED);
    api.progress.mockResolvedValue(PROGRESS);
    api.paths.mockResolvedValue([]);
    api.documents.mockResolvedValue([]);
  });

  it("indents sections of sections and dims what is not taught, without a Learn button", async () => {
    render(<GraphView />);
    const rows = await screen.findAllByTestId("outline-concept");
    expect(rows.map((r) => [r.textContent?.split("Mastery")[0], r.getAttribute("data-depth")])).toEqual([
      ["Moves", "1"],
      ["Moving a String", "2"],
      ["Summary(navigation)", "1"],
    ]);
    expect(rows[1].style.paddingLeft).not.toBe(rows[0].style.paddingLeft);
    expect(within(rows[2]).queryByRole("button")).not.toBeInTheDocument();
    expect(rows[2]).toHaveAttribute("data-teachable", "false");
    // The heading-only chapter is the group's title, not a row.
    expect(screen.getByRole("heading", { level: 3 })).toHaveTextContent(/^Ownership/);
  });

  it("chooses targets from the outline and sets a learning path", async () => {
    const user = userEvent.setup();
    api.createPath.mockResolvedValue(path({ id: "p3", name: "Moving a String", steps: [S1, S1A], targets: [S1A] }));
    render(<GraphView />);
    await screen.findAllByTestId("outline-concept");
    await user.click(screen.getByRole("button", { name: "Choose targets" }));
    const target = screen.getByRole("button", { name: "Target Moving a String" });
    expect(target).toHaveAttribute("aria-pressed", "false");
    await user.click(target);
    expect(screen.getByRole("button", { name: "Target Moving a String" })).toHaveAttribute("aria-pressed", "true");
    expect(push).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Set learning path" }));
    expect(api.createPath).toHaveBeenCalledWith("Moving a String", [S1A]);
    expect(await screen.findByTestId("path-steps")).toHaveTextContent("Moving a String");
  });
});
