import Link from "next/link";

import type { ConceptProgress, PathOut } from "@/lib/api";

import { masteryOf } from "./mastery";

/** The highlighted learning path, step by step, each a way into its lesson. */
export function PathSteps({
  path,
  titles,
  progress,
}: {
  path: PathOut;
  titles: Map<string, string>;
  progress: Map<string, ConceptProgress>;
}) {
  return (
    <section aria-labelledby="path-heading" className="rounded-lg border p-3">
      <h2 id="path-heading" className="text-sm font-semibold">
        Learning path: {path.name}
      </h2>
      {path.steps.length === 0 ? (
        <p className="mt-1 text-sm text-muted-foreground">Every concept on this path is mastered.</p>
      ) : (
        <ol data-testid="path-steps" className="mt-2 list-decimal space-y-1 pl-6 text-sm">
          {path.steps.map((id) => (
            <li key={id} data-concept-id={id}>
              <Link href={`/learn/?concept=${id}`} className="text-primary underline-offset-4 hover:underline">
                {titles.get(id) ?? "Unknown concept"}
              </Link>{" "}
              <span className="text-muted-foreground">· {masteryOf(progress.get(id)).text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
