import type { ConceptEdge, ConceptGraph, ConceptNode } from "@/lib/api";

/** A uuid-like id for chapter `c`, section `s` (0 for the chapter's own heading). */
export function bookId(c: number, s: number): string {
  return `00000000-0000-0000-${String(c).padStart(4, "0")}-${String(s).padStart(12, "0")}`;
}

export const FOREWORD = "00000000-0000-0000-9999-000000000000";

/**
 * A book-sized graph: a foreword, then `chapters` chapters of `sections` sections each,
 * every section part of its chapter and after the one before it in reading order.
 */
export function book(chapters: number, sections: number): ConceptGraph {
  const nodes: ConceptNode[] = [];
  const edges: ConceptEdge[] = [];
  const node = (id: string, title: string, position: number, role: ConceptNode["role"]): ConceptNode => ({
    id, title, key: title.toLowerCase(), documents: [`doc-${position}`], key_points: [], level: 1, position, summary: "", role, terms: [],
  });
  nodes.push(node(FOREWORD, "Foreword", 0, "front_matter"));
  let position = 1;
  let previous: string | undefined;
  for (let c = 1; c <= chapters; c++) {
    nodes.push(node(bookId(c, 0), `Chapter ${c}`, position++, "chapter"));
    for (let s = 1; s <= sections; s++) {
      const id = bookId(c, s);
      nodes.push(node(id, `Topic ${c}.${s}`, position++, "teachable"));
      edges.push({ source: id, target: bookId(c, 0), kind: "part_of", origin: "heading", weight: 1 });
      if (previous) edges.push({ source: previous, target: id, kind: "prerequisite", origin: "order", weight: 1 });
      previous = id;
    }
  }
  // The server's order is not the reading order.
  return { nodes: nodes.reverse(), edges };
}
