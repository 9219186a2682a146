import { Clock } from "lucide-react";
import Link from "next/link";

import { Button } from "@/components/ui/button";
import type { ConceptProgress } from "@/lib/api";

import { relativeTime } from "./relative-time";

/** What to review now, and when the next reviews come. */
export function DueReviews({ concepts, now }: { concepts: ConceptProgress[]; now: number }) {
  const scheduled = concepts
    .filter((c) => c.due_at !== null)
    .sort((a, b) => Date.parse(a.due_at!) - Date.parse(b.due_at!));
  const due = scheduled.filter((c) => Date.parse(c.due_at!) <= now);
  const upcoming = scheduled.filter((c) => Date.parse(c.due_at!) > now).slice(0, 10);

  return (
    <section aria-labelledby="reviews-heading" className="flex flex-col gap-3">
      <h2 id="reviews-heading" className="text-lg font-semibold">
        Reviews
      </h2>
      <div>
        <h3 className="mb-1 text-sm font-medium">Due now</h3>
        {due.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing to review right now.</p>
        ) : (
          <ul className="divide-y rounded-lg border" data-testid="due-reviews">
            {due.map((c) => (
              <li key={c.concept_id} data-concept-id={c.concept_id} className="flex flex-wrap items-center justify-between gap-2 p-2">
                <span className="flex min-w-0 items-center gap-2">
                  <Clock className="size-4 shrink-0 text-warning" aria-hidden />
                  <span className="break-words">{c.title}</span>
                  <span className="text-sm text-muted-foreground">· due {relativeTime(c.due_at!, now)}</span>
                </span>
                <Button asChild size="sm">
                  <Link href={`/learn/?concept=${c.concept_id}`} aria-label={`Review ${c.title}`}>
                    Review
                  </Link>
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {upcoming.length > 0 && (
        <div>
          <h3 className="mb-1 text-sm font-medium">Coming up</h3>
          <ul className="flex flex-col gap-1 text-sm" data-testid="upcoming-reviews">
            {upcoming.map((c) => (
              <li key={c.concept_id} data-concept-id={c.concept_id}>
                {c.title} <span className="text-muted-foreground">· {relativeTime(c.due_at!, now)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
