"use client";

import { ArrowRight, GraduationCap, Send as SendIcon, Square } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { Action } from "@/lib/socket";

export interface ComposerProps {
  online: boolean;
  /** A turn is under way: new requests wait, Stop is offered. */
  running: boolean;
  /** Why sending is off (offline), shown to the learner. */
  disabledReason: string | null;
  send: (action: Action) => boolean;
}

/** Where the learner writes to the tutor, with the lesson shortcuts and Stop. */
export function Composer({ online, running, disabledReason, send }: ComposerProps) {
  const [text, setText] = React.useState("");
  const id = React.useId();
  const reasonId = `${id}-reason`;
  const canSend = online && !running;
  const reason = disabledReason ?? (running ? "The tutor is replying — wait for it, or press Stop." : null);

  const submit = () => {
    const message = text.trim();
    if (!canSend || message === "") return;
    // Kept when the socket refuses, so nothing the learner wrote is lost.
    if (send({ type: "chat", text: message })) setText("");
  };

  return (
    <form
      className="flex flex-col gap-2 border-t bg-background p-3"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Label htmlFor={`${id}-message`} className="sr-only">
        Message
      </Label>
      <div className="flex items-end gap-2">
        <Textarea
          id={`${id}-message`}
          value={text}
          rows={2}
          maxLength={4000}
          placeholder="Ask a question, or answer the tutor…"
          aria-describedby={reason ? reasonId : undefined}
          className="min-h-12 min-w-0 resize-none"
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            // Enter sends; Shift+Enter (and composing an IME character) makes a new line.
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <Button type="submit" disabled={!canSend || text.trim() === ""}>
          <SendIcon aria-hidden />
          Send
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="outline" size="sm" disabled={!canSend} onClick={() => send({ type: "start_lesson" })}>
          <GraduationCap aria-hidden />
          Start a lesson
        </Button>
        <Button type="button" variant="outline" size="sm" disabled={!canSend} onClick={() => send({ type: "next" })}>
          <ArrowRight aria-hidden />
          Next
        </Button>
        {running && (
          <Button type="button" variant="destructive" size="sm" disabled={!online} onClick={() => send({ type: "interrupt" })}>
            <Square aria-hidden />
            Stop
          </Button>
        )}
      </div>
      {reason && (
        <p id={reasonId} className="text-xs text-muted-foreground">
          {reason}
        </p>
      )}
    </form>
  );
}
