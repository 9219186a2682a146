"""From markdown-it's flat token stream to blocks, grouped under top-level headings.

The token stream is flat (open, inline, close tokens with nesting levels), so one pass with
an explicit stack builds every block bottom-up, with no recursion however deep the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.token import Token

from tutor.ingest._document import Block, BlockKind
from tutor.ingest._text import collapse_spaces, html_hrefs, html_to_text, slugify
from tutor.ingest.code_marks import code_marks
from tutor.ingest.learner_text import clean_markdown

_OPENERS: dict[str, BlockKind] = {
    "paragraph_open": "paragraph",
    "heading_open": "heading",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "list_item_open": "list_item",
    "blockquote_open": "blockquote",
    "table_open": "table",
}
# Table structure is folded into the table block's rows rather than becoming blocks.
_TABLE_PARTS = frozenset(
    f"{part}_{end}" for part in ("thead", "tbody", "tr", "th", "td") for end in ("open", "close")
)
_CUSTOM_ID = re.compile(r"\s*\{#([\w-]+)[^}]*\}\s*$")
_LANGUAGE = re.compile(r"[\s,{]")


@dataclass
class HeadingGroup:
    """A top-level heading and the blocks up to the next top-level heading."""

    title: str
    level: int
    anchor: str
    line: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class BlockStream:
    """Blocks of one file: those before the first heading, then one group per heading."""

    preamble: list[Block] = field(default_factory=list)
    groups: list[HeadingGroup] = field(default_factory=list)
    nested_anchors: list[tuple[str, int]] = field(default_factory=list)
    """Anchors of headings inside lists or quotes, with the index of their group (-1 for
    the preamble): links may point at them."""


@dataclass
class _Open:
    kind: BlockKind
    token: Token
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class _Anchors:
    """mdBook's rule: a repeated anchor gets ``-1``, ``-2``... in document order."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def unique(self, base: str) -> str:
        count = self._seen.get(base, 0)
        self._seen[base] = count + 1
        return base if count == 0 else f"{base}-{count}"


def read_blocks(tokens: list[Token], lines: list[str], *, line_offset: int) -> BlockStream:
    """Group a token stream into blocks under its top-level headings.

    Args:
        tokens: markdown-it block tokens for ``lines``.
        lines: The parsed text's lines, which token line maps index.
        line_offset: Lines of the file before ``lines`` (front matter), added to each
            block's line range so that it counts in the whole file.

    Returns:
        The preamble, the heading groups, and the anchors of nested headings.
    """
    stream = BlockStream()
    anchors = _Anchors()
    stack: list[_Open] = []

    def attach(block: Block) -> None:
        if stack:
            stack[-1].children.append(block)
        elif stream.groups:
            stream.groups[-1].blocks.append(block)
        else:
            stream.preamble.append(block)

    for token in tokens:
        kind = token.type
        if kind in _TABLE_PARTS:
            if kind == "tr_open" and stack:
                stack[-1].rows.append([])
        elif token.nesting == 1:
            stack.append(_Open(_OPENERS.get(kind, "paragraph"), token))
        elif token.nesting == -1:
            opened = stack.pop()
            if opened.kind == "heading":
                title, anchor = _heading_title(" ".join(opened.texts))
                anchor = anchors.unique(anchor)
                start = _line_range(opened.token, line_offset)[0]
                if not stack:
                    level = int(opened.token.tag[1:])
                    stream.groups.append(HeadingGroup(title, level, anchor, start))
                    continue
                stream.nested_anchors.append((anchor, len(stream.groups) - 1))
            attach(_close(opened, lines, line_offset))
        elif kind == "inline":
            text, links = inline_text(token)
            if stack and stack[-1].kind == "table" and stack[-1].rows:
                stack[-1].rows[-1].append(text)
            elif stack:
                stack[-1].texts.append(text)
            if stack:
                stack[-1].links.extend(links)
        else:
            attach(_leaf(token, lines, line_offset))
    return stream


def inline_text(token: Token) -> tuple[str, list[str]]:
    """Plain text and link targets of an inline token.

    Args:
        token: An ``inline`` token.

    Returns:
        The text (soft breaks as spaces) and every ``href`` in it, in order.
    """
    parts: list[str] = []
    links: list[str] = []
    for child in token.children or ():
        kind = child.type
        if kind in ("text", "code_inline", "image"):
            # An image's content is its alt text.
            parts.append(child.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "link_open":
            href = child.attrGet("href")
            if href is not None:
                links.append(str(href))
        elif kind == "html_inline":
            links.extend(html_hrefs(child.content))
    return "".join(parts).strip(), links


def _heading_title(text: str) -> tuple[str, str]:
    # `## Title {#custom-id}` names its own anchor, as in mdBook and Pandoc.
    custom = _CUSTOM_ID.search(text)
    if custom is not None:
        return text[: custom.start()].strip(), custom.group(1)
    return text.strip(), slugify(text)


def _line_range(token: Token, line_offset: int) -> tuple[int, int]:
    if token.map is None:
        return (line_offset, line_offset)
    return (token.map[0] + line_offset, token.map[1] + line_offset)


def _source(token: Token, lines: list[str]) -> str:
    if token.map is None:
        return token.content
    start, end = token.map
    return "\n".join(lines[start:end]).rstrip()


def _close(opened: _Open, lines: list[str], line_offset: int) -> Block:
    links = list(opened.links)
    for child in opened.children:
        links.extend(child.links)
    if opened.kind == "table":
        text = "\n".join(" | ".join(row) for row in opened.rows)
    elif opened.children:
        text = "\n".join(child.text for child in opened.children if child.text)
    else:
        text = "\n".join(opened.texts)
    return Block(
        kind=opened.kind,
        source=_source(opened.token, lines),
        text=text,
        links=tuple(links),
        lines=_line_range(opened.token, line_offset),
        children=tuple(opened.children),
    )


def _leaf(token: Token, lines: list[str], line_offset: int) -> Block:
    kind: BlockKind
    language: str | None = None
    attributes: tuple[str, ...] = ()
    links: list[str] = []
    if token.type in ("fence", "code_block"):
        # A block of mdBook directives only ({{#include ...}}) has no code of its own here.
        kind, text = "code", clean_markdown(token.content).rstrip("\n")
        info = token.info.strip()
        language = _LANGUAGE.split(info, maxsplit=1)[0] or None if info else None
        attributes = code_marks(info).attributes
    elif token.type == "html_block":
        # A wrapper such as mdBook's <Listing number="4-6" caption="..."> reads as its
        # caption, which text that refers to "Listing 4-6" needs.
        text = html_to_text(token.content) or collapse_spaces(
            clean_markdown(token.content).replace("*", " ")
        )
        kind = "html"
        links = html_hrefs(token.content)
    else:
        kind, text = "rule", ""
    return Block(
        kind=kind,
        source=_source(token, lines),
        text=text,
        links=tuple(links),
        lines=_line_range(token, line_offset),
        language=language,
        attributes=attributes,
    )
