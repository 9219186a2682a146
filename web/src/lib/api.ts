/** The HTTP API, typed from docs/openapi.json (see api-schema.ts, generated). */

import type { components } from "./api-schema";

type Schemas = components["schemas"];
export type Learner = Schemas["Learner"];
export type Document = Schemas["Document"];
export type IngestJob = Schemas["IngestJob"];
export type FileResult = Schemas["FileResult"];
export type UploadAccepted = Schemas["UploadAccepted"];
export type ConceptGraph = Schemas["ConceptGraph"];
export type ConceptNode = Schemas["ConceptNode"];
export type ConceptEdge = Schemas["ConceptEdge"];
export type Progress = Schemas["Progress"];
export type ConceptProgress = Schemas["ConceptProgress"];
export type MasteryPoint = Schemas["MasteryPoint"];
export type PathOut = Schemas["PathOut"];
export type PlanOut = Schemas["PlanOut"];
export type RunOutput = Schemas["RunOutput"];

/** A refusal from the API, with the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: {} };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "The tutor cannot be reached. Check that it is running.");
  }
  if (!response.ok) {
    throw new ApiError(response.status, await errorMessage(response));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { detail?: string; extra?: unknown };
    if (body.detail) return body.detail;
  } catch {
    // Not JSON: fall through to the status text.
  }
  return `${response.status} ${response.statusText}`.trim();
}

export const api = {
  me: () => request<Learner>("GET", "/api/v1/auth/me"),
  signUp: (name: string, password: string) =>
    request<Learner>("POST", "/api/v1/auth/signup", { name, password }),
  signIn: (name: string, password: string) =>
    request<Learner>("POST", "/api/v1/auth/signin", { name, password }),
  signOut: () => request<void>("POST", "/api/v1/auth/signout"),

  documents: () => request<Document[]>("GET", "/api/v1/documents"),
  deleteDocument: (id: string) => request<void>("DELETE", `/api/v1/documents/${id}`),
  upload: (files: File[]) => {
    const form = new FormData();
    // The relative path keeps a dropped folder's structure (and so its mdBook SUMMARY.md).
    for (const file of files) form.append("files", file, relativePath(file));
    return request<UploadAccepted>("POST", "/api/v1/documents", form);
  },
  job: (id: string) => request<IngestJob>("GET", `/api/v1/ingest-jobs/${id}`),

  graph: () => request<ConceptGraph>("GET", "/api/v1/graph"),
  progress: () => request<Progress>("GET", "/api/v1/progress"),
  plan: () => request<PlanOut>("GET", "/api/v1/plan"),
  paths: () => request<PathOut[]>("GET", "/api/v1/paths"),
  createPath: (name: string, targets: string[]) =>
    request<PathOut>("POST", "/api/v1/paths", { name, targets }),
  deletePath: (id: string) => request<void>("DELETE", `/api/v1/paths/${id}`),

  run: (code: string) => request<RunOutput>("POST", "/api/v1/sandbox/run", { code }),
};

/** The file's path inside a dropped folder, or its name. */
export function relativePath(file: File): string {
  const withPath = file as File & { path?: string; webkitRelativePath?: string };
  const path = withPath.webkitRelativePath || withPath.path || file.name;
  return path.replace(/^\.?\//, "");
}
