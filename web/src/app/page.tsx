"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

import { useSession } from "@/lib/session";

/** The root sends learners to their lesson and everyone else to sign in. */
export default function Home() {
  const { learner, known } = useSession();
  const router = useRouter();
  useEffect(() => {
    if (known) router.replace(learner ? "/learn/" : "/signin/");
  }, [known, learner, router]);
  return (
    <main className="grid min-h-dvh place-items-center">
      <p role="status" className="text-muted-foreground">Loading…</p>
    </main>
  );
}
