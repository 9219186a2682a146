import "./test-shims";

import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { emptyConversation, reduce } from "@/lib/conversation";
import type { ServerEvent } from "@/lib/protocol";

import { ChatPane } from "./chat-pane";
import { citation, ev } from "./test-events";

const messages = (...events: ServerEvent[]) => events.reduce(reduce, emptyConversation).messages;

describe("ChatPane", () => {
  it("shows learner and tutor bubbles, plan lines and error notices", () => {
    render(
      <ChatPane
        messages={messages(
          ev.request(1, "chat", "Teach me ownership"),
          ev.plan(2, { reason: "Review: Ownership is due" }),
          ev.done(3),
          { v: 1, seq: 3, type: "error", code: "busy", message: "A turn is already running.", retryable: true },
        )}
        status="online"
        running={false}
        send={() => true}
      />,
    );
    const log = screen.getByRole("log", { name: "Conversation" });
    expect(log).toHaveAttribute("aria-live", "polite");
    expect(within(log).getByText("Teach me ownership")).toBeInTheDocument();
    expect(within(log).getByText("Review: Ownership is due")).toBeInTheDocument();
    const error = within(log).getByText("A turn is already running.");
    expect(error.closest("p")).toHaveClass("text-destructive");
    expect(error.closest("p")).toHaveTextContent("Error: A turn is already running.");
  });

  it("renders a chat answer as Markdown with its sources", async () => {
    render(
      <ChatPane
        messages={messages(
          ev.request(1, "chat", "Why?"),
          ev.token(2, "**Because** of memory [1]."),
          { v: 1, seq: 3, type: "citation", ...citation(1) },
          ev.done(4),
        )}
        status="online"
        running={false}
        send={() => true}
      />,
    );
    expect(screen.getByText("Because").tagName).toBe("STRONG");
    await userEvent.setup().click(screen.getByRole("button", { name: "Source 1" }));
    const passage = await screen.findByRole("dialog", { name: "Source 1" });
    expect(passage).toHaveTextContent("Ownership > Rule 1");
    expect(passage).not.toHaveTextContent("See also");
  });

  it("says when a source comes from outside the concept's own section", async () => {
    render(
      <ChatPane
        messages={messages(
          ev.request(1, "chat", "Why?"),
          ev.token(2, "Because [1]."),
          { v: 1, seq: 3, type: "citation", ...citation(1, { see_also: true }) },
          ev.done(4),
        )}
        status="online"
        running={false}
        send={() => true}
      />,
    );
    await userEvent.setup().click(screen.getByRole("button", { name: "Source 1" }));
    expect(await screen.findByRole("dialog", { name: "Source 1" })).toHaveTextContent("See also");
  });

  it("follows new messages unless the learner scrolled up", () => {
    const props = { status: "online" as const, running: true, send: () => true };
    const { rerender } = render(<ChatPane {...props} messages={messages(ev.request(1, "chat", "Hi"))} />);
    const log = screen.getByRole("log", { name: "Conversation" });
    // jsdom has no layout: give the log a size.
    Object.defineProperty(log, "scrollHeight", { configurable: true, value: 1000 });
    Object.defineProperty(log, "clientHeight", { configurable: true, value: 200 });
    rerender(<ChatPane {...props} messages={messages(ev.request(1, "chat", "Hi"), ev.token(2, "Hello"))} />);
    expect(log.scrollTop).toBe(1000);

    log.scrollTop = 100;
    fireEvent.scroll(log);
    rerender(<ChatPane {...props} messages={messages(ev.request(1, "chat", "Hi"), ev.token(2, "Hello"), ev.token(3, " there"))} />);
    expect(log.scrollTop).toBe(100);
    expect(screen.getByRole("button", { name: "Newest" })).toBeInTheDocument();
  });
});
