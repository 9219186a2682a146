"use client";

import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";

import type { ExerciseKindProps } from "./exercise-types";
import { SentNote } from "./sent-note";
import { useAnswer } from "./use-answer";

/** A question with options; the answer sent is the chosen option's index. */
export function MultipleChoice({ exercise, canSend, send, result }: ExerciseKindProps) {
  const [choice, setChoice] = React.useState<string>("");
  const { sent, submit } = useAnswer(exercise.id, send, result);
  const id = React.useId();
  const options = exercise.options ?? [];

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (choice !== "") submit(choice);
      }}
    >
      <p id={`${id}-q`} className="font-medium whitespace-pre-wrap">
        {exercise.question}
      </p>
      <RadioGroup aria-labelledby={`${id}-q`} value={choice} onValueChange={setChoice} className="mt-3">
        {options.map((option, index) => (
          <div key={index} className="flex items-start gap-2">
            <RadioGroupItem value={String(index)} id={`${id}-${index}`} className="mt-0.5" />
            <Label htmlFor={`${id}-${index}`} className="leading-snug font-normal break-words">
              {option}
            </Label>
          </div>
        ))}
      </RadioGroup>
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" size="sm" disabled={!canSend || choice === ""}>
          Submit answer
        </Button>
        <SentNote sent={sent} />
      </div>
    </form>
  );
}
