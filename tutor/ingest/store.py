"""Documents and their chunks in PostgreSQL, the system of record.

A document's version is written in one transaction: its row and its chunks. Chunks are
matched to the previous version by content hash (and heading path and concept, which its
vector carries), so an edit replaces only the chunks that changed; unchanged chunks keep
their id and so their vector in Chroma. New chunks' vectors are written first, under ids
recorded as staged, so the transaction makes the whole version visible at once.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from tutor.errors import TutorError
from tutor.ingest.chunking import ChunkDraft

_LOCK_NAMESPACE = 7302
"""First half of the advisory lock key of an owner's ingestion (the owner is the second)."""
_LOCK_POLL_FIRST_S = 0.05
_LOCK_POLL_MAX_S = 1.0


@dataclass(frozen=True)
class DocumentVersion:
    """What is stored of one file."""

    path: str
    kind: str
    """``notes``, or ``toc`` for an mdBook SUMMARY.md (no chunks, only its entries)."""
    title: str
    content_hash: str
    size_bytes: int
    front_matter: dict[str, Any]
    sections: list[dict[str, Any]]
    """Each section's ``anchor``, ``key`` (its concept) and ``title``."""
    toc: list[dict[str, Any]]


@dataclass(frozen=True)
class PlannedChunk:
    """A chunk of a new version, with the id it will have."""

    id: UUID
    draft: ChunkDraft
    concept_key: str | None


@dataclass(frozen=True)
class ChunkPlan:
    """How a new version's chunks replace the stored version's."""

    document_id: UUID
    """The stored document's id, or the id a new one will have."""
    new_document: bool
    kept: list[PlannedChunk]
    """Stored chunks that stay as they are, vector included (their position may change)."""
    fresh: list[PlannedChunk]
    """Chunks whose vectors must be written before the version is committed."""
    removed: list[UUID]
    """Stored chunks that go: their vectors are deleted once the version is committed."""


@dataclass(frozen=True)
class SavedDocument:
    """The outcome of committing one version."""

    id: UUID
    created: bool
    removed: list[UUID]
    """Chunks that are gone: their vectors must be deleted."""


class DocumentChangedError(TutorError):
    """The stored document changed while a new version was being prepared."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: the document changed during ingestion; upload it again")


@dataclass(frozen=True)
class DocumentSummary:
    """A document as listed by the API."""

    id: UUID
    path: str
    kind: str
    title: str
    size_bytes: int
    content_hash: str
    chunks: int
    embedded_chunks: int
    graph_synced: bool
    ready: bool
    """Every chunk has its vector and the concept graph reflects this version."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredChunk:
    """A chunk with what its vector's metadata carries."""

    id: UUID
    document_id: UUID
    document_path: str
    heading_path: tuple[str, ...]
    concept_key: str | None
    kind: str
    text: str
    position: int = 0
    """Place in its document, in reading order."""


_SUMMARY_COLUMNS = """
    d.id, d.path, d.kind, d.title, d.size_bytes, d.content_hash, d.graph_synced,
    d.created_at, d.updated_at,
    count(c.id) AS chunks, count(c.id) FILTER (WHERE c.embedded) AS embedded_chunks,
    d.graph_synced AND count(c.id) FILTER (WHERE NOT c.embedded) = 0 AS ready
"""


class DocumentStore:
    """SQL for documents and chunks; every query is filtered by owner."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def current_hash(self, owner: UUID, path: str) -> tuple[str, bool] | None:
        """The stored version's content hash and whether it is fully synced, if any."""
        row = await self._pool.fetchrow(
            """
            SELECT d.content_hash,
                   d.graph_synced AND NOT EXISTS (
                       SELECT 1 FROM chunks c WHERE c.document_id = d.id AND NOT c.embedded
                   ) AS synced
            FROM documents d WHERE d.owner_id = $1 AND d.path = $2
            """,
            owner,
            path,
        )
        return None if row is None else (row["content_hash"], row["synced"])

    async def plan(
        self,
        owner: UUID,
        path: str,
        chunks: Sequence[ChunkDraft],
        concept_keys: Sequence[str | None],
    ) -> ChunkPlan:
        """Match a new version's chunks to the stored version's; nothing is written.

        A stored chunk is kept when its text, heading path and concept are unchanged, so
        its vector stays valid; every other chunk is new, with a new id, so the stored
        version's vectors stay untouched until :meth:`commit` replaces it.
        """
        async with self._pool.acquire() as connection:
            document_id = await connection.fetchval(
                "SELECT id FROM documents WHERE owner_id = $1 AND path = $2", owner, path
            )
            existing = (
                await connection.fetch(
                    "SELECT id, content_hash, heading_path, concept_key FROM chunks "
                    "WHERE document_id = $1",
                    document_id,
                )
                if document_id is not None
                else []
            )
        reusable: dict[tuple[str, tuple[str, ...], str | None], list[UUID]] = defaultdict(list)
        for row in existing:
            ident = (row["content_hash"], tuple(row["heading_path"]), row["concept_key"])
            reusable[ident].append(row["id"])
        kept: list[PlannedChunk] = []
        fresh: list[PlannedChunk] = []
        for chunk, key in zip(chunks, concept_keys, strict=True):
            candidates = reusable.get((chunk.content_hash, chunk.heading_path, key))
            if candidates:
                kept.append(PlannedChunk(candidates.pop(), chunk, key))
            else:
                fresh.append(PlannedChunk(uuid4(), chunk, key))
        removed = [cid for ids in reusable.values() for cid in ids]
        return ChunkPlan(document_id or uuid4(), document_id is None, kept, fresh, removed)

    async def commit(self, owner: UUID, version: DocumentVersion, plan: ChunkPlan) -> SavedDocument:
        """Write a document version and its chunks in one transaction, as planned.

        New chunks are written as embedded: their vectors are stored before this.

        Raises:
            DocumentChangedError: The stored version changed since :meth:`plan`.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                """
                INSERT INTO documents (id, owner_id, path, kind, title, content_hash,
                                       size_bytes, front_matter, sections, toc, graph_synced)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, false)
                ON CONFLICT (owner_id, path) DO UPDATE SET
                    kind = EXCLUDED.kind, title = EXCLUDED.title,
                    content_hash = EXCLUDED.content_hash, size_bytes = EXCLUDED.size_bytes,
                    front_matter = EXCLUDED.front_matter, sections = EXCLUDED.sections,
                    toc = EXCLUDED.toc, graph_synced = false, updated_at = now()
                RETURNING id, (xmax = 0) AS created
                """,
                plan.document_id,
                owner,
                version.path,
                version.kind,
                version.title,
                version.content_hash,
                version.size_bytes,
                json.dumps(version.front_matter, default=str),
                json.dumps(version.sections),
                json.dumps(version.toc),
            )
            kept_ids = [c.id for c in plan.kept]
            still_there = await connection.fetchval(
                "SELECT count(*) FROM chunks WHERE document_id = $1 AND id = ANY($2::uuid[])",
                plan.document_id,
                kept_ids,
            )
            if row["id"] != plan.document_id or still_there != len(kept_ids):
                raise DocumentChangedError(version.path)
            gone = await connection.fetch(
                "DELETE FROM chunks WHERE document_id = $1 AND NOT (id = ANY($2::uuid[])) "
                "RETURNING id",
                plan.document_id,
                kept_ids,
            )
            if plan.kept:
                await connection.executemany(
                    "UPDATE chunks SET position = $2, section_anchor = $3 WHERE id = $1",
                    [(c.id, c.draft.position, c.draft.section_anchor) for c in plan.kept],
                )
            await connection.executemany(
                """
                INSERT INTO chunks (id, owner_id, document_id, position, heading_path,
                                    section_anchor, concept_key, kind, language, text,
                                    content_hash, token_count, embedded)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true)
                """,
                [
                    (
                        c.id,
                        owner,
                        plan.document_id,
                        c.draft.position,
                        list(c.draft.heading_path),
                        c.draft.section_anchor,
                        c.concept_key,
                        c.draft.kind,
                        c.draft.language,
                        c.draft.text,
                        c.draft.content_hash,
                        c.draft.token_count,
                    )
                    for c in plan.fresh
                ],
            )
            await connection.execute(
                "DELETE FROM staged_vectors WHERE chunk_id = ANY($1::uuid[])",
                [c.id for c in plan.fresh],
            )
            await _stage(connection, owner, [r["id"] for r in gone])
        return SavedDocument(plan.document_id, row["created"], [r["id"] for r in gone])

    @asynccontextmanager
    async def ingest_lock(self, owner: UUID) -> AsyncIterator[None]:
        """Hold the owner's ingestion lock, across every process on this database.

        The lock is polled, not waited for in the server, so a waiting ingestion holds no
        connection; the holder keeps one, since the lock lives in its session.
        """
        delay = _LOCK_POLL_FIRST_S
        while True:
            connection = await self._pool.acquire()
            try:
                if await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, hashtext($2))", _LOCK_NAMESPACE, str(owner)
                ):
                    break
            except BaseException:
                await self._pool.release(connection)
                raise
            await self._pool.release(connection)
            await asyncio.sleep(delay)
            delay = min(delay * 2, _LOCK_POLL_MAX_S)
        try:
            yield
        finally:
            try:
                await connection.execute(
                    "SELECT pg_advisory_unlock($1, hashtext($2))", _LOCK_NAMESPACE, str(owner)
                )
            finally:
                # Should the unlock fail, the pool's reset on release unlocks all, or
                # closes a broken connection, whose session takes the lock with it.
                await self._pool.release(connection)

    async def stage_vectors(self, owner: UUID, ids: Sequence[UUID]) -> None:
        """Record vectors about to be written ahead of their chunks' rows."""
        async with self._pool.acquire() as connection:
            await _stage(connection, owner, ids)

    async def staged_vectors(self, owner: UUID) -> list[UUID]:
        """Vectors that no stored chunk names: a failed run's, or removed chunks'."""
        rows = await self._pool.fetch(
            "SELECT chunk_id FROM staged_vectors WHERE owner_id = $1", owner
        )
        return [row["chunk_id"] for row in rows]

    async def unstage_vectors(self, ids: Sequence[UUID]) -> None:
        """Forget staged vectors once they are deleted from the vector store."""
        await self._pool.execute(
            "DELETE FROM staged_vectors WHERE chunk_id = ANY($1::uuid[])", list(ids)
        )

    async def mark_graph_synced(self, owner: UUID, document_id: UUID) -> None:
        """Record that the concept graph reflects this document's current version."""
        await self._pool.execute(
            "UPDATE documents SET graph_synced = true WHERE owner_id = $1 AND id = $2",
            owner,
            document_id,
        )

    async def list_documents(self, owner: UUID) -> list[DocumentSummary]:
        """Every document of ``owner``, by path."""
        rows = await self._pool.fetch(
            f"""
            SELECT {_SUMMARY_COLUMNS} FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
            WHERE d.owner_id = $1 GROUP BY d.id ORDER BY d.path
            """,
            owner,
        )
        return [DocumentSummary(**dict(row)) for row in rows]

    async def get(self, owner: UUID, document_id: UUID) -> DocumentSummary | None:
        """One document of ``owner``, or None (also for another owner's id)."""
        row = await self._pool.fetchrow(
            f"""
            SELECT {_SUMMARY_COLUMNS} FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
            WHERE d.owner_id = $1 AND d.id = $2 GROUP BY d.id
            """,
            owner,
            document_id,
        )
        return None if row is None else DocumentSummary(**dict(row))

    async def delete(self, owner: UUID, document_id: UUID) -> list[UUID] | None:
        """Delete a document and its chunks; the deleted chunk ids, or None if not found."""
        async with self._pool.acquire() as connection, connection.transaction():
            chunk_ids = await connection.fetch(
                "SELECT id FROM chunks WHERE owner_id = $1 AND document_id = $2",
                owner,
                document_id,
            )
            status = await connection.execute(
                "DELETE FROM documents WHERE owner_id = $1 AND id = $2", owner, document_id
            )
            await _stage(connection, owner, [row["id"] for row in chunk_ids])
        if status == "DELETE 0":
            return None
        return [row["id"] for row in chunk_ids]

    async def sections(self, owner: UUID) -> dict[str, list[dict[str, Any]]]:
        """Each notes document's sections by path, to resolve links into it."""
        rows = await self._pool.fetch(
            "SELECT path, sections FROM documents WHERE owner_id = $1 AND kind = 'notes'", owner
        )
        return {row["path"]: json.loads(row["sections"]) for row in rows}

    async def toc(self, owner: UUID) -> list[dict[str, Any]]:
        """The entries of the owner's table of contents, if any.

        An mdBook SUMMARY.md first; else the entries read from an index page of the notes
        (see :mod:`tutor.ingest.index_page`).
        """
        value = await self._pool.fetchval(
            "SELECT toc FROM documents WHERE owner_id = $1 AND toc <> '[]'::jsonb "
            "ORDER BY kind = 'toc' DESC, updated_at DESC LIMIT 1",
            owner,
        )
        return [] if value is None else list(json.loads(value))

    async def set_toc(self, owner: UUID, path: str, entries: Sequence[dict[str, Any]]) -> None:
        """Keep the table of contents an index page of the notes gives, with that page."""
        await self._pool.execute(
            "UPDATE documents SET toc = $3::jsonb WHERE owner_id = $1 AND path = $2 "
            "AND kind = 'notes'",
            owner,
            path,
            json.dumps(list(entries)),
        )

    async def paths(self, owner: UUID) -> dict[str, UUID]:
        """Every notes document's path and id."""
        rows = await self._pool.fetch(
            "SELECT path, id FROM documents WHERE owner_id = $1 AND kind = 'notes'", owner
        )
        return {row["path"]: row["id"] for row in rows}

    async def chunks(self, owner: UUID, ids: Sequence[UUID] | None = None) -> list[StoredChunk]:
        """Chunks of ``owner`` with their vector metadata: the given ids, or all."""
        rows = await self._pool.fetch(
            """
            SELECT c.id, c.document_id, d.path AS document_path, c.heading_path,
                   c.concept_key, c.kind, c.text, c.position
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.owner_id = $1
              AND ($2::uuid[] IS NULL OR c.id = ANY($2))
            ORDER BY d.path, c.position
            """,
            owner,
            list(ids) if ids is not None else None,
        )
        return [_stored_chunk(row) for row in rows]

    async def section_chunks(self, owner: UUID, concept_key: str) -> list[StoredChunk]:
        """The chunks of a concept's own section, in the author's reading order."""
        return await self._chunks_where(owner, "c.concept_key = $2", concept_key)

    async def document_chunks(self, owner: UUID, document_id: UUID) -> list[StoredChunk]:
        """Every chunk of one document, in reading order (none for another owner's)."""
        return await self._chunks_where(owner, "c.document_id = $2", document_id)

    async def _chunks_where(self, owner: UUID, condition: str, value: object) -> list[StoredChunk]:
        rows = await self._pool.fetch(
            f"""
            SELECT c.id, c.document_id, d.path AS document_path, c.heading_path,
                   c.concept_key, c.kind, c.text, c.position
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.owner_id = $1 AND {condition}
            ORDER BY d.path, c.position
            """,
            owner,
            value,
        )
        return [_stored_chunk(row) for row in rows]

    async def owners(self) -> list[UUID]:
        """Every owner (for maintenance across all learners)."""
        rows = await self._pool.fetch("SELECT id FROM users ORDER BY created_at")
        return [row["id"] for row in rows]

    async def mark_all_unembedded(self, owner: UUID) -> None:
        """Mark every chunk of ``owner`` as needing its vector written."""
        await self._pool.execute("UPDATE chunks SET embedded = false WHERE owner_id = $1", owner)

    async def unembedded(self, owner: UUID) -> list[UUID]:
        """Chunks whose vectors are not (yet) in the vector store."""
        rows = await self._pool.fetch(
            "SELECT id FROM chunks WHERE owner_id = $1 AND NOT embedded ORDER BY id", owner
        )
        return [row["id"] for row in rows]

    async def mark_embedded(self, ids: Sequence[UUID], embedded: bool = True) -> None:
        """Record that these chunks' vectors are (or are no longer) stored."""
        await self._pool.execute(
            "UPDATE chunks SET embedded = $2 WHERE id = ANY($1::uuid[])", list(ids), embedded
        )


def _stored_chunk(row: asyncpg.Record) -> StoredChunk:
    return StoredChunk(
        id=row["id"],
        document_id=row["document_id"],
        document_path=row["document_path"],
        heading_path=tuple(row["heading_path"]),
        concept_key=row["concept_key"],
        kind=row["kind"],
        text=row["text"],
        position=row["position"],
    )


async def _stage(connection: asyncpg.Connection, owner: UUID, ids: Sequence[UUID]) -> None:
    await connection.execute(
        "INSERT INTO staged_vectors (chunk_id, owner_id) SELECT unnest($2::uuid[]), $1 "
        "ON CONFLICT DO NOTHING",
        owner,
        list(ids),
    )
