import { cn } from "@/lib/utils";

/** A labelled list of key points (covered, missed…); nothing when there are none. */
export function KeyPoints({ label, items, className }: { label: string; items: string[]; className?: string }) {
  if (items.length === 0) return null;
  return (
    <div className={cn("mt-2", className)}>
      <p className="text-xs font-semibold tracking-wide uppercase">{label}</p>
      <ul aria-label={label} className="mt-1 list-disc pl-5 text-sm">
        {items.map((item, i) => (
          <li key={i}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
