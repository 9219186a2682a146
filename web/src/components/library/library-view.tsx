"use client";

import * as React from "react";

import { api, ApiError, type Document } from "@/lib/api";

import { DocumentList } from "./document-list";
import { DropZone } from "./drop-zone";
import { UploadList } from "./upload-list";
import { useUploads } from "./use-uploads";

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

/** The Library page: upload notes, follow their reading, and manage what is stored. */
export function LibraryView({ pollMs = 700 }: { pollMs?: number }) {
  const [documents, setDocuments] = React.useState<Document[] | null>(null);
  const [listError, setListError] = React.useState<string | null>(null);

  const refresh = React.useCallback(async () => {
    try {
      setDocuments(await api.documents());
      setListError(null);
    } catch (e) {
      setListError(messageOf(e));
      setDocuments((current) => current ?? []);
    }
  }, []);

  React.useEffect(() => {
    void refresh();
  }, [refresh]);

  const { batches, error: uploadError, add } = useUploads(() => void refresh(), pollMs);

  const remove = async (document: Document) => {
    try {
      await api.deleteDocument(document.id);
      setListError(null);
    } catch (e) {
      setListError(messageOf(e));
    }
    await refresh();
  };

  const error = uploadError ?? listError;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold">Library</h1>
        <p className="text-muted-foreground">Your notes, read into chunks and concepts for the tutor.</p>
      </div>
      <DropZone onFiles={(files) => void add(files)} />
      {error && (
        <p role="alert" className="rounded-md border border-destructive bg-destructive/5 p-3 text-sm text-destructive">
          {error}
        </p>
      )}
      <UploadList batches={batches} />
      <DocumentList documents={documents} onDelete={remove} />
    </div>
  );
}
