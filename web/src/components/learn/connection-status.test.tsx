import { render, screen } from "@testing-library/react";

import { ConnectionStatus, offlineReason } from "./connection-status";

describe("ConnectionStatus", () => {
  it.each([
    ["online", "Online"],
    ["connecting", "Connecting…"],
    ["offline", "Offline — reconnecting"],
  ] as const)("says %s in words", (status, text) => {
    render(<ConnectionStatus status={status} />);
    const indicator = screen.getByRole("status");
    expect(indicator).toHaveAttribute("data-testid", "connection");
    expect(indicator).toHaveTextContent(text);
  });

  it("gives a reason to wait only when not online", () => {
    expect(offlineReason("online")).toBeNull();
    expect(offlineReason("offline")).toMatch(/paused/);
    expect(offlineReason("connecting")).toMatch(/Connecting/);
  });
});
