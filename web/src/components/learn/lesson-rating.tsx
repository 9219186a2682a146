"use client";

import { Star } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { Action } from "@/lib/socket";
import { cn } from "@/lib/utils";

export interface LessonRatingProps {
  lessonId: string;
  /** The server stored a rating for this lesson (its `ack` came). */
  rated: boolean;
  canSend: boolean;
  send: (action: Action) => boolean;
}

const WORDS = ["", "Poor", "Weak", "Fair", "Good", "Excellent"];

/** One to five stars and an optional comment on the lesson shown. */
export function LessonRating({ lessonId, rated, canSend, send }: LessonRatingProps) {
  const [rating, setRating] = React.useState(0);
  const [comment, setComment] = React.useState("");
  const id = React.useId();

  return (
    <section aria-labelledby={`${id}-title`} className="rounded-lg border bg-card p-4">
      <h3 id={`${id}-title`} className="font-semibold">
        How was this lesson?
      </h3>
      <form
        className="mt-2 flex flex-col gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          if (rating === 0) return;
          const words = comment.trim();
          send({ type: "feedback", lesson_id: lessonId, rating, ...(words ? { comment: words } : {}) });
        }}
      >
        <div role="group" aria-label="Rating" className="flex items-center gap-1">
          {[1, 2, 3, 4, 5].map((n) => (
            <button
              key={n}
              type="button"
              aria-label={`Rate ${n} of 5`}
              aria-pressed={rating === n}
              title={WORDS[n]}
              onClick={() => setRating(n)}
              className="rounded-md p-1 text-warning hover:bg-accent"
            >
              <Star aria-hidden className={cn("size-6", n <= rating ? "fill-current" : "fill-none")} />
            </button>
          ))}
          <span className="ml-2 text-sm text-muted-foreground">{rating ? `${rating} of 5 — ${WORDS[rating]}` : "Not rated"}</span>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-comment`}>Comment (optional)</Label>
          <Textarea
            id={`${id}-comment`}
            value={comment}
            maxLength={2000}
            className="min-h-16"
            onChange={(event) => setComment(event.target.value)}
          />
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" size="sm" variant="secondary" disabled={!canSend || rating === 0}>
            Send feedback
          </Button>
          {rated && (
            <p role="status" className="text-sm text-success">
              Thanks for the feedback
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
