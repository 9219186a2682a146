"""The parsed form of one Markdown file: a tree of sections holding blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal[
    "paragraph", "list", "list_item", "table", "code", "blockquote", "html", "heading", "rule"
]
"""What a block is. ``list_item`` and ``heading`` occur only nested (a heading at the top
level opens a section instead); ``rule`` is a thematic break."""


@dataclass(frozen=True)
class Block:
    """One block of a section, as written and as plain text."""

    kind: BlockKind
    source: str
    """The Markdown source, the file's own lines verbatim (trailing whitespace removed)."""
    text: str
    """Plain text: markup and HTML tags removed; for code, the code itself."""
    links: tuple[str, ...]
    """Every link target (``href``) in the block, nested blocks included, in order."""
    lines: tuple[int, int]
    """The lines it spans in the file: 0-based, end excluded."""
    language: str | None = None
    """For code: the first word of the fence's info string ("rust" from "rust,ignore")."""
    attributes: tuple[str, ...] = ()
    """For fenced code: the info string's words after the language, lower-cased
    (``("ignore", "does_not_compile")``); see :mod:`tutor.ingest.code_marks`."""
    children: tuple[Block, ...] = ()
    """A list's items; a list item's or block quote's own blocks."""


@dataclass(frozen=True)
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level."""

    title: str
    """The heading's plain text."""
    level: int
    """Heading level, 1 to 6; 0 for a document root that is not a heading."""
    anchor: str
    """mdBook/GitHub-style anchor, unique in the file; empty for a root that is no heading."""
    position: int
    """Pre-order index in the file's section tree: the root is 0."""
    blocks: tuple[Block, ...]
    """Blocks before the first sub-section, in order."""
    children: tuple[Section, ...]
    line: int
    """0-based line of the heading in the file (0 for a root that is no heading)."""

    def walk(self) -> Iterator[Section]:
        """Yield this section and every section below it, in pre-order.

        Yields:
            Each section, parents before children, in document order.
        """
        pending: list[Section] = [self]
        while pending:
            section = pending.pop()
            yield section
            pending.extend(reversed(section.children))


@dataclass(frozen=True)
class ParsedDocument:
    """One Markdown file: its front matter, title and section tree."""

    name: str
    """The file's name or path, as the caller gave it."""
    title: str
    """Front matter ``title``, else the first heading at the file's highest level (the
    first H1 when there is one), else the file name's stem."""
    front_matter: dict[str, Any]
    root: Section
    """The whole document. When its title comes from a heading that encloses every other
    heading, that heading is the root; otherwise the root has level 0 and its own title."""
    anchors: dict[str, int] = field(default_factory=dict)
    """Every heading anchor in the file, nested headings included, mapped to the position
    of the section that holds it; the root's is also reachable as ``""``."""
    references: frozenset[str] = frozenset()
    """Link labels the file defines (``[label]: url``), normalised: a chunk cut from the
    file reads ``[text][label]`` and ``[label]`` as their text."""

    @property
    def sections(self) -> list[Section]:
        """Every section in pre-order, the root first."""
        return list(self.root.walk())
