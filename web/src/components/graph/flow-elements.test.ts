import { describe, expect, it, vi } from "vitest";

import { book, bookId } from "./book.fixture";
import { groupByChapter } from "./chapters";
import { flowElements, type FlowInput } from "./flow-elements";

const graph = book(3, 4);
const chapters = groupByChapter(graph);

function input(over: Partial<FlowInput>): FlowInput {
  return {
    chapters, edges: graph.edges, progress: new Map(), open: new Set(), columns: 4, steps: [],
    selecting: false, selected: new Set(), onActivate: vi.fn(), onToggle: vi.fn(), ...over,
  };
}

describe("flowElements", () => {
  it("draws a closed chapter as one node, joined to the next by one edge for all of its prerequisites", () => {
    const { nodes, edges } = flowElements(input({}));
    expect(nodes.map((n) => n.id)).toEqual([1, 2, 3].map((c) => `chapter:${bookId(c, 0)}`));
    // The reading order runs through every section; closed, it is chapter 1 -> 2 -> 3.
    expect(edges.map((e) => `${e.source}>${e.target}`)).toEqual([
      `chapter:${bookId(1, 0)}>chapter:${bookId(2, 0)}`,
      `chapter:${bookId(2, 0)}>chapter:${bookId(3, 0)}`,
    ]);
  });

  it("draws an open chapter's concepts on its box, with edges to and from the closed chapters around it", () => {
    const { nodes, edges } = flowElements(input({ open: new Set([bookId(2, 0)]) }));
    // The boxes come first so the concepts are drawn over them.
    expect(nodes.slice(0, 3).every((n) => n.type === "chapter")).toBe(true);
    expect(nodes.slice(3).map((n) => n.id)).toEqual([1, 2, 3, 4].map((s) => bookId(2, s)));
    const pairs = edges.map((e) => `${e.source}>${e.target}`);
    expect(pairs).toContain(`chapter:${bookId(1, 0)}>${bookId(2, 1)}`);
    expect(pairs).toContain(`${bookId(2, 1)}>${bookId(2, 2)}`);
    expect(pairs).toContain(`${bookId(2, 4)}>chapter:${bookId(3, 0)}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it("draws a learning path between what stands for its steps, and counts the steps in a closed chapter", () => {
    const steps = [bookId(1, 4), bookId(2, 1), bookId(2, 3)];
    const { nodes, edges } = flowElements(input({ open: new Set([bookId(2, 0)]), steps }));
    const onPath = edges.filter((e) => e.animated).map((e) => `${e.source}>${e.target}`);
    expect(onPath.sort()).toEqual([`${bookId(2, 1)}>${bookId(2, 3)}`, `chapter:${bookId(1, 0)}>${bookId(2, 1)}`].sort());
    const first = nodes.find((n) => n.id === `chapter:${bookId(1, 0)}`)!;
    expect(first.data).toMatchObject({ steps: 1, open: false });
    expect(nodes.find((n) => n.id === bookId(2, 3))!.data).toMatchObject({ step: 3 });
  });
});
