/** Server events for tests, with the fields the protocol requires filled in. */

import type { Exercise } from "@/lib/conversation";
import type {
  Citation,
  DoneEvent,
  ExplainResultEvent,
  GradeEvent,
  LessonEvent,
  MasteryEvent,
  PlanEvent,
  ReadyEvent,
  RequestEvent,
  ResetEvent,
  TokenEvent,
} from "@/lib/protocol";

export const CONCEPT = "5b0e1c8a-0000-4000-8000-000000000001";
export const LESSON = "9c1e1c8a-0000-4000-8000-000000000002";

export const citation = (number: number, over: Partial<Citation> = {}): Citation => ({
  number,
  chunk_id: `chunk-${number}`,
  heading_path: `Ownership > Rule ${number}`,
  document_path: `ch04-0${number}.md`,
  text: `Passage ${number}: each value has an owner.`,
  see_also: false,
  ...over,
});

export const ev = {
  ready: (seq: number, over: Partial<ReadyEvent> = {}): ReadyEvent => ({
    v: 1, seq, type: "ready", thread: "thread-1", resumed: seq > 0, missed: 0, running: false, ...over,
  }),
  request: (seq: number, action: RequestEvent["action"], text = ""): RequestEvent => ({
    v: 1, seq, type: "request", action, text, exercise_id: null, concept_id: null,
  }),
  plan: (seq: number, over: Partial<PlanEvent> = {}): PlanEvent => ({
    v: 1, seq, type: "plan", kind: "new", concept_id: CONCEPT, title: "Ownership", difficulty: "intro",
    reason: "Next: Ownership — next in your notes", ...over,
  }),
  token: (seq: number, text: string): TokenEvent => ({ v: 1, seq, type: "token", text }),
  reset: (seq: number): ResetEvent => ({ v: 1, seq, type: "reset", reason: "quality" }),
  lesson: (seq: number, text: string, over: Partial<LessonEvent> = {}): LessonEvent => ({
    v: 1, seq, type: "lesson", id: LESSON, concept_id: CONCEPT, title: "Ownership", difficulty: "intro",
    reason: "Next: Ownership — next in your notes", source: "model", text, citations: [citation(1)],
    novelty: 1, rewritten: false, ...over,
  }),
  exercise: (seq: number, over: Partial<Exercise> = {}): Exercise => ({
    v: 1, seq, type: "exercise", id: "ex-1", concept_id: CONCEPT, lesson_id: LESSON, difficulty: "intro",
    kind: "multiple_choice", question: "Who owns a value?", options: ["Nobody", "Its owner", "The heap"], ...over,
  }),
  grade: (seq: number, over: Partial<GradeEvent> = {}): GradeEvent => ({
    v: 1, seq, type: "grade", exercise_id: "ex-1", score: 0.5, verdict: "partial", feedback: "Half of it.",
    covered: ["one owner"], missed: ["dropped at scope end"], output: "", ...over,
  }),
  explain: (seq: number, over: Partial<ExplainResultEvent> = {}): ExplainResultEvent => ({
    v: 1, seq, type: "explain_result", concept_id: CONCEPT, score: 0.4, passed: false, covered: ["one owner"],
    missing: ["drop at scope end"], contradicted: ["values are copied"], feedback: "Close.",
    follow_up: "What happens when the owner goes out of scope?", ...over,
  }),
  mastery: (seq: number, over: Partial<MasteryEvent> = {}): MasteryEvent => ({
    v: 1, seq, type: "mastery", concept_id: CONCEPT, title: "Ownership", before: 0.2, p_known: 0.61, mastered: false, attempts: 1,
    due_at: "2026-12-01T00:00:00Z", counted: true, ...over,
  }),
  done: (seq: number, status: DoneEvent["status"] = "complete"): DoneEvent => ({
    v: 1, seq, type: "done", status, tokens: 3, elapsed_ms: 10,
  }),
};
