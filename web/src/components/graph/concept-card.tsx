"use client";

import { Check, Clock } from "lucide-react";

import { cn } from "@/lib/utils";

import type { Mastery } from "./mastery";

export type ConceptCardProps = {
  id: string;
  title: string;
  mastery: Mastery;
  /** Choosing targets: the card toggles rather than opens. */
  selecting: boolean;
  selected: boolean;
  /** 1-based place on the highlighted learning path, if on it. */
  step?: number;
  /** The concept just found by search. */
  found?: boolean;
  onActivate: (id: string) => void;
};

// Learning shades deepen with the probability known; mastered is green, new is grey.
function tone(mastery: Mastery): string {
  if (mastery.level === "mastered") return "border-success bg-success/15";
  if (mastery.level === "new") return "border-border bg-muted";
  if (mastery.percent >= 66) return "border-warning bg-warning/25";
  if (mastery.percent >= 33) return "border-warning bg-warning/15";
  return "border-warning bg-warning/5";
}

/**
 * One concept of the graph: its title, mastery in words and colour, and a due mark.
 *
 * Its accessible name is its visible text, with hidden words between the pieces, so what
 * a screen reader says is what the eye reads ("Ownership, mastery 61%, review due").
 */
export function ConceptCard(props: ConceptCardProps) {
  const { id, title, mastery, selecting, selected, step, found, onActivate } = props;
  return (
    <button
      type="button"
      data-testid="concept-node"
      data-concept-id={id}
      data-mastery={mastery.known}
      data-level={mastery.level}
      data-due={mastery.due ? "true" : undefined}
      data-step={step}
      data-found={found ? "true" : undefined}
      aria-pressed={selecting ? selected : undefined}
      onClick={() => onActivate(id)}
      // React Flow turns pointer events off on nodes it need not select or drag; the card takes them back.
      style={{ pointerEvents: "auto" }}
      className={cn(
        "nodrag nopan flex h-full w-full flex-col items-start gap-1 rounded-lg border-2 p-2 text-left text-foreground shadow-sm transition-shadow hover:shadow-md",
        tone(mastery),
        step && "ring-4 ring-primary/60",
        selected && "outline-3 outline-offset-2 outline-primary",
        found && !selected && "shadow-lg outline-3 outline-offset-4 outline-ring outline-dashed",
      )}
    >
      <span className="line-clamp-2 text-sm leading-tight font-semibold">{title}</span>
      <span className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs">
        <span className="font-medium">
          <span className="sr-only">, mastery</span> {mastery.text}
        </span>
        {mastery.due && (
          <span className="flex items-center gap-0.5 rounded bg-warning px-1 font-medium text-white">
            <Clock className="size-3" aria-hidden />
            <span className="sr-only">,</span> Review due
          </span>
        )}
        {step && (
          <span className="font-medium text-primary">
            <span className="sr-only">, path</span> Step {step}
          </span>
        )}
        {selecting && selected && (
          <span className="flex items-center gap-0.5 font-medium text-primary">
            <Check className="size-3" aria-hidden />
            Target
          </span>
        )}
      </span>
    </button>
  );
}
