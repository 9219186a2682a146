import { render, screen } from "@testing-library/react";
import axe from "axe-core";
import { beforeAll, describe, expect, it, vi } from "vitest";

const api = vi.hoisted(() => ({ progress: vi.fn() }));
vi.mock("@/lib/api", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/api")>();
  return { ...actual, api };
});

beforeAll(() => {
  vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
});

import { ProgressView } from "./progress-view";

describe("ProgressView accessibility", () => {
  it("has no axe violations", async () => {
    api.progress.mockResolvedValue({
      concepts: [
        { concept_id: "c", title: "Ownership", attempts: 3, p_known: 0.61, mastered: false, due_at: "2020-01-01T00:00:00Z", last_seen: null },
        { concept_id: "a", title: "Borrowing", attempts: 3, p_known: 0.61, mastered: false, due_at: "2099-01-01T00:00:00Z", last_seen: null },
      ],
      totals: { attempts: 3, concepts: 2, due_now: 1, introduced: 1, mastered: 0 },
      streak_days: 1,
      history: [{ at: "2026-01-05T10:00:00Z", concept_id: "c", p_known: 0.61 }],
      badges: ["seven_day_streak"],
    });
    const { container } = render(<main><ProgressView /></main>);
    await screen.findAllByTestId("concept-mastery");
    const result = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);
  });
});
