"use client";

import type { ExerciseKindProps } from "./exercise-types";
import { TextAnswerForm } from "./text-answer-form";
import { useSentUntil } from "./use-answer";

/** The learner explains the concept in their own words; it is held against its key points. */
export function ExplainBack({ exercise, canSend, send, result }: ExerciseKindProps) {
  const [sent, setSent] = useSentUntil(result);
  return (
    <TextAnswerForm
      prompt={exercise.prompt}
      label="Your explanation"
      submitLabel="Submit explanation"
      sentText="Sent — waiting for the tutor's reading…"
      className="mt-1.5 min-h-28"
      canSend={canSend}
      sent={sent}
      onSubmit={(text) => setSent(send({ type: "explain", concept_id: exercise.concept_id, text }))}
    />
  );
}
