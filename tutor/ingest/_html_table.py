"""An HTML table as a Markdown table, so that it still reads as a table without its tags."""

from __future__ import annotations

from html.parser import HTMLParser

from tutor.ingest._text import collapse_spaces


class _TableReader(HTMLParser):
    """Rows of cell texts and the caption of the first table in some HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
            if not self.rows:
                self.rows.append([])
        elif tag == "caption":
            self._in_caption = True
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(collapse_spaces("".join(self._cell)).replace("|", "\\|"))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def html_table_markdown(markup: str) -> str:
    """A GitHub-style Markdown table with the cells of an HTML ``<table>``.

    The first row is the header (notes put their column names there, in ``<th>`` or
    not); the caption, if any, follows in italics.

    Args:
        markup: HTML holding one table.

    Returns:
        The Markdown table, or the cells' text when the table has no cell at all.
    """
    reader = _TableReader()
    reader.feed(markup)
    reader.close()
    rows = [row for row in reader.rows if row]
    caption = collapse_spaces(reader.caption)
    if not rows:
        return f"*{caption}*" if caption else ""
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    lines = [_row(padded[0]), _row(["---"] * width), *(_row(row) for row in padded[1:])]
    if caption:
        lines += ["", f"*{caption}*"]
    return "\n".join(lines)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
