import { Clock } from "lucide-react";

const SWATCHES = [
  { className: "border-border bg-muted", label: "New: not tried yet" },
  { className: "border-warning bg-warning/15", label: "Learning: the percentage known, deeper with more" },
  { className: "border-success bg-success/15", label: "Mastered" },
  { className: "border-border bg-background ring-4 ring-primary/60", label: "On the learning path, with its step number" },
];

/** What the colours, lines and marks of the graph mean. */
export function GraphLegend() {
  return (
    <section aria-labelledby="legend-heading" className="rounded-lg border p-3">
      <h2 id="legend-heading" className="mb-2 text-sm font-semibold">
        Legend
      </h2>
      <ul className="grid gap-x-4 gap-y-1.5 text-sm sm:grid-cols-2">
        {SWATCHES.map(({ className, label }) => (
          <li key={label} className="flex items-center gap-2">
            <span className={`inline-block size-4 shrink-0 rounded border-2 ${className}`} aria-hidden />
            {label}
          </li>
        ))}
        <li className="flex items-center gap-2">
          <Clock className="size-4 shrink-0 text-warning" aria-hidden />
          Review due: time to practise it again
        </li>
        <li className="flex items-center gap-2">
          <svg width="24" height="8" aria-hidden className="shrink-0">
            <line x1="0" y1="4" x2="24" y2="4" stroke="currentColor" strokeWidth="1.5" />
          </svg>
          Arrow: learn this first, it leads to the next
        </li>
        <li className="flex items-center gap-2">
          <span className="inline-block size-4 shrink-0 rounded border-2 border-dashed border-border" aria-hidden />
          Dashed box: an open chapter; its heading closes it
        </li>
      </ul>
    </section>
  );
}
