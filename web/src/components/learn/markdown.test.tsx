import "./test-shims";

import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { Markdown } from "./markdown";
import { citation } from "./test-events";

describe("Markdown", () => {
  it("renders Markdown with numbered citation buttons", () => {
    render(<Markdown text={"## Rules\n\nEach value has an **owner** [1], one at a time [2]."} citations={[citation(1), citation(2)]} />);
    expect(screen.getByRole("heading", { name: "Rules" })).toBeInTheDocument();
    expect(screen.getByText("owner").tagName).toBe("STRONG");
    expect(screen.getByRole("button", { name: "Source 1" })).toHaveTextContent("1");
    expect(screen.getByRole("button", { name: "Source 2" })).toBeInTheDocument();
  });

  it("keeps one h1 on the page: a lesson's top heading becomes an h2", () => {
    render(<Markdown text={"# Ownership\n\nText."} />);
    expect(screen.getByRole("heading", { name: "Ownership" }).tagName).toBe("H2");
  });

  it("leaves markers in code, and markers without a source, as text", () => {
    render(<Markdown text={"Use `xs[1]` here [3].\n\n```python\nprint(xs[1])\n```"} citations={[citation(1)]} />);
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
    expect(screen.getByText("xs[1]").tagName).toBe("CODE");
    expect(document.body).toHaveTextContent("here [3].");
    expect(document.querySelector("pre")).toHaveTextContent("print(xs[1])");
  });

  it("opens the cited passage with its heading path and document on click, and closes on Escape", async () => {
    const user = userEvent.setup();
    render(<Markdown text="Owners drop values [1]." citations={[citation(1)]} />);
    await user.click(screen.getByRole("button", { name: "Source 1" }));
    const passage = await screen.findByRole("dialog", { name: "Source 1" });
    expect(within(passage).getByText("Passage 1: each value has an owner.")).toBeInTheDocument();
    expect(passage).toHaveTextContent("Ownership > Rule 1");
    expect(passage).toHaveTextContent("ch04-01.md");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("shows the passage as the notes read, not as Markdown source", async () => {
    const user = userEvent.setup();
    const passage = { ...citation(1), text: "A `String` is\nowned by **one** variable." };
    render(<Markdown text="Strings move [1]." citations={[passage]} />);
    await user.click(screen.getByRole("button", { name: "Source 1" }));
    const shown = await screen.findByRole("dialog", { name: "Source 1" });
    expect(within(shown).getByText("String").tagName).toBe("CODE");
    expect(within(shown).getByText("one").tagName).toBe("STRONG");
    expect(shown).not.toHaveTextContent("**");
  });

  it("opens on hover and closes when the pointer leaves", async () => {
    const user = userEvent.setup();
    render(<Markdown text="Owners drop values [1]." citations={[citation(1)]} />);
    await user.hover(screen.getByRole("button", { name: "Source 1" }));
    expect(await screen.findByRole("dialog", { name: "Source 1" })).toHaveTextContent("Ownership > Rule 1");
    await user.unhover(screen.getByRole("button", { name: "Source 1" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("opens from the keyboard", async () => {
    const user = userEvent.setup();
    render(<Markdown text="Owners drop values [1]." citations={[citation(1)]} />);
    await user.tab();
    expect(screen.getByRole("button", { name: "Source 1" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("dialog", { name: "Source 1" })).toHaveTextContent("ch04-01.md");
  });
});
