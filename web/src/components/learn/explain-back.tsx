"use client";

import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";

import type { ExerciseKindProps } from "./exercise-types";
import { SentNote } from "./sent-note";

/** The learner explains the concept in their own words; it is held against its key points. */
export function ExplainBack({ exercise, canSend, send, result }: ExerciseKindProps) {
  const [text, setText] = React.useState("");
  const [sent, setSent] = React.useState(false);
  React.useEffect(() => setSent(false), [result]);
  const id = React.useId();

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        const explanation = text.trim();
        if (explanation === "") return;
        setSent(send({ type: "explain", concept_id: exercise.concept_id, text: explanation }));
      }}
    >
      <p className="font-medium whitespace-pre-wrap">{exercise.prompt}</p>
      <Label htmlFor={id} className="mt-3 block">
        Your explanation
      </Label>
      <Textarea id={id} className="mt-1.5 min-h-28" value={text} maxLength={4000} onChange={(e) => setText(e.target.value)} />
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" size="sm" disabled={!canSend || text.trim() === ""}>
          Submit explanation
        </Button>
        <SentNote sent={sent} text="Sent — waiting for the tutor's reading…" />
      </div>
    </form>
  );
}
