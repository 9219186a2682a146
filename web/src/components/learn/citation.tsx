"use client";

import * as React from "react";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { Citation } from "@/lib/protocol";

/** How long the passage stays up after the pointer leaves, so it can travel onto it. */
const HOVER_CLOSE_MS = 150;

/**
 * A citation marker: a small button that shows the cited passage of the learner's notes.
 * It opens on mouse hover (a peek) and on click, tap or keyboard (pinned until dismissed).
 */
export function CitationButton({ number, citation }: { number: number; citation: Citation }) {
  const [open, setOpen] = React.useState(false);
  // A hover-opened passage closes when the pointer leaves; a clicked one stays.
  const byHover = React.useRef(false);
  const closeTimer = React.useRef<ReturnType<typeof setTimeout> | null>(null);

  const cancelClose = () => {
    if (closeTimer.current !== null) clearTimeout(closeTimer.current);
    closeTimer.current = null;
  };
  const peek = (event: React.PointerEvent) => {
    // Touch and pen get their "hover" from the tap itself: the click handler opens those.
    if (event.pointerType !== "mouse") return;
    cancelClose();
    if (!open) {
      byHover.current = true;
      setOpen(true);
    }
  };
  const leave = (event: React.PointerEvent) => {
    if (event.pointerType !== "mouse" || !byHover.current) return;
    cancelClose();
    closeTimer.current = setTimeout(() => setOpen(false), HOVER_CLOSE_MS);
  };
  React.useEffect(() => cancelClose, []);

  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        cancelClose();
        byHover.current = false;
        setOpen(next);
      }}
    >
      <PopoverTrigger
        aria-label={`Source ${number}`}
        className="mx-0.5 inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-accent px-1 align-super text-[0.7rem] font-semibold leading-none text-accent-foreground no-underline hover:bg-primary hover:text-primary-foreground"
        onPointerEnter={peek}
        onPointerLeave={leave}
        onClick={(event) => {
          // Handled here rather than by the popover's toggle, so a click on a passage
          // that a hover already opened pins it instead of closing it.
          event.preventDefault();
          cancelClose();
          if (open && byHover.current) {
            byHover.current = false;
            return;
          }
          byHover.current = false;
          setOpen(!open);
        }}
      >
        {number}
      </PopoverTrigger>
      <PopoverContent
        aria-label={`Source ${number}`}
        className="w-96"
        onPointerEnter={(event) => {
          if (event.pointerType === "mouse") cancelClose();
        }}
        onPointerLeave={leave}
        // A peek leaves focus where it was; a click or key moves it to the passage.
        onOpenAutoFocus={(event) => {
          if (byHover.current) event.preventDefault();
        }}
      >
        {citation.see_also ? (
          // Quoted from outside the concept's own section, because that section is short.
          <p className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">See also</p>
        ) : null}
        <p className="font-medium break-words">{citation.heading_path || "Untitled section"}</p>
        <p className="text-xs break-all text-muted-foreground">{citation.document_path}</p>
        {/* The passage is Markdown cut from the notes: shown as the notes read, not as source. */}
        <blockquote className="prose prose-sm mt-2 max-h-60 max-w-none overflow-y-auto border-l-2 border-primary pl-3 break-words prose-code:before:content-none prose-code:after:content-none prose-pre:bg-muted prose-pre:text-foreground">
          <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: false }]]}>
            {citation.text}
          </ReactMarkdown>
        </blockquote>
      </PopoverContent>
    </Popover>
  );
}
