"use client";

import * as React from "react";

import { emptyConversation, reduce, type Conversation } from "@/lib/conversation";
import type { ServerEvent } from "@/lib/protocol";
import { TutorSocket, type Action, type SocketOptions, type SocketStatus } from "@/lib/socket";

/** What the page needs of a socket; a fake stands in for it in tests. */
export interface TutorConnection {
  open(): void;
  close(): void;
  send(action: Action): boolean;
  readonly thread: string | null;
}

export type ConnectionFactory = (options: SocketOptions) => TutorConnection;

export type Send = (action: Action) => boolean;

/** Where the learner's thread is remembered, so a reload reopens the same conversation. */
export const THREAD_KEY = "tutor.thread";

export const openTutorSocket: ConnectionFactory = (options) => new TutorSocket(options);

function rememberedThread(): string | null {
  try {
    return window.localStorage.getItem(THREAD_KEY);
  } catch {
    return null; // Storage can be blocked; the server then opens the latest thread.
  }
}

function rememberThread(thread: string | null): void {
  if (!thread) return;
  try {
    window.localStorage.setItem(THREAD_KEY, thread);
  } catch {
    // Nothing to do: the latest thread is opened next time instead.
  }
}

type Step = ServerEvent | { type: "restart" } | { type: "replay"; events: ServerEvent[] };

/** How long a replay may pause before what came so far is shown anyway. */
const REPLAY_SETTLE_MS = 100;

function step(state: Conversation, event: Step): Conversation {
  // A new connection replays the thread from the start: begin from nothing again.
  if (event.type === "restart") return emptyConversation;
  if (event.type === "replay") return event.events.reduce(reduce, state);
  return reduce(state, event);
}

export interface Tutor {
  conversation: Conversation;
  status: SocketStatus;
  send: Send;
  /**
   * The last sequence number of the history replayed on opening the page; later events
   * happen while the learner watches. Null until the thread is open.
   */
  liveAfter: number | null;
}

/** The tutor's socket for the page's lifetime, and the conversation built from its events. */
export function useTutor(connect: ConnectionFactory = openTutorSocket): Tutor {
  const [conversation, dispatch] = React.useReducer(step, emptyConversation);
  const [status, setStatus] = React.useState<SocketStatus>("connecting");
  const [liveAfter, setLiveAfter] = React.useState<number | null>(null);
  const socketRef = React.useRef<TutorConnection | null>(null);

  React.useEffect(() => {
    dispatch({ type: "restart" });
    setLiveAfter(null);
    setStatus("connecting");
    // The events `ready` announces as missed are shown in one update, not one render per
    // event: a long thread replays thousands of tokens on a reload.
    let replay: ServerEvent[] = [];
    let expected = 0;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      clearTimeout(settle);
      expected = 0;
      if (replay.length > 0) dispatch({ type: "replay", events: replay });
      replay = [];
    };
    const socket = connect({
      thread: rememberedThread(),
      onEvent: (event) => {
        if (event.type === "ready") {
          flush();
          rememberThread(socket.thread ?? event.thread);
          // Only the first opening replays history; a reconnection sends what was missed live.
          setLiveAfter((seen) => seen ?? event.seq);
          dispatch(event);
          expected = event.missed;
          return;
        }
        if (expected > 0) {
          replay.push(event);
          expected -= 1;
          clearTimeout(settle);
          // Fewer may come than announced (a dropped connection): show them after a pause.
          if (expected === 0) flush();
          else settle = setTimeout(flush, REPLAY_SETTLE_MS);
          return;
        }
        dispatch(event);
      },
      onStatus: setStatus,
    });
    socketRef.current = socket;
    socket.open();
    return () => {
      clearTimeout(settle);
      socket.close();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [connect]);

  const send = React.useCallback<Send>((action) => socketRef.current?.send(action) ?? false, []);

  return { conversation, status, send, liveAfter };
}
