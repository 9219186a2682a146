r"""Numbered citations in lesson and answer text: ``[1]``, ``[1, 3]``, ``[1][2]``.

Citation ``n`` points at the ``n``-th passage given to the writer. Brackets that Markdown
gives another meaning are not citations: links ``[1](url)``, reference links
``[text][1]`` and their definitions ``[1]: url``, escaped brackets ``\[1]``, and anything
inside code (``a[1]`` in backticks or in a fenced block).
"""

from __future__ import annotations

import re

from tutor.ingest.learner_text import fenced_blocks, mask_code

__all__ = [
    "CITATION",
    "citation_matches",
    "citations_valid",
    "cited_numbers",
    "escape_citations",
    "fenced_blocks",
    "mask_code",
]

CITATION = re.compile(r"\[\s*(\d{1,4}(?:\s*,\s*\d{1,4})*)\s*\]")
"""A citation-shaped bracket; group 1 holds the comma-separated numbers.

Not every match is a citation: :func:`citation_matches` leaves out links and code.
"""

_BRACKET = re.compile(r"\[[^\[\]\n]*\]")
_DEFINITION_START = re.compile(r"(?:^|\n)[ \t]*(?:>[ \t]?)*[ ]{0,3}$")
_DEFINITION = re.compile(r"^[ \t]*(?:>[ \t]?)*[ ]{0,3}\[([^\[\]\n]+)\]:[ \t]*\S", re.MULTILINE)
_NUMBER = re.compile(r"\d+")


def citation_matches(text: str) -> list[re.Match[str]]:
    """Find the citations in a text, leaving out links, escapes and code.

    Args:
        text: Markdown source.

    Returns:
        Matches of :data:`CITATION` against the text with code masked out (offsets
        apply to ``text``), in order.
    """
    masked = mask_code(text)
    defined = {m.group(1).strip().lower() for m in _DEFINITION.finditer(masked)}
    groups = {m.end(): m for m in _BRACKET.finditer(masked)}
    matches: list[re.Match[str]] = []
    citation_ends: set[int] = set()
    for match in CITATION.finditer(masked):
        start, end = match.span()
        before = masked[start - 1] if start else ""
        after = masked[end] if end < len(masked) else ""
        if before == "\\" or after == "(":
            continue
        if after == ":" and _DEFINITION_START.search(masked, 0, start):
            continue
        if match.group(1).strip().lower() in defined:
            continue
        if after == "[" and not CITATION.match(masked, end):
            continue  # the text of a reference link: [1][label]
        if before == "]" and start not in citation_ends:
            previous = groups.get(start)
            if previous is None or not CITATION.fullmatch(previous.group(0)):
                continue  # the label of a reference link: [text][1]
        matches.append(match)
        citation_ends.add(end)
    return matches


def _numbers(match: re.Match[str]) -> list[int]:
    return [int(number) for number in _NUMBER.findall(match.group(1))]


def cited_numbers(text: str) -> list[int]:
    """List the passage numbers a text cites.

    Args:
        text: Markdown source.

    Returns:
        Each number once, in order of first appearance.
    """
    seen: dict[int, None] = {}
    for match in citation_matches(text):
        for number in _numbers(match):
            seen.setdefault(number, None)
    return list(seen)


def citations_valid(text: str, passages: int) -> bool:
    """Check that a text cites only passages it was given, and cites when it was given any.

    Args:
        text: Markdown source.
        passages: How many passages the writer was given.

    Returns:
        True when every cited number is within ``1..passages`` and, when ``passages`` is
        positive, at least one passage is cited.
    """
    numbers = cited_numbers(text)
    if passages > 0 and not numbers:
        return False
    return all(1 <= number <= passages for number in numbers)


def escape_citations(text: str) -> str:
    r"""Escape citation-shaped brackets so quoted text cannot add citations of its own.

    Markdown renders ``\[1]`` as ``[1]``, so the text reads the same.

    Args:
        text: Markdown source, such as a passage about to be quoted.

    Returns:
        The text with a backslash before each citation's opening bracket.
    """
    pieces: list[str] = []
    position = 0
    for match in citation_matches(text):
        pieces.append(text[position : match.start()])
        pieces.append("\\")
        position = match.start()
    pieces.append(text[position:])
    return "".join(pieces)
