"use client";

import { useRouter } from "next/navigation";
import * as React from "react";

import { api, ApiError, type Learner } from "./api";

interface Session {
  learner: Learner | null;
  /** False until the first answer about who is signed in. */
  known: boolean;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = React.createContext<Session | null>(null);

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [learner, setLearner] = React.useState<Learner | null>(null);
  const [known, setKnown] = React.useState(false);

  const refresh = React.useCallback(async () => {
    try {
      setLearner(await api.me());
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      setLearner(null);
    } finally {
      setKnown(true);
    }
  }, []);

  const signOut = React.useCallback(async () => {
    await api.signOut();
    setLearner(null);
  }, []);

  React.useEffect(() => {
    refresh().catch(() => setKnown(true));
  }, [refresh]);

  const value = React.useMemo(() => ({ learner, known, refresh, signOut }), [learner, known, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = React.useContext(SessionContext);
  if (session === null) throw new Error("useSession outside SessionProvider");
  return session;
}

/** The signed-in learner; sends anyone else to the sign-in page. */
export function useLearner(): Learner | null {
  const { learner, known } = useSession();
  const router = useRouter();
  React.useEffect(() => {
    if (known && learner === null) router.replace("/signin/");
  }, [known, learner, router]);
  return learner;
}
