"use client";

import { GraduationCap } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { Conversation } from "@/lib/conversation";
import type { ExplainResultEvent } from "@/lib/protocol";
import type { Action } from "@/lib/socket";
import { cn } from "@/lib/utils";

import { StreamingCaret } from "./chat-message";
import { ExerciseCard } from "./exercise-card";
import { ExplainResult } from "./explain-result";
import { LessonRating } from "./lesson-rating";
import { Markdown } from "./markdown";

export interface LessonPaneProps {
  conversation: Conversation;
  canSend: boolean;
  send: (action: Action) => boolean;
  className?: string;
}

const DIFFICULTY_WORDS = { intro: "Intro", practice: "Practice", challenge: "Challenge" } as const;

function latestFor(results: ExplainResultEvent[], conceptId: string): ExplainResultEvent | undefined {
  return results.findLast((r) => r.concept_id === conceptId);
}

/** The lesson being taught: its text as it streams, its sources, exercises and rating. */
export function LessonPane({ conversation, canSend, send, className }: LessonPaneProps) {
  const { lesson, draft, plan, running, teaching, exercises, grades, explainResults, ratings } = conversation;
  const title = lesson?.title ?? plan?.title ?? null;
  const difficulty = lesson?.difficulty ?? plan?.difficulty;
  const reason = lesson?.reason ?? plan?.reason;
  const text = lesson ? lesson.text : draft;
  const streaming = lesson === null && running && teaching;
  const conceptId = lesson?.concept_id ?? plan?.concept_id;
  // An explanation given in the chat, when no explain-back exercise is there to show it.
  const looseExplain =
    conceptId && !exercises.some((e) => e.kind === "explain_back") ? latestFor(explainResults, conceptId) : undefined;

  return (
    <section aria-label="Lesson" className={cn("flex flex-col gap-4", className)}>
      {title === null ? (
        <div className="flex flex-col items-center gap-3 rounded-lg border border-dashed p-8 text-center">
          <GraduationCap aria-hidden className="size-10 text-primary" />
          <h2 className="text-lg font-semibold">No lesson yet</h2>
          <p className="max-w-sm text-sm text-muted-foreground">
            Start a lesson and the tutor picks what to learn next from your notes — or ask for a topic in the chat, or
            pick a concept on the Graph page. The lesson appears here, with exercises under it.
          </p>
          <Button type="button" disabled={!canSend || running} onClick={() => send({ type: "start_lesson" })}>
            Start a lesson
          </Button>
        </div>
      ) : (
        <article className="rounded-lg border bg-card p-4 sm:p-6">
          <header className="mb-4 flex flex-col gap-2 border-b pb-3">
            <h2 className="text-xl font-semibold break-words">{title}</h2>
            <div className="flex flex-wrap items-center gap-2">
              {difficulty && <Badge variant="secondary">{DIFFICULTY_WORDS[difficulty]}</Badge>}
              {reason && <Badge variant="outline" className="font-medium whitespace-normal">{reason}</Badge>}
              {lesson?.source === "extractive" && <Badge variant="outline">Quoted from your notes</Badge>}
            </div>
          </header>
          {text === "" ? (
            <p className="text-sm text-muted-foreground" role="status">
              {running ? "Writing the lesson…" : plan?.kind === "done" ? plan.reason : "No text for this lesson."}
            </p>
          ) : (
            <div aria-busy={streaming}>
              <Markdown data-testid="lesson-text" text={text} citations={lesson?.citations ?? []} />
              {streaming && <StreamingCaret />}
            </div>
          )}
          {lesson === null && !running && text !== "" && (
            <p className="mt-3 text-sm text-muted-foreground">This lesson stopped before it was finished.</p>
          )}
        </article>
      )}

      {exercises.map((exercise, index) => (
        <ExerciseCard
          key={exercise.id}
          exercise={exercise}
          number={index + 1}
          grade={grades[exercise.id]}
          explainResult={latestFor(explainResults, exercise.concept_id)}
          canSend={canSend}
          send={send}
        />
      ))}

      {looseExplain && <ExplainResult result={looseExplain} />}

      {lesson && <LessonRating key={lesson.id} lessonId={lesson.id} rated={ratings[lesson.id] === true} canSend={canSend} send={send} />}
    </section>
  );
}
