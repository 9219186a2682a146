"""Which of a learner's chunks mention a subject: a word lookup in PostgreSQL.

It reads the chunks' indexed words (the ``search`` column: heading path and text,
lowercased, punctuation as spaces), then checks the candidates' English stems. A word of
a subject matches itself and its other forms: "tariffs" finds "tariff", "debugging" finds
"debug", "monopolies" finds "monopoly", and "quantitative" does not find "quantity".
A name, a code token or a quoted term must appear as a phrase; a lowercase noun phrase
matches a chunk with any of its words, since a learner's "match keyword" is the notes'
"match expression".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import asyncpg

from tutor.teaching.material import Passage
from tutor.teaching.subjects import Subject

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]+")
"""ASCII punctuation, which the indexed words have as spaces (see ``search_vector``)."""
_PREFIX_FROM = 4
"""Shortest stem matched as a prefix: "go" would match "good" and "got"."""


class NoteMentions(Protocol):
    """Finds the chunks of a learner's notes that mention a subject."""

    async def mentioning(
        self,
        owner: UUID,
        subject: Subject,
        *,
        among: Sequence[str],
        ranked_by: str,
        limit: int,
    ) -> list[Passage]:
        """The owner's chunks that mention ``subject``, at most ``limit``.

        Args:
            owner: Whose notes.
            subject: What they must mention.
            among: Chunk ids that come first when they mention it (the passages a search
                found), so that asking about them costs no second query.
            ranked_by: Text whose words rank the other chunks (the question).
            limit: The most chunks returned.

        Returns:
            Passages with ``score`` 0: how relevant they are is for the caller to judge.
        """
        ...

    async def unknown_words(self, owner: UUID, subject: Subject) -> list[str]:
        """The words of ``subject`` (in any of their forms) that no chunk of the owner has."""
        ...


# The indexed words find the candidates fast (a GIN index); the English stems then keep
# the true forms: the prefix "quantit" of "quantitative" also finds "quantity".
_ENGLISH = """
    AND (pg_catalog.numnode(pg_catalog.to_tsquery('pg_catalog.english', {query})) = 0
         OR pg_catalog.to_tsvector('pg_catalog.english', pg_catalog.regexp_replace(
                pg_catalog.array_to_string(c.heading_path, ' ') || E'\\n' || c.text,
                '[!-/:-@\\[-`{{-~]+', ' ', 'g'))
            @@ pg_catalog.to_tsquery('pg_catalog.english', {query}))
"""
_MENTIONING = f"""
WITH ranking AS (
    SELECT pg_catalog.replace(
               pg_catalog.plainto_tsquery('pg_catalog.simple', $3)::text, ' & ', ' | '
           ) AS words
)
SELECT c.id::text AS id, c.text, c.heading_path, d.path, c.concept_key, c.kind,
       c.id = ANY($4::uuid[]) AS among
FROM chunks c JOIN documents d ON d.id = c.document_id, ranking
WHERE c.owner_id = $1 AND c.search @@ pg_catalog.to_tsquery('pg_catalog.simple', $2)
{_ENGLISH.format(query="$6")}
ORDER BY among DESC,
         CASE WHEN ranking.words = '' THEN 0
              ELSE pg_catalog.ts_rank(
                  c.search, pg_catalog.to_tsquery('pg_catalog.simple', ranking.words))
         END DESC,
         d.path, c.position
LIMIT $5
"""
_KNOWN = f"""
SELECT EXISTS (
    SELECT 1 FROM chunks c
    WHERE c.owner_id = $1 AND c.search @@ pg_catalog.to_tsquery('pg_catalog.simple', $2)
    {_ENGLISH.format(query="$3")}
)
"""
_STEMS = """
SELECT coalesce((pg_catalog.ts_lexize('pg_catalog.english_stem', word))[1], word)
FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS words(word, n)
ORDER BY n
"""


class PostgresNoteMentions:
    """:class:`NoteMentions` over the ``chunks`` table's indexed words."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def mentioning(
        self,
        owner: UUID,
        subject: Subject,
        *,
        among: Sequence[str],
        ranked_by: str,
        limit: int,
    ) -> list[Passage]:
        """The owner's chunks that mention ``subject`` (see :class:`NoteMentions`)."""
        forms = await self._forms(subject)
        if not forms:
            return []
        joiner = " | " if subject.kind == "phrase" else " <-> "
        ids = [UUID(chunk_id) for chunk_id in among if _is_uuid(chunk_id)]
        words = joiner.join(_lexeme(word) for word in _words(subject.text))
        rows = await self._pool.fetch(
            _MENTIONING, owner, joiner.join(forms), ranked_by, ids, limit, words
        )
        return [
            Passage(
                chunk_id=row["id"],
                text=row["text"],
                heading_path=" > ".join(row["heading_path"]),
                document_path=row["path"],
                concept_key=row["concept_key"] or "",
                kind=row["kind"],
                score=0.0,
            )
            for row in rows
        ]

    async def unknown_words(self, owner: UUID, subject: Subject) -> list[str]:
        """The words of ``subject`` no chunk of the owner has (see :class:`NoteMentions`)."""
        words = _words(subject.text)
        forms = await self._forms(subject)
        unknown = []
        for word, form in zip(words, forms, strict=True):
            if not await self._pool.fetchval(_KNOWN, owner, form, _lexeme(word)):
                unknown.append(word)
        return unknown

    async def _forms(self, subject: Subject) -> list[str]:
        """Each word of ``subject`` as a query matching its forms: ``('tariffs' | 'tariff':*)``."""
        words = _words(subject.text)
        if not words:
            return []
        stems: list[str] = [row[0] for row in await self._pool.fetch(_STEMS, words)]
        return [_word_query(word, stem) for word, stem in zip(words, stems, strict=True)]


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", text).casefold().split()


def _word_query(word: str, stem: str) -> str:
    forms = [_lexeme(word)]
    if len(stem) >= _PREFIX_FROM:
        forms.append(f"{_lexeme(stem)}:*")
        if stem.endswith("i"):
            # The stem of "monopolies" and "monopoly" is "monopoli": no prefix of "monopoly".
            forms.append(_lexeme(f"{stem[:-1]}y"))
    return f"({' | '.join(forms)})"


def _lexeme(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True
