"use client";

import * as React from "react";

import { cn } from "@/lib/utils";

export type Pane = "chat" | "lesson";

const PANES: { value: Pane; label: string }[] = [
  { value: "chat", label: "Chat" },
  { value: "lesson", label: "Lesson" },
];

export const tabId = (pane: Pane) => `learn-tab-${pane}`;
export const panelId = (pane: Pane) => `learn-panel-${pane}`;

/** On narrow screens, switches between the chat and the lesson (wide ones show both). */
export function PaneTabs({ value, onChange, className }: { value: Pane; onChange: (pane: Pane) => void; className?: string }) {
  const refs = React.useRef<Record<Pane, HTMLButtonElement | null>>({ chat: null, lesson: null });
  return (
    <div role="tablist" aria-label="Learn view" className={cn("grid grid-cols-2 gap-1 rounded-lg bg-muted p-1", className)}>
      {PANES.map(({ value: pane, label }, index) => (
        <button
          key={pane}
          ref={(el) => {
            refs.current[pane] = el;
          }}
          id={tabId(pane)}
          type="button"
          role="tab"
          aria-selected={value === pane}
          aria-controls={panelId(pane)}
          tabIndex={value === pane ? 0 : -1}
          onClick={() => onChange(pane)}
          onKeyDown={(event) => {
            // Arrow keys move between tabs, as in any tab list.
            if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
            event.preventDefault();
            const next = PANES[(index + 1) % PANES.length].value;
            onChange(next);
            refs.current[next]?.focus();
          }}
          className={cn(
            "rounded-md px-3 py-1.5 text-sm font-medium text-muted-foreground",
            value === pane && "bg-background text-foreground shadow-sm",
          )}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
