"use client";

import Link from "next/link";
import * as React from "react";

import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { api, ApiError, type Progress } from "@/lib/api";

import { ConceptMasteryList } from "./concept-mastery-list";
import { DueReviews } from "./due-reviews";
import { MasteryChart } from "./mastery-chart";
import { SummaryCards } from "./summary-cards";

/** The Progress page: what is mastered, what is due, and how it has grown. */
export function ProgressView() {
  const [progress, setProgress] = React.useState<Progress | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  // One clock for the whole render, so "due" means the same in every section.
  const [now] = React.useState(() => Date.now());

  React.useEffect(() => {
    let live = true;
    api
      .progress()
      .then((p) => live && setProgress(p))
      .catch((e) => live && setError(e instanceof ApiError || e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Progress</h1>
      {error && (
        <p role="alert" className="rounded-md border border-destructive bg-destructive/5 p-3 text-sm text-destructive">
          {error}
        </p>
      )}
      {!progress && !error && (
        <p role="status" className="text-muted-foreground">
          Loading your progress…
        </p>
      )}
      {progress && progress.totals.attempts === 0 && (
        <div className="rounded-lg border p-6 text-center" data-testid="progress-empty">
          <p className="font-medium">No practice yet.</p>
          <p className="text-muted-foreground">
            {progress.totals.concepts === 0 ? (
              <>
                Add notes in the{" "}
                <Link href="/library/" className="text-primary underline underline-offset-4">
                  Library
                </Link>
                , then start learning.
              </>
            ) : (
              <>
                Answer a first question in{" "}
                <Link href="/learn/" className="text-primary underline underline-offset-4">
                  Learn
                </Link>{" "}
                and your progress shows here.
              </>
            )}
          </p>
        </div>
      )}
      {progress && progress.totals.attempts > 0 && (
        <>
          <SummaryCards progress={progress} />
          <Card>
            <CardHeader>
              <CardTitle>Mastery over time</CardTitle>
            </CardHeader>
            <CardContent>
              <MasteryChart history={progress.history} conceptCount={progress.totals.concepts} />
            </CardContent>
          </Card>
          <DueReviews concepts={progress.concepts} now={now} />
          <ConceptMasteryList concepts={progress.concepts} now={now} />
        </>
      )}
    </div>
  );
}
