"""Titles that stand alone: a generic heading is named with its parent.

"Terms" under "Supply and Demand" means nothing in a list of concepts, and ten chapters'
"Terms" are ten different things: it becomes "Supply and Demand: Terms", whose key differs
from every other chapter's. A heading is generic when the word list says so ("Notes",
"Terms", "Overview", "Examples", a recap word, in any of its languages), or when the notes
show it: the same heading under different parents, in one document or across the corpus.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tutor.ingest._document import Section
from tutor.ingest.section_words import SectionWords, match_key, section_words

__all__ = ["is_generic", "placed_headings", "qualified", "repeated_headings"]

SEPARATOR = ": "


def is_generic(
    title: str, repeated: frozenset[str] = frozenset(), words: SectionWords | None = None
) -> bool:
    """Whether a heading needs its parent's title to stand alone.

    Args:
        title: The heading.
        repeated: Match keys of headings the corpus repeats under different parents.
        words: The word list; the package's when None.

    Returns:
        True for a generic word-list heading or one of ``repeated``.
    """
    words = words or section_words()
    if words.classify(title) in ("generic", "recap"):
        return True
    return match_key(title, words.fillers) in repeated


def qualified(title: str, qualifier: str) -> str:
    """``title`` named with ``qualifier`` in front: "Supply and Demand: Terms"."""
    return f"{qualifier.strip()}{SEPARATOR}{title.strip()}"


def repeated_headings(
    placed: Iterable[tuple[str, str]], words: SectionWords | None = None
) -> frozenset[str]:
    """Match keys of the headings found under two different parents or more.

    Args:
        placed: (heading, where it is) pairs: a sub-section's title and an identifier
            of its parent (for example the document's path and the parent's position).
        words: The word list; the package's when None.

    Returns:
        The match keys of the repeated headings.
    """
    fillers = (words or section_words()).fillers
    parents: dict[str, set[str]] = defaultdict(set)
    for title, parent in placed:
        key = match_key(title, fillers)
        if key:
            parents[key].add(parent)
    return frozenset(key for key, where in parents.items() if len(where) > 1)


def placed_headings(path: str, root: Section) -> list[tuple[str, str]]:
    """(heading, parent identifier) of every sub-section, for :func:`repeated_headings`."""
    placed: list[tuple[str, str]] = []
    for section in root.walk():
        placed.extend((child.title, f"{path}#{section.position}") for child in section.children)
    return placed
