/* Generated from docs/protocol.schema.json by json-schema-to-typescript; do not edit. Regenerate with: make protocol */

/**
 * The tutor's WebSocket protocol, version 1: every frame is one JSON object, a ClientAction from the client or a ServerEvent from the server.
 */
export type TutorProtocol = ClientAction | ServerEvent;
export type ClientAction =
  | HelloAction
  | ChatAction
  | StartLessonAction
  | NextAction
  | AnswerAction
  | ExplainAction
  | SetPathAction
  | FeedbackAction
  | InterruptAction
  | PingAction;
export type ServerEvent =
  | RequestEvent
  | PlanEvent
  | TokenEvent
  | ResetEvent
  | CitationEvent
  | LessonEvent
  | ExerciseEvent
  | GradeEvent
  | ExplainResultEvent
  | MasteryEvent
  | DoneEvent
  | ErrorEvent
  | ReadyEvent
  | PongEvent
  | AckEvent;

/**
 * Open or resume a thread; the first frame of a connection.
 */
export interface HelloAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "hello";
  /**
   * A personal API token, when the connection has no session cookie.
   */
  token?: string | null;
  /**
   * The thread to resume; the learner's latest when absent.
   */
  thread?: string | null;
  /**
   * Start a new thread (``thread`` must then be absent).
   */
  new_thread?: boolean;
  /**
   * The last seq this client saw on the thread; later events are sent again.
   */
  last_seq?: number | null;
}
/**
 * The learner writes freely; the tutor works out what they want.
 */
export interface ChatAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "chat";
  /**
   * What the learner says.
   */
  text: string;
}
/**
 * A lesson: on the concept named, else on the planner's next step.
 */
export interface StartLessonAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "start_lesson";
  concept_id?: string | null;
}
/**
 * Move on to the planner's next step.
 */
export interface NextAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "next";
}
/**
 * An answer to an exercise; a repeated ``idempotency_key`` counts once.
 */
export interface AnswerAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "answer";
  exercise_id: string;
  answer: string;
  idempotency_key?: string | null;
}
/**
 * The learner explains a concept in their own words (the current one when unnamed).
 */
export interface ExplainAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "explain";
  concept_id?: string | null;
  text: string;
  idempotency_key?: string | null;
}
/**
 * Aim for these concepts; the planner steers toward them.
 */
export interface SetPathAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "set_path";
  /**
   * @minItems 1
   * @maxItems 100
   */
  targets: [string, ...string[]];
}
/**
 * The learner rates a lesson (again: the latest rating counts).
 */
export interface FeedbackAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "feedback";
  lesson_id: string;
  /**
   * 1 (poor) to 5 (excellent).
   */
  rating: number;
  comment?: string;
}
/**
 * Stop the running turn now.
 */
export interface InterruptAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "interrupt";
}
/**
 * Is the server there? Answered by ``pong`` with the same nonce.
 */
export interface PingAction {
  /**
   * The protocol version.
   */
  v: 1;
  type: "ping";
  nonce?: string | null;
}
/**
 * What the learner asked for; the first event of every turn.
 *
 * A client that resumes a thread shows the learner's own words beside the tutor's.
 */
export interface RequestEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "request";
  action: "chat" | "start_lesson" | "next" | "answer" | "explain" | "set_path";
  /**
   * The learner's words; empty for buttons.
   */
  text: string;
  /**
   * The exercise answered.
   */
  exercise_id: string | null;
  /**
   * The concept asked for.
   */
  concept_id: string | null;
}
/**
 * What the tutor will teach now, and why, in one line.
 */
export interface PlanEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "plan";
  kind: "review" | "new" | "continue" | "done";
  concept_id: string;
  title: string;
  difficulty: "intro" | "practice" | "challenge";
  /**
   * For the learner, e.g. "Review: Ownership is due".
   */
  reason: string;
}
/**
 * A piece of the tutor's reply, sent as soon as it is written.
 */
export interface TokenEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "token";
  text: string;
}
/**
 * Discard the text streamed so far in this turn: a replacement follows.
 */
export interface ResetEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "reset";
  reason: string;
}
/**
 * A source of a chat answer.
 */
export interface CitationEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "citation";
  number: number;
  chunk_id: string;
  heading_path: string;
  document_path: string;
  text: string;
  /**
   * The passage comes from outside the concept's own section.
   */
  see_also: boolean;
}
/**
 * The complete lesson: its text (as streamed) and what each citation points at.
 */
export interface LessonEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "lesson";
  id: string;
  concept_id: string;
  title: string;
  difficulty: "intro" | "practice" | "challenge";
  reason: string;
  /**
   * Written by the model, or quoted from the notes.
   */
  source: "model" | "extractive";
  text: string;
  citations: Citation[];
  /**
   * 1 - the highest cosine to an earlier lesson on it.
   */
  novelty: number;
  rewritten: boolean;
}
/**
 * The passage of the learner's notes a citation number points at.
 */
export interface Citation {
  number: number;
  chunk_id: string;
  heading_path: string;
  document_path: string;
  text: string;
  /**
   * The passage comes from outside the concept's own section.
   */
  see_also: boolean;
}
/**
 * An exercise, as the learner sees it (never with its answer).
 */
export interface ExerciseEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "exercise";
  id: string;
  concept_id: string;
  lesson_id: string | null;
  difficulty: "intro" | "practice" | "challenge";
  kind: "multiple_choice" | "short_answer" | "code" | "explain_back";
  [k: string]: unknown;
}
/**
 * The grade of an answer.
 */
export interface GradeEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "grade";
  exercise_id: string;
  score: number;
  verdict: "correct" | "partial" | "incorrect";
  feedback: string;
  covered: string[];
  missed: string[];
  /**
   * What the learner's code printed, for code exercises.
   */
  output: string;
}
/**
 * An explanation compared with the concept's key points.
 */
export interface ExplainResultEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "explain_result";
  concept_id: string;
  score: number;
  passed: boolean;
  covered: string[];
  missing: string[];
  contradicted: string[];
  feedback: string;
  follow_up: string;
}
/**
 * How a concept's mastery moved with an attempt.
 */
export interface MasteryEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "mastery";
  concept_id: string;
  /**
   * The concept's title, to name the change by.
   */
  title: string;
  before: number;
  p_known: number;
  mastered: boolean;
  /**
   * Counted attempts on the concept so far.
   */
  attempts: number;
  due_at: string;
  /**
   * False when the attempt moved nothing: a repeated idempotency key, or a later answer to an exercise already answered (recorded, not fresh evidence).
   */
  counted: boolean;
}
/**
 * The turn is complete.
 */
export interface DoneEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "done";
  status: "complete" | "interrupted" | "failed";
  /**
   * How many token events the turn had.
   */
  tokens: number;
  /**
   * From receiving the action to the end of the turn.
   */
  elapsed_ms: number;
}
/**
 * Something the server could not do; ``retryable`` says whether to try again.
 */
export interface ErrorEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "error";
  code:
    | "malformed"
    | "invalid"
    | "unknown_type"
    | "unsupported_version"
    | "too_large"
    | "hello_first"
    | "unauthorized"
    | "forbidden"
    | "busy"
    | "rate_limited"
    | "not_found"
    | "interrupted"
    | "internal";
  message: string;
  retryable: boolean;
}
/**
 * The thread is open: what follows are the events missed, then new ones.
 */
export interface ReadyEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "ready";
  thread: string;
  /**
   * Whether an existing thread was resumed.
   */
  resumed: boolean;
  /**
   * How many logged events are sent again now.
   */
  missed: number;
  /**
   * Whether a turn is running on the thread.
   */
  running: boolean;
}
/**
 * The answer to ``ping``.
 */
export interface PongEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "pong";
  nonce: string | null;
}
/**
 * An action that runs no turn was carried out (a lesson's rating was stored).
 */
export interface AckEvent {
  /**
   * The protocol version.
   */
  v: 1;
  /**
   * The thread's sequence number: this event's, or the latest one for events that are not logged (ready, pong, errors about a frame).
   */
  seq: number;
  type: "ack";
  action: "feedback";
  lesson_id: string | null;
}
