import dagre from "@dagrejs/dagre";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 84;

export type LayoutEdge = { source: string; target: string; kind: string };
export type Position = { x: number; y: number };

/**
 * Top-left positions for every concept. Only prerequisite edges shape the layout, so
 * what must be learned first sits above ("TB") or left of ("LR") what it enables;
 * `part_of` edges would otherwise pull wholes and parts into the same chain.
 */
export function layoutGraph(
  nodes: { id: string }[],
  edges: LayoutEdge[],
  rankdir: "TB" | "LR" = "TB",
): Map<string, Position> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir, nodesep: 32, ranksep: 64, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const node of nodes) graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of edges) {
    if (edge.kind !== "prerequisite" || !ids.has(edge.source) || !ids.has(edge.target)) continue;
    graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  const positions = new Map<string, Position>();
  for (const node of nodes) {
    const placed = graph.node(node.id) as { x: number; y: number };
    // dagre gives centres; React Flow places nodes by their top-left corner.
    positions.set(node.id, { x: placed.x - NODE_WIDTH / 2, y: placed.y - NODE_HEIGHT / 2 });
  }
  return positions;
}
