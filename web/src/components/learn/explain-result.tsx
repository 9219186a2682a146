import type { ExplainResultEvent } from "@/lib/protocol";
import { cn } from "@/lib/utils";

import { percent } from "./grade-result";
import { KeyPoints } from "./key-points";

/** An explanation held against the concept's key points, with the follow-up question. */
export function ExplainResult({ result }: { result: ExplainResultEvent }) {
  return (
    <div
      role="status"
      data-testid="explain-result"
      className={cn("mt-3 rounded-md border-l-4 bg-muted/50 p-3", result.passed ? "border-success" : "border-warning")}
    >
      <p className="font-semibold">
        {result.passed ? "Well explained" : "Not there yet"}
        <span className="font-normal text-muted-foreground"> — score {percent(result.score)}</span>
      </p>
      <KeyPoints label="Covered" items={result.covered} />
      <KeyPoints label="Missing" items={result.missing} />
      <KeyPoints label="Contradicted" items={result.contradicted} />
      {result.feedback && <p className="mt-2 text-sm whitespace-pre-wrap">{result.feedback}</p>}
      {result.follow_up && (
        <p className="mt-2 text-sm">
          <span className="font-semibold">Follow-up: </span>
          {result.follow_up}
        </p>
      )}
    </div>
  );
}
