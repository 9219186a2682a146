/**
 * The tutor's WebSocket: opens the learner's thread, resumes it after any drop without
 * losing or repeating an event, and says whether it is online.
 */

import type { ClientAction, ServerEvent } from "./protocol";

export type SocketStatus = "connecting" | "online" | "offline";

/** An action as the UI writes it: the version is added on sending. */
export type Action = ClientAction extends infer A ? (A extends { v: 1 } ? Omit<A, "v"> : never) : never;

/** Events that are not logged: they carry the latest sequence number, not a new one. */
const UNLOGGED = new Set<ServerEvent["type"]>(["ready", "pong", "ack"]);

const PING_EVERY_MS = 20_000;
const SILENT_FOR_MS = 45_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 8_000;

export interface SocketOptions {
  /** The WebSocket URL; by default /ws on the page's own server. */
  url?: string;
  /** The thread to resume; the learner's latest when absent. */
  thread?: string | null;
  onEvent: (event: ServerEvent) => void;
  onStatus?: (status: SocketStatus) => void;
  /** For tests: the WebSocket class. */
  WebSocketImpl?: typeof WebSocket;
}

/** The URL of the tutor's WebSocket for this page. */
export function defaultSocketUrl(): string {
  const configured = process.env.NEXT_PUBLIC_TUTOR_WS_URL;
  if (configured) return configured;
  const { protocol, hostname, host } = window.location;
  const scheme = protocol === "https:" ? "wss" : "ws";
  // `next dev` serves the pages on its own port; the API is on the tutor's.
  if (process.env.NODE_ENV === "development") return `${scheme}://${hostname}:8000/ws`;
  return `${scheme}://${host}/ws`;
}

export class TutorSocket {
  /** The last logged event seen: what a reconnection resumes after. */
  lastSeq = 0;
  thread: string | null;
  status: SocketStatus = "connecting";

  private socket: WebSocket | null = null;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private readonly url: string;
  private readonly Impl: typeof WebSocket;

  constructor(private readonly options: SocketOptions) {
    this.url = options.url ?? defaultSocketUrl();
    this.thread = options.thread ?? null;
    this.Impl = options.WebSocketImpl ?? WebSocket;
  }

  /** Connect, and keep connecting until closed. */
  open(): void {
    this.closed = false;
    if (typeof window !== "undefined") window.addEventListener("online", this.onBrowserOnline);
    this.connect();
  }

  /** Send an action; false when offline (nothing is queued: the UI says so instead). */
  send(action: Action): boolean {
    if (this.status !== "online" || this.socket === null) return false;
    this.socket.send(JSON.stringify({ v: 1, ...action }));
    return true;
  }

  /** Stop for good. */
  close(): void {
    this.closed = true;
    if (typeof window !== "undefined") window.removeEventListener("online", this.onBrowserOnline);
    this.clearTimers();
    this.socket?.close(1000, "bye");
    this.socket = null;
  }

  /** The browser is back on a network: try now rather than at the next retry. */
  private readonly onBrowserOnline = (): void => {
    if (this.closed || this.status !== "offline") return;
    this.clearTimers();
    this.connect();
  };

  /** Give up on the current connection (it went quiet) and connect afresh. */
  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.clearTimers();
    socket?.close(4000, "silent");
    this.retry();
  }

  private connect(): void {
    this.setStatus("connecting");
    let socket: WebSocket;
    try {
      socket = new this.Impl(this.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      // The whole thread on first contact (so a reload shows the conversation), then only
      // what was missed.
      socket.send(JSON.stringify({ v: 1, type: "hello", thread: this.thread, last_seq: this.lastSeq }));
    };
    socket.onmessage = (message: MessageEvent<string>) => {
      this.lastHeard = Date.now();
      let event: ServerEvent;
      try {
        event = JSON.parse(message.data) as ServerEvent;
      } catch {
        return;
      }
      this.receive(event);
    };
    socket.onclose = (close: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      // Refused for good: signed out (4401), or another learner's thread.
      if (close.code === 4401 || close.code === 4403) {
        this.closed = true;
        this.setStatus("offline");
        return;
      }
      this.retry();
    };
    socket.onerror = () => {
      // A close follows; reconnection happens there.
    };
  }

  private receive(event: ServerEvent): void {
    if (!UNLOGGED.has(event.type) && !(event.type === "error" && event.seq <= this.lastSeq)) {
      // A logged event: new ones advance the count, ones already seen are dropped.
      if (event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
    }
    if (event.type === "error" && event.code === "forbidden" && this.status !== "online") {
      // The remembered thread is not this learner's (another account signed in): open
      // the learner's own instead.
      this.thread = null;
      this.lastSeq = 0;
      this.socket?.send(JSON.stringify({ v: 1, type: "hello", last_seq: 0 }));
      return;
    }
    if (event.type === "ready") {
      this.thread = event.thread;
      this.retryMs = RETRY_MIN_MS;
      this.setStatus("online");
      this.startPinging();
    }
    this.options.onEvent(event);
  }

  private retry(): void {
    if (this.closed) return;
    this.setStatus("offline");
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  private startPinging(): void {
    this.clearTimers();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > SILENT_FOR_MS) {
        // A connection that went quiet (a laptop lid, a dead link) is replaced.
        this.drop();
        return;
      }
      this.socket?.send(JSON.stringify({ v: 1, type: "ping" }));
    }, PING_EVERY_MS);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }
}
