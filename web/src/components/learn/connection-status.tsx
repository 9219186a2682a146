import type { SocketStatus } from "@/lib/socket";
import { cn } from "@/lib/utils";

const LOOK: Record<SocketStatus, { text: string; dot: string }> = {
  online: { text: "Online", dot: "bg-success" },
  connecting: { text: "Connecting…", dot: "bg-warning animate-pulse" },
  offline: { text: "Offline — reconnecting", dot: "bg-destructive" },
};

/** Whether the tutor can hear the learner right now, in words and colour. */
export function ConnectionStatus({ status, className }: { status: SocketStatus; className?: string }) {
  const { text, dot } = LOOK[status];
  return (
    <p
      role="status"
      data-testid="connection"
      data-status={status}
      className={cn("inline-flex items-center gap-2 text-sm text-muted-foreground", className)}
    >
      <span aria-hidden className={cn("size-2.5 shrink-0 rounded-full", dot)} />
      {text}
    </p>
  );
}

/** Why sending is off, for the learner; null when it is on. */
export function offlineReason(status: SocketStatus): string | null {
  if (status === "online") return null;
  return status === "connecting"
    ? "Connecting to the tutor — sending is possible once online."
    : "The connection dropped — sending is paused until it is back.";
}
