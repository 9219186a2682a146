import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import type { ConceptProgress } from "@/lib/api";

import { ConceptCard } from "./concept-card";
import { masteryOf } from "./mastery";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function progress(over: Partial<ConceptProgress>): ConceptProgress {
  return {
    concept_id: "c1",
    title: "Ownership",
    attempts: 3,
    p_known: 0.61,
    mastered: false,
    due_at: "2026-03-05T00:00:00Z",
    last_seen: "2026-02-28T00:00:00Z",
    ...over,
  };
}

function card(p: ConceptProgress | undefined, extra: Partial<Parameters<typeof ConceptCard>[0]> = {}) {
  const onActivate = vi.fn();
  render(
    <ConceptCard
      id="c1"
      title="Ownership"
      mastery={masteryOf(p, NOW)}
      selecting={false}
      selected={false}
      onActivate={onActivate}
      {...extra}
    />,
  );
  return onActivate;
}

describe("ConceptCard", () => {
  it("shows a percentage while learning, and the due mark when a review is due", () => {
    card(progress({ due_at: "2026-02-28T00:00:00Z" }));
    const node = screen.getByRole("button", { name: /^Ownership\W+mastery 61%\W+review due$/i });
    expect(node).toHaveAttribute("data-testid", "concept-node");
    expect(node).toHaveAttribute("data-concept-id", "c1");
    expect(node).toHaveAttribute("data-mastery", "0.61");
    expect(node).toHaveAttribute("data-level", "learning");
    expect(node).toHaveTextContent("61%");
    expect(node).toHaveTextContent("Review due");
  });

  it("has no due mark before the review time", () => {
    card(progress({}));
    const node = screen.getByTestId("concept-node");
    expect(node).toHaveAccessibleName(/^Ownership\W+mastery 61%$/i);
    expect(node).not.toHaveTextContent("Review due");
  });

  it("says Mastered and New in words", () => {
    card(progress({ mastered: true, p_known: 0.97 }));
    expect(screen.getByTestId("concept-node")).toHaveTextContent("Mastered");
    expect(screen.getByTestId("concept-node")).toHaveAttribute("data-level", "mastered");
  });

  it("treats a concept never tried as new", () => {
    card(undefined);
    expect(screen.getByRole("button", { name: /^Ownership\W+mastery new$/i })).toHaveTextContent("New");
  });

  it("reports its id when activated by click or keyboard, and shows selection as pressed", async () => {
    const user = userEvent.setup();
    const onActivate = card(progress({}), { selecting: true, selected: true, step: 2 });
    const node = screen.getByTestId("concept-node");
    expect(node).toHaveAttribute("aria-pressed", "true");
    expect(node).toHaveTextContent("Target");
    expect(node).toHaveTextContent("Step 2");
    await user.click(node);
    node.focus();
    await user.keyboard("{Enter}");
    expect(onActivate).toHaveBeenCalledTimes(2);
    expect(onActivate).toHaveBeenCalledWith("c1");
  });
});
