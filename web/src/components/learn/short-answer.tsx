"use client";

import type { ExerciseKindProps } from "./exercise-types";
import { TextAnswerForm } from "./text-answer-form";
import { useAnswer } from "./use-answer";

/** A question answered in a few words. */
export function ShortAnswer({ exercise, canSend, send, result }: ExerciseKindProps) {
  const { sent, submit } = useAnswer(exercise.id, send, result);
  return (
    <TextAnswerForm
      prompt={exercise.question}
      label="Your answer"
      submitLabel="Submit answer"
      canSend={canSend}
      sent={sent}
      onSubmit={submit}
    />
  );
}
