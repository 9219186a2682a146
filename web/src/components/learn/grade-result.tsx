import { CheckCircle2, CircleDashed, XCircle } from "lucide-react";

import type { GradeEvent } from "@/lib/protocol";
import { cn } from "@/lib/utils";

import { KeyPoints } from "./key-points";

const VERDICT = {
  correct: { words: "Correct", icon: CheckCircle2, tone: "border-success text-success" },
  partial: { words: "Partly right", icon: CircleDashed, tone: "border-warning text-warning" },
  incorrect: { words: "Not yet", icon: XCircle, tone: "border-destructive text-destructive" },
} as const;

export function percent(score: number): string {
  return `${Math.round(Math.min(1, Math.max(0, score)) * 100)}%`;
}

/** How an answer was graded: the verdict in words, the score, and what to work on. */
export function GradeResult({ grade }: { grade: GradeEvent }) {
  const { words, icon: Icon, tone } = VERDICT[grade.verdict];
  return (
    <div role="status" data-testid="grade" className={cn("mt-3 rounded-md border-l-4 bg-muted/50 p-3", tone)}>
      <p className="flex items-center gap-2 font-semibold">
        <Icon aria-hidden className="size-4" />
        {words}
        <span className="font-normal text-muted-foreground">— score {percent(grade.score)}</span>
      </p>
      <div className="text-foreground">
        {grade.feedback && <p className="mt-1 text-sm whitespace-pre-wrap">{grade.feedback}</p>}
        <KeyPoints label="Covered" items={grade.covered} />
        <KeyPoints label="Missed" items={grade.missed} />
        {grade.output.trim() !== "" && (
          <div className="mt-2">
            <p className="text-xs font-semibold tracking-wide uppercase">Output</p>
            <pre className="mt-1 max-h-60 overflow-auto rounded bg-background p-2 text-xs">{grade.output}</pre>
          </div>
        )}
      </div>
    </div>
  );
}
