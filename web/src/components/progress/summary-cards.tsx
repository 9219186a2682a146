import { Award, Clock, Flame, MessageSquareText, Trophy, type LucideIcon } from "lucide-react";

import { Card, CardContent, CardHeader } from "@/components/ui/card";
import type { Progress } from "@/lib/api";

type Badge = Progress["badges"][number];

export const BADGES: Record<Badge, { label: string; icon: LucideIcon }> = {
  first_mastered: { label: "First concept mastered", icon: Trophy },
  seven_day_streak: { label: "7-day streak", icon: Flame },
  five_explain_backs: { label: "5 explain-backs", icon: MessageSquareText },
};

function Stat({ title, value, detail, icon: Icon, testId }: { title: string; value: string; detail?: string; icon: LucideIcon; testId: string }) {
  return (
    <Card data-testid={testId}>
      <CardHeader className="pb-2 sm:pb-2">
        <h3 className="flex items-center gap-2 text-sm font-medium text-muted-foreground">
          <Icon className="size-4" aria-hidden />
          {title}
        </h3>
      </CardHeader>
      <CardContent>
        <p className="text-2xl font-semibold">{value}</p>
        {detail && <p className="text-sm text-muted-foreground">{detail}</p>}
      </CardContent>
    </Card>
  );
}

/** The headline numbers: mastered, due, streak, and the badges earned. */
export function SummaryCards({ progress }: { progress: Progress }) {
  const { totals, streak_days: streak, badges } = progress;
  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading" className="sr-only">
        Summary
      </h2>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Stat
          testId="mastered-total"
          icon={Award}
          title="Concepts mastered"
          value={`${totals.mastered} / ${totals.concepts}`}
          detail={`${totals.introduced} tried so far`}
        />
        <Stat testId="due-now" icon={Clock} title="Reviews due now" value={String(totals.due_now)} />
        <Stat
          testId="streak"
          icon={Flame}
          title="Streak"
          value={`${streak} ${streak === 1 ? "day" : "days"}`}
          detail="Days in a row with practice"
        />
        <Card data-testid="badges">
          <CardHeader className="pb-2 sm:pb-2">
            <h3 className="flex items-center gap-2 text-sm font-medium text-muted-foreground">
              <Trophy className="size-4" aria-hidden />
              Badges
            </h3>
          </CardHeader>
          <CardContent>
            {badges.length === 0 ? (
              <p className="text-sm text-muted-foreground">None yet: master a concept to earn the first.</p>
            ) : (
              <ul className="flex flex-col gap-1.5">
                {badges.map((badge) => {
                  const { label, icon: Icon } = BADGES[badge] ?? { label: badge, icon: Award };
                  return (
                    <li key={badge} className="flex items-center gap-2 text-sm font-medium">
                      <Icon className="size-4 text-warning" aria-hidden />
                      {label}
                    </li>
                  );
                })}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>
    </section>
  );
}
