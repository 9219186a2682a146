import { relativePath } from "@/lib/api";

/** The endings the tutor reads; anything else is refused before it is sent. */
export const ACCEPTED_EXTENSIONS = [".md", ".markdown", ".txt"] as const;

export const ACCEPT_ATTRIBUTE = ACCEPTED_EXTENSIONS.join(",");

/** Why a file cannot be uploaded, or null when it can. */
export function refusalReason(file: File): string | null {
  const name = file.name.toLowerCase();
  if (ACCEPTED_EXTENSIONS.some((ending) => name.endsWith(ending))) return null;
  return "only .md, .markdown and .txt files are accepted";
}

/** The files split into those to send and those refused at once, with the reason. */
export function splitFiles(files: File[]): {
  accepted: File[];
  refused: { path: string; reason: string }[];
} {
  const accepted: File[] = [];
  const refused: { path: string; reason: string }[] = [];
  for (const file of files) {
    const reason = refusalReason(file);
    if (reason) refused.push({ path: relativePath(file), reason });
    else accepted.push(file);
  }
  return { accepted, refused };
}
