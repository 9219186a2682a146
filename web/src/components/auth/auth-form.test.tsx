import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/api";

import { AuthForm, checkCredentials } from "./auth-form";

const replace = vi.fn();
const refresh = vi.fn(async () => undefined);
vi.mock("next/navigation", () => ({ useRouter: () => ({ replace, push: vi.fn() }) }));
vi.mock("@/lib/session", () => ({ useSession: () => ({ refresh }) }));
vi.mock("@/lib/api", async (original) => {
  const actual = await original<typeof import("@/lib/api")>();
  return { ...actual, api: { signIn: vi.fn(), signUp: vi.fn() } };
});
const { api } = await import("@/lib/api");

describe("checkCredentials", () => {
  it("names what is missing or too short", () => {
    expect(checkCredentials("signin", " ", "x")).toMatch(/name/);
    expect(checkCredentials("signin", "ada", "")).toMatch(/password/);
    expect(checkCredentials("signup", "ada", "short")).toMatch(/at least 10/);
    expect(checkCredentials("signup", "ada", "a b c d e f g h i")).toMatch(/spaces not counted/);
    expect(checkCredentials("signup", "ada", "correct horse")).toBeNull();
    expect(checkCredentials("signin", "ada", "short")).toBeNull();
  });
});

describe("AuthForm", () => {
  beforeEach(() => vi.clearAllMocks());

  it("signs up, then opens the library", async () => {
    vi.mocked(api.signUp).mockResolvedValue({ id: "1", name: "ada" });
    render(<AuthForm mode="signup" />);
    await userEvent.type(screen.getByLabelText("Name"), " ada ");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect(api.signUp).toHaveBeenCalledWith("ada", "correct horse");
    expect(refresh).toHaveBeenCalled();
    expect(replace).toHaveBeenCalledWith("/library/");
  });

  it("says a short password is short without asking the server", async () => {
    render(<AuthForm mode="signup" />);
    await userEvent.type(screen.getByLabelText("Name"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "short");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect(screen.getByRole("alert")).toHaveTextContent("at least 10 characters");
    expect(api.signUp).not.toHaveBeenCalled();
  });

  it("shows the server's refusal in words", async () => {
    vi.mocked(api.signUp).mockRejectedValue(new ApiError(400, "the name 'ada' is taken"));
    render(<AuthForm mode="signup" />);
    await userEvent.type(screen.getByLabelText("Name"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the name 'ada' is taken");
    expect(replace).not.toHaveBeenCalled();
  });

  it("tells a wrong password apart from other failures", async () => {
    vi.mocked(api.signIn).mockRejectedValue(new ApiError(401, "invalid credentials"));
    render(<AuthForm mode="signin" />);
    await userEvent.type(screen.getByLabelText("Name"), "ada");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("do not match an account");
  });
});
