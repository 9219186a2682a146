"use client";

import { Play } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import { api, ApiError, type RunOutput } from "@/lib/api";

import { CodeEditor } from "./code-editor";
import type { ExerciseKindProps } from "./exercise-types";
import { SentNote } from "./sent-note";
import { useAnswer } from "./use-answer";

type RunState = { kind: "idle" } | { kind: "running" } | { kind: "done"; output: RunOutput } | { kind: "failed"; message: string };

function describe(output: RunOutput): string {
  const parts = [`Status: ${output.status}`];
  if (output.stdout) parts.push(output.stdout.trimEnd());
  if (output.stderr) parts.push(`stderr:\n${output.stderr.trimEnd()}`);
  if (output.feedback) parts.push(output.feedback);
  return parts.join("\n\n");
}

/** A coding task: edit the starter code, try it in the sandbox, then submit it. */
export function CodeExercise({ exercise, canSend, send, result }: ExerciseKindProps) {
  const [code, setCode] = React.useState(exercise.starter_code ?? "");
  const [run, setRun] = React.useState<RunState>({ kind: "idle" });
  const { sent, submit } = useAnswer(exercise.id, send, result);
  const hintId = React.useId();

  const tryIt = async () => {
    setRun({ kind: "running" });
    try {
      setRun({ kind: "done", output: await api.run(code) });
    } catch (error) {
      setRun({ kind: "failed", message: error instanceof ApiError ? error.message : "The code could not be run." });
    }
  };

  return (
    <div>
      <p className="font-medium whitespace-pre-wrap">{exercise.prompt}</p>
      <p id={hintId} className="mt-2 text-xs text-muted-foreground">
        Tab indents; press Esc then Tab to leave the editor.
      </p>
      <div className="mt-1.5">
        <CodeEditor value={code} onChange={setCode} language={exercise.language} describedBy={hintId} />
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        {exercise.runnable && (
          <Button type="button" size="sm" variant="outline" disabled={run.kind === "running"} onClick={tryIt}>
            <Play aria-hidden />
            {run.kind === "running" ? "Running…" : "Run"}
          </Button>
        )}
        <Button type="button" size="sm" disabled={!canSend || code.trim() === ""} onClick={() => submit(code)}>
          Submit answer
        </Button>
        <SentNote sent={sent} />
      </div>
      {(run.kind === "done" || run.kind === "failed") && (
        <pre
          data-testid="run-output"
          aria-label="Run output"
          className="mt-3 max-h-72 overflow-auto rounded-md bg-muted p-3 text-xs whitespace-pre-wrap"
        >
          {run.kind === "done" ? describe(run.output) : run.message}
        </pre>
      )}
    </div>
  );
}
