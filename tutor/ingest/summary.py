"""An mdBook ``SUMMARY.md`` (the book's table of contents), and numbered file order.

A summary holds prefix chapters (plain links before the first list), numbered chapters
(a nested list of links) and suffix chapters (plain links after the lists); part titles
are headings, ``---`` lines separate, and an entry with an empty link, ``[Title]()``, is
a draft chapter with no file. Prefix chapters are the book's front matter (title page,
foreword, introduction) and suffix chapters its back matter (appendices, contributors).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from markdown_it.token import Token

from tutor.ingest._parser import check_text, split_lines, tokenize

__all__ = ["Placement", "SummaryEntry", "natural_order", "parse_summary"]

Placement = Literal["prefix", "numbered", "suffix"]
"""Where a chapter stands in the summary: before, in or after the numbered chapters."""

_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class SummaryEntry:
    """One linked entry of a table of contents."""

    title: str
    path: str
    """The link target as written, for example ``ch04-01-what-is-ownership.md``."""
    depth: int
    """List nesting: 0 for top-level chapters and for prefix and suffix chapters."""
    parent_path: str | None
    """The path of the nearest enclosing entry with a file, if any."""
    placement: Placement = "numbered"


def parse_summary(text: str, *, name: str = "SUMMARY.md") -> list[SummaryEntry]:
    """Read the linked entries of an mdBook summary, in order.

    Args:
        text: The summary's Markdown.
        name: The file's name, for error messages.

    Returns:
        Each entry with a file, in the order written; draft entries are skipped.

    Raises:
        EmptyDocumentError: The text is empty or only whitespace.
        BinaryContentError: The text holds NUL bytes.
        NestingTooDeepError: Lists nest deeper than the parser allows.
    """
    check_text(text, name=name)
    tokens = tokenize(split_lines(text), name=name)
    entries: list[SummaryEntry] = []
    lists = 0
    items: list[str | None] = []
    """The path of each open list item's entry, None until (or unless) it has one."""
    in_heading = False
    numbered = False
    """Whether a list of numbered chapters has begun: plain links after it are suffixes."""
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
            numbered = True
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif kind == "list_item_open":
            items.append(None)
        elif kind == "list_item_close":
            items.pop()
        elif kind in ("heading_open", "heading_close"):
            in_heading = kind == "heading_open"
        elif kind == "inline" and not in_heading:
            links = _links(token)
            if items:
                if items[-1] is not None or not links:
                    continue  # an item's entry is its first link
                links = links[:1]
            parent = next((path for path in reversed(items[:-1]) if path), None)
            for title, path in links:
                if items:
                    items[-1] = path or None
                if path:
                    placement: Placement = (
                        "numbered" if items else "suffix" if numbered else "prefix"
                    )
                    entries.append(SummaryEntry(title, path, max(lists - 1, 0), parent, placement))
    return entries


def _links(token: Token) -> list[tuple[str, str]]:
    """(title, href) of each link in an inline token."""
    found: list[tuple[str, str]] = []
    href: str | None = None
    title: list[str] = []
    for child in token.children or ():
        if child.type == "link_open":
            href, title = str(child.attrGet("href") or ""), []
        elif child.type == "link_close" and href is not None:
            # markdown-it percent-encodes targets; give them back as written.
            found.append(("".join(title).strip(), unquote(href)))
            href = None
        elif href is not None and child.type in ("text", "code_inline"):
            title.append(child.content)
        elif href is not None and child.type == "softbreak":
            title.append(" ")
    return found


def natural_order(paths: Iterable[str]) -> list[str]:
    """Sort file paths the way people number them: "ch2" before "ch10".

    Args:
        paths: File paths.

    Returns:
        The paths, digit runs compared as numbers and the rest case-insensitively.
    """
    return sorted(paths, key=lambda path: (_natural_key(path), path))


def _natural_key(path: str) -> tuple[tuple[int, str], ...]:
    # Even pieces are text, odd pieces digits, so equal positions hold equal kinds.
    pieces = _DIGITS.split(path.casefold())
    return tuple(
        (int(piece), "") if index % 2 else (0, piece) for index, piece in enumerate(pieces)
    )
