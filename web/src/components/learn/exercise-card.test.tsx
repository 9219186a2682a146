import "./test-shims";

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { api } from "@/lib/api";

import { ExerciseCard } from "./exercise-card";
import { CONCEPT, ev } from "./test-events";

vi.mock("@/lib/api", () => ({ api: { run: vi.fn() }, ApiError: class extends Error {} }));

function setup(props: Partial<React.ComponentProps<typeof ExerciseCard>> = {}) {
  const send = vi.fn(() => true);
  const view = render(<ExerciseCard exercise={ev.exercise(8)} number={1} canSend send={send} {...props} />);
  return { send, user: userEvent.setup(), ...view };
}

describe("ExerciseCard", () => {
  it("sends the chosen option's index with an idempotency key", async () => {
    const { send, user } = setup();
    const card = screen.getByRole("region", { name: "Exercise 1" });
    expect(within(card).getByText("Who owns a value?")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Submit answer" })).toBeDisabled();
    await user.click(screen.getByRole("radio", { name: "Its owner" }));
    await user.click(screen.getByRole("button", { name: "Submit answer" }));
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith({
      type: "answer",
      exercise_id: "ex-1",
      answer: "1",
      idempotency_key: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // Each attempt is its own.
    await user.click(screen.getByRole("button", { name: "Submit answer" }));
    const [first, second] = send.mock.calls.map((call) => (call as unknown as [{ idempotency_key: string }])[0]);
    expect(first.idempotency_key).not.toBe(second.idempotency_key);
  });

  it("says an answer went until its grade arrives", async () => {
    const { user, rerender, send } = setup();
    await user.click(screen.getByRole("radio", { name: "Its owner" }));
    await user.click(screen.getByRole("button", { name: "Submit answer" }));
    expect(screen.getByText(/Sent/)).toBeInTheDocument();
    rerender(<ExerciseCard exercise={ev.exercise(8)} number={1} canSend send={send} grade={ev.grade(9)} />);
    expect(screen.queryByText(/Sent/)).not.toBeInTheDocument();
    expect(screen.getByTestId("grade")).toBeInTheDocument();
  });

  it("sends a short answer", async () => {
    const { send, user } = setup({ exercise: ev.exercise(8, { kind: "short_answer", question: "Name it", options: undefined }) });
    await user.type(screen.getByRole("textbox", { name: "Your answer" }), "  the owner ");
    await user.click(screen.getByRole("button", { name: "Submit answer" }));
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ type: "answer", exercise_id: "ex-1", answer: "the owner" }));
  });

  it("sends an explanation as an explain action", async () => {
    const { send, user } = setup({ exercise: ev.exercise(8, { kind: "explain_back", prompt: "Explain ownership." }) });
    expect(screen.getByText("Explain ownership.")).toBeInTheDocument();
    await user.type(screen.getByRole("textbox", { name: "Your explanation" }), "Every value has one owner.");
    await user.click(screen.getByRole("button", { name: "Submit explanation" }));
    expect(send).toHaveBeenCalledWith({ type: "explain", concept_id: CONCEPT, text: "Every value has one owner." });
  });

  it("shows the explain result's lists, feedback and follow-up", () => {
    setup({ exercise: ev.exercise(8, { kind: "explain_back", prompt: "Explain." }), explainResult: ev.explain(9) });
    const result = screen.getByTestId("explain-result");
    expect(within(result).getByRole("list", { name: "Covered" })).toHaveTextContent("one owner");
    expect(within(result).getByRole("list", { name: "Missing" })).toHaveTextContent("drop at scope end");
    expect(within(result).getByRole("list", { name: "Contradicted" })).toHaveTextContent("values are copied");
    expect(result).toHaveTextContent("Close.");
    expect(result).toHaveTextContent("What happens when the owner goes out of scope?");
  });

  it("shows the grade: verdict in words, score, covered and missed, output", () => {
    setup({ grade: ev.grade(9, { output: "42\n" }) });
    const grade = screen.getByTestId("grade");
    expect(grade).toHaveAttribute("role", "status");
    expect(grade).toHaveTextContent("Partly right");
    expect(grade).toHaveTextContent("50%");
    expect(grade).toHaveTextContent("Half of it.");
    expect(within(grade).getByRole("list", { name: "Covered" })).toHaveTextContent("one owner");
    expect(within(grade).getByRole("list", { name: "Missed" })).toHaveTextContent("dropped at scope end");
    expect(grade.querySelector("pre")).toHaveTextContent("42");
  });

  it.each([
    ["correct", "Correct"],
    ["incorrect", "Not yet"],
  ] as const)("words a %s verdict", (verdict, words) => {
    setup({ grade: ev.grade(9, { verdict, missed: [], covered: [] }) });
    expect(screen.getByTestId("grade")).toHaveTextContent(words);
    expect(screen.queryByRole("list")).not.toBeInTheDocument();
  });

  it("runs code in the sandbox, shows its output, and submits the code", async () => {
    vi.mocked(api.run).mockResolvedValue({ status: "passed", stdout: "hello\n", stderr: "", feedback: "", duration_s: 0.1 });
    const exercise = ev.exercise(8, {
      kind: "code",
      prompt: "Print hello.",
      language: "python",
      starter_code: "print('hello')\n",
      runnable: true,
      options: undefined,
    });
    const { send, user } = setup({ exercise });
    expect(screen.getByRole("textbox", { name: "Code editor" })).toHaveTextContent("print('hello')");
    await user.click(screen.getByRole("button", { name: "Run" }));
    expect(api.run).toHaveBeenCalledWith("print('hello')\n");
    await waitFor(() => expect(screen.getByTestId("run-output")).toHaveTextContent("hello"));
    expect(screen.getByTestId("run-output")).toHaveTextContent("passed");
    await user.click(screen.getByRole("button", { name: "Submit answer" }));
    expect(send).toHaveBeenCalledWith(expect.objectContaining({ type: "answer", answer: "print('hello')\n" }));
  });

  it("offers no Run for code that cannot run here, and nothing is sent offline", async () => {
    const exercise = ev.exercise(8, { kind: "code", prompt: "Write it.", starter_code: "x = 1", runnable: false });
    setup({ exercise, canSend: false });
    expect(screen.queryByRole("button", { name: "Run" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Submit answer" })).toBeDisabled();
  });
});

describe("newIdempotencyKey", () => {
  it("makes v4 UUIDs even where crypto.randomUUID is missing (plain http)", async () => {
    const { newIdempotencyKey } = await import("./use-answer");
    const original = crypto.randomUUID;
    const random = vi.spyOn(crypto, "getRandomValues");
    Object.defineProperty(crypto, "randomUUID", { configurable: true, writable: true, value: undefined });
    try {
      const a = newIdempotencyKey();
      expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(newIdempotencyKey()).not.toBe(a);
      expect(random).toHaveBeenCalledTimes(2);
    } finally {
      Object.defineProperty(crypto, "randomUUID", { configurable: true, writable: true, value: original });
      random.mockRestore();
    }
  });
});
