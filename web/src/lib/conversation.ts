/**
 * The conversation as the UI shows it, built from the thread's events alone: the same
 * events live or replayed after a reload give the same picture.
 */

import type {
  Citation,
  ExerciseEvent,
  ExplainResultEvent,
  GradeEvent,
  LessonEvent,
  MasteryEvent,
  PlanEvent,
  ServerEvent,
} from "./protocol";

export type Message =
  | { id: string; role: "learner"; text: string; action: string }
  | { id: string; role: "tutor"; text: string; citations: Citation[]; streaming: boolean }
  | { id: string; role: "plan"; plan: PlanEvent }
  | { id: string; role: "notice"; text: string; tone: "info" | "error" };

/** An exercise of the shown lesson, by kind, with the fields the server sends for it. */
export type Exercise = ExerciseEvent & {
  question?: string;
  prompt?: string;
  options?: string[];
  language?: string;
  starter_code?: string;
  runnable?: boolean;
};

export interface Conversation {
  messages: Message[];
  /** The lesson on show: the latest one, streaming or done. */
  lesson: LessonEvent | null;
  /** The lesson's text as it streams in, before its `lesson` event. */
  draft: string;
  plan: PlanEvent | null;
  exercises: Exercise[];
  grades: Record<string, GradeEvent>;
  explainResults: ExplainResultEvent[];
  /** Mastery changes, newest last. */
  mastery: MasteryEvent[];
  running: boolean;
  /** Whether the current turn's text belongs to a lesson (after a plan) or the chat. */
  teaching: boolean;
  ratings: Record<string, boolean>;
}

export const emptyConversation: Conversation = {
  messages: [],
  lesson: null,
  draft: "",
  plan: null,
  exercises: [],
  grades: {},
  explainResults: [],
  mastery: [],
  running: false,
  teaching: false,
  ratings: {},
};

const ACTION_WORDS: Record<string, string> = {
  start_lesson: "Teach me",
  next: "What next?",
  set_path: "Set my learning path",
};

function lastTutor(messages: Message[]): Extract<Message, { role: "tutor" }> | null {
  const last = messages.at(-1);
  return last?.role === "tutor" && last.streaming ? last : null;
}

function withTutorText(messages: Message[], seq: number, text: string): Message[] {
  const open = lastTutor(messages);
  if (open === null) {
    return [...messages, { id: `t${seq}`, role: "tutor", text, citations: [], streaming: true }];
  }
  return [...messages.slice(0, -1), { ...open, text: open.text + text }];
}

function closeTutor(messages: Message[]): Message[] {
  const open = lastTutor(messages);
  return open === null ? messages : [...messages.slice(0, -1), { ...open, streaming: false }];
}

/** A multiple-choice answer in words: the option an index names, when the exercise is on show. */
function chosenOption(state: Conversation, exerciseId: string | null | undefined, text: string): string {
  const options = state.exercises.find((e) => e.id === exerciseId)?.options;
  const index = /^\d+$/.test(text.trim()) ? Number(text.trim()) : -1;
  return options?.[index] ?? text;
}

/** The conversation after one more event. */
export function reduce(state: Conversation, event: ServerEvent): Conversation {
  switch (event.type) {
    case "request": {
      const text = chosenOption(state, event.exercise_id, event.text) || ACTION_WORDS[event.action] || event.action;
      return {
        ...state,
        running: true,
        teaching: false,
        messages: [
          ...closeTutor(state.messages),
          { id: `r${event.seq}`, role: "learner", text, action: event.action },
        ],
      };
    }
    case "plan":
      return {
        ...state,
        running: true,
        plan: event,
        teaching: true,
        lesson: null,
        draft: "",
        exercises: [],
        messages: [...state.messages, { id: `p${event.seq}`, role: "plan", plan: event }],
      };
    case "token":
      if (state.teaching) return { ...state, running: true, draft: state.draft + event.text };
      return { ...state, running: true, messages: withTutorText(state.messages, event.seq, event.text) };
    case "reset": {
      if (state.teaching) return { ...state, draft: "" };
      // The withdrawn text's sources go with it; the replacement sends its own.
      const open = lastTutor(state.messages);
      const messages =
        open === null ? state.messages : [...state.messages.slice(0, -1), { ...open, text: "", citations: [] }];
      return { ...state, messages };
    }
    case "citation": {
      const open = lastTutor(state.messages);
      if (open === null) return state;
      const citation: Citation = {
        number: event.number,
        chunk_id: event.chunk_id,
        heading_path: event.heading_path,
        document_path: event.document_path,
        text: event.text,
        see_also: event.see_also,
      };
      return { ...state, messages: [...state.messages.slice(0, -1), { ...open, citations: [...open.citations, citation] }] };
    }
    case "lesson":
      return {
        ...state,
        lesson: event,
        draft: event.text,
        teaching: false,
        messages: [
          ...state.messages,
          { id: `l${event.seq}`, role: "notice", tone: "info", text: `Lesson ready: ${event.title}` },
        ],
      };
    case "exercise":
      return { ...state, exercises: [...state.exercises.filter((e) => e.id !== event.id), event as Exercise] };
    case "grade":
      return { ...state, grades: { ...state.grades, [event.exercise_id]: event } };
    case "explain_result":
      return { ...state, explainResults: [...state.explainResults, event] };
    case "mastery":
      return { ...state, mastery: [...state.mastery, event] };
    case "done": {
      const messages = closeTutor(state.messages);
      const notice: Message[] =
        event.status === "interrupted"
          ? [{ id: `d${event.seq}`, role: "notice", tone: "info", text: "Stopped." }]
          : [];
      return { ...state, running: false, teaching: false, messages: [...messages, ...notice] };
    }
    case "error": {
      // Only a turn's own failure ends its reply; an error about one frame (busy, rate
      // limited, invalid) is said beside a reply that goes on streaming.
      const endsTurn = event.code === "internal" || event.code === "interrupted";
      const notice: Message = { id: `e${event.seq}-${state.messages.length}`, role: "notice", tone: "error", text: event.message };
      if (endsTurn) return { ...state, messages: [...closeTutor(state.messages), notice] };
      const open = lastTutor(state.messages);
      const messages =
        open === null ? [...state.messages, notice] : [...state.messages.slice(0, -1), notice, open];
      return { ...state, messages };
    }
    case "ready":
      return { ...state, running: event.running };
    case "ack":
      return event.lesson_id ? { ...state, ratings: { ...state.ratings, [event.lesson_id]: true } } : state;
    default:
      return state;
  }
}
