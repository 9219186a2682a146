"use client";

import * as React from "react";

import type { Action } from "@/lib/socket";

/**
 * A fresh idempotency key. `crypto.randomUUID` exists only on secure origins (https,
 * localhost); a tutor reached over plain http on a home network builds a v4 UUID itself.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether something went and is still waiting for its result: a new result ends it. */
export function useSentUntil(result: unknown) {
  const [sent, setSent] = React.useState(false);
  React.useEffect(() => setSent(false), [result]);
  return [sent, setSent] as const;
}

/**
 * Sends an exercise answer with a fresh idempotency key, and remembers that it went, so
 * the card can say "Sent" until its result arrives.
 */
export function useAnswer(exerciseId: string, send: (action: Action) => boolean, result?: unknown) {
  const [sent, setSent] = useSentUntil(result);
  const submit = React.useCallback(
    (answer: string) => {
      const ok = send({ type: "answer", exercise_id: exerciseId, answer, idempotency_key: newIdempotencyKey() });
      setSent(ok);
      return ok;
    },
    [exerciseId, send, setSent],
  );
  return { sent, submit };
}
