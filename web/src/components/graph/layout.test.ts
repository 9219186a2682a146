import { describe, expect, it } from "vitest";

import { layoutGraph } from "./layout";

const nodes = [{ id: "use" }, { id: "basics" }, { id: "topic" }, { id: "middle" }];

describe("layoutGraph", () => {
  it("puts a prerequisite above what it enables (TB)", () => {
    const positions = layoutGraph(nodes, [
      { source: "basics", target: "middle", kind: "prerequisite" },
      { source: "middle", target: "use", kind: "prerequisite" },
    ]);
    expect(positions.get("basics")!.y).toBeLessThan(positions.get("middle")!.y);
    expect(positions.get("middle")!.y).toBeLessThan(positions.get("use")!.y);
  });

  it("puts a prerequisite before what it enables (LR)", () => {
    const positions = layoutGraph(nodes, [{ source: "basics", target: "use", kind: "prerequisite" }], "LR");
    expect(positions.get("basics")!.x).toBeLessThan(positions.get("use")!.x);
  });

  it("lets only prerequisite edges shape the ranks", () => {
    const positions = layoutGraph(
      [{ id: "part" }, { id: "whole" }],
      [{ source: "part", target: "whole", kind: "part_of" }],
    );
    expect(positions.get("part")!.y).toBe(positions.get("whole")!.y);
  });

  it("places every node, ignoring edges to unknown ones", () => {
    const positions = layoutGraph(nodes, [{ source: "basics", target: "gone", kind: "prerequisite" }]);
    expect([...positions.keys()].sort()).toEqual(["basics", "middle", "topic", "use"]);
    for (const p of positions.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  });
});
