import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ServerEvent } from "./protocol";
import { TutorSocket, type SocketStatus } from "./socket";

/** A WebSocket double: records what is sent, lets the test play the server. */
class FakeSocket {
  static all: FakeSocket[] = [];
  sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: string }) => void) | null = null;
  onclose: ((close: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000) {
    this.closedWith = code;
  }
  // The server's side.
  accept() {
    this.onopen?.();
  }
  emit(event: Partial<ServerEvent> & { type: ServerEvent["type"]; seq: number }) {
    this.onmessage?.({ data: JSON.stringify({ v: 1, ...event }) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

function ready(socket: FakeSocket, seq: number, thread = "t-1") {
  socket.emit({ type: "ready", seq, thread, resumed: true, missed: 0, running: false });
}

function start(thread: string | null = null) {
  const events: ServerEvent[] = [];
  const statuses: SocketStatus[] = [];
  const socket = new TutorSocket({
    url: "ws://tutor.test/ws",
    thread,
    onEvent: (event) => events.push(event),
    onStatus: (status) => statuses.push(status),
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
  });
  socket.open();
  return { socket, events, statuses };
}

describe("TutorSocket", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it("opens the remembered thread from the start, then is online", () => {
    const { socket, statuses } = start("t-9");
    const server = FakeSocket.all[0];
    server.accept();
    expect(server.sent).toEqual([{ v: 1, type: "hello", thread: "t-9", last_seq: 0 }]);
    expect(socket.send({ type: "next" })).toBe(false);
    ready(server, 0, "t-9");
    expect(statuses.at(-1)).toBe("online");
    expect(socket.send({ type: "chat", text: "hi" })).toBe(true);
    expect(server.sent.at(-1)).toEqual({ v: 1, type: "chat", text: "hi" });
  });

  it("resumes after a drop from the last event seen, dropping repeats", () => {
    const { socket, events, statuses } = start();
    const first = FakeSocket.all[0];
    first.accept();
    ready(first, 0);
    first.emit({ type: "token", seq: 1, text: "Own" });
    first.emit({ type: "token", seq: 2, text: "ership" });
    first.drop();
    expect(statuses.at(-1)).toBe("offline");
    expect(socket.send({ type: "next" })).toBe(false);

    vi.advanceTimersByTime(500);
    const second = FakeSocket.all[1];
    expect(second).toBeDefined();
    second.accept();
    expect(second.sent[0]).toEqual({ v: 1, type: "hello", thread: "t-1", last_seq: 2 });
    ready(second, 2);
    // The server may send an event the client already has: it is not shown twice.
    second.emit({ type: "token", seq: 2, text: "ership" });
    second.emit({ type: "token", seq: 3, text: " rules" });
    const text = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text);
    expect(text.join("")).toBe("Ownership rules");
    expect(socket.lastSeq).toBe(3);
    expect(statuses.at(-1)).toBe("online");
  });

  it("passes on errors about a frame, which repeat the latest number", () => {
    const { events } = start();
    const server = FakeSocket.all[0];
    server.accept();
    ready(server, 5);
    server.emit({ type: "token", seq: 6, text: "x" });
    server.emit({ type: "error", seq: 6, code: "busy", message: "a turn is running", retryable: true });
    expect(events.map((e) => e.type)).toEqual(["ready", "token", "error"]);
  });

  it("waits longer after each failed attempt, up to a limit", () => {
    start();
    FakeSocket.all[0].drop();
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].drop();
    vi.advanceTimersByTime(999);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it("gives up when the server says the learner is signed out", () => {
    const { statuses } = start();
    FakeSocket.all[0].drop(4401);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(statuses.at(-1)).toBe("offline");
  });

  it("opens the learner's own thread when the remembered one is refused", () => {
    const { socket } = start("someone-elses");
    const server = FakeSocket.all[0];
    server.accept();
    server.emit({ type: "error", seq: 0, code: "forbidden", message: "no such thread", retryable: false });
    expect(server.sent.at(-1)).toEqual({ v: 1, type: "hello", last_seq: 0 });
    ready(server, 7, "mine");
    expect(socket.thread).toBe("mine");
  });

  it("replaces a connection that went silent", () => {
    start();
    const server = FakeSocket.all[0];
    server.accept();
    ready(server, 0);
    vi.advanceTimersByTime(20_000);
    expect(server.sent.at(-1)).toEqual({ v: 1, type: "ping" });
    vi.advanceTimersByTime(40_000);
    expect(server.closedWith).toBe(4000);
    vi.advanceTimersByTime(500);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("stops for good when closed", () => {
    const { socket } = start();
    const server = FakeSocket.all[0];
    server.accept();
    ready(server, 0);
    socket.close();
    server.drop(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(server.closedWith).toBe(1000);
  });
});
