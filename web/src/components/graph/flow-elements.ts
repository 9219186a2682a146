import { MarkerType, type Edge } from "@xyflow/react";

import type { ConceptGraph, ConceptProgress } from "@/lib/api";

import type { ChapterFlowNode } from "./chapter-node";
import { chapterMastery, type Chapter } from "./chapters";
import { layoutChapters, type ChapterLayout } from "./chapter-layout";
import type { ConceptFlowNode } from "./concept-flow-node";
import { masteryOf } from "./mastery";

export type FlowInput = {
  chapters: Chapter[];
  edges: ConceptGraph["edges"];
  progress: Map<string, ConceptProgress>;
  /** Chapters shown open, with their concepts. */
  open: Set<string>;
  columns: number;
  steps: string[];
  selecting: boolean;
  selected: Set<string>;
  /** The concept just found by search, marked on its card. */
  found?: string;
  onActivate: (id: string) => void;
  onToggle: (chapterId: string) => void;
  now?: number;
};

export type FlowElements = { nodes: (ChapterFlowNode | ConceptFlowNode)[]; edges: Edge[]; layout: ChapterLayout };

const PATH_COLOUR = "var(--color-primary)";

/**
 * React Flow nodes and edges for the chapters: a closed chapter is one node, an open one
 * a box holding its concepts. A prerequisite edge joins what stands for each end (the
 * concept, or its closed chapter); the learning path's steps are drawn on top.
 */
export function flowElements(input: FlowInput): FlowElements {
  const { chapters, progress, open, steps, selecting, selected, found, onActivate, onToggle, now } = input;
  // Only chapters with something to teach are drawn; the outline lists the rest.
  const shown = chapters.filter((c) => c.teachable.length > 0);
  const layout = layoutChapters(shown, open, input.columns);
  const stepOf = new Map(steps.map((id, index) => [id, index + 1]));
  // One card to a row reads down the page: edges then meet cards above and below.
  const rankdir = input.columns === 1 ? "TB" : "LR";

  const standsFor = new Map<string, string>();
  const groups: ChapterFlowNode[] = [];
  const concepts: ConceptFlowNode[] = [];
  for (const chapter of shown) {
    const box = layout.chapters.get(chapter.id)!;
    const isOpen = open.has(chapter.id);
    groups.push({
      id: `chapter:${chapter.id}`,
      type: "chapter",
      position: { x: box.x, y: box.y },
      width: box.width,
      height: box.height,
      // An open chapter's box lies under its concepts.
      zIndex: isOpen ? -1 : 0,
      data: {
        id: chapter.id,
        title: chapter.title,
        mastery: chapterMastery(chapter, progress, now),
        open: isOpen,
        steps: chapter.teachable.filter((c) => stepOf.has(c.id)).length,
        onToggle,
        rankdir,
      },
    });
    for (const concept of chapter.teachable) {
      standsFor.set(concept.id, isOpen ? concept.id : `chapter:${chapter.id}`);
      if (!isOpen) continue;
      const place = layout.concepts.get(concept.id)!;
      concepts.push({
        id: concept.id,
        type: "concept",
        position: { x: place.x, y: place.y },
        // Fixed sizes: the layout assumed them, and the node shows before it is measured.
        width: place.width,
        height: place.height,
        data: {
          id: concept.id,
          title: concept.title,
          mastery: masteryOf(progress.get(concept.id), now),
          selecting,
          selected: selected.has(concept.id),
          step: stepOf.get(concept.id),
          found: concept.id === found,
          onActivate,
          rankdir,
        },
      });
    }
  }

  const ends = (source: string, target: string) => {
    const from = standsFor.get(source);
    const to = standsFor.get(target);
    return from === undefined || to === undefined || from === to ? undefined : `${from}>${to}`;
  };
  const pathPairs = new Set<string>();
  steps.slice(1).forEach((id, i) => {
    const pair = ends(steps[i], id);
    if (pair) pathPairs.add(pair);
  });
  const seen = new Set<string>();
  const edges: Edge[] = [];
  const addEdge = (pair: string, onPath: boolean) => {
    const [source, target] = pair.split(">");
    edges.push({
      id: `${onPath ? "path" : "e"}-${pair}`,
      source,
      target,
      animated: onPath,
      focusable: false,
      markerEnd: { type: MarkerType.ArrowClosed, color: onPath ? PATH_COLOUR : undefined },
      // Faint unless on the path: at a book's size edges cross cards, and the titles come first.
      style: { stroke: onPath ? PATH_COLOUR : undefined, strokeWidth: onPath ? 2.5 : 1.5, strokeOpacity: onPath ? 1 : 0.55 },
    });
  };
  for (const edge of input.edges) {
    if (edge.kind !== "prerequisite") continue;
    const pair = ends(edge.source, edge.target);
    if (!pair || seen.has(pair)) continue;
    seen.add(pair);
    addEdge(pair, pathPairs.has(pair));
  }
  for (const pair of pathPairs) if (!seen.has(pair)) addEdge(pair, true);
  // Boxes first: React Flow draws later nodes on top.
  return { nodes: [...groups, ...concepts], edges, layout };
}
