"use client";

import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { ChevronDown, ChevronRight, Clock } from "lucide-react";

import { cn } from "@/lib/utils";

import type { ChapterMastery } from "./chapters";

export type ChapterNodeData = {
  id: string;
  title: string;
  mastery: ChapterMastery;
  open: boolean;
  /** How many of its concepts are steps of the highlighted learning path. */
  steps: number;
  onToggle: (chapterId: string) => void;
  rankdir: "TB" | "LR";
};

export type ChapterFlowNode = Node<ChapterNodeData, "chapter">;

function tone(mastery: ChapterMastery): string {
  if (mastery.total > 0 && mastery.mastered === mastery.total) return "border-success bg-success/15";
  if (mastery.percent === 0) return "border-border bg-muted";
  return "border-warning bg-warning/15";
}

/**
 * A chapter: closed, one card with its concept count and mastery that opens it; open, a
 * box under its concepts whose heading button closes it.
 */
export function ChapterNodeView({ data }: NodeProps<ChapterFlowNode>) {
  const { id, title, mastery, open, steps, onToggle, rankdir } = data;
  const Chevron = open ? ChevronDown : ChevronRight;
  const summary = (
    <span className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs">
      <span className="font-medium">
        <span className="sr-only">,</span> {mastery.total} {mastery.total === 1 ? "concept" : "concepts"}
      </span>
      <span>
        <span className="sr-only">,</span> {mastery.text}
      </span>
      {mastery.due > 0 && (
        <span className="flex items-center gap-0.5 rounded bg-warning px-1 font-medium text-white">
          <Clock className="size-3" aria-hidden />
          <span className="sr-only">,</span> {mastery.due} due
        </span>
      )}
      {steps > 0 && (
        <span className="font-medium text-primary">
          <span className="sr-only">,</span> {steps} on the path
        </span>
      )}
    </span>
  );
  const button = (
    <button
      type="button"
      data-testid="chapter-node"
      data-chapter-id={id}
      aria-expanded={open}
      onClick={() => onToggle(id)}
      style={{ pointerEvents: "auto" }}
      className={cn(
        "nodrag nopan flex w-full items-start gap-1 rounded-lg text-left text-foreground",
        open ? "p-1" : cn("h-full border-2 p-2 shadow-sm transition-shadow hover:shadow-md", tone(mastery)),
      )}
    >
      <Chevron className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span className="flex min-w-0 flex-col gap-1">
        <span className={cn("leading-tight font-semibold", open ? "truncate text-base" : "line-clamp-2 text-sm")}>{title}</span>
        {summary}
      </span>
    </button>
  );
  if (open) {
    return (
      <div data-testid="chapter-group" className="h-full w-full rounded-xl border-2 border-dashed border-border bg-background/60 p-2">
        {button}
      </div>
    );
  }
  return (
    <>
      <Handle type="target" position={rankdir === "TB" ? Position.Top : Position.Left} isConnectable={false} />
      {button}
      <Handle type="source" position={rankdir === "TB" ? Position.Bottom : Position.Right} isConnectable={false} />
    </>
  );
}
