import { render, screen, within } from "@testing-library/react";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import type { Progress } from "@/lib/api";

const api = vi.hoisted(() => ({ progress: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

// recharts' ResponsiveContainer watches its size; jsdom has no ResizeObserver.
beforeAll(() => {
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});

import { masterySeries } from "./mastery-series";
import { ProgressView } from "./progress-view";

const HOUR = 3600_000;
const iso = (offset: number) => new Date(Date.now() + offset).toISOString();

function progress(): Progress {
  return {
    concepts: [
      { concept_id: "c", title: "Ownership", attempts: 3, p_known: 0.61, mastered: false, due_at: iso(-HOUR), last_seen: iso(-2 * HOUR) },
      { concept_id: "a", title: "Borrowing", attempts: 5, p_known: 0.96, mastered: true, due_at: iso(3 * 24 * HOUR + HOUR), last_seen: iso(-HOUR) },
      { concept_id: "b", title: "Lifetimes", attempts: 0, p_known: 0, mastered: false, due_at: null, last_seen: null },
    ],
    totals: { attempts: 8, concepts: 3, due_now: 1, introduced: 2, mastered: 1 },
    streak_days: 4,
    history: [
      { at: "2026-01-05T10:00:00Z", concept_id: "c", p_known: 0.3 },
      { at: "2026-01-06T10:00:00Z", concept_id: "a", p_known: 0.96 },
      { at: "2026-01-07T10:00:00Z", concept_id: "c", p_known: 0.61 },
    ],
    badges: ["first_mastered", "five_explain_backs"],
  };
}

describe("ProgressView", () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.progress.mockResolvedValue(progress());
  });

  it("shows mastered totals, the streak and badges in words", async () => {
    render(<ProgressView />);
    expect(await screen.findByTestId("streak")).toHaveTextContent("4 days");
    expect(screen.getByTestId("mastered-total")).toHaveTextContent("1 / 3");
    expect(screen.getByTestId("due-now")).toHaveTextContent("1");
    const badges = screen.getByTestId("badges");
    expect(badges).toHaveTextContent("First concept mastered");
    expect(badges).toHaveTextContent("5 explain-backs");
    expect(badges).not.toHaveTextContent("7-day streak");
  });

  it("lists due reviews with a link into the lesson, and upcoming ones with relative dates", async () => {
    render(<ProgressView />);
    const due = await screen.findByTestId("due-reviews");
    expect(within(due).getAllByRole("listitem")).toHaveLength(1);
    expect(within(due).getByRole("link", { name: "Review Ownership" })).toHaveAttribute("href", expect.stringMatching(/^\/learn\/?\?concept=c$/));
    expect(screen.getByTestId("upcoming-reviews")).toHaveTextContent("Borrowing · in 3 days");
  });

  it("shows each concept's mastery as a percentage, sorted by title", async () => {
    render(<ProgressView />);
    const rows = await screen.findAllByTestId("concept-mastery");
    expect(rows.map((r) => r.getAttribute("data-concept-id"))).toEqual(["a", "b", "c"]);
    expect(rows[0]).toHaveTextContent("Mastered · 96%");
    expect(rows[1]).toHaveTextContent("New · 0%");
    expect(rows[2]).toHaveTextContent("61%");
    expect(within(rows[2]).getByRole("progressbar", { name: "Ownership mastery" })).toHaveAttribute("aria-valuenow", "61");
  });

  it("tells what the chart shows in words", async () => {
    render(<ProgressView />);
    expect(await screen.findByTestId("chart-summary")).toHaveTextContent(
      /Average mastery across all 3 concepts went from 10% .* to 52%/,
    );
    expect(screen.getByRole("table", { name: "Average mastery over time" })).toBeInTheDocument();
  });

  it("has an empty state before any attempt", async () => {
    api.progress.mockResolvedValue({ ...progress(), totals: { attempts: 0, concepts: 3, due_now: 0, introduced: 0, mastered: 0 } });
    render(<ProgressView />);
    expect(await screen.findByTestId("progress-empty")).toHaveTextContent("No practice yet.");
    expect(screen.queryByTestId("concept-mastery")).not.toBeInTheDocument();
  });

  it("shows the server's words when loading fails", async () => {
    const { ApiError } = await import("@/lib/api");
    api.progress.mockRejectedValue(new ApiError(401, "Sign in first."));
    render(<ProgressView />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Sign in first.");
  });
});

describe("masterySeries", () => {
  it("averages over all concepts, untried ones counting as zero, one point per day", () => {
    const series = masterySeries(progress().history, 3);
    expect(series.map((p) => p.average)).toEqual([10, 42, 52]);
  });
});
