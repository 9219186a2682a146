"use client";

import "@xyflow/react/dist/style.css";

import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type NodeTypes } from "@xyflow/react";
import * as React from "react";

import { ChapterNodeView } from "./chapter-node";
import type { Box } from "./chapter-layout";
import { ConceptFlowNodeView } from "./concept-flow-node";
import type { FlowElements } from "./flow-elements";

// Stable across renders, as React Flow asks.
const NODE_TYPES: NodeTypes = { concept: ConceptFlowNodeView, chapter: ChapterNodeView };
const MARGIN = 16;
/** The least zoom a concept is brought into view at: its label is read at about its own size. */
const READABLE_ZOOM = 0.9;
/** How much of a focused box must show to count as in view: a whole card, or an open chapter's heading. */
const SHOWN = { width: 400, height: 120 };

/** A request to bring a node into view; `seq` tells a repeat of the same node from none. */
export type Reveal = { node: string; how: "centre" | "top"; focus: boolean; seq: number };

type CanvasProps = { elements: FlowElements; reveal?: Reveal };

function boxOf(elements: FlowElements, node: string): Box | undefined {
  if (node.startsWith("chapter:")) return elements.layout.chapters.get(node.slice("chapter:".length));
  return elements.layout.concepts.get(node);
}

function Canvas({ elements, reveal }: CanvasProps) {
  const flow = useReactFlow();
  const wrapper = React.useRef<HTMLDivElement>(null);
  const placed = React.useRef(false);

  const [ready, setReady] = React.useState(false);
  const onInit = React.useCallback(() => setReady(true), []);

  // The first view: the top of the contents at a readable zoom, rather than everything shrunk to fit.
  React.useEffect(() => {
    const width = wrapper.current?.clientWidth ?? 0;
    if (!ready || !width || placed.current) return;
    placed.current = true;
    const content = elements.layout.width + 2 * MARGIN;
    const zoom = Math.min(1, Math.max(0.5, width / content));
    void flow.setViewport({ x: Math.max(MARGIN, (width - elements.layout.width * zoom) / 2), y: MARGIN, zoom });
  }, [ready, elements, flow]);

  React.useEffect(() => {
    if (!reveal) return;
    const box = boxOf(elements, reveal.node);
    const view = wrapper.current;
    if (!box || !view) return;
    const zoom = Math.max(flow.getZoom(), READABLE_ZOOM);
    if (reveal.how === "centre") {
      void flow.setCenter(box.x + box.width / 2, box.y + box.height / 2, { zoom, duration: 250 });
    } else {
      const x = view.clientWidth >= box.width * zoom ? (view.clientWidth - box.width * zoom) / 2 - box.x * zoom : MARGIN - box.x * zoom;
      void flow.setViewport({ x, y: MARGIN - box.y * zoom, zoom }, { duration: 250 });
    }
    if (reveal.focus) {
      // Focus the card, once React Flow has drawn it, so Enter opens its lesson.
      let tries = 20;
      const focusCard = () => {
        const card = view.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(reveal.node)}"] button`);
        if (card) card.focus({ preventScroll: true });
        else if (--tries > 0) requestAnimationFrame(focusCard);
      };
      focusCard();
    }
    // Only a new request moves the view; a re-render alone must not.
  }, [reveal]);

  // A card reached with Tab that lies outside the view is brought into it.
  const onFocus = (event: React.FocusEvent<HTMLDivElement>) => {
    const id = (event.target as HTMLElement).closest(".react-flow__node")?.getAttribute("data-id");
    const view = wrapper.current;
    const box = id ? boxOf(elements, id) : undefined;
    if (!box || !view) return;
    const { x, y, zoom } = flow.getViewport();
    const left = box.x * zoom + x;
    const top = box.y * zoom + y;
    const shown = { width: Math.min(box.width, SHOWN.width) * zoom, height: Math.min(box.height, SHOWN.height) * zoom };
    if (left >= 0 && top >= 0 && left + shown.width <= view.clientWidth && top + shown.height <= view.clientHeight) return;
    if (box.width <= SHOWN.width) {
      void flow.setCenter(box.x + box.width / 2, box.y + box.height / 2, { zoom });
    } else {
      // An open chapter's box may be larger than the view: its heading goes to the top left.
      void flow.setViewport({ x: MARGIN - box.x * zoom, y: MARGIN - box.y * zoom, zoom });
    }
  };

  return (
    <div ref={wrapper} className="h-full w-full" onFocus={onFocus}>
      <ReactFlow
        nodes={elements.nodes}
        edges={elements.edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        onInit={onInit}
        minZoom={0.1}
        aria-label="Concept graph"
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

/** The chapters and concepts on a canvas that pans and zooms, with a way to bring one into view. */
export function ConceptCanvas(props: CanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
