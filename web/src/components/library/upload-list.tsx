"use client";

import { CheckCircle2, CircleAlert, Loader2 } from "lucide-react";

import { Progress } from "@/components/ui/progress";
import { cn } from "@/lib/utils";

import type { UploadBatch } from "./use-uploads";
import { isFinished, rowProgress, statusText, type UploadRow } from "./upload-rows";

function RowIcon({ row }: { row: UploadRow }) {
  if (!isFinished(row)) return <Loader2 className="size-4 shrink-0 animate-spin text-muted-foreground" aria-hidden />;
  if (row.state === "failed" || row.state === "refused")
    return <CircleAlert className="size-4 shrink-0 text-destructive" aria-hidden />;
  return <CheckCircle2 className="size-4 shrink-0 text-success" aria-hidden />;
}

function UploadFileRow({ row }: { row: UploadRow }) {
  const value = rowProgress(row);
  const bad = row.state === "failed" || row.state === "refused";
  return (
    <li data-testid="upload-file" data-state={row.state} className="flex flex-col gap-1.5 py-2">
      <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
        <RowIcon row={row} />
        <span className="min-w-0 break-all font-mono text-sm">{row.path}</span>
        <span className={cn("text-sm", bad ? "text-destructive" : "text-muted-foreground")}>{statusText(row)}</span>
      </div>
      <Progress
        value={value}
        aria-label={`${row.path}: ${statusText(row)}`}
        className={cn(
          value === null && "animate-pulse [&>div]:w-full! [&>div]:bg-primary/40",
          bad && "[&>div]:bg-destructive",
          (row.state === "ingested" || row.state === "unchanged") && "[&>div]:bg-success",
        )}
      />
    </li>
  );
}

function JobProgress({ batch }: { batch: UploadBatch }) {
  const job = batch.job;
  if (!job) return null;
  const percent = job.chunks_total > 0 ? Math.round((job.chunks_embedded / job.chunks_total) * 100) : job.status === "done" ? 100 : 0;
  const words =
    job.status === "done" ? "Finished" : job.status === "failed" ? "Stopped" : job.status === "queued" ? "Waiting" : "Working";
  return (
    <div className="flex flex-col gap-1.5">
      <p className="text-sm">
        {words}: {job.files_done} of {job.files_total} files, {job.chunks_embedded} of {job.chunks_total} chunks embedded
      </p>
      <Progress value={percent} aria-label={`Upload progress, ${percent}%`} />
    </div>
  );
}

/** Every upload of this visit, newest first, file by file. */
export function UploadList({ batches }: { batches: UploadBatch[] }) {
  if (batches.length === 0) return null;
  return (
    <section aria-labelledby="uploads-heading" className="flex flex-col gap-4">
      <h2 id="uploads-heading" className="text-lg font-semibold">
        Uploads
      </h2>
      {batches.map((batch) => (
        <div key={batch.id} className="flex flex-col gap-2 rounded-lg border p-3" aria-live="polite">
          <JobProgress batch={batch} />
          <ul className="divide-y">
            {batch.rows.map((row, index) => (
              <UploadFileRow key={`${row.path}-${index}`} row={row} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
