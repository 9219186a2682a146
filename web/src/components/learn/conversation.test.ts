import { emptyConversation, reduce, type Conversation } from "@/lib/conversation";
import type { ServerEvent } from "@/lib/protocol";

import { citation, ev, LESSON } from "./test-events";

const fold = (events: ServerEvent[], from: Conversation = emptyConversation) => events.reduce(reduce, from);

/** A lesson turn whose first draft is thrown away, then a chat question with a source. */
const thread: ServerEvent[] = [
  ev.request(1, "start_lesson"),
  ev.plan(2),
  ev.token(3, "Draft that fails"),
  ev.reset(4),
  ev.token(5, "## Ownership\n\n"),
  ev.token(6, "Each value has an owner [1]."),
  ev.lesson(7, "## Ownership\n\nEach value has an owner [1]."),
  ev.exercise(8),
  ev.done(9),
  ev.request(10, "chat", "Why?"),
  ev.token(11, "Because "),
  ev.token(12, "memory [1]."),
  { v: 1, seq: 13, type: "citation", ...citation(1) },
  ev.done(14),
];

describe("reduce", () => {
  it("builds the lesson from the tokens after the reset, and the chat from the rest", () => {
    const conv = fold(thread);
    expect(conv.lesson?.id).toBe(LESSON);
    expect(conv.draft).toBe("## Ownership\n\nEach value has an owner [1].");
    expect(conv.exercises.map((e) => e.id)).toEqual(["ex-1"]);
    expect(conv.running).toBe(false);
    expect(conv.messages.map((m) => m.role)).toEqual(["learner", "plan", "notice", "learner", "tutor"]);
    const [start, , ready, question, answer] = conv.messages;
    expect(start).toMatchObject({ role: "learner", text: "Teach me" });
    expect(ready).toMatchObject({ role: "notice", text: "Lesson ready: Ownership" });
    expect(question).toMatchObject({ role: "learner", text: "Why?" });
    expect(answer).toMatchObject({ role: "tutor", text: "Because memory [1].", streaming: false });
    expect(answer.role === "tutor" && answer.citations.map((c) => c.heading_path)).toEqual(["Ownership > Rule 1"]);
  });

  it("gives the same picture replayed after a reload as live, with a reconnection in between", () => {
    // Live: the page was open all along, and the connection dropped once mid-lesson.
    const live = fold([ev.ready(0), ...thread.slice(0, 5), ev.ready(5, { running: true }), ...thread.slice(5)]);
    // Replayed: a reload, hello with last_seq 0, everything sent again after ready.
    const replayed = fold([ev.ready(14, { missed: 14 }), ...thread]);
    expect(replayed).toEqual(live);
  });

  it("shows a turn still running after a replay cut mid-stream as streaming", () => {
    const conv = fold([ev.ready(6, { running: true }), ...thread.slice(0, 6)]);
    expect(conv.running).toBe(true);
    expect(conv.lesson).toBeNull();
    expect(conv.draft).toBe("## Ownership\n\nEach value has an owner [1].");
  });

  it("closes an interrupted turn with a notice", () => {
    const conv = fold([ev.request(1, "chat", "Hi"), ev.token(2, "Hel"), ev.done(3, "interrupted")]);
    expect(conv.running).toBe(false);
    expect(conv.messages.at(-2)).toMatchObject({ role: "tutor", text: "Hel", streaming: false });
    expect(conv.messages.at(-1)).toMatchObject({ role: "notice", text: "Stopped." });
  });
});

describe("errors and resets in a chat reply", () => {
  const events = (...list: ServerEvent[]) => list.reduce(reduce, emptyConversation);
  const tutorTexts = (state: ReturnType<typeof events>) =>
    state.messages.filter((m) => m.role === "tutor").map((m) => (m.role === "tutor" ? m.text : ""));

  it("keeps one reply when an error about another frame arrives mid-stream", () => {
    const state = events(
      { v: 1, seq: 1, type: "request", action: "chat", text: "hi", exercise_id: null, concept_id: null },
      { v: 1, seq: 2, type: "token", text: "Hel" },
      { v: 1, seq: 2, type: "error", code: "busy", message: "a turn is running", retryable: true },
      { v: 1, seq: 3, type: "token", text: "lo" },
    );
    expect(tutorTexts(state)).toEqual(["Hello"]);
    expect(state.messages.some((m) => m.role === "notice" && m.text === "a turn is running")).toBe(true);
  });

  it("ends the reply when the turn itself fails", () => {
    const state = events(
      { v: 1, seq: 1, type: "token", text: "Hel" },
      { v: 1, seq: 2, type: "error", code: "internal", message: "the turn failed", retryable: true },
      { v: 1, seq: 3, type: "token", text: "lo" },
    );
    expect(tutorTexts(state)).toEqual(["Hel", "lo"]);
  });

  it("drops the sources of withdrawn text", () => {
    const citation = { number: 1, chunk_id: "c", heading_path: "A", document_path: "a.md", text: "passage", see_also: false };
    const state = events(
      { v: 1, seq: 1, type: "token", text: "wrong [1]" },
      { v: 1, seq: 2, type: "citation", ...citation },
      { v: 1, seq: 3, type: "reset", reason: "quality" },
      { v: 1, seq: 4, type: "token", text: "right" },
    );
    const [reply] = state.messages;
    expect(reply.role === "tutor" && reply.citations).toEqual([]);
    expect(tutorTexts(state)).toEqual(["right"]);
  });
});

describe("the learner's answers", () => {
  it("names the chosen option rather than its index", () => {
    const options = ["Its borrower", "Its owner"];
    const state = [
      { v: 1, seq: 1, type: "exercise", id: "ex-9", concept_id: "c", lesson_id: null, difficulty: "intro", kind: "multiple_choice", question: "Who drops it?", options },
      { v: 1, seq: 2, type: "request", action: "answer", text: "1", exercise_id: "ex-9", concept_id: null },
      { v: 1, seq: 3, type: "request", action: "answer", text: "7", exercise_id: "ex-9", concept_id: null },
      { v: 1, seq: 4, type: "request", action: "answer", text: "mine", exercise_id: "gone", concept_id: null },
    ].reduce((s, e) => reduce(s, e as ServerEvent), emptyConversation);
    const said = state.messages.filter((m) => m.role === "learner").map((m) => (m.role === "learner" ? m.text : ""));
    expect(said).toEqual(["Its owner", "7", "mine"]);
  });
});
