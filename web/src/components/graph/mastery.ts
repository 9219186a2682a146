import type { ConceptProgress } from "@/lib/api";

export type MasteryLevel = "new" | "learning" | "mastered";

/** A concept's mastery as the learner reads it: a level, a word or percentage, and whether a review is due. */
export type Mastery = {
  level: MasteryLevel;
  /** The probability the concept is known, 0 to 1. */
  known: number;
  percent: number;
  text: string;
  due: boolean;
};

export function masteryOf(progress: ConceptProgress | undefined, now: number = Date.now()): Mastery {
  const known = progress?.p_known ?? 0;
  const percent = Math.round(known * 100);
  const due = progress?.due_at != null && new Date(progress.due_at).getTime() <= now;
  if (!progress || progress.attempts === 0) return { level: "new", known: 0, percent: 0, text: "New", due };
  if (progress.mastered) return { level: "mastered", known, percent, text: "Mastered", due };
  return { level: "learning", known, percent, text: `${percent}%`, due };
}
