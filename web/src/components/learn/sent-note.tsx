/** A quiet confirmation that an answer went, until its grade arrives. */
export function SentNote({ sent, text = "Sent — waiting for the grade…" }: { sent: boolean; text?: string }) {
  return sent ? <span className="text-xs text-muted-foreground">{text}</span> : null;
}
