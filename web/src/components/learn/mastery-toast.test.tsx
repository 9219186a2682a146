import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { MasteryToast } from "./mastery-toast";
import { ev } from "./test-events";

describe("MasteryToast", () => {
  it("says how mastery moved, naming the concept the event names", () => {
    render(<MasteryToast change={ev.mastery(3, { title: "Supply and Demand: Terms" })} />);
    const toast = screen.getByTestId("mastery-change");
    expect(toast).toHaveAttribute("role", "status");
    expect(toast).toHaveTextContent("Supply and Demand: Terms: 20% → 61%");
    expect(toast).not.toHaveTextContent("Mastered!");
  });

  it("celebrates mastering", () => {
    render(<MasteryToast change={ev.mastery(3, { p_known: 0.96, mastered: true })} />);
    expect(screen.getByTestId("mastery-change")).toHaveTextContent("Ownership: 20% → 96%Mastered!");
  });

  it("says when an answer was not counted, without an arrow", () => {
    render(<MasteryToast change={ev.mastery(3, { before: 0.61, p_known: 0.61, counted: false })} />);
    const toast = screen.getByTestId("mastery-change");
    expect(toast).toHaveTextContent("Ownership: 61%, unchanged: only the first answer to an exercise counts");
    expect(toast).not.toHaveTextContent("→");
  });

  it("is empty without a change, and can be dismissed", async () => {
    const onDismiss = vi.fn();
    const { rerender } = render(<MasteryToast change={null} onDismiss={onDismiss} />);
    expect(screen.getByTestId("mastery-change")).toBeEmptyDOMElement();
    rerender(<MasteryToast change={ev.mastery(3)} onDismiss={onDismiss} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Dismiss mastery change" }));
    expect(onDismiss).toHaveBeenCalled();
  });
});
