"""Which words are a concept's key terms: frequent in its section, rare elsewhere in the notes.

A word worth blanking out or asking about is one the concept's prose uses often and the
rest of the learner's notes seldom use ("borrow" in References and Borrowing). A word
every section uses ("Rust" in a book on Rust, "value", "price" in economics notes) is
no key term anywhere, and a word a section uses once in passing ("years") is none either.

:class:`TermStatistics` holds how many sections of the notes use each word (by stem);
:class:`NoteTerms` reads it from the learner's stored chunks, once per version of their
notes.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

import asyncpg

from tutor.teaching._cloze import content_words, stem

__all__ = ["COMMON_SHARE", "MIN_SECTIONS", "NoteTerms", "TermStatistics"]

COMMON_SHARE = 0.25
"""A word used in more than this share of the notes' sections is common: no key term."""
MIN_SECTIONS = 8
"""Sections the notes need before spread across them says anything; below, every word
counts as rare and only frequency in the concept's own text decides."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M | re.S)
_MAX_LEARNERS = 256
"""Learners whose statistics are kept at once; the least recently read goes first."""


@dataclass(frozen=True)
class TermStatistics:
    """How many sections of a learner's notes use each word."""

    sections: int = 0
    """Sections counted (a concept's chunks are one section)."""
    spread: Mapping[str, int] = field(default_factory=dict)
    """Stem to the number of sections that use it."""

    @classmethod
    def of(cls, sections: Iterable[Iterable[str]]) -> TermStatistics:
        """Count the words of each section's texts.

        Args:
            sections: Per section, its texts (plain text or Markdown).

        Returns:
            The statistics.
        """
        spread: Counter[str] = Counter()
        count = 0
        for texts in sections:
            count += 1
            spread.update({stem(word) for text in texts for word in content_words(_prose(text))})
        return cls(count, dict(spread))

    @property
    def informative(self) -> bool:
        """Whether there are enough sections for spread to tell key terms apart."""
        return self.sections >= MIN_SECTIONS

    def common(self, word: str) -> bool:
        """Whether the notes use ``word`` (any form of it) in too many sections to be key.

        Args:
            word: A word, as written.

        Returns:
            True for a word most sections use; always False when the notes are too few.
        """
        if not self.informative:
            return False
        return self.spread.get(stem(word), 0) > COMMON_SHARE * self.sections

    def rarity(self, word: str) -> float:
        """Inverse section frequency of ``word``: high for words few sections use.

        Args:
            word: A word, as written, or a stem.

        Returns:
            ``log((1 + N) / (1 + n))`` for N sections of which n use it; 1.0 when the
            notes are too few to tell.
        """
        if not self.informative:
            return 1.0
        used = self.spread.get(stem(word), 0)
        return math.log((1 + self.sections) / (1 + used))

    def keyness(self, texts: Iterable[str]) -> dict[str, float]:
        """Each stem of ``texts`` weighed by how often they use it and how rare it is.

        Args:
            texts: The concept's own text.

        Returns:
            Stem to keyness (occurrences times rarity), common words left out.
        """
        counts = Counter(stem(w) for text in texts for w in content_words(_prose(text)))
        return {
            found: uses * self.rarity(found)
            for found, uses in counts.items()
            if not self.common(found)
        }


def _prose(text: str) -> str:
    # A listing repeats its identifiers line after line; the prose says what matters.
    return _FENCE.sub(" ", text)


class NoteTerms:
    """Term statistics of each learner's notes, read again when the notes change."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._cache: dict[UUID, tuple[tuple[object, ...], TermStatistics]] = {}

    async def statistics(self, owner: UUID) -> TermStatistics:
        """The owner's term statistics, counted over their stored chunks."""
        row = await self._pool.fetchrow(
            "SELECT count(*), max(updated_at), max(created_at) FROM documents WHERE owner_id = $1",
            owner,
        )
        version = tuple(row.values())
        cached = self._cache.get(owner)
        if cached is not None and cached[0] == version:
            return cached[1]
        rows = await self._pool.fetch(
            # Chunks outside any concept count by document: they are sections all the same.
            "SELECT coalesce(concept_key, document_id::text) AS section, text FROM chunks "
            "WHERE owner_id = $1",
            owner,
        )
        sections: dict[str, list[str]] = {}
        for chunk in rows:
            sections.setdefault(chunk["section"], []).append(chunk["text"])
        # Counting a large book's words takes a fraction of a second: off the event loop.
        counted = await asyncio.to_thread(TermStatistics.of, sections.values())
        self._cache.pop(owner, None)
        self._cache[owner] = (version, counted)
        while len(self._cache) > _MAX_LEARNERS:
            del self._cache[next(iter(self._cache))]
        return counted
