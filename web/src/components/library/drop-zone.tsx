"use client";

import { FileText, FolderOpen, Upload } from "lucide-react";
import * as React from "react";
import { useDropzone } from "react-dropzone";

import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

import { ACCEPT_ATTRIBUTE } from "./accepted-files";

// Lets the folder picker hand over a whole folder; React has no typed prop for it.
const FOLDER_ATTRIBUTES = { webkitdirectory: "", directory: "" } as React.InputHTMLAttributes<HTMLInputElement>;

/** Where notes are dropped or chosen: files, or whole folders (an mdBook keeps its SUMMARY.md). */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const folderInput = React.useRef<HTMLInputElement>(null);
  // Type checks are done by the caller so that a refused file is listed with its reason.
  const { getRootProps, getInputProps, isDragActive, open } = useDropzone({
    onDrop: (files) => onFiles(files),
    multiple: true,
  });

  return (
    <div className="flex flex-col gap-3">
      {/* Outside the zone: a control nested in a button is unreachable for assistive tools. */}
      <input {...getInputProps({ accept: ACCEPT_ATTRIBUTE })} aria-label="Markdown files" data-testid="file-input" />
      <div
        {...getRootProps({
          role: "button",
          // The name says what the zone shows, so a learner can speak or search for it.
          "aria-label": "Upload notes: drop Markdown files or folders here",
          "aria-describedby": "drop-zone-help",
        })}
        className={cn(
          "flex cursor-pointer flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed border-input bg-muted/40 px-4 py-8 text-center transition-colors hover:bg-muted",
          isDragActive && "border-primary bg-accent",
        )}
      >
        <Upload className="size-8 text-muted-foreground" aria-hidden />
        <p className="font-medium">{isDragActive ? "Drop to upload" : "Drop Markdown files or folders here"}</p>
      </div>
      <p id="drop-zone-help" className="-mt-1 text-sm text-muted-foreground">
        .md, .markdown and .txt files. Press Enter on the zone to choose files.
      </p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="outline" onClick={open}>
          <FileText aria-hidden />
          Choose files
        </Button>
        <Button type="button" variant="outline" onClick={() => folderInput.current?.click()}>
          <FolderOpen aria-hidden />
          Choose a folder
        </Button>
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          aria-label="Folder of notes"
          data-testid="folder-input"
          {...FOLDER_ATTRIBUTES}
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            // Clear it so choosing the same folder again still reports a change.
            event.target.value = "";
            onFiles(files);
          }}
        />
      </div>
    </div>
  );
}
