import { describe, expect, it } from "vitest";

import { GAP, MAX_COLUMNS, NODE_WIDTH, columnsFor, layoutChapters } from "./chapter-layout";
import type { Chapter, GraphConcept } from "./chapters";

function chapter(id: string, size: number): Chapter {
  const concepts: GraphConcept[] = Array.from({ length: size }, (_, i) => ({
    id: `${id}-${i}`, title: `${id} ${i}`, key: `${id}-${i}`, documents: [], key_points: [], level: 1, position: i, summary: "",
  }));
  return { id, title: id, concepts, teachable: concepts, depth: new Map() };
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe("layoutChapters", () => {
  const book = Array.from({ length: 12 }, (_, i) => chapter(`ch${i}`, 20));

  it("lays closed chapters out `columns` to a row, in reading order", () => {
    const layout = layoutChapters(book, new Set(), 4);
    const boxes = book.map((c) => layout.chapters.get(c.id)!);
    expect(new Set(boxes.map((b) => b.y)).size).toBe(3);
    expect(boxes.slice(0, 4).map((b) => b.x)).toEqual([0, 1, 2, 3].map((i) => i * (NODE_WIDTH + GAP)));
    expect(layout.width).toBe(4 * NODE_WIDTH + 3 * GAP);
    expect(layout.concepts.size).toBe(0);
  });

  it("gives an open chapter a row of its own holding its concepts, none overlapping", () => {
    const layout = layoutChapters(book, new Set(["ch5"]), 4);
    const box = layout.chapters.get("ch5")!;
    const others = book.filter((c) => c.id !== "ch5").map((c) => layout.chapters.get(c.id)!);
    for (const other of others) expect(overlaps(box, other)).toBe(false);
    const cards = [...layout.concepts.values()];
    expect(cards).toHaveLength(20);
    for (const card of cards) {
      expect(card.x).toBeGreaterThanOrEqual(box.x);
      expect(card.x + card.width).toBeLessThanOrEqual(box.x + box.width);
      expect(card.y).toBeGreaterThan(box.y);
      expect(card.y + card.height).toBeLessThanOrEqual(box.y + box.height);
    }
    for (let i = 0; i < cards.length; i++) for (let j = i + 1; j < cards.length; j++) expect(overlaps(cards[i], cards[j])).toBe(false);
    // Never wider than the closed rows: the default zoom stays readable.
    expect(layout.width).toBeLessThanOrEqual(4 * NODE_WIDTH + 3 * GAP + 2 * 16);
    // Chapters after the open one come below it.
    expect(layout.chapters.get("ch6")!.y).toBeGreaterThan(box.y + box.height);
  });

  it("fits the columns to the canvas", () => {
    expect(columnsFor(0)).toBe(MAX_COLUMNS);
    expect(columnsFor(320)).toBe(1);
    expect(columnsFor(1200)).toBe(MAX_COLUMNS);
    const narrow = layoutChapters(book, new Set(["ch0"]), columnsFor(340));
    expect(narrow.width).toBeLessThanOrEqual(340);
  });
});
