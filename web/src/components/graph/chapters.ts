import type { ConceptGraph, ConceptNode, ConceptProgress } from "@/lib/api";

import { masteryOf } from "./mastery";

export type ConceptRole = "teachable" | "chapter" | "front_matter" | "back_matter" | "navigation";

/** A concept of the graph; a server that predates roles sends none, and then every concept is taught. */
export type GraphConcept = Omit<ConceptNode, "role" | "terms"> & { role?: ConceptRole; terms?: string[] };

export type Chapter = {
  /** The chapter concept's id, or `doc:<document id>` for a document's loose concepts. */
  id: string;
  title: string;
  /** The concept that heads the chapter (its top-level whole), if there is one. */
  head?: GraphConcept;
  /** Every concept of the chapter in reading order, the head first. */
  concepts: GraphConcept[];
  /** The concepts a lesson can be given on, in reading order. */
  teachable: GraphConcept[];
  /** How many `part_of` steps each concept lies below the chapter's head (0 for the head and loose concepts). */
  depth: Map<string, number>;
};

export function roleOf(concept: GraphConcept): ConceptRole {
  return concept.role ?? "teachable";
}

export function isTeachable(concept: GraphConcept): boolean {
  return roleOf(concept) === "teachable";
}

function byPosition(a: GraphConcept, b: GraphConcept): number {
  return a.position - b.position || a.title.localeCompare(b.title);
}

/**
 * The concepts grouped by chapter, in reading order.
 *
 * A concept's chapter is its top-level whole, followed up `part_of` edges (part -> whole);
 * a whole with parts heads its own chapter. A concept that is neither part nor whole
 * belongs with the other loose concepts of its first document, named by that document.
 */
export function groupByChapter(
  graph: { nodes: GraphConcept[]; edges: ConceptGraph["edges"] },
  documentTitles: Map<string, string> = new Map(),
): Chapter[] {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const parent = new Map<string, string>();
  const hasParts = new Set<string>();
  for (const edge of graph.edges) {
    if (edge.kind !== "part_of" || !byId.has(edge.source) || !byId.has(edge.target) || edge.source === edge.target) continue;
    // A part with two wholes keeps the first in reading order, so a chapter is found the same way each time.
    const known = parent.get(edge.source);
    if (known === undefined || byPosition(byId.get(edge.target)!, byId.get(known)!) < 0) parent.set(edge.source, edge.target);
    hasParts.add(edge.target);
  }

  const climb = (id: string): { root: string; depth: number } => {
    const seen = new Set<string>([id]);
    let current = id;
    for (let next = parent.get(current); next !== undefined && !seen.has(next); next = parent.get(current)) {
      seen.add(next);
      current = next;
    }
    return { root: current, depth: seen.size - 1 };
  };

  const chapters = new Map<string, Chapter>();
  for (const concept of graph.nodes) {
    const { root, depth } = climb(concept.id);
    let key: string;
    let title: string;
    let head: GraphConcept | undefined;
    if (root !== concept.id || hasParts.has(concept.id)) {
      key = root;
      head = byId.get(root)!;
      title = head.title;
    } else {
      const document = concept.documents[0] ?? "";
      key = `doc:${document}`;
      title = documentTitles.get(document) ?? "Other concepts";
    }
    let chapter = chapters.get(key);
    if (!chapter) {
      chapter = { id: key, title, head, concepts: [], teachable: [], depth: new Map() };
      chapters.set(key, chapter);
    }
    chapter.concepts.push(concept);
    chapter.depth.set(concept.id, depth);
  }
  for (const chapter of chapters.values()) {
    chapter.concepts.sort((a, b) => (a === chapter.head ? -1 : b === chapter.head ? 1 : byPosition(a, b)));
    chapter.teachable = chapter.concepts.filter(isTeachable);
  }
  const start = (c: Chapter) => Math.min(...c.concepts.map((n) => n.position));
  return [...chapters.values()].sort((a, b) => start(a) - start(b) || a.title.localeCompare(b.title));
}

/** What a chapter's concepts add up to: how many are mastered, due, and known on average. */
export type ChapterMastery = { total: number; mastered: number; due: number; percent: number; text: string };

export function chapterMastery(chapter: Chapter, progress: Map<string, ConceptProgress>, now?: number): ChapterMastery {
  const total = chapter.teachable.length;
  let mastered = 0;
  let due = 0;
  let known = 0;
  for (const concept of chapter.teachable) {
    const mastery = masteryOf(progress.get(concept.id), now);
    if (mastery.level === "mastered") mastered += 1;
    if (mastery.due) due += 1;
    known += mastery.known;
  }
  const percent = total === 0 ? 0 : Math.round((known / total) * 100);
  return { total, mastered, due, percent, text: `${mastered} of ${total} mastered` };
}

/** How a title matches a query: 0 whole, 1 start, 2 a word's start, 3 anywhere; undefined when it does not. */
function rank(title: string, query: string): number | undefined {
  const folded = title.toLocaleLowerCase();
  if (folded === query) return 0;
  if (folded.startsWith(query)) return 1;
  const at = folded.indexOf(query);
  if (at < 0) return undefined;
  for (let i = at; i >= 0; i = folded.indexOf(query, i + 1)) {
    if (!/[\p{L}\p{N}]/u.test(folded[i - 1] ?? " ")) return 2;
  }
  return 3;
}

/** Concepts whose title holds the query (any case), best matches first, then in reading order. */
export function searchConcepts<T extends GraphConcept>(concepts: T[], query: string, limit = 8): T[] {
  const folded = query.trim().toLocaleLowerCase();
  if (!folded) return [];
  const found: { concept: T; rank: number }[] = [];
  for (const concept of concepts) {
    const r = rank(concept.title, folded);
    if (r !== undefined) found.push({ concept, rank: r });
  }
  found.sort((a, b) => a.rank - b.rank || byPosition(a.concept, b.concept));
  return found.slice(0, limit).map((f) => f.concept);
}
