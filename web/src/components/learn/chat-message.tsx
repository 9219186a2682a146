import { AlertTriangle, Compass, Info } from "lucide-react";

import type { Message } from "@/lib/conversation";
import { cn } from "@/lib/utils";

import { Markdown } from "./markdown";

/** A blinking block after text that is still being written. */
export function StreamingCaret() {
  return (
    <>
      <span aria-hidden className="ml-0.5 inline-block h-4 w-2 animate-pulse bg-foreground/70 align-text-bottom" />
      <span className="sr-only">(writing…)</span>
    </>
  );
}

/** One entry of the conversation: the learner's words, the tutor's, a plan or a notice. */
export function ChatMessage({ message }: { message: Message }) {
  switch (message.role) {
    case "learner":
      return (
        <div className="flex justify-end">
          <div className="max-w-[85%] rounded-2xl rounded-br-sm bg-primary px-3 py-2 text-sm text-primary-foreground">
            <span className="sr-only">You: </span>
            {message.action === "answer" && <span className="mr-1 font-semibold">Answer:</span>}
            <span className="whitespace-pre-wrap break-words">{message.text}</span>
          </div>
        </div>
      );
    case "tutor":
      return (
        <div className="flex justify-start">
          <div className="max-w-[92%] min-w-0 rounded-2xl rounded-bl-sm bg-muted px-3 py-2" aria-busy={message.streaming}>
            <span className="sr-only">Tutor: </span>
            {message.text === "" && message.streaming ? (
              <span className="text-sm text-muted-foreground">Thinking…</span>
            ) : (
              <Markdown text={message.text} citations={message.citations} className="prose-sm sm:prose-sm" />
            )}
            {message.streaming && <StreamingCaret />}
          </div>
        </div>
      );
    case "plan":
      return (
        <p className="flex items-center justify-center gap-1.5 text-center text-xs font-medium text-muted-foreground">
          <Compass aria-hidden className="size-3.5 shrink-0" />
          {message.plan.reason || message.plan.title}
        </p>
      );
    case "notice": {
      const error = message.tone === "error";
      const Icon = error ? AlertTriangle : Info;
      return (
        <p
          className={cn(
            "flex items-start justify-center gap-1.5 text-center text-xs",
            error ? "font-medium text-destructive" : "text-muted-foreground",
          )}
        >
          <Icon aria-hidden className="mt-px size-3.5 shrink-0" />
          <span>
            {error && <span className="sr-only">Error: </span>}
            {message.text}
          </span>
        </p>
      );
    }
  }
}
