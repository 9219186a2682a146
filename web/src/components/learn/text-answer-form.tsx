"use client";

import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";

import { SentNote } from "./sent-note";

export interface TextAnswerFormProps {
  prompt?: string;
  label: string;
  submitLabel: string;
  sentText?: string;
  canSend: boolean;
  sent: boolean;
  /** Gets the trimmed, non-empty text. */
  onSubmit: (text: string) => void;
  className?: string;
}

/** A prompt, a labelled box for the learner's words, and a button that sends them. */
export function TextAnswerForm({ prompt, label, submitLabel, sentText, canSend, sent, onSubmit, className }: TextAnswerFormProps) {
  const [text, setText] = React.useState("");
  const id = React.useId();
  const trimmed = text.trim();

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed !== "") onSubmit(trimmed);
      }}
    >
      <p className="font-medium whitespace-pre-wrap">{prompt}</p>
      <Label htmlFor={id} className="mt-3 block">
        {label}
      </Label>
      <Textarea id={id} className={className ?? "mt-1.5"} value={text} maxLength={4000} onChange={(e) => setText(e.target.value)} />
      <div className="mt-3 flex items-center gap-3">
        <Button type="submit" size="sm" disabled={!canSend || trimmed === ""}>
          {submitLabel}
        </Button>
        <SentNote sent={sent} text={sentText} />
      </div>
    </form>
  );
}
