import type { FileResult, IngestJob } from "@/lib/api";

/** One file of an upload, as the learner sees it. */
export type UploadRow = {
  path: string;
  state: "refused" | "uploading" | "queued" | "reading" | "ingested" | "unchanged" | "failed";
  chunks: number;
  error?: string | null;
};

/** The file's state in words. */
export function statusText(row: UploadRow): string {
  switch (row.state) {
    case "refused":
      return `Refused: ${row.error ?? "not accepted"}`;
    case "uploading":
      return "Uploading";
    case "queued":
      return "Queued";
    case "reading":
      return "Reading";
    case "ingested":
      return `Done · ${row.chunks} ${row.chunks === 1 ? "chunk" : "chunks"}`;
    case "unchanged":
      return "Done · unchanged, already in the library";
    case "failed":
      return `Failed: ${row.error ?? "unknown error"}`;
  }
}

/** How far along the file is, for its bar; null while the amount is unknown. */
export function rowProgress(row: UploadRow): number | null {
  switch (row.state) {
    case "queued":
      return 0;
    case "uploading":
    case "reading":
      return null;
    default:
      return 100;
  }
}

export function isFinished(row: UploadRow): boolean {
  return !["uploading", "queued", "reading"].includes(row.state);
}

function rowFromResult(result: FileResult, reading: boolean): UploadRow {
  const known = ["queued", "ingested", "unchanged", "failed"] as const;
  const state = known.find((s) => s === result.status) ?? "queued";
  return {
    path: result.path,
    state: state === "queued" && reading ? "reading" : state,
    chunks: result.chunks ?? 0,
    error: result.error,
  };
}

/** The rows after the upload answer or a job poll: each file's latest state, by path. */
export function mergeResults(rows: UploadRow[], results: FileResult[], job?: IngestJob): UploadRow[] {
  // The job reads its files in order, so while it runs the first one still queued is the one being read.
  const firstQueued = job?.status === "running" ? results.find((r) => r.status === "queued")?.path : undefined;
  const byPath = new Map(results.map((r) => [r.path, rowFromResult(r, r.path === firstQueued)]));
  const merged = rows.map((row) => {
    const update = row.state === "refused" ? undefined : byPath.get(row.path);
    if (update) byPath.delete(row.path);
    return update ?? row;
  });
  return [...merged, ...byPath.values()];
}
