import type { MasteryPoint } from "@/lib/api";

export type SeriesPoint = { label: string; at: string; average: number };

const dayKey = (iso: string) => iso.slice(0, 10);

/**
 * Average mastery across all concepts after each attempt (a concept not tried counts as 0),
 * so the line rises as more is learned. Spread over several days it keeps each day's last value.
 */
export function masterySeries(history: MasteryPoint[], conceptCount: number): SeriesPoint[] {
  const known = new Map<string, number>();
  const count = Math.max(conceptCount, 1);
  const points = history.map((point) => {
    known.set(point.concept_id, point.p_known);
    const sum = [...known.values()].reduce((a, b) => a + b, 0);
    return { at: point.at, average: Math.round((sum / Math.max(count, known.size)) * 100) };
  });
  const days = new Set(points.map((p) => dayKey(p.at)));
  if (days.size >= 2) {
    const lastOfDay = new Map<string, (typeof points)[number]>();
    for (const p of points) lastOfDay.set(dayKey(p.at), p);
    const dateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
    return [...lastOfDay.values()].map((p) => ({ ...p, label: dateFormat.format(new Date(p.at)) }));
  }
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  return points.map((p) => ({ ...p, label: timeFormat.format(new Date(p.at)) }));
}
