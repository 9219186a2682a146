"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";

import { ConceptCard, type ConceptCardProps } from "./concept-card";

export type ConceptFlowNode = Node<ConceptCardProps & { rankdir: "TB" | "LR" }, "concept">;

/** The card inside React Flow, with handles where prerequisite edges meet it. */
export function ConceptFlowNodeView({ data }: NodeProps<ConceptFlowNode>) {
  const vertical = data.rankdir === "TB";
  return (
    <>
      <Handle type="target" position={vertical ? Position.Top : Position.Left} isConnectable={false} />
      <ConceptCard {...data} />
      <Handle type="source" position={vertical ? Position.Bottom : Position.Right} isConnectable={false} />
    </>
  );
}
