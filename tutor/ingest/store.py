"""Documents and their chunks in PostgreSQL, the system of record.

A document's version is written in one transaction: its row and its chunks. Chunks are
matched to the previous version by content hash, so an edit replaces only the chunks that
changed; unchanged chunks keep their id and so their vector in Chroma.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from tutor.ingest.chunking import ChunkDraft


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
class SavedDocument:
    """The outcome of saving one version."""

    id: UUID
    created: bool
    added: list[UUID]
    """Chunks that are new, or whose metadata changed: their vectors must be (re)written."""
    removed: list[UUID]
    """Chunks that are gone: their vectors must be deleted."""


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


_SUMMARY_COLUMNS = """
    d.id, d.path, d.kind, d.title, d.size_bytes, d.content_hash, d.graph_synced,
    d.created_at, d.updated_at,
    count(c.id) AS chunks, count(c.id) FILTER (WHERE c.embedded) AS embedded_chunks
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

    async def save(
        self,
        owner: UUID,
        version: DocumentVersion,
        chunks: Sequence[ChunkDraft],
        concept_keys: Sequence[str | None],
    ) -> SavedDocument:
        """Write a document version and its chunks in one transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                """
                INSERT INTO documents (owner_id, path, kind, title, content_hash, size_bytes,
                                       front_matter, sections, toc, graph_synced)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, false)
                ON CONFLICT (owner_id, path) DO UPDATE SET
                    kind = EXCLUDED.kind, title = EXCLUDED.title,
                    content_hash = EXCLUDED.content_hash, size_bytes = EXCLUDED.size_bytes,
                    front_matter = EXCLUDED.front_matter, sections = EXCLUDED.sections,
                    toc = EXCLUDED.toc, graph_synced = false, updated_at = now()
                RETURNING id, (xmax = 0) AS created
                """,
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
            document_id: UUID = row["id"]
            added, removed = await _replace_chunks(
                connection, owner, document_id, chunks, concept_keys
            )
        return SavedDocument(document_id, row["created"], added, removed)

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
        """The entries of the owner's table of contents (an mdBook SUMMARY.md), if any."""
        value = await self._pool.fetchval(
            "SELECT toc FROM documents WHERE owner_id = $1 AND kind = 'toc' "
            "ORDER BY updated_at DESC LIMIT 1",
            owner,
        )
        return [] if value is None else list(json.loads(value))

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
                   c.concept_key, c.kind, c.text
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.owner_id = $1
              AND ($2::uuid[] IS NULL OR c.id = ANY($2))
            ORDER BY d.path, c.position
            """,
            owner,
            list(ids) if ids is not None else None,
        )
        return [
            StoredChunk(
                id=row["id"],
                document_id=row["document_id"],
                document_path=row["document_path"],
                heading_path=tuple(row["heading_path"]),
                concept_key=row["concept_key"],
                kind=row["kind"],
                text=row["text"],
            )
            for row in rows
        ]

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


async def _replace_chunks(
    connection: asyncpg.Connection,
    owner: UUID,
    document_id: UUID,
    chunks: Sequence[ChunkDraft],
    concept_keys: Sequence[str | None],
) -> tuple[list[UUID], list[UUID]]:
    existing = await connection.fetch(
        "SELECT id, content_hash, heading_path, concept_key FROM chunks WHERE document_id = $1",
        document_id,
    )
    # Reuse a previous chunk with the same text (a multiset match on content hashes).
    reusable: dict[str, list[asyncpg.Record]] = defaultdict(list)
    for row in existing:
        reusable[row["content_hash"]].append(row)
    kept: list[tuple[UUID, ChunkDraft, str | None, bool]] = []
    fresh: list[tuple[ChunkDraft, str | None]] = []
    for chunk, key in zip(chunks, concept_keys, strict=True):
        candidates = reusable.get(chunk.content_hash)
        if candidates:
            row = candidates.pop()
            # The vector's metadata carries heading path and concept: rewrite if moved.
            moved = tuple(row["heading_path"]) != chunk.heading_path or row["concept_key"] != key
            kept.append((row["id"], chunk, key, moved))
        else:
            fresh.append((chunk, key))
    removed = [row["id"] for rows in reusable.values() for row in rows]
    if removed:
        await connection.execute("DELETE FROM chunks WHERE id = ANY($1::uuid[])", removed)
    if kept:
        await connection.executemany(
            """
            UPDATE chunks SET position = $2, heading_path = $3, section_anchor = $4,
                   concept_key = $5, embedded = embedded AND NOT $6
            WHERE id = $1
            """,
            [
                (cid, c.position, list(c.heading_path), c.section_anchor, key, moved)
                for cid, c, key, moved in kept
            ],
        )
    # Ids are made here so the rows go in one pipelined batch without RETURNING.
    added = [uuid4() for _ in fresh]
    await connection.executemany(
        """
        INSERT INTO chunks (id, owner_id, document_id, position, heading_path, section_anchor,
                            concept_key, kind, language, text, content_hash, token_count)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        """,
        [
            (
                cid,
                owner,
                document_id,
                c.position,
                list(c.heading_path),
                c.section_anchor,
                key,
                c.kind,
                c.language,
                c.text,
                c.content_hash,
                c.token_count,
            )
            for cid, (c, key) in zip(added, fresh, strict=True)
        ],
    )
    added += [cid for cid, _, _, moved in kept if moved]
    return added, removed
