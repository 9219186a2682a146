/** A stand-in for the tutor's socket: tests push server events and read what was sent. */

import { act } from "@testing-library/react";

import type { ServerEvent } from "@/lib/protocol";
import type { Action, SocketOptions, SocketStatus } from "@/lib/socket";

import type { ConnectionFactory, TutorConnection } from "./use-tutor";

export class FakeConnection implements TutorConnection {
  sent: Action[] = [];
  opened = false;
  closed = false;
  thread: string | null;
  status: SocketStatus = "connecting";

  constructor(readonly options: SocketOptions) {
    this.thread = options.thread ?? null;
  }

  open(): void {
    this.opened = true;
  }

  close(): void {
    this.closed = true;
  }

  send(action: Action): boolean {
    if (this.status !== "online") return false;
    this.sent.push(action);
    return true;
  }

  setStatus(status: SocketStatus): void {
    this.status = status;
    act(() => this.options.onStatus?.(status));
  }

  /** The server's `ready`, which brings the socket online, then any events after it. */
  ready(thread = "thread-1", seq = 0, running = false, ...events: ServerEvent[]): void {
    this.thread = thread;
    this.status = "online";
    act(() => {
      this.options.onStatus?.("online");
      this.options.onEvent({ v: 1, seq, type: "ready", thread, resumed: seq > 0, missed: events.length, running });
      for (const event of events) this.options.onEvent(event);
    });
  }

  emit(...events: ServerEvent[]): void {
    act(() => {
      for (const event of events) this.options.onEvent(event);
    });
  }
}

/** A factory that records every connection it makes. */
export function fakeConnections(): { connect: ConnectionFactory; made: FakeConnection[]; last: () => FakeConnection } {
  const made: FakeConnection[] = [];
  const connect: ConnectionFactory = (options) => {
    const connection = new FakeConnection(options);
    made.push(connection);
    return connection;
  };
  return { connect, made, last: () => made[made.length - 1] };
}
