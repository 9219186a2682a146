import Link from "next/link";

export default function NotFound() {
  return (
    <main className="grid min-h-dvh place-items-center p-6 text-center">
      <div className="space-y-3">
        <h1 className="text-2xl font-semibold">Page not found</h1>
        <p className="text-muted-foreground">There is no page at this address.</p>
        <Link className="text-primary underline" href="/learn/">
          Back to learning
        </Link>
      </div>
    </main>
  );
}
