import "./test-shims";

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { emptyConversation, reduce } from "@/lib/conversation";
import type { ServerEvent } from "@/lib/protocol";

import { LessonPane } from "./lesson-pane";
import { ev, LESSON } from "./test-events";

vi.mock("@/lib/api", () => ({ api: { run: vi.fn() }, ApiError: class extends Error {} }));

const conv = (...events: ServerEvent[]) => events.reduce(reduce, emptyConversation);
const taught = [
  ev.request(1, "start_lesson"),
  ev.plan(2),
  ev.token(3, "Text [1]"),
  ev.lesson(4, "Each value has an owner [1]."),
  ev.exercise(5),
  ev.done(6),
];

describe("LessonPane", () => {
  it("explains how to start when there is no lesson", async () => {
    const send = vi.fn(() => true);
    render(<LessonPane conversation={emptyConversation} canSend send={send} />);
    const pane = screen.getByRole("region", { name: "Lesson" });
    expect(within(pane).getByText(/Start a lesson and the tutor picks/)).toBeInTheDocument();
    await userEvent.setup().click(within(pane).getByRole("button", { name: "Start a lesson" }));
    expect(send).toHaveBeenCalledWith({ type: "start_lesson" });
  });

  it("shows the draft while streaming, then the lesson with its title, badges and sources", () => {
    const send = vi.fn(() => true);
    const { rerender } = render(
      <LessonPane conversation={conv(...taught.slice(0, 3))} canSend send={send} />,
    );
    expect(screen.getByTestId("lesson-text")).toHaveTextContent("Text [1]");
    expect(screen.getByText("(writing…)")).toBeInTheDocument();
    rerender(<LessonPane conversation={conv(...taught)} canSend send={send} />);
    expect(screen.getByRole("heading", { level: 2, name: "Ownership" })).toBeInTheDocument();
    expect(screen.getByText("Intro")).toBeInTheDocument();
    expect(screen.getByText("Next: Ownership — next in your notes")).toBeInTheDocument();
    expect(screen.getByTestId("lesson-text")).toHaveTextContent("Each value has an owner");
    expect(screen.getByRole("button", { name: "Source 1" })).toBeInTheDocument();
    expect(screen.queryByText("(writing…)")).not.toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Exercise 1" })).toBeInTheDocument();
  });

  it("shows a grade under its exercise", () => {
    render(<LessonPane conversation={conv(...taught, ev.grade(8))} canSend send={() => true} />);
    const exercise = screen.getByRole("region", { name: "Exercise 1" });
    expect(within(exercise).getByTestId("grade")).toHaveTextContent("Partly right");
  });

  it("sends a rating with a comment, and thanks after the ack", async () => {
    const user = userEvent.setup();
    const send = vi.fn(() => true);
    const { rerender } = render(<LessonPane conversation={conv(...taught)} canSend send={send} />);
    expect(screen.getByRole("button", { name: "Send feedback" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Rate 4 of 5" }));
    expect(screen.getByRole("button", { name: "Rate 4 of 5" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByRole("button", { name: "Rate 5 of 5" })).toHaveAttribute("aria-pressed", "false");
    await user.type(screen.getByRole("textbox", { name: "Comment (optional)" }), "Clear");
    await user.click(screen.getByRole("button", { name: "Send feedback" }));
    expect(send).toHaveBeenCalledWith({ type: "feedback", lesson_id: LESSON, rating: 4, comment: "Clear" });
    expect(screen.queryByText("Thanks for the feedback")).not.toBeInTheDocument();
    rerender(
      <LessonPane
        conversation={reduce(conv(...taught), { v: 1, seq: 6, type: "ack", action: "feedback", lesson_id: LESSON })}
        canSend
        send={send}
      />,
    );
    expect(screen.getByText("Thanks for the feedback")).toHaveAttribute("role", "status");
  });

  it("says when a lesson was stopped before it finished", () => {
    render(<LessonPane conversation={conv(...taught.slice(0, 3), ev.done(4, "interrupted"))} canSend send={() => true} />);
    expect(screen.getByTestId("lesson-text")).toHaveTextContent("Text [1]");
    expect(screen.getByText("This lesson stopped before it was finished.")).toBeInTheDocument();
  });
});
