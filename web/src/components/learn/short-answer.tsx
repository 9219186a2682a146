"use client";

import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";

import type { ExerciseKindProps } from "./exercise-types";
import { SentNote } from "./sent-note";
import { useAnswer } from "./use-answer";

/** A question answered in a few words. */
export function ShortAnswer({ exercise, canSend, send, result }: ExerciseKindProps) {
  const [answer, setAnswer] = React.useState("");
  const { sent, submit } = useAnswer(exercise.id, send, result);
  const id = React.useId();

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (answer.trim() !== "") submit(answer.trim());
      }}
    >
      <p className="font-medium whitespace-pre-wrap">{exercise.question}</p>
      <Label htmlFor={id} className="mt-3 block">
        Your answer
      </Label>
      <Textarea id={id} className="mt-1.5" value={answer} maxLength={4000} onChange={(e) => setAnswer(e.target.value)} />
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" size="sm" disabled={!canSend || answer.trim() === ""}>
          Submit answer
        </Button>
        <SentNote sent={sent} />
      </div>
    </form>
  );
}
