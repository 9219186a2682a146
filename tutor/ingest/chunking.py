"""Cut a parsed document into chunks: the passages that retrieval returns and lessons cite.

Rules, in the order they apply:

- A chunk never crosses a section: each holds blocks of one section only.
- A code block is a chunk of its own and is never split, however long.
- A section's prose is packed block by block up to ``max_tokens``; a block longer than
  that is cut at its natural seams (list items, quoted blocks, table rows with the header
  repeated), and a paragraph at sentence boundaries (at word boundaries as a last resort).
- A short lead-in right before a code block (a paragraph ending in a colon, such as
  "This code prints:", or naming a file, or a heading inside a quote) joins the code's
  chunk, which stays of kind ``code``.
- A prose chunk under ``min_tokens`` joins a neighbour in its section: the prose before
  it, else whatever follows it, else the code before it.
- Blocks with no text (pure markup, thematic breaks, empty code) are left out, so a
  section with only a heading yields no chunk.

Chunk text is Markdown source cut from the file, then cleaned of page markup (comments,
mdBook directives, anchors, reference-link syntax: see :mod:`tutor.ingest.learner_text`).
Code stays as written, hidden lines included. A code block the notes mark as failing
keeps its fence attributes; one whose neighbouring prose says it fails ("This code does
not compile!", "it will panic", or error output right after it) gets the attribute added
to its fence (``does_not_compile``, ``panics``), so whoever reads the chunk knows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from tutor.ingest._document import Block, ParsedDocument, Section
from tutor.ingest._text import estimate_tokens, sentence_spans
from tutor.ingest.code_marks import (
    Failure,
    code_marks,
    output_failure,
    prose_changes_code,
    prose_failure,
    with_failure,
)
from tutor.ingest.learner_text import clean_markdown

__all__ = ["ChunkDraft", "ChunkKind", "chunk_document"]

ChunkKind = Literal["prose", "code"]
_WORD = re.compile(r"\S+")
_OUTPUT_LANGUAGES = frozenset({"console", "text", "output", "shell", "sh", "bash", "terminal", ""})
"""Languages of blocks that show a program's output rather than a program."""
_QUOTE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)+")


@dataclass(frozen=True)
class ChunkDraft:
    """One chunk of a document, before it is stored and embedded."""

    position: int
    """Place in the document, 0 to n-1 in reading order."""
    heading_path: tuple[str, ...]
    """Section titles from the document's title down to the chunk's section; a heading
    that repeats its parent's title (an H1 under a title taken from it) appears once."""
    section_anchor: str
    section_position: int
    """Pre-order position of the chunk's section (see :class:`Section`)."""
    kind: ChunkKind
    """``code`` when the chunk holds a code block (perhaps after a short lead-in)."""
    language: str | None
    """The code block's language, when known."""
    text: str
    """Markdown cut from the file and cleaned of page markup; code as written."""
    content_hash: str
    """SHA-256 of ``text``, hex."""
    token_count: int
    """``text``'s length by the counter the chunks were cut with."""


@dataclass(frozen=True)
class _Piece:
    kind: ChunkKind
    text: str
    tokens: int
    language: str | None = None
    role: Literal["body", "heading", "lead_in"] = "body"
    """A heading inside a quote or list belongs with what follows it; so does a short
    paragraph ending in a colon ("This code prints:") or naming a file."""


def chunk_document(
    doc: ParsedDocument,
    *,
    max_tokens: int = 200,
    min_tokens: int = 24,
    count_tokens: Callable[[str], int] | None = None,
) -> list[ChunkDraft]:
    """Cut a document into chunks.

    Args:
        doc: The parsed document.
        max_tokens: Largest prose chunk, in tokens; code blocks may exceed it.
        min_tokens: Smallest prose chunk worth keeping apart from its neighbours.
        count_tokens: The embedding model's token counter; by default an estimate of
            a BERT WordPiece count.

    Returns:
        The chunks, in reading order.

    Raises:
        ValueError: ``max_tokens`` is under 1, or ``min_tokens`` is negative or over it.
    """
    if max_tokens < 1 or not 0 <= min_tokens <= max_tokens:
        raise ValueError(
            f"need 0 <= min_tokens <= max_tokens and max_tokens >= 1, "
            f"got min_tokens={min_tokens}, max_tokens={max_tokens}"
        )
    count = count_tokens or estimate_tokens
    chunks: list[ChunkDraft] = []
    for section, path in _sections_with_paths(doc.root):
        packed = _pack(section.blocks, max_tokens, min_tokens, count)
        pieces = _merge_tiny(packed, min_tokens, count)
        for piece in _cleaned(pieces, doc.references, count):
            chunks.append(
                ChunkDraft(
                    position=len(chunks),
                    heading_path=path,
                    section_anchor=section.anchor,
                    section_position=section.position,
                    kind=piece.kind,
                    language=piece.language,
                    text=piece.text,
                    content_hash=hashlib.sha256(piece.text.encode()).hexdigest(),
                    token_count=piece.tokens,
                )
            )
    return chunks


def _cleaned(
    pieces: list[_Piece], references: frozenset[str], count: Callable[[str], int]
) -> list[_Piece]:
    """The pieces as a learner reads them; a piece that was only markup goes."""
    out: list[_Piece] = []
    for piece in pieces:
        text = clean_markdown(piece.text, references=references)
        if text.strip():
            out.append(_Piece(piece.kind, text, count(text), piece.language, piece.role))
    return out


def _sections_with_paths(root: Section) -> Iterator[tuple[Section, tuple[str, ...]]]:
    pending: list[tuple[Section, tuple[str, ...]]] = [(root, (root.title,))]
    while pending:
        section, path = pending.pop()
        yield section, path
        for child in reversed(section.children):
            repeats = child.title.casefold() == path[-1].casefold()
            pending.append((child, path if repeats else (*path, child.title)))


def _pack(
    blocks: tuple[Block, ...], limit: int, minimum: int, count: Callable[[str], int]
) -> list[_Piece]:
    pieces: list[_Piece] = []
    buffer: list[_Piece] = []

    def flush(keep_heading: bool = False) -> None:
        carried = buffer.pop() if keep_heading and buffer[-1].role == "heading" else None
        if buffer:
            text = "\n\n".join(piece.text for piece in buffer)
            pieces.append(_Piece("prose", text, count(text)))
            buffer.clear()
        if carried is not None:
            buffer.append(carried)

    def buffered() -> int:
        return sum(piece.tokens for piece in buffer)

    for unit in _units(blocks, limit, count):
        if unit.kind == "code":
            lead_in = buffer.pop() if buffer and _leads_in(buffer[-1], minimum) else None
            if buffer:
                flush()
            if lead_in is not None:
                unit = _join(lead_in, unit, count)
            pieces.append(unit)
            continue
        if buffer and buffered() + unit.tokens > limit:
            flush(keep_heading=True)
        buffer.append(unit)
    if buffer:
        flush()
    return pieces


def _leads_in(piece: _Piece, minimum: int) -> bool:
    # A lead-in is worth moving even when it is not tiny: it names what the code is.
    return piece.role in ("lead_in", "heading") and piece.tokens < 2 * minimum


def _units(blocks: tuple[Block, ...], limit: int, count: Callable[[str], int]) -> list[_Piece]:
    units: list[_Piece] = []
    for index, block in enumerate(blocks):
        if not block.text.strip():
            continue
        if block.kind == "code":
            source = block.source
            failure = _said_to_fail(blocks, index)
            if failure is not None:
                source = with_failure(source, failure)
            units.append(_Piece("code", source, count(source), block.language))
            continue
        if block.kind == "html" and _role(block) == "lead_in" and not _code_follows(blocks, index):
            continue  # a listing's caption with no code after it captions nothing
        if block.kind == "html":
            units.extend(_html_units(block, limit, count))
            continue
        tokens = count(block.source)
        if tokens <= limit:
            units.append(_Piece("prose", block.source, tokens, role=_role(block)))
        elif block.kind in ("list", "list_item", "blockquote") and block.children:
            # Recursion is bounded by the parser's nesting limit.
            units.extend(_units(block.children, limit, count))
        elif block.kind == "table":
            units.extend(_split_table(block.source, limit, count))
        else:
            spans = sentence_spans(block.source)
            units.extend(_split_spans(block.source, spans, limit, count))
    return units


def _html_units(block: Block, limit: int, count: Callable[[str], int]) -> list[_Piece]:
    """An HTML block as Markdown: its tables become tables, split like any other."""
    # Cleaned before it is cut, so that a long table is cut between rows, not mid-tag.
    source = clean_markdown(block.source)
    units: list[_Piece] = []
    for part in source.split("\n\n"):
        if not part.strip():
            continue
        tokens = count(part)
        if tokens <= limit:
            units.append(_Piece("prose", part, tokens, role=_role(block)))
        elif part.startswith("|"):
            units.extend(_split_table(part, limit, count))
        else:
            units.extend(_split_spans(part, _line_spans(part), limit, count))
    return units


def _code_follows(blocks: tuple[Block, ...], index: int) -> bool:
    after = [b for b in blocks[index + 1 :] if b.text.strip()][:1]
    return bool(after) and after[0].kind == "code"


def _said_to_fail(blocks: tuple[Block, ...], index: int) -> Failure | None:
    """Whether the prose or output around a program says it fails, unless marked already.

    The paragraph before it (past any caption), and after it the paragraph and the
    output block that follow ("Here's the error:" then the compiler's message).
    """
    block = blocks[index]
    marks = code_marks(" ".join((block.language or "", *block.attributes)))
    if marks.failure is not None or marks.language in _OUTPUT_LANGUAGES:
        return None
    before = [b for b in blocks[:index] if b.text.strip() and b.kind != "html"][-1:]
    if before and before[0].kind == "paragraph":
        failure = prose_failure(before[0].text, nearest="last")
        if failure is not None:
            return failure
    after = [b for b in blocks[index + 1 :] if b.text.strip() and b.kind != "html"][:2]
    for later in after:
        if later.kind == "paragraph":
            if prose_changes_code(later.text):
                return None
            failure = prose_failure(later.text, nearest="first")
            if failure is not None or not later.text.rstrip().endswith(":"):
                return failure
        elif later.kind == "code":
            later_language = code_marks(later.language or "").language
            if later_language not in _OUTPUT_LANGUAGES:
                return None
            return output_failure(later.text)
        else:
            return None
    return None


def _role(block: Block) -> Literal["body", "heading", "lead_in"]:
    if block.kind == "heading":
        return "heading"
    text = block.text.rstrip()
    if block.kind == "paragraph" and (text.endswith(":") or text.casefold().startswith("filename")):
        return "lead_in"
    if block.kind == "html" and text.casefold().startswith(("listing", "filename")):
        return "lead_in"  # an mdBook listing's caption
    return "body"


def _line_spans(source: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for line in source.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _split_spans(
    source: str, spans: list[tuple[int, int]], limit: int, count: Callable[[str], int]
) -> list[_Piece]:
    """Group consecutive spans of ``source`` into prose pieces of at most ``limit`` tokens.

    A span longer than the limit on its own is cut at word boundaries.
    """
    pieces: list[_Piece] = []
    group_start: int | None = None
    group_end = 0
    group_tokens = 0
    for start, end in spans:
        tokens = count(source[start:end])
        if tokens > limit:
            if group_start is not None:
                pieces.append(_piece(source, group_start, group_end, count))
                group_start = None
            words = [match.span() for match in _WORD.finditer(source, start, end)]
            if len(words) > 1:
                pieces.extend(_split_spans(source, words, limit, count))
                continue
        if group_start is not None and group_tokens + tokens > limit:
            pieces.append(_piece(source, group_start, group_end, count))
            group_start = None
        if group_start is None:
            group_start, group_tokens = start, 0
        group_end = end
        group_tokens += tokens
    if group_start is not None:
        pieces.append(_piece(source, group_start, group_end, count))
    return pieces


def _piece(source: str, start: int, end: int, count: Callable[[str], int]) -> _Piece:
    text = source[start:end].strip()
    if source.lstrip().startswith(">") and not text.startswith(">"):
        # A cut in the middle of a quoted line would drop the quote marker: put it back.
        line_start = source.rfind("\n", 0, start) + 1
        prefix = _QUOTE_PREFIX.match(source, line_start)
        if prefix is not None and start >= prefix.end():
            text = prefix.group().lstrip() + text
    return _Piece("prose", text, count(text))


def _split_table(source: str, limit: int, count: Callable[[str], int]) -> list[_Piece]:
    lines = source.split("\n")
    header, rows = lines[:2], lines[2:]
    pieces: list[_Piece] = []
    group: list[str] = []
    for row in rows:
        if group and count("\n".join([*header, *group, row])) > limit:
            text = "\n".join([*header, *group])
            pieces.append(_Piece("prose", text, count(text)))
            group = []
        group.append(row)
    text = "\n".join([*header, *group])
    pieces.append(_Piece("prose", text, count(text)))
    return pieces


def _merge_tiny(pieces: list[_Piece], minimum: int, count: Callable[[str], int]) -> list[_Piece]:
    merged: list[_Piece] = []
    carried: _Piece | None = None
    for index, piece in enumerate(pieces):
        if carried is not None:
            piece = _join(carried, piece, count)
            carried = None
        if piece.kind == "prose" and piece.tokens < minimum and len(pieces) > 1:
            if merged and merged[-1].kind == "prose":
                merged[-1] = _join(merged[-1], piece, count)
                continue
            if index + 1 < len(pieces):
                carried = piece
                continue
            if merged:
                merged[-1] = _join(merged[-1], piece, count)
                continue
        merged.append(piece)
    return merged


def _join(first: _Piece, second: _Piece, count: Callable[[str], int]) -> _Piece:
    text = f"{first.text}\n\n{second.text}"
    code = first if first.kind == "code" else second
    kind: ChunkKind = "code" if code.kind == "code" else "prose"
    return _Piece(kind, text, count(text), code.language if kind == "code" else None)
