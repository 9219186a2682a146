"""Which of a learner's chunks mention a subject: a lexical lookup in PostgreSQL.

English full-text matching (PostgreSQL's ``english`` configuration) over each chunk's
heading path and text, so "tariffs" finds "tariff" and "Python's" finds "Python"; a
name or a code token must appear as a phrase, a lowercase noun phrase word by word
anywhere in the chunk. The vectors are computed per query: coverage asks about a few
subjects per question, and one owner's notes are a few thousand chunks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import asyncpg

from tutor.teaching.material import Passage
from tutor.teaching.subjects import Subject


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
            among: Chunk ids that come first when they mention it (the passages another
                search found), so that asking about them costs no second query.
            ranked_by: Text whose words rank the other chunks (the question).
            limit: The most chunks returned.

        Returns:
            Passages with ``score`` 0: how relevant they are is for the caller to judge.
        """
        ...


_DOCUMENT = (
    "pg_catalog.to_tsvector('pg_catalog.english', "
    "pg_catalog.array_to_string(c.heading_path, ' ') || E'\\n' || c.text)"
)
_MENTIONING = f"""
WITH q AS (
    SELECT CASE WHEN $6 THEN pg_catalog.phraseto_tsquery('pg_catalog.english', $2)
                ELSE pg_catalog.plainto_tsquery('pg_catalog.english', $2) END AS subject,
           pg_catalog.replace(
               pg_catalog.plainto_tsquery('pg_catalog.english', $3)::text, ' & ', ' | '
           ) AS ranking
)
SELECT c.id::text AS id, c.text, c.heading_path, d.path, c.concept_key, c.kind,
       c.id = ANY($4::uuid[]) AS among
FROM chunks c JOIN documents d ON d.id = c.document_id, q
WHERE c.owner_id = $1
  AND pg_catalog.numnode(q.subject) > 0
  AND {_DOCUMENT} @@ q.subject
ORDER BY among DESC,
         CASE WHEN q.ranking = '' THEN 0
              ELSE pg_catalog.ts_rank({_DOCUMENT},
                                      pg_catalog.to_tsquery('pg_catalog.simple', q.ranking))
         END DESC,
         d.path, c.position
LIMIT $5
"""


class PostgresNoteMentions:
    """:class:`NoteMentions` over the ``chunks`` table."""

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
        ids = [UUID(chunk_id) for chunk_id in among if _is_uuid(chunk_id)]
        rows = await self._pool.fetch(
            _MENTIONING,
            owner,
            subject.text,
            ranked_by,
            ids,
            limit,
            subject.kind != "phrase",
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


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True
