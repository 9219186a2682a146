import { masteryOf } from "@/components/graph/mastery";
import { Progress } from "@/components/ui/progress";
import type { ConceptProgress } from "@/lib/api";
import { cn } from "@/lib/utils";

/** Every concept, by title, with its mastery as a bar and in words. */
export function ConceptMasteryList({ concepts, now }: { concepts: ConceptProgress[]; now: number }) {
  const sorted = [...concepts].sort((a, b) => a.title.localeCompare(b.title));
  return (
    <section aria-labelledby="mastery-heading" className="flex flex-col gap-2">
      <h2 id="mastery-heading" className="text-lg font-semibold">
        Mastery by concept
      </h2>
      <ul className="flex flex-col gap-3">
        {sorted.map((concept) => {
          const mastery = masteryOf(concept, now);
          const words = mastery.level === "mastered" ? `Mastered · ${mastery.percent}%` : mastery.level === "new" ? "New · 0%" : mastery.text;
          return (
            <li key={concept.concept_id} data-testid="concept-mastery" data-concept-id={concept.concept_id} className="flex flex-col gap-1">
              <div className="flex flex-wrap items-baseline justify-between gap-x-2">
                <span className="break-words font-medium">{concept.title}</span>
                <span className="text-sm text-muted-foreground">{words}</span>
              </div>
              <Progress
                value={mastery.percent}
                aria-label={`${concept.title} mastery`}
                aria-valuetext={words}
                className={cn(mastery.level === "mastered" ? "[&>div]:bg-success" : "[&>div]:bg-warning")}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
