"use client";

import { FileText, Trash2 } from "lucide-react";
import * as React from "react";

import { Button } from "@/components/ui/button";
import type { Document } from "@/lib/api";

import { formatDate, formatSize } from "./format";

type Props = {
  documents: Document[] | null;
  onDelete: (document: Document) => Promise<void>;
};

function DocumentRow({ document, onDelete }: { document: Document; onDelete: Props["onDelete"] }) {
  const [confirming, setConfirming] = React.useState(false);
  const [busy, setBusy] = React.useState(false);
  const deleteButton = React.useRef<HTMLButtonElement>(null);

  return (
    <li data-testid="document" className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between">
      <div className="flex min-w-0 gap-2">
        <FileText className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
        <div className="min-w-0">
          <p className="font-medium break-words">{document.title}</p>
          <p className="font-mono text-xs break-all text-muted-foreground">{document.path}</p>
          <p className="text-sm text-muted-foreground">
            {document.ready ? null : <span className="font-medium text-foreground">Indexing · </span>}
            {document.chunks} {document.chunks === 1 ? "chunk" : "chunks"} · {formatSize(document.size_bytes)} · Updated{" "}
            <time dateTime={document.updated_at}>{formatDate(document.updated_at)}</time>
          </p>
        </div>
      </div>
      {/* Deleting drops the notes and their concepts, so it asks once more in place. */}
      {confirming ? (
        <div className="flex flex-wrap items-center gap-2" role="group" aria-label={`Delete ${document.title}?`}>
          <span className="text-sm">Delete it?</span>
          <Button
            variant="destructive"
            size="sm"
            autoFocus
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await onDelete(document);
              } finally {
                setBusy(false);
                setConfirming(false);
              }
            }}
          >
            Confirm delete
          </Button>
          <Button
            variant="outline"
            size="sm"
            onClick={() => {
              setConfirming(false);
              requestAnimationFrame(() => deleteButton.current?.focus());
            }}
          >
            Cancel
          </Button>
        </div>
      ) : (
        <Button
          ref={deleteButton}
          variant="outline"
          size="sm"
          aria-label={`Delete ${document.title}`}
          onClick={() => setConfirming(true)}
          className="self-start sm:self-auto"
        >
          <Trash2 aria-hidden />
          Delete
        </Button>
      )}
    </li>
  );
}

/** The learner's notes, each with a delete that asks first. */
export function DocumentList({ documents, onDelete }: Props) {
  return (
    <section aria-labelledby="documents-heading" className="flex flex-col gap-2">
      <h2 id="documents-heading" className="text-lg font-semibold">
        Your notes
      </h2>
      {documents === null ? (
        <p role="status" className="text-muted-foreground">
          Loading notes…
        </p>
      ) : documents.length === 0 ? (
        <p className="text-muted-foreground">No notes yet. Drop Markdown files above to start.</p>
      ) : (
        <ul className="divide-y rounded-lg border px-3">
          {documents.map((document) => (
            <DocumentRow key={document.id} document={document} onDelete={onDelete} />
          ))}
        </ul>
      )}
    </section>
  );
}
