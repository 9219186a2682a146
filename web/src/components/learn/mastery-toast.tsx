"use client";

import { Trophy, TrendingDown, TrendingUp, X } from "lucide-react";

import { Button } from "@/components/ui/button";
import type { MasteryEvent } from "@/lib/protocol";

import { percent } from "./grade-result";

export interface MasteryToastProps {
  /** The latest change that happened while the learner watched; null for none. */
  change: MasteryEvent | null;
  onDismiss?: () => void;
}

/** Announces how the learner's mastery of a concept just moved, naming the concept. */
export function MasteryToast({ change, onDismiss }: MasteryToastProps) {
  const Icon = change?.mastered ? Trophy : change && change.p_known < change.before ? TrendingDown : TrendingUp;
  return (
    <div className="flex min-h-0 items-center gap-2">
      {/* Always present, so screen readers hear each change when its text appears. */}
      <p role="status" data-testid="mastery-change" className="flex items-center gap-2 text-sm font-medium empty:hidden">
        {change && (
          <>
            <Icon aria-hidden className="size-4 shrink-0 text-primary" />
            {change.counted ? (
              <span>
                {change.title}: {percent(change.before)} → {percent(change.p_known)}
              </span>
            ) : (
              <span>
                {change.title}: {percent(change.p_known)}, unchanged: only the first answer to an exercise counts
              </span>
            )}
            {change.mastered && <span className="rounded-full bg-success px-2 py-0.5 text-xs text-white">Mastered!</span>}
          </>
        )}
      </p>
      {change && onDismiss && (
        <Button type="button" variant="ghost" size="icon" className="size-7" aria-label="Dismiss mastery change" onClick={onDismiss}>
          <X aria-hidden />
        </Button>
      )}
    </div>
  );
}
