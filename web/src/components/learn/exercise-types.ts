import type { Exercise } from "@/lib/conversation";
import type { ExplainResultEvent, GradeEvent } from "@/lib/protocol";
import type { Action } from "@/lib/socket";

/** What every kind of exercise gets from its card. */
export interface ExerciseKindProps {
  exercise: Exercise;
  /** Whether answers can go out now (online). */
  canSend: boolean;
  send: (action: Action) => boolean;
  /** The latest grade or reading of the answer; a new one ends "Sent". */
  result?: GradeEvent | ExplainResultEvent;
}
