"""The default graph store: tables in PostgreSQL (``migrations/0002_concept_graph.sql``).

Writes are set-based: a document's concepts and edges travel as arrays and are unnested
by the server, so a document of hundreds of concepts is written in a handful of round
trips, in one transaction. Writers of one owner's graph take a transaction-scoped
advisory lock, so concurrent ingestion of two documents cannot leave a concept that
both withdrew from undeleted. Graph algorithms run in process (:mod:`tutor.graph.algorithms`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast
from uuid import UUID

import asyncpg

from tutor.graph.model import (
    Concept,
    ConceptDraft,
    ConceptRole,
    Edge,
    EdgeDraft,
    EdgeKind,
    EdgeOrigin,
)
from tutor.graph.port import EdgeRef, check_drafts, outside_keys, refuse_unknown_keys

_LOCK_NAMESPACE = 0x636F6E63
"""First key of the advisory locks that serialise writers of one owner's graph."""

_LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2::text))"

_SUPPORTED_ELSEWHERE = """
SELECT c.key, c.id FROM concepts c
WHERE c.owner_id = $1 AND c.key = ANY($2::text[])
  AND EXISTS (
      SELECT 1 FROM concept_documents d WHERE d.concept_id = c.id AND d.document_id <> $3
  )
"""

_PUT_CONCEPTS = """
WITH draft AS (
    SELECT * FROM unnest(
        $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::int[], $9::text[],
        $10::text[]
    ) AS d(key, title, summary, level, key_points, position, role, terms)
), upserted AS (
    INSERT INTO concepts AS c
        (owner_id, key, title, summary, level, key_points, position, role, terms)
    SELECT $1, key, title, summary, level, key_points::jsonb, position, role, terms::jsonb
    FROM draft ORDER BY key
    ON CONFLICT (owner_id, key) DO UPDATE
        SET title = excluded.title, summary = excluded.summary, level = excluded.level,
            key_points = excluded.key_points, role = excluded.role, terms = excluded.terms
    RETURNING c.id, c.key
), supported AS (
    INSERT INTO concept_documents (concept_id, document_id, position)
    SELECT u.id, $2, d.position FROM upserted u JOIN draft d USING (key)
    ON CONFLICT (concept_id, document_id) DO UPDATE SET position = excluded.position
)
SELECT key, id FROM upserted
"""

_WITHDRAW_CONCEPTS = """
WITH withdrawn AS (
    DELETE FROM concept_documents d USING concepts c
    WHERE d.concept_id = c.id AND c.owner_id = $1 AND d.document_id = $2
      AND NOT (c.id = ANY($3::uuid[]))
    RETURNING d.concept_id
), deleted AS (
    DELETE FROM concepts c USING withdrawn w
    WHERE c.id = w.concept_id
      AND NOT EXISTS (
          SELECT 1 FROM concept_documents o WHERE o.concept_id = c.id AND o.document_id <> $2
      )
    RETURNING c.id
)
SELECT concept_id FROM withdrawn WHERE concept_id NOT IN (SELECT id FROM deleted)
"""

_SET_POSITIONS = """
UPDATE concepts c SET position = low.position
FROM (
    SELECT concept_id, min(position) AS position FROM concept_documents
    WHERE concept_id = ANY($1::uuid[]) GROUP BY concept_id
) low
WHERE c.id = low.concept_id AND c.position <> low.position
"""

_PUT_EDGES = """
WITH upserted AS (
    INSERT INTO concept_edges AS e (owner_id, source_id, target_id, kind, weight, origin)
    SELECT $1, d.source_id, d.target_id, d.kind, d.weight, d.origin
    FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::real[], $7::text[])
        AS d(source_id, target_id, kind, weight, origin)
    ORDER BY d.source_id, d.target_id, d.kind
    ON CONFLICT (source_id, target_id, kind) DO UPDATE
        SET weight = excluded.weight, origin = excluded.origin
    RETURNING e.source_id, e.target_id, e.kind
)
INSERT INTO concept_edge_documents (source_id, target_id, kind, document_id)
SELECT source_id, target_id, kind, $2 FROM upserted
ON CONFLICT DO NOTHING
"""

_WITHDRAW_EDGES = """
WITH kept AS (
    SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::text[]) AS k(source_id, target_id, kind)
), withdrawn AS (
    DELETE FROM concept_edge_documents d USING concept_edges e
    WHERE d.document_id = $2 AND e.owner_id = $1
      AND (e.source_id, e.target_id, e.kind) = (d.source_id, d.target_id, d.kind)
      AND NOT EXISTS (
          SELECT 1 FROM kept k
          WHERE (k.source_id, k.target_id, k.kind) = (d.source_id, d.target_id, d.kind)
      )
    RETURNING d.source_id, d.target_id, d.kind
)
DELETE FROM concept_edges e USING withdrawn w
WHERE (e.source_id, e.target_id, e.kind) = (w.source_id, w.target_id, w.kind)
  AND NOT EXISTS (
      SELECT 1 FROM concept_edge_documents o
      WHERE (o.source_id, o.target_id, o.kind) = (e.source_id, e.target_id, e.kind)
        AND o.document_id <> $2
  )
"""

_CONCEPTS = """
SELECT c.id, c.key, c.title, c.summary, c.level, c.position,
       ARRAY(
           SELECT p.value FROM jsonb_array_elements_text(c.key_points)
               WITH ORDINALITY AS p(value, n)
           ORDER BY p.n
       ) AS key_points,
       c.role,
       ARRAY(
           SELECT t.value FROM jsonb_array_elements_text(c.terms) WITH ORDINALITY AS t(value, n)
           ORDER BY t.n
       ) AS terms,
       ARRAY(SELECT d.document_id FROM concept_documents d WHERE d.concept_id = c.id)
           AS documents
FROM concepts c
WHERE c.owner_id = $1
ORDER BY c.position, c.key
"""

# Weights are stored as ``real``; rounding reads back the value that was written (0.3,
# not 0.30000001192092896).
_EDGES = """
SELECT e.source_id, e.target_id, e.kind, round(e.weight::numeric, 6)::float8 AS weight,
       e.origin
FROM concept_edges e
JOIN concepts s ON s.id = e.source_id
JOIN concepts t ON t.id = e.target_id
WHERE e.owner_id = $1 AND ($2::text IS NULL OR e.kind = $2)
ORDER BY s.position, t.position, s.key, t.key, e.kind
"""

_CONCEPT_IDS = "SELECT key, id FROM concepts WHERE owner_id = $1 AND key = ANY($2::text[])"

_DELETE_EDGES = """
DELETE FROM concept_edges e
USING unnest($2::uuid[], $3::uuid[], $4::text[]) AS k(source_id, target_id, kind)
WHERE e.owner_id = $1 AND (e.source_id, e.target_id, e.kind) = (k.source_id, k.target_id, k.kind)
"""


class PostgresGraphStore:
    """The concept graph in PostgreSQL tables, on the service's asyncpg pool.

    The pool is borrowed: :meth:`close` leaves it open for its owner to close.
    """

    def __init__(self, pool: asyncpg.Pool, *, where: str = "PostgreSQL") -> None:
        self._pool = pool
        self._where = where

    @property
    def where(self) -> str:
        """Where the graph lives, in words."""
        return f"tables in {self._where}"

    async def setup(self) -> None:
        """Nothing to do: the migrations create the tables."""

    async def put_document_graph(
        self,
        owner: UUID,
        document_id: UUID,
        concepts: Sequence[ConceptDraft],
        edges: Sequence[EdgeDraft],
    ) -> dict[str, UUID]:
        """Make the graph this document supports exactly ``concepts`` and ``edges``.

        See :meth:`tutor.graph.port.GraphStore.put_document_graph`; one transaction.
        """
        drafts, edge_drafts = check_drafts(concepts, edges)
        async with self._pool.acquire() as connection, connection.transaction():
            return await self._put(connection, owner, document_id, drafts, edge_drafts)

    async def _put(
        self,
        connection: asyncpg.Connection,
        owner: UUID,
        document_id: UUID,
        concepts: list[ConceptDraft],
        edges: list[EdgeDraft],
    ) -> dict[str, UUID]:
        await connection.execute(_LOCK, _LOCK_NAMESPACE, str(owner))
        ids: dict[str, UUID] = {}
        outside = outside_keys(concepts, edges)
        if outside:
            rows = await connection.fetch(_SUPPORTED_ELSEWHERE, owner, outside, document_id)
            ids.update((row["key"], row["id"]) for row in rows)
            refuse_unknown_keys(set(outside) - ids.keys())

        put: dict[str, UUID] = {}
        if concepts:
            rows = await connection.fetch(
                _PUT_CONCEPTS,
                owner,
                document_id,
                [c.key for c in concepts],
                [c.title for c in concepts],
                [c.summary for c in concepts],
                [c.level for c in concepts],
                [json.dumps(list(c.key_points)) for c in concepts],
                [c.position for c in concepts],
                [c.role for c in concepts],
                [json.dumps(list(c.terms)) for c in concepts],
            )
            put = {row["key"]: row["id"] for row in rows}
        rows = await connection.fetch(_WITHDRAW_CONCEPTS, owner, document_id, list(put.values()))
        still_supported = [row["concept_id"] for row in rows]
        if put or still_supported:
            await connection.execute(_SET_POSITIONS, [*put.values(), *still_supported])

        ids.update(put)
        refs = [(ids[e.source], ids[e.target], e.kind) for e in edges]
        if edges:
            await connection.execute(
                _PUT_EDGES,
                owner,
                document_id,
                [r[0] for r in refs],
                [r[1] for r in refs],
                [r[2] for r in refs],
                [e.weight for e in edges],
                [e.origin for e in edges],
            )
        await connection.execute(
            _WITHDRAW_EDGES,
            owner,
            document_id,
            [r[0] for r in refs],
            [r[1] for r in refs],
            [r[2] for r in refs],
        )
        return put

    async def remove_document(self, owner: UUID, document_id: UUID) -> None:
        """Withdraw all the document's support; delete what is left unsupported."""
        await self.put_document_graph(owner, document_id, [], [])

    async def concepts(self, owner: UUID) -> list[Concept]:
        """The owner's concepts, by position (then key)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_CONCEPTS, owner)
        return [
            Concept(
                id=row["id"],
                owner=owner,
                key=row["key"],
                title=row["title"],
                summary=row["summary"],
                level=row["level"],
                key_points=tuple(row["key_points"]),
                position=row["position"],
                documents=frozenset(row["documents"]),
                role=cast(ConceptRole, row["role"]),
                terms=tuple(row["terms"]),
            )
            for row in rows
        ]

    async def edges(self, owner: UUID, kind: EdgeKind | None = None) -> list[Edge]:
        """The owner's edges (of one kind, when given), by source then target position."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_EDGES, owner, kind)
        return [
            Edge(
                source=row["source_id"],
                target=row["target_id"],
                kind=cast(EdgeKind, row["kind"]),
                weight=row["weight"],
                origin=cast(EdgeOrigin, row["origin"]),
            )
            for row in rows
        ]

    async def concept_ids(self, owner: UUID, keys: Sequence[str]) -> dict[str, UUID]:
        """The ids of the owner's concepts with these keys; unknown keys are left out."""
        if not keys:
            return {}
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_CONCEPT_IDS, owner, list(keys))
        return {row["key"]: row["id"] for row in rows}

    async def delete_edges(self, owner: UUID, edges: Sequence[EdgeRef]) -> int:
        """Delete these edges of the owner's; how many were deleted."""
        if not edges:
            return 0
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(_LOCK, _LOCK_NAMESPACE, str(owner))
            status: str = await connection.execute(
                _DELETE_EDGES,
                owner,
                [e[0] for e in edges],
                [e[1] for e in edges],
                [e[2] for e in edges],
            )
        return int(status.rsplit(" ", 1)[-1])

    async def delete_owner(self, owner: UUID) -> None:
        """Delete every concept and edge of the owner."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(_LOCK, _LOCK_NAMESPACE, str(owner))
            await connection.execute("DELETE FROM concepts WHERE owner_id = $1", owner)

    async def ping(self) -> str:
        """Check that the server answers and the concept tables exist.

        Raises:
            RuntimeError: the tables are missing (the migrations have not run).
        """
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT current_setting('server_version') AS version, "
                "to_regclass('concepts') IS NOT NULL AS ready"
            )
        if not row["ready"]:
            raise RuntimeError("the concept graph tables are missing: run the migrations")
        return f"PostgreSQL {row['version']}: concept tables ready"

    async def close(self) -> None:
        """Nothing to release: the pool belongs to the database."""
