"use client";

import { ArrowDown } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import type { Message } from "@/lib/conversation";
import type { Action, SocketStatus } from "@/lib/socket";

import { ChatMessage } from "./chat-message";
import { Composer } from "./composer";
import { offlineReason } from "./connection-status";

/** How close to the bottom still counts as "reading the newest". */
const NEAR_BOTTOM_PX = 48;

export interface ChatPaneProps {
  messages: Message[];
  status: SocketStatus;
  running: boolean;
  send: (action: Action) => boolean;
}

/** The conversation with the tutor and the composer under it. */
export function ChatPane({ messages, status, running, send }: ChatPaneProps) {
  const logRef = React.useRef<HTMLDivElement>(null);
  // Follow new text only while the learner is at the bottom: scrolling up to reread stays put.
  const [following, setFollowing] = React.useState(true);

  const toBottom = React.useCallback(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, []);

  React.useLayoutEffect(() => {
    if (following) toBottom();
  }, [messages, following, toBottom]);

  return (
    <section aria-labelledby="chat-heading" className="flex min-h-0 flex-1 flex-col overflow-hidden rounded-lg border bg-card">
      <h2 id="chat-heading" className="sr-only">
        Chat
      </h2>
      <div className="relative min-h-0 flex-1">
        <div
          ref={logRef}
          role="log"
          aria-label="Conversation"
          aria-live="polite"
          tabIndex={0}
          className="flex h-full flex-col gap-3 overflow-y-auto p-3"
          onScroll={(event) => {
            const log = event.currentTarget;
            setFollowing(log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX);
          }}
        >
          {messages.length === 0 ? (
            <p className="m-auto max-w-xs text-center text-sm text-muted-foreground">
              Ask the tutor anything about your notes, or press “Start a lesson”.
            </p>
          ) : (
            messages.map((message) => <ChatMessage key={message.id} message={message} />)
          )}
        </div>
        {!following && (
          <Button
            type="button"
            size="sm"
            variant="secondary"
            className="absolute bottom-2 left-1/2 -translate-x-1/2 shadow"
            onClick={() => {
              toBottom();
              setFollowing(true);
            }}
          >
            <ArrowDown aria-hidden />
            Newest
          </Button>
        )}
      </div>
      <Composer online={status === "online"} running={running} disabledReason={offlineReason(status)} send={send} />
    </section>
  );
}
