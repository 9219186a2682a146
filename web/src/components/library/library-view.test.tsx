import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Document, IngestJob } from "@/lib/api";

const api = vi.hoisted(() => ({
  documents: vi.fn(),
  deleteDocument: vi.fn(),
  upload: vi.fn(),
  job: vi.fn(),
}));

vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

import { LibraryView } from "./library-view";

function doc(over: Partial<Document> = {}): Document {
  return {
    id: "d1",
    path: "rust/ownership.md",
    kind: "notes",
    title: "Ownership",
    size_bytes: 2048,
    content_hash: "x",
    chunks: 12,
    embedded_chunks: 12,
    graph_synced: true,
    ready: true,
    created_at: "2026-01-05T09:30:00Z",
    updated_at: "2026-01-05T09:30:04Z",
    ...over,
  };
}

function job(over: Partial<IngestJob>): IngestJob {
  return {
    id: "j1",
    status: "running",
    files: [],
    files_total: 2,
    files_done: 0,
    chunks_total: 0,
    chunks_embedded: 0,
    cycles_broken: [],
    created_at: "2026-01-05T09:30:00Z",
    finished_at: null,
    ...over,
  };
}

async function drop(files: File[]) {
  const zone = screen.getByRole("button", { name: /^Upload notes/ });
  await act(async () => {
    fireEvent.drop(zone, {
      dataTransfer: {
        files,
        items: files.map((file) => ({ kind: "file", type: file.type, getAsFile: () => file })),
        types: ["Files"],
      },
    });
  });
}

const md = (name: string, text = "# Title\n\nBody") => new File([text], name, { type: "text/markdown" });

describe("LibraryView", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.documents.mockResolvedValue([]);
  });

  it("shows an empty state when there are no documents", async () => {
    render(<LibraryView />);
    expect(await screen.findByText(/No notes yet/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Library" })).toBeInTheDocument();
  });

  it("uploads dropped files and follows the job file by file", async () => {
    api.upload.mockResolvedValue({
      job_id: "j1",
      accepted: ["a.md", "b.md"],
      rejected: [],
    });
    api.job
      .mockResolvedValueOnce(
        job({
          files: [
            { path: "a.md", status: "queued", chunks: 0, concepts: 0 },
            { path: "b.md", status: "queued", chunks: 0, concepts: 0 },
          ],
        }),
      )
      .mockResolvedValue(
        job({
          status: "done",
          files_done: 2,
          chunks_total: 5,
          chunks_embedded: 5,
          files: [
            { path: "a.md", status: "ingested", chunks: 5, concepts: 2 },
            { path: "b.md", status: "failed", error: "b.md: the file is empty", chunks: 0, concepts: 0 },
          ],
        }),
      );
    render(<LibraryView pollMs={5} />);
    await screen.findByText(/No notes yet/);
    api.documents.mockResolvedValue([doc()]);

    const a = md("a.md");
    const b = md("b.md");
    await drop([a, b]);

    expect(api.upload).toHaveBeenCalledWith([a, b]);
    await waitFor(() => {
      const rows = screen.getAllByTestId("upload-file");
      expect(rows).toHaveLength(2);
      expect(rows[0]).toHaveTextContent("a.md");
      expect(rows[0]).toHaveTextContent("Done · 5 chunks");
      expect(rows[1]).toHaveTextContent("Failed: b.md: the file is empty");
    });
    expect(api.job).toHaveBeenCalledWith("j1");
    expect(screen.getByRole("progressbar", { name: "Upload progress, 100%" })).toBeInTheDocument();
    // The finished job brings the list up to date.
    expect(await screen.findByTestId("document")).toHaveTextContent("Ownership");
  });

  it("shows the files the server rejected with its reason", async () => {
    api.upload.mockResolvedValue({
      job_id: "j2",
      accepted: ["ok.md"],
      rejected: [{ path: "big.md", status: "failed", error: "big.md: larger than 2 MB", chunks: 0, concepts: 0 }],
    });
    api.job.mockResolvedValue(
      job({
        id: "j2",
        status: "running",
        files: [
          { path: "big.md", status: "failed", error: "big.md: larger than 2 MB", chunks: 0, concepts: 0 },
          { path: "ok.md", status: "queued", chunks: 0, concepts: 0 },
        ],
      }),
    );
    render(<LibraryView pollMs={5} />);
    await drop([md("ok.md"), md("big.md")]);

    await waitFor(() => {
      const rows = screen.getAllByTestId("upload-file");
      expect(rows.map((r) => r.textContent)).toEqual([
        expect.stringContaining("Failed: big.md: larger than 2 MB"),
        expect.stringContaining("Reading"),
      ]);
    });
  });

  it("refuses a .pdf before uploading, with the reason", async () => {
    render(<LibraryView pollMs={5} />);
    await drop([new File(["%PDF"], "paper.pdf", { type: "application/pdf" })]);

    const row = await screen.findByTestId("upload-file");
    expect(row).toHaveTextContent("paper.pdf");
    expect(row).toHaveTextContent("Refused: only .md, .markdown and .txt files are accepted");
    expect(api.upload).not.toHaveBeenCalled();
  });

  it("sends only the accepted files when a drop mixes types", async () => {
    api.upload.mockResolvedValue({ job_id: "j3", accepted: ["n.txt"], rejected: [] });
    api.job.mockResolvedValue(job({ id: "j3", status: "done", files: [{ path: "n.txt", status: "unchanged", chunks: 0, concepts: 0 }] }));
    render(<LibraryView pollMs={5} />);
    const txt = new File(["text"], "n.txt", { type: "text/plain" });
    await drop([txt, new File(["x"], "pic.png", { type: "image/png" })]);
    expect(api.upload).toHaveBeenCalledWith([txt]);
    expect(await screen.findByText("Done · unchanged, already in the library")).toBeInTheDocument();
  });

  it("uploads a chosen folder, keeping each file's path inside it", async () => {
    api.upload.mockResolvedValue({ job_id: "j4", accepted: ["book/src/SUMMARY.md"], rejected: [] });
    api.job.mockResolvedValue(job({ id: "j4", status: "done", files: [{ path: "book/src/SUMMARY.md", status: "ingested", chunks: 1, concepts: 0 }] }));
    render(<LibraryView pollMs={5} />);
    const summary = md("SUMMARY.md");
    Object.defineProperty(summary, "webkitRelativePath", { value: "book/src/SUMMARY.md" });
    const picture = new File(["x"], "cover.png", { type: "image/png" });
    Object.defineProperty(picture, "webkitRelativePath", { value: "book/src/cover.png" });
    const input = screen.getByTestId("folder-input");
    expect(input).toHaveAttribute("webkitdirectory");
    fireEvent.change(input, { target: { files: [summary, picture] } });

    expect(api.upload).toHaveBeenCalledWith([summary]);
    expect(await screen.findByText("Done · 1 chunk")).toBeInTheDocument();
    const rows = screen.getAllByTestId("upload-file");
    expect(rows[0]).toHaveTextContent("book/src/cover.png");
    expect(rows[0]).toHaveTextContent("Refused");
    expect(rows[1]).toHaveTextContent("book/src/SUMMARY.md");
  });

  it("shows the server's words when the upload fails", async () => {
    const { ApiError } = await import("@/lib/api");
    api.upload.mockRejectedValue(new ApiError(413, "The upload is larger than 50 MB."));
    render(<LibraryView pollMs={5} />);
    await drop([md("a.md")]);
    expect(await screen.findByRole("alert")).toHaveTextContent("The upload is larger than 50 MB.");
    expect(screen.getByTestId("upload-file")).toHaveTextContent("Failed: The upload is larger than 50 MB.");
  });

  it("lists documents and deletes one after confirmation", async () => {
    const user = userEvent.setup();
    api.documents.mockResolvedValue([doc(), doc({ id: "d2", title: "Borrowing", path: "rust/borrowing.md", chunks: 1 })]);
    api.deleteDocument.mockResolvedValue(undefined);
    render(<LibraryView />);

    const rows = await screen.findAllByTestId("document");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Ownership");
    expect(rows[0]).toHaveTextContent("rust/ownership.md");
    expect(rows[0]).toHaveTextContent("12 chunks");
    expect(rows[0]).toHaveTextContent("2.0 KB");
    expect(within(rows[0]).getByText(/2026/)).toBeInTheDocument();
    expect(rows[0]).not.toHaveTextContent("Indexing");

    await user.click(screen.getByRole("button", { name: "Delete Borrowing" }));
    expect(api.deleteDocument).not.toHaveBeenCalled();

    api.documents.mockResolvedValue([doc()]);
    await user.click(screen.getByRole("button", { name: "Confirm delete" }));
    expect(api.deleteDocument).toHaveBeenCalledWith("d2");
    await waitFor(() => expect(screen.getAllByTestId("document")).toHaveLength(1));
  });

  it("marks a document still being indexed", async () => {
    api.documents.mockResolvedValue([doc({ ready: false, embedded_chunks: 5 })]);
    render(<LibraryView />);

    const [row] = await screen.findAllByTestId("document");
    expect(row).toHaveTextContent("Indexing · 12 chunks");
  });

  it("keeps the document when the confirmation is cancelled", async () => {
    const user = userEvent.setup();
    api.documents.mockResolvedValue([doc()]);
    render(<LibraryView />);
    await user.click(await screen.findByRole("button", { name: "Delete Ownership" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(api.deleteDocument).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Delete Ownership" })).toBeInTheDocument();
  });
});
