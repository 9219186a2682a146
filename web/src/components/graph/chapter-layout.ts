import type { Chapter } from "./chapters";

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 84;
export const GAP = 32;
/** Room above an open chapter's concepts for its heading and the button that closes it. */
export const GROUP_HEADER = 68;
export const GROUP_PADDING = 16;
export const MAX_COLUMNS = 4;

export type Box = { x: number; y: number; width: number; height: number };

export type ChapterLayout = {
  /** A closed chapter's node, or an open chapter's box around its concepts. */
  chapters: Map<string, Box>;
  /** The concepts of open chapters. */
  concepts: Map<string, Box>;
  width: number;
  height: number;
};

/** How many cards side by side fit a canvas this wide (all of them when the width is not known yet). */
export function columnsFor(width: number): number {
  if (width <= 0) return MAX_COLUMNS;
  return Math.max(1, Math.min(MAX_COLUMNS, Math.floor((width - 2 * GROUP_PADDING + GAP) / (NODE_WIDTH + GAP))));
}

/**
 * Chapters in reading order, left to right and then down, like a book's contents: a
 * closed chapter takes one cell of the row; an open one takes a row of its own, with its
 * concepts in reading order, `columns` to a row. No row is wider than `columns` cards, so
 * at the default zoom the labels stay the size they were written at.
 */
export function layoutChapters(chapters: Chapter[], open: Set<string>, columns: number): ChapterLayout {
  const cell = NODE_WIDTH + GAP;
  const layout: ChapterLayout = { chapters: new Map(), concepts: new Map(), width: 0, height: 0 };
  let y = 0;
  let column = 0;
  const endRow = () => {
    if (column > 0) y += NODE_HEIGHT + GAP;
    column = 0;
  };
  for (const chapter of chapters) {
    if (!open.has(chapter.id)) {
      if (column === columns) endRow();
      layout.chapters.set(chapter.id, { x: column * cell, y, width: NODE_WIDTH, height: NODE_HEIGHT });
      layout.width = Math.max(layout.width, column * cell + NODE_WIDTH);
      column += 1;
      continue;
    }
    endRow();
    const inRow = Math.max(1, Math.min(columns, chapter.teachable.length));
    const rows = Math.max(1, Math.ceil(chapter.teachable.length / columns));
    const width = 2 * GROUP_PADDING + inRow * cell - GAP;
    const height = GROUP_HEADER + GROUP_PADDING + rows * (NODE_HEIGHT + GAP) - GAP;
    layout.chapters.set(chapter.id, { x: 0, y, width: Math.max(width, NODE_WIDTH + 2 * GROUP_PADDING), height });
    chapter.teachable.forEach((concept, i) => {
      layout.concepts.set(concept.id, {
        x: GROUP_PADDING + (i % columns) * cell,
        y: y + GROUP_HEADER + Math.floor(i / columns) * (NODE_HEIGHT + GAP),
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      });
    });
    layout.width = Math.max(layout.width, width);
    y += height + GAP;
  }
  endRow();
  layout.height = Math.max(0, y - GAP);
  return layout;
}
