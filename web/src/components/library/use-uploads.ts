"use client";

import * as React from "react";

import { api, ApiError, relativePath, type IngestJob } from "@/lib/api";

import { splitFiles } from "./accepted-files";
import { mergeResults, type UploadRow } from "./upload-rows";

/** One drop or choice of files, followed until its job ends. */
export type UploadBatch = {
  id: number;
  rows: UploadRow[];
  job?: IngestJob;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

/**
 * Uploads, newest first: refuses wrong files at once, sends the rest, then polls the
 * ingest job until it is done or failed and calls `onJobEnd`.
 */
export function useUploads(onJobEnd: () => void, pollMs = 700) {
  const [batches, setBatches] = React.useState<UploadBatch[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const nextId = React.useRef(0);
  const alive = React.useRef(true);
  const onJobEndRef = React.useRef(onJobEnd);

  React.useEffect(() => {
    onJobEndRef.current = onJobEnd;
  }, [onJobEnd]);

  React.useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const update = React.useCallback((id: number, change: (batch: UploadBatch) => UploadBatch) => {
    setBatches((all) => all.map((batch) => (batch.id === id ? change(batch) : batch)));
  }, []);

  const follow = React.useCallback(
    async (id: number, jobId: string) => {
      while (alive.current) {
        await sleep(pollMs);
        if (!alive.current) return;
        let job: IngestJob;
        try {
          job = await api.job(jobId);
        } catch (e) {
          setError(messageOf(e));
          return;
        }
        update(id, (batch) => ({ ...batch, job, rows: mergeResults(batch.rows, job.files, job) }));
        if (job.status === "done" || job.status === "failed") {
          onJobEndRef.current();
          return;
        }
      }
    },
    [pollMs, update],
  );

  const add = React.useCallback(
    async (files: File[]) => {
      if (files.length === 0) return;
      const id = nextId.current++;
      const { accepted, refused } = splitFiles(files);
      const refusedRows: UploadRow[] = refused.map(({ path, reason }) => ({
        path,
        state: "refused",
        chunks: 0,
        error: reason,
      }));
      const uploading: UploadRow[] = accepted.map((file) => ({
        path: relativePath(file),
        state: "uploading",
        chunks: 0,
      }));
      setBatches((all) => [{ id, rows: [...refusedRows, ...uploading] }, ...all]);
      if (accepted.length === 0) return;
      setError(null);
      try {
        const answer = await api.upload(accepted);
        // The server's answer names the files as it stored them; its words replace ours.
        const rows: UploadRow[] = [
          ...refusedRows,
          ...answer.rejected.map((r) => ({ path: r.path, state: "failed" as const, chunks: 0, error: r.error })),
          ...answer.accepted.map((path) => ({ path, state: "queued" as const, chunks: 0 })),
        ];
        update(id, (batch) => ({ ...batch, rows }));
        if (answer.accepted.length > 0) void follow(id, answer.job_id);
        else onJobEndRef.current();
      } catch (e) {
        const message = messageOf(e);
        setError(message);
        update(id, (batch) => ({
          ...batch,
          rows: batch.rows.map((row) =>
            row.state === "uploading" ? { ...row, state: "failed", error: message } : row,
          ),
        }));
      }
    },
    [follow, update],
  );

  return { batches, error, add };
}
