import { describe, expect, it } from "vitest";

import type { ConceptEdge, ConceptProgress } from "@/lib/api";

import { chapterMastery, groupByChapter, searchConcepts, type ConceptRole, type GraphConcept } from "./chapters";

function concept(id: string, title: string, position: number, role?: ConceptRole, documents = ["d1"]): GraphConcept {
  const node: GraphConcept = { id, title, key: id, documents, key_points: [], level: 1, position, summary: "" };
  return role ? { ...node, role } : node;
}

const partOf = (part: string, whole: string): ConceptEdge => ({ source: part, target: whole, kind: "part_of", origin: "heading", weight: 1 });
const prereq = (a: string, b: string): ConceptEdge => ({ source: a, target: b, kind: "prerequisite", origin: "order", weight: 1 });

describe("groupByChapter", () => {
  it("puts each concept under its top-level whole, in reading order, whatever order the server sends", () => {
    const nodes = [
      concept("s2", "References", 5),
      concept("c2", "Borrowing", 4, "chapter"),
      concept("s1b", "Moves", 2),
      concept("s1", "Rules", 1),
      concept("c1", "Ownership", 0, "chapter"),
      concept("s1a", "Scope", 3),
    ];
    const edges = [partOf("s1", "c1"), partOf("s1a", "s1"), partOf("s1b", "s1"), partOf("s2", "c2"), prereq("s1", "s2")];
    const chapters = groupByChapter({ nodes, edges });
    expect(chapters.map((c) => [c.title, c.concepts.map((n) => n.id)])).toEqual([
      ["Ownership", ["c1", "s1", "s1b", "s1a"]],
      ["Borrowing", ["c2", "s2"]],
    ]);
    // The chapter heading itself is not taught; a concept with no role is.
    expect(chapters[0].teachable.map((n) => n.id)).toEqual(["s1", "s1b", "s1a"]);
    // Sections nest as the headings did.
    expect(Object.fromEntries(chapters[0].depth)).toEqual({ c1: 0, s1: 1, s1a: 2, s1b: 2 });
  });

  it("gathers a document's loose concepts under the document's title", () => {
    const nodes = [concept("a", "Alpha", 0, undefined, ["doc-1"]), concept("b", "Beta", 1, undefined, ["doc-2"]), concept("c", "Gamma", 2, undefined, ["doc-1"])];
    const chapters = groupByChapter({ nodes, edges: [] }, new Map([["doc-1", "greek.md"]]));
    expect(chapters.map((c) => [c.id, c.title, c.concepts.map((n) => n.id)])).toEqual([
      ["doc:doc-1", "greek.md", ["a", "c"]],
      ["doc:doc-2", "Other concepts", ["b"]],
    ]);
  });

  it("survives a part_of cycle and an edge to a concept it was not sent", () => {
    const nodes = [concept("a", "A", 0), concept("b", "B", 1)];
    const chapters = groupByChapter({ nodes, edges: [partOf("a", "b"), partOf("b", "a"), partOf("a", "missing")] });
    expect(chapters.flatMap((c) => c.concepts.map((n) => n.id)).sort()).toEqual(["a", "b"]);
  });

  it("keeps chapters with nothing to teach, with no teachable concept", () => {
    const nodes = [concept("f", "Foreword", 0, "front_matter"), concept("i", "Introduction", 1, "front_matter"), concept("x", "Index", 9, "navigation")];
    const chapters = groupByChapter({ nodes, edges: [partOf("i", "f")] });
    expect(chapters.map((c) => [c.title, c.teachable.length])).toEqual([
      ["Foreword", 0],
      ["Other concepts", 0],
    ]);
  });
});

describe("chapterMastery", () => {
  it("counts the mastered and due concepts among the taught ones", () => {
    const nodes = [concept("c", "Chapter", 0, "chapter"), concept("a", "A", 1), concept("b", "B", 2), concept("d", "D", 3)];
    const [chapter] = groupByChapter({ nodes, edges: [partOf("a", "c"), partOf("b", "c"), partOf("d", "c")] });
    const row = (id: string, p: number, mastered: boolean, due: string | null): ConceptProgress => ({
      concept_id: id, title: id, attempts: 2, p_known: p, mastered, due_at: due, last_seen: null,
    });
    const progress = new Map([
      ["a", row("a", 0.97, true, "2099-01-01T00:00:00Z")],
      ["b", row("b", 0.5, false, "2020-01-01T00:00:00Z")],
    ]);
    expect(chapterMastery(chapter, progress, Date.parse("2026-01-01T00:00:00Z"))).toEqual({
      total: 3, mastered: 1, due: 1, percent: 49, text: "1 of 3 mastered",
    });
  });
});

describe("searchConcepts", () => {
  const nodes = [
    concept("1", "Defining an Enum", 1),
    concept("2", "enum values", 2),
    concept("3", "Using Enums in match", 3),
    concept("4", "Lifetimes", 4),
    concept("5", "Enum", 5),
    concept("6", "Tenum thing", 0),
  ];

  it("finds titles in any case, the whole title first, then starts, then word starts, then the rest", () => {
    expect(searchConcepts(nodes, "  ENUM ").map((n) => n.title)).toEqual([
      "Enum", "enum values", "Defining an Enum", "Using Enums in match", "Tenum thing",
    ]);
  });

  it("finds nothing for an empty query or a missing title, and stops at the limit", () => {
    expect(searchConcepts(nodes, "   ")).toEqual([]);
    expect(searchConcepts(nodes, "traits")).toEqual([]);
    expect(searchConcepts(nodes, "e", 2)).toHaveLength(2);
  });

  it("finds titles in other scripts", () => {
    const greek = [concept("g", "Η Δομή του Ατόμου", 0), concept("j", "原子の構造", 1)];
    expect(searchConcepts(greek, "δομή").map((n) => n.id)).toEqual(["g"]);
    expect(searchConcepts(greek, "構造").map((n) => n.id)).toEqual(["j"]);
  });
});
