import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { MasteryToast } from "./mastery-toast";
import { ev } from "./test-events";

describe("MasteryToast", () => {
  it("says how mastery moved, with the concept's title", () => {
    render(<MasteryToast change={ev.mastery(3)} title="Ownership" />);
    const toast = screen.getByTestId("mastery-change");
    expect(toast).toHaveAttribute("role", "status");
    expect(toast).toHaveTextContent("Ownership: 20% → 61%");
    expect(toast).not.toHaveTextContent("Mastered!");
  });

  it("falls back to 'Mastery' and celebrates mastering", () => {
    render(<MasteryToast change={ev.mastery(3, { p_known: 0.96, mastered: true })} title={null} />);
    expect(screen.getByTestId("mastery-change")).toHaveTextContent("Mastery: 20% → 96%Mastered!");
  });

  it("is empty without a change, and can be dismissed", async () => {
    const onDismiss = vi.fn();
    const { rerender } = render(<MasteryToast change={null} title={null} onDismiss={onDismiss} />);
    expect(screen.getByTestId("mastery-change")).toBeEmptyDOMElement();
    rerender(<MasteryToast change={ev.mastery(3)} title={null} onDismiss={onDismiss} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Dismiss mastery change" }));
    expect(onDismiss).toHaveBeenCalled();
  });
});
