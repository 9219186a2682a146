"use client";

import * as React from "react";

import type { Send } from "./use-tutor";

/**
 * A link such as /learn/?concept=<id> (from the graph) starts a lesson on that concept
 * once the tutor is online, then drops the parameter so a reload does not start another.
 * Read from window.location rather than the router: the page is exported statically.
 */
export function useStartFromUrl(online: boolean, send: Send): void {
  const pending = React.useRef<string | null>(null);

  React.useEffect(() => {
    pending.current = new URLSearchParams(window.location.search).get("concept") || null;
  }, []);

  React.useEffect(() => {
    const conceptId = pending.current;
    if (!online || !conceptId) return;
    if (!send({ type: "start_lesson", concept_id: conceptId })) return;
    pending.current = null;
    const url = new URL(window.location.href);
    url.searchParams.delete("concept");
    window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
  }, [online, send]);
}
