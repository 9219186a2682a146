"use client";

import * as React from "react";

import { cn } from "@/lib/utils";

import { ChatPane } from "./chat-pane";
import { ConnectionStatus } from "./connection-status";
import { LessonPane } from "./lesson-pane";
import { MasteryToast } from "./mastery-toast";
import { PaneTabs, panelId, tabId, type Pane } from "./pane-tabs";
import { useStartFromUrl } from "./use-start-from-url";
import { openTutorSocket, useTutor, type ConnectionFactory } from "./use-tutor";

/** The Learn page: the chat with the tutor beside the lesson it teaches. */
export function Learn({ connect = openTutorSocket }: { connect?: ConnectionFactory }) {
  const { conversation, status, send, liveAfter } = useTutor(connect);
  const online = status === "online";
  const [pane, setPane] = React.useState<Pane>("chat");
  const [dismissed, setDismissed] = React.useState<number | null>(null);
  const { plan, mastery } = conversation;

  useStartFromUrl(online, send);

  const isLive = (seq: number) => liveAfter !== null && seq > liveAfter;

  // A lesson starting now brings the lesson into view on narrow screens (once per plan).
  const planSeq = plan?.seq ?? 0;
  const seenPlan = React.useRef(0);
  React.useEffect(() => {
    if (planSeq === seenPlan.current) return;
    seenPlan.current = planSeq;
    if (liveAfter !== null && planSeq > liveAfter) setPane("lesson");
  }, [planSeq, liveAfter]);

  // Only changes seen happening are announced, not those replayed from the thread's history.
  const latest = mastery.at(-1);
  const change = latest && isLive(latest.seq) && latest.seq !== dismissed ? latest : null;

  return (
    <div className="flex min-w-0 flex-1 flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1">
        <h1 className="text-2xl font-semibold">Learn</h1>
        <ConnectionStatus status={status} />
      </div>
      <MasteryToast change={change} onDismiss={() => setDismissed(change?.seq ?? null)} />
      <PaneTabs value={pane} onChange={setPane} className="lg:hidden" />
      <div className="flex min-w-0 flex-col gap-4 lg:grid lg:h-[calc(100dvh-10rem)] lg:min-h-[30rem] lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <div
          id={panelId("chat")}
          role="tabpanel"
          aria-labelledby={tabId("chat")}
          className={cn("h-[calc(100dvh-13rem)] min-h-[24rem] min-w-0 flex-col lg:flex lg:h-auto lg:min-h-0", pane === "chat" ? "flex" : "hidden")}
        >
          <ChatPane messages={conversation.messages} status={status} running={conversation.running} send={send} />
        </div>
        <div
          id={panelId("lesson")}
          role="tabpanel"
          aria-labelledby={tabId("lesson")}
          className={cn("min-w-0 lg:block lg:min-h-0 lg:overflow-y-auto lg:pr-1", pane === "lesson" ? "block" : "hidden")}
        >
          <LessonPane conversation={conversation} canSend={online} send={send} />
        </div>
      </div>
    </div>
  );
}
