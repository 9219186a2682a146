import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { Composer } from "./composer";

function setup(props: Partial<React.ComponentProps<typeof Composer>> = {}) {
  const send = vi.fn(() => true);
  render(<Composer online running={false} disabledReason={null} send={send} {...props} />);
  return { send, user: userEvent.setup(), box: screen.getByRole("textbox", { name: "Message" }) };
}

describe("Composer", () => {
  it("sends on Enter and clears the box", async () => {
    const { send, user, box } = setup();
    await user.type(box, "What is a borrow?{Enter}");
    expect(send).toHaveBeenCalledWith({ type: "chat", text: "What is a borrow?" });
    expect(box).toHaveValue("");
  });

  it("makes a new line on Shift+Enter instead of sending", async () => {
    const { send, user, box } = setup();
    await user.type(box, "line one{Shift>}{Enter}{/Shift}line two");
    expect(send).not.toHaveBeenCalled();
    expect(box).toHaveValue("line one\nline two");
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(send).toHaveBeenCalledWith({ type: "chat", text: "line one\nline two" });
  });

  it("keeps the text when the socket refuses it", async () => {
    const send = vi.fn(() => false);
    const { user, box } = setup({ send });
    await user.type(box, "hello{Enter}");
    expect(send).toHaveBeenCalled();
    expect(box).toHaveValue("hello");
  });

  it("sends the lesson shortcuts", async () => {
    const { send, user } = setup();
    await user.click(screen.getByRole("button", { name: "Start a lesson" }));
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(send.mock.calls).toEqual([[{ type: "start_lesson" }], [{ type: "next" }]]);
  });

  it("is disabled offline, with the reason shown", async () => {
    const { send, user, box } = setup({ online: false, disabledReason: "The connection dropped." });
    await user.type(box, "hello{Enter}");
    expect(send).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Start a lesson" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    expect(box).toHaveAccessibleDescription("The connection dropped.");
  });

  it("offers Stop while running, which sends interrupt", async () => {
    const { send, user } = setup({ running: true });
    expect(screen.getByRole("button", { name: "Start a lesson" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Stop" }));
    expect(send).toHaveBeenCalledWith({ type: "interrupt" });
  });
});
