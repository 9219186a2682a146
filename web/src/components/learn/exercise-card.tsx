import { Badge } from "@/components/ui/badge";
import type { Exercise } from "@/lib/conversation";
import type { ExplainResultEvent, GradeEvent } from "@/lib/protocol";
import type { Action } from "@/lib/socket";

import { CodeExercise } from "./code-exercise";
import { ExplainBack } from "./explain-back";
import { ExplainResult } from "./explain-result";
import { GradeResult } from "./grade-result";
import { MultipleChoice } from "./multiple-choice";
import { ShortAnswer } from "./short-answer";

const KIND_WORDS: Record<Exercise["kind"], string> = {
  multiple_choice: "Multiple choice",
  short_answer: "Short answer",
  code: "Code",
  explain_back: "Explain it back",
};

export interface ExerciseCardProps {
  exercise: Exercise;
  /** 1-based, for its name ("Exercise 1"). */
  number: number;
  grade?: GradeEvent;
  explainResult?: ExplainResultEvent;
  canSend: boolean;
  send: (action: Action) => boolean;
}

/** One exercise of the lesson, by kind, with its grade once there is one. */
export function ExerciseCard({ exercise, number, grade, explainResult, canSend, send }: ExerciseCardProps) {
  const props = { exercise, canSend, send, result: exercise.kind === "explain_back" ? explainResult : grade };
  return (
    <section aria-label={`Exercise ${number}`} className="rounded-lg border bg-card p-4">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <h3 className="font-semibold">Exercise {number}</h3>
        <Badge variant="outline">{KIND_WORDS[exercise.kind] ?? exercise.kind}</Badge>
        <Badge variant="secondary">{exercise.difficulty}</Badge>
      </div>
      {exercise.kind === "multiple_choice" && <MultipleChoice {...props} />}
      {exercise.kind === "short_answer" && <ShortAnswer {...props} />}
      {exercise.kind === "code" && <CodeExercise {...props} />}
      {exercise.kind === "explain_back" && <ExplainBack {...props} />}
      {grade && <GradeResult grade={grade} />}
      {exercise.kind === "explain_back" && explainResult && <ExplainResult result={explainResult} />}
    </section>
  );
}
