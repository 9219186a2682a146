import { MarkerType, type Edge } from "@xyflow/react";

import type { ConceptGraph, ConceptProgress } from "@/lib/api";

import type { ConceptFlowNode } from "./concept-flow-node";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "./layout";
import { masteryOf } from "./mastery";

export type FlowInput = {
  graph: ConceptGraph;
  progress: Map<string, ConceptProgress>;
  steps: string[];
  selecting: boolean;
  selected: Set<string>;
  onActivate: (id: string) => void;
  rankdir: "TB" | "LR";
  now?: number;
};

const PATH_COLOUR = "var(--color-primary)";

/** React Flow nodes and edges for the graph, with the learning path's steps drawn on it. */
export function flowElements(input: FlowInput): { nodes: ConceptFlowNode[]; edges: Edge[] } {
  const { graph, progress, steps, selecting, selected, onActivate, rankdir, now } = input;
  const positions = layoutGraph(graph.nodes, graph.edges, rankdir);
  const stepOf = new Map(steps.map((id, index) => [id, index + 1]));

  const nodes: ConceptFlowNode[] = graph.nodes.map((concept) => ({
    id: concept.id,
    type: "concept",
    position: positions.get(concept.id) ?? { x: 0, y: 0 },
    // Fixed sizes: the layout assumed them, and the node shows before it is measured.
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: {
      id: concept.id,
      title: concept.title,
      mastery: masteryOf(progress.get(concept.id), now),
      selecting,
      selected: selected.has(concept.id),
      step: stepOf.get(concept.id),
      onActivate,
      rankdir,
    },
  }));

  // Consecutive steps of the path: drawn along an existing edge, or added when none joins them.
  const pathPairs = new Set(steps.slice(1).map((id, i) => `${steps[i]}>${id}`));
  const joined = new Set<string>();
  const edges: Edge[] = graph.edges.map((edge, index) => {
    const pair = `${edge.source}>${edge.target}`;
    const onPath = pathPairs.has(pair);
    if (onPath) joined.add(pair);
    const partOf = edge.kind === "part_of";
    return {
      id: `e${index}-${pair}`,
      source: edge.source,
      target: edge.target,
      animated: onPath,
      focusable: false,
      markerEnd: partOf ? undefined : { type: MarkerType.ArrowClosed },
      style: {
        strokeDasharray: partOf ? "4 4" : undefined,
        stroke: onPath ? PATH_COLOUR : undefined,
        strokeWidth: onPath ? 2.5 : 1.5,
      },
      data: { kind: edge.kind },
    };
  });
  for (const pair of pathPairs) {
    if (joined.has(pair)) continue;
    const [source, target] = pair.split(">");
    edges.push({
      id: `path-${pair}`,
      source,
      target,
      animated: true,
      focusable: false,
      markerEnd: { type: MarkerType.ArrowClosed, color: PATH_COLOUR },
      style: { stroke: PATH_COLOUR, strokeWidth: 2.5 },
      data: { kind: "path" },
    });
  }
  return { nodes, edges };
}
