"use client";

import { BookOpen, Check, Clock } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import type { ConceptProgress } from "@/lib/api";
import { cn } from "@/lib/utils";

import { chapterMastery, isTeachable, type Chapter, type GraphConcept } from "./chapters";
import { masteryOf } from "./mastery";

const ROLE_WORDS: Record<string, string> = {
  chapter: "chapter heading",
  front_matter: "front matter",
  back_matter: "back matter",
  navigation: "navigation",
};

type OutlineProps = {
  chapters: Chapter[];
  progress: Map<string, ConceptProgress>;
  selecting: boolean;
  selected: Set<string>;
  /** The concept found by search: scrolled to and focused. */
  found?: string;
  onActivate: (id: string) => void;
  now?: number;
};

function ConceptRow({
  concept,
  depth,
  props,
  rowRef,
}: {
  concept: GraphConcept;
  /** Nesting under the chapter's head; sections of sections are indented further. */
  depth: number;
  props: OutlineProps;
  rowRef?: React.Ref<HTMLLIElement>;
}) {
  const { progress, selecting, selected, found, onActivate, now } = props;
  const taught = isTeachable(concept);
  const mastery = masteryOf(progress.get(concept.id), now);
  return (
    <li
      ref={rowRef}
      tabIndex={concept.id === found ? -1 : undefined}
      data-testid="outline-concept"
      data-concept-id={concept.id}
      data-teachable={taught ? "true" : "false"}
      data-depth={depth}
      // Indented by nesting, at most three steps so a phone keeps room for the title.
      style={{ paddingLeft: `${0.5 + Math.min(Math.max(depth - 1, 0), 3) * 1.25}rem` }}
      className={cn(
        "flex flex-wrap items-center justify-between gap-x-3 gap-y-1 rounded-md px-2 py-1.5",
        concept.id === found && "bg-accent ring-2 ring-primary",
        !taught && "text-muted-foreground",
      )}
    >
      <span className="min-w-0 flex-1 basis-40">
        <span className={cn("break-words", taught && "font-medium")}>{concept.title}</span>
        {!taught && <span className="ml-2 text-xs">({ROLE_WORDS[concept.role ?? ""] ?? "not taught"})</span>}
      </span>
      {taught && (
        <span className="flex items-center gap-2 text-sm">
          <span data-testid="outline-mastery" data-level={mastery.level}>
            <span className="sr-only">Mastery </span>
            {mastery.text}
          </span>
          {mastery.due && (
            <span className="flex items-center gap-0.5 rounded bg-warning px-1 text-xs font-medium text-white">
              <Clock className="size-3" aria-hidden />
              Review due
            </span>
          )}
          {selecting ? (
            <Button size="sm" variant={selected.has(concept.id) ? "default" : "outline"} aria-pressed={selected.has(concept.id)} onClick={() => onActivate(concept.id)}>
              {selected.has(concept.id) && <Check aria-hidden />}
              Target <span className="sr-only">{concept.title}</span>
            </Button>
          ) : (
            <Button size="sm" variant="outline" onClick={() => onActivate(concept.id)}>
              <BookOpen aria-hidden />
              Learn <span className="sr-only">{concept.title}</span>
            </Button>
          )}
        </span>
      )}
    </li>
  );
}

/**
 * The notes' table of contents: chapters in reading order with their concepts, each with
 * its mastery, a due mark and a way into its lesson. Chapters with nothing to teach
 * (front and back matter, navigation) wait under a closed "Not taught" group.
 */
export function OutlineView(props: OutlineProps) {
  const { chapters, progress, found, now } = props;
  const foundRef = React.useRef<HTMLLIElement>(null);
  React.useEffect(() => {
    if (!found || !foundRef.current) return;
    foundRef.current.scrollIntoView?.({ block: "center" });
    foundRef.current.focus({ preventScroll: true });
  }, [found]);

  const taught = chapters.filter((c) => c.teachable.length > 0);
  const untaught = chapters.filter((c) => c.teachable.length === 0);
  const [showUntaught, setShowUntaught] = React.useState(false);
  const openUntaught = showUntaught || untaught.some((c) => c.concepts.some((n) => n.id === found));

  const rows = (chapter: Chapter) =>
    // A heading-only chapter concept is the chapter's own title, not a row of its own.
    chapter.concepts.filter((n) => !(n === chapter.head && n.role === "chapter"));

  const list = (chapter: Chapter) => (
    <ol className="mt-1 flex flex-col">
      {rows(chapter).map((concept) => (
        <ConceptRow
          key={concept.id}
          concept={concept}
          depth={chapter.depth.get(concept.id) ?? 0}
          props={props}
          rowRef={concept.id === found ? foundRef : undefined}
        />
      ))}
    </ol>
  );

  return (
    // A line of reading length: on a wide screen, the mastery and Learn stay near their title.
    <section aria-labelledby="outline-heading" data-testid="outline" className="flex max-w-3xl flex-col gap-4">
      <h2 id="outline-heading" className="sr-only">
        Outline
      </h2>
      <ol className="flex flex-col gap-4">
        {taught.map((chapter) => {
          const mastery = chapterMastery(chapter, progress, now);
          return (
            <li key={chapter.id} data-testid="outline-chapter" data-chapter-id={chapter.id} className="rounded-lg border p-3">
              <h3 className="flex flex-wrap items-baseline justify-between gap-x-3 font-semibold">
                <span className="break-words">{chapter.title}</span>
                <span className="text-sm font-normal text-muted-foreground">
                  {mastery.text}
                  {mastery.due > 0 && `, ${mastery.due} due`}
                </span>
              </h3>
              {list(chapter)}
            </li>
          );
        })}
      </ol>
      {untaught.length > 0 && (
        <section aria-labelledby="untaught-heading" className="rounded-lg border p-3">
          <h3 id="untaught-heading">
            <button
              type="button"
              aria-expanded={openUntaught}
              onClick={() => setShowUntaught(!openUntaught)}
              className="font-semibold text-muted-foreground underline-offset-4 hover:underline"
            >
              Not taught ({untaught.reduce((n, c) => n + c.concepts.length, 0)})
            </button>
          </h3>
          {openUntaught && (
            <ol className="mt-2 flex flex-col gap-2">
              {untaught.map((chapter) => (
                <li key={chapter.id}>
                  <h4 className="text-sm font-medium text-muted-foreground">{chapter.title}</h4>
                  {list(chapter)}
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
