"""Word search over a learner's chunks: BM25 ranking on PostgreSQL's full-text index.

The ``chunks.search`` column (migration 0011) holds each chunk's words, lower-cased
and unstemmed, with ASCII punctuation read as a space, so ``E0382``, ``mut`` or
``push_str`` are found as written. PostgreSQL's own ``ts_rank`` weighs every word alike,
so a question's "what" and "the" would count as much as its "E0382"; the ranking here
is BM25 instead (its rarity squared), with each word's rarity counted in the learner's
own chunks through the GIN index. A word that more than half the chunks hold selects no
candidates unless no other word does: it is as good as a stop word in these notes,
whatever their language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import asyncpg

from tutor.vectors import OWNER_KEY, VectorHit

BM25_K1 = 1.2
"""How fast repeating a word stops adding to a chunk's score (BM25's usual value)."""
BM25_B = 0.75
"""How much a long chunk's score is discounted for its length (BM25's usual value)."""
RARITY_POWER = 2
"""The power of each word's BM25 rarity (idf): squared, as Lucene's classic scoring had it.

The word search is there for the words that single a passage out. With plain BM25 a long
table's one "Zimbabwe" lost to chunks that repeat "prices" and "rise"; squared, hybrid
recall@5 on the economics notes' lexical questions went from 0.917 to 1.0 and on the
Rust book's questions of meaning from 0.952 to 0.958 (its lexical ones stayed at 0.977).
"""
MAX_QUERY_CHARS = 2_000
"""Only the start of a longer query is read: a pasted page must not cost a scan per word."""
MAX_QUERY_WORDS = 64
"""Distinct words of a query that are looked up at most (the rarest are kept)."""


class LexicalSearch(Protocol):
    """Search an owner's chunks by their words."""

    async def search(
        self, owner: str, query: str, *, k: int = 4, concept: str | None = None
    ) -> list[VectorHit]:
        """The owner's ``k`` chunks that best match the query's words, best first.

        ``concept`` keeps only the chunks of that concept key.
        """
        ...


@dataclass(frozen=True, slots=True)
class _Word:
    lexeme: str
    idf: float
    common: bool


_WORDS_SQL = """
    WITH corpus AS (
        SELECT count(*) AS n, coalesce(avg(token_count), 1)::float8 AS avgdl
        FROM chunks WHERE owner_id = $1
    )
    SELECT t.lexeme, corpus.n, corpus.avgdl,
           (SELECT count(*) FROM chunks c
            WHERE c.owner_id = $1
              AND c.search @@ pg_catalog.to_tsquery('pg_catalog.simple',
                                                    pg_catalog.quote_literal(t.lexeme))) AS df
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(search_vector($2))) AS t(lexeme),
         corpus
"""

_RANK_SQL = """
    WITH words AS (
        SELECT * FROM unnest($2::text[], $3::float8[]) AS w(lexeme, idf)
    ),
    wanted AS (
        SELECT pg_catalog.to_tsquery(
            'pg_catalog.simple',
            pg_catalog.array_to_string(
                ARRAY(SELECT pg_catalog.quote_literal(x) FROM pg_catalog.unnest($4::text[]) x),
                ' | '
            )
        ) AS q
    )
    SELECT c.id, c.document_id, d.path, c.heading_path, c.concept_key, c.kind, c.text,
           sum(w.idf * u.tf * ($6 + 1)
               / (u.tf + $6 * (1 - $7 + $7 * c.token_count / $8::float8))) AS score
    FROM chunks c
    JOIN documents d ON d.id = c.document_id
    CROSS JOIN LATERAL (
        -- Only the query's words are unnested: a chunk holds a hundred others.
        SELECT lexeme, pg_catalog.cardinality(positions) AS tf
        FROM pg_catalog.unnest(
            pg_catalog.ts_filter(pg_catalog.setweight(c.search, 'A', $2::text[]), '{a}')
        )
    ) u
    JOIN words w ON w.lexeme = u.lexeme
    WHERE c.owner_id = $1
      AND c.search @@ (SELECT q FROM wanted)
      AND ($5::text IS NULL OR c.concept_key = $5)
    GROUP BY c.id, d.path
    ORDER BY score DESC, d.path, c.position
    LIMIT $9
"""


class PostgresLexicalSearch:
    """BM25 over the ``chunks`` table; every query is filtered by owner."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def search(
        self, owner: str, query: str, *, k: int = 4, concept: str | None = None
    ) -> list[VectorHit]:
        """The owner's ``k`` chunks that best match the query's words, best first.

        Hits carry the text and metadata the chunk's vector carries, so a caller can
        mix them with vector hits; ``score`` is the BM25 score (not comparable to a
        cosine similarity).

        Raises:
            ValueError: ``owner`` is not a learner's id: an unscoped search must never
                happen by accident.
        """
        owner_id = _owner_id(owner)
        if k < 1 or not query.strip():
            return []
        async with self._pool.acquire() as connection:
            # PostgreSQL's text cannot hold NUL; a pasted binary must not fail the search.
            text = query[:MAX_QUERY_CHARS].replace("\x00", " ")
            rows = await connection.fetch(_WORDS_SQL, owner_id, text)
            if not rows:
                return []
            chunks, avgdl = int(rows[0]["n"]), float(rows[0]["avgdl"])
            words = _weigh([(str(r["lexeme"]), int(r["df"])) for r in rows if r["df"] > 0], chunks)
            if not words:
                return []
            informative = [w.lexeme for w in words if not w.common]
            found = await connection.fetch(
                _RANK_SQL,
                owner_id,
                [w.lexeme for w in words],
                [w.idf for w in words],
                informative or [w.lexeme for w in words],
                concept,
                BM25_K1,
                BM25_B,
                max(avgdl, 1.0),
                k,
            )
        return [_hit(owner, row) for row in found]


def _owner_id(owner: str) -> UUID:
    try:
        return UUID(owner)
    except ValueError:
        raise ValueError(f"an owner's id is required to search words, got {owner!r}") from None


def _weigh(counts: list[tuple[str, int]], chunks: int) -> list[_Word]:
    """Each word's BM25 rarity (Lucene's form, never negative) to ``RARITY_POWER``.

    The rarest words come first.
    """
    words = [
        _Word(
            lexeme,
            math.log(1 + (chunks - df + 0.5) / (df + 0.5)) ** RARITY_POWER,
            common=2 * df > chunks,
        )
        for lexeme, df in counts
    ]
    words.sort(key=lambda word: (-word.idf, word.lexeme))
    return words[:MAX_QUERY_WORDS]


def _hit(owner: str, row: asyncpg.Record) -> VectorHit:
    """A chunk as its vector's hit: the same text and metadata the ingestion stores."""
    heading = " > ".join(row["heading_path"])
    text = str(row["text"])
    return VectorHit(
        id=str(row["id"]),
        text=f"{heading}\n\n{text}" if heading else text,
        metadata={
            "document": str(row["document_id"]),
            "path": str(row["path"]),
            "concept": row["concept_key"] or "",
            "heading_path": heading,
            "kind": str(row["kind"]),
            OWNER_KEY: owner,
        },
        score=float(row["score"]),
    )
