import "./test-shims";

import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { Learn } from "./learn";
import { fakeConnections } from "./fake-connection";
import { CONCEPT, ev } from "./test-events";
import { THREAD_KEY } from "./use-tutor";

vi.mock("@/lib/api", () => ({ api: { run: vi.fn() }, ApiError: class extends Error {} }));

/** A `ready` that announces `missed` replayed events, which the test then sends itself. */
function announce(connection: ReturnType<ReturnType<typeof fakeConnections>["last"]>, missed: number) {
  act(() =>
    connection.options.onEvent({ v: 1, seq: missed, type: "ready", thread: "thread-1", resumed: true, missed, running: false }),
  );
}

function setup() {
  const sockets = fakeConnections();
  const view = render(<Learn connect={sockets.connect} />);
  return { ...sockets, ...view };
}

beforeEach(() => {
  window.localStorage.clear();
  window.history.replaceState(null, "", "/learn/");
});

describe("Learn", () => {
  it("opens one socket on the remembered thread, remembers the thread, and closes on unmount", () => {
    window.localStorage.setItem(THREAD_KEY, "old-thread");
    const { made, last, unmount } = setup();
    expect(made).toHaveLength(1);
    expect(last().opened).toBe(true);
    expect(last().options.thread).toBe("old-thread");
    last().ready("thread-9");
    expect(window.localStorage.getItem(THREAD_KEY)).toBe("thread-9");
    unmount();
    expect(last().closed).toBe(true);
  });

  it("shows streaming tokens in the chat and in the lesson as they arrive", () => {
    const { last } = setup();
    last().ready();
    last().emit(ev.request(1, "chat", "What is ownership?"), ev.token(2, "Ownership "));
    const log = screen.getByRole("log", { name: "Conversation" });
    expect(within(log).getByText("What is ownership?")).toBeInTheDocument();
    expect(log).toHaveTextContent("Ownership");
    last().emit(ev.token(3, "means one owner."));
    expect(log).toHaveTextContent("Ownership means one owner.");
    expect(log).toHaveTextContent("(writing…)");
    last().emit(ev.done(4));
    expect(log).not.toHaveTextContent("(writing…)");

    last().emit(ev.request(5, "start_lesson"), ev.plan(6), ev.token(7, "## Borrowing\n\nA "));
    const lesson = screen.getByRole("region", { name: "Lesson" });
    expect(within(lesson).getByRole("heading", { level: 2, name: "Ownership" })).toBeInTheDocument();
    expect(within(lesson).getByText("Next: Ownership — next in your notes")).toBeInTheDocument();
    expect(screen.getByTestId("lesson-text")).toHaveTextContent("Borrowing A");
    last().emit(ev.token(8, "reference borrows."));
    expect(screen.getByTestId("lesson-text")).toHaveTextContent("A reference borrows.");
    expect(log).toHaveTextContent("Next: Ownership — next in your notes");
    last().emit(ev.lesson(9, "## Borrowing\n\nA reference borrows [1]."), ev.exercise(10), ev.done(11));
    expect(within(lesson).getByRole("button", { name: "Source 1" })).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Exercise 1" })).toBeInTheDocument();
  });

  it("replays the thread after a reload without announcing old mastery changes", () => {
    const { last } = setup();
    last().ready("thread-1", 4, false, ev.request(1, "answer", "1"), ev.mastery(2), ev.done(3));
    expect(screen.getByRole("log", { name: "Conversation" })).toHaveTextContent("Answer:1");
    expect(screen.getByTestId("mastery-change")).toBeEmptyDOMElement();
    last().emit(ev.request(5, "answer", "2"), ev.plan(6), ev.mastery(7, { before: 0.61, p_known: 0.97, mastered: true }));
    expect(screen.getByTestId("mastery-change")).toHaveTextContent("Ownership: 61% → 97%");
    expect(screen.getByTestId("mastery-change")).toHaveTextContent("Mastered!");
  });

  it("names a change on a concept other than the one being taught by its own title", () => {
    const { last } = setup();
    last().ready("thread-1", 0, false);
    const other = "5b0e1c8a-0000-4000-8000-000000000009";
    last().emit(ev.plan(1), ev.mastery(2, { concept_id: other, title: "Variable Scope", before: 0.78, p_known: 0.83 }));
    expect(screen.getByTestId("mastery-change")).toHaveTextContent("Variable Scope: 78% → 83%");
    expect(screen.getByTestId("mastery-change")).not.toHaveTextContent("Ownership");
  });

  it("shows a replay in one update once every announced event is in", () => {
    const { last } = setup();
    const log = () => screen.getByRole("log", { name: "Conversation" });
    // Announced as three missed events; the first two arrive.
    announce(last(), 3);
    last().emit(ev.request(1, "chat", "What is ownership?"), ev.token(2, "One owner."));
    expect(log()).not.toHaveTextContent("What is ownership?");
    last().emit(ev.done(3));
    expect(log()).toHaveTextContent("What is ownership?");
    expect(log()).toHaveTextContent("One owner.");
    // Live events after the replay show one by one.
    last().emit(ev.request(4, "chat", "And borrowing?"));
    expect(log()).toHaveTextContent("And borrowing?");
  });

  it("shows a replay cut short once it pauses", async () => {
    vi.useFakeTimers();
    try {
      const { last } = setup();
      announce(last(), 3);
      last().emit(ev.request(1, "chat", "What is ownership?"));
      expect(screen.getByRole("log", { name: "Conversation" })).not.toHaveTextContent("What is ownership?");
      await act(() => vi.advanceTimersByTimeAsync(150));
      expect(screen.getByRole("log", { name: "Conversation" })).toHaveTextContent("What is ownership?");
    } finally {
      vi.useRealTimers();
    }
  });

  it("brings the lesson into view when a lesson starts while watching", () => {
    const { last } = setup();
    last().ready("thread-1", 2, false, ev.request(1, "start_lesson"), ev.plan(2));
    expect(screen.getByRole("tab", { name: "Chat" })).toHaveAttribute("aria-selected", "true");
    last().emit(ev.request(3, "next"), ev.plan(4));
    expect(screen.getByRole("tab", { name: "Lesson" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tabpanel", { name: "Lesson" })).not.toHaveClass("hidden");
    expect(screen.getByRole("tabpanel", { name: "Chat" })).toHaveClass("hidden");
  });

  it("offers Stop while a turn runs, and it sends interrupt", async () => {
    const user = userEvent.setup();
    const { last } = setup();
    last().ready();
    expect(screen.queryByRole("button", { name: "Stop" })).not.toBeInTheDocument();
    last().emit(ev.request(1, "chat", "Hi"), ev.token(2, "Hel"));
    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(last().sent).toEqual([{ type: "interrupt" }]);
    last().emit(ev.done(3, "interrupted"));
    expect(screen.queryByRole("button", { name: "Stop" })).not.toBeInTheDocument();
  });

  it("starts a lesson on ?concept= once online, once, and drops the parameter", () => {
    window.history.replaceState(null, "", `/learn/?concept=${CONCEPT}&x=1`);
    const { last } = setup();
    expect(last().sent).toEqual([]);
    last().ready();
    expect(last().sent).toEqual([{ type: "start_lesson", concept_id: CONCEPT }]);
    expect(window.location.search).toBe("?x=1");
    // Losing and regaining the connection does not start another.
    last().setStatus("offline");
    last().ready();
    expect(last().sent).toHaveLength(1);
  });

  it("says why sending is off while offline", () => {
    const { last } = setup();
    expect(screen.getByTestId("connection")).toHaveTextContent("Connecting…");
    last().ready();
    last().setStatus("offline");
    expect(screen.getByTestId("connection")).toHaveTextContent("Offline — reconnecting");
    expect(screen.getAllByRole("button", { name: "Start a lesson" })[0]).toBeDisabled();
    expect(screen.getByText(/sending is paused until it is back/)).toBeInTheDocument();
  });
});
