"""Ingestion on the real stack: PostgreSQL rows, Chroma vectors, the concept graph."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from langchain_core.embeddings import Embeddings

from tests.integration.conftest import real_ingestor
from tutor.config import IngestSettings
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor
from tutor.ingest.store import ChunkPlan
from tutor.vectors import VectorRecord, VectorStore

pytestmark = pytest.mark.integration

SUMMARY = b"""# Summary

- [Basics](basics.md)
    - [Variables](variables.md)
- [Ownership](ownership.md)
"""
BASICS = b"""# Basics

Programs are made of statements that the machine runs one after another.

## Comments

A comment starts with two slashes and is ignored by the compiler entirely.
"""
VARIABLES = b"""# Variables

A variable binds a name to a value so later statements can use it.

## Mutability

Variables are immutable by default; add `mut` to allow assigning a new value.

```rust
let mut x = 5;
x = 6;
```
"""
OWNERSHIP = b"""# Ownership

Each value has exactly one owner, a variable, as explained in [Variables](variables.md).
When the owner goes out of scope the value is dropped and its memory freed.

## Moves

Assigning a heap value to another variable moves it; the first can no longer be used.
"""


@pytest.fixture
async def parts(
    database_url: str, tmp_path: Path, embeddings: Embeddings
) -> AsyncIterator[tuple[Ingestor, asyncpg.Pool, VectorStore, UUID]]:
    # The notes above are a sentence a section: none is too thin to stand alone here
    # (the roles of sections are tried in test_ingest_roles.py).
    settings = IngestSettings(thin_section_words=0)
    async with real_ingestor(database_url, tmp_path, embeddings, settings) as opened:
        yield opened


def _book() -> list[SourceFile]:
    return [
        SourceFile("SUMMARY.md", SUMMARY),
        SourceFile("ownership.md", OWNERSHIP),
        SourceFile("variables.md", VARIABLES),
        SourceFile("basics.md", BASICS),
    ]


async def _chunk_ids(pool: asyncpg.Pool, owner: UUID) -> dict[str, UUID]:
    rows = await pool.fetch(
        "SELECT id, content_hash FROM chunks WHERE owner_id = $1 AND embedded", owner
    )
    return {row["content_hash"]: row["id"] for row in rows}


async def _titles(ingestor: Ingestor, owner: UUID) -> dict[UUID, str]:
    return {c.id: c.title for c in await ingestor.graph.concepts(owner)}


async def test_ingest_builds_rows_vectors_and_graph(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, vectors, owner = parts
    report = await ingestor.ingest(owner, _book())
    assert {f.path: f.status for f in report.files} == dict.fromkeys(
        ["SUMMARY.md", "basics.md", "variables.md", "ownership.md"], "ingested"
    )
    chunks = await _chunk_ids(pool, owner)
    assert len(chunks) >= 5
    assert await vectors.count(str(owner)) == len(chunks)

    titles = await _titles(ingestor, owner)
    edges = {
        (titles[e.source], titles[e.target], e.kind) for e in await ingestor.graph.edges(owner)
    }
    assert ("Variables", "Basics", "part_of") in edges  # from SUMMARY.md nesting
    assert ("Mutability", "Variables", "part_of") in edges  # from headings
    assert ("Basics", "Ownership", "prerequisite") in edges  # the author's order
    assert ("Variables", "Ownership", "prerequisite") in edges  # a link back to it

    hits = await vectors.search(str(owner), "how do I make a variable mutable with mut?", k=2)
    assert any("Mutability" in str(h.metadata["heading_path"]) for h in hits), hits


async def test_same_files_again_change_nothing(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    before = await _chunk_ids(pool, owner)
    report = await ingestor.ingest(owner, _book())
    assert {f.status for f in report.files} == {"unchanged"}
    assert await _chunk_ids(pool, owner) == before
    assert await vectors.count(str(owner)) == len(before)


async def test_changed_file_replaces_only_what_changed(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    before = await _chunk_ids(pool, owner)
    edited = OWNERSHIP.replace(
        b"it; the first can no longer be used.", b"it: the old name is invalid."
    )
    report = await ingestor.ingest(owner, [SourceFile("ownership.md", edited)])
    assert [f.status for f in report.files] == ["ingested"]
    after = await _chunk_ids(pool, owner)
    kept = set(before) & set(after)
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1
    assert all(before[h] == after[h] for h in kept)  # untouched chunks keep their ids
    assert await vectors.count(str(owner)) == len(after)


async def test_delete_removes_rows_vectors_and_only_its_concepts(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    document_id = await pool.fetchval(
        "SELECT id FROM documents WHERE owner_id = $1 AND path = 'ownership.md'", owner
    )
    assert await ingestor.delete(owner, document_id)
    assert not await ingestor.delete(owner, document_id)  # already gone
    assert (
        await pool.fetchval("SELECT count(*) FROM chunks WHERE document_id = $1", document_id) == 0
    )
    assert await vectors.count(str(owner)) == len(await _chunk_ids(pool, owner))
    titles = set((await _titles(ingestor, owner)).values())
    assert {"Ownership", "Moves"}.isdisjoint(titles)
    assert {"Basics", "Variables", "Mutability"} <= titles


async def test_bad_files_are_refused_by_name_and_stored_data_survives(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, _vectors, owner = parts
    await ingestor.ingest(owner, _book())
    before = await _chunk_ids(pool, owner)
    report = await ingestor.ingest(
        owner,
        [
            SourceFile("variables.md", b"\xff\xfe not utf-8 \xc3\x28"),  # a bad new version
            SourceFile("image.md", b"\x89PNG\r\n\x1a\n\x00\x00"),
            SourceFile("empty.md", b"   \n"),
            SourceFile("deep.md", b"- " * 10_000 + b"x"),
            SourceFile("big.md", b"a" * (IngestSettings().max_file_bytes + 1)),
            SourceFile("notes.pdf", b"%PDF-1.7"),
            SourceFile("headings.md", b"# Only\n## Headings\n"),
            SourceFile("dupes.md", b"# Same\n\ntext one\n\n# Same\n\ntext two\n"),
            SourceFile("html.md", b"# Page\n\n<div>inline <b>HTML</b></div>\n\nafter\n"),
        ],
    )
    status = {f.path: (f.status, f.error or "") for f in report.files}
    for name, words in [
        ("variables.md", "UTF-8"),
        ("image.md", "binary"),
        ("empty.md", "empty"),
        ("deep.md", "deep"),
        ("big.md", "over the limit"),
        ("notes.pdf", "only .md"),
    ]:
        assert status[name][0] == "failed", status[name]
        assert status[name][1].startswith(name) and words in status[name][1], status[name]
    for name in ("headings.md", "dupes.md", "html.md"):
        assert status[name][0] == "ingested", status[name]
    # The old version of variables.md is intact, rows and vectors.
    assert set(before) <= set(await _chunk_ids(pool, owner))


class _FailingVectors:
    """Passes everything through, but while ``broken`` each add stores its vectors and
    then fails (a connection lost after the write), and deletes fail while ``stuck``."""

    def __init__(self, inner: VectorStore) -> None:
        self.inner = inner
        self.broken = True
        self.stuck = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def add(self, records: Sequence[VectorRecord]) -> None:
        await self.inner.add(records)
        if self.broken:
            raise ConnectionError("vector store unreachable")

    async def delete(self, owner: str, **kwargs: Any) -> None:
        if self.stuck:
            raise ConnectionError("vector store unreachable")
        await self.inner.delete(owner, **kwargs)


NEW_OWNERSHIP = OWNERSHIP.replace(
    b"## Moves", b"## Borrowing\n\nA reference lends a value.\n\n## Moves"
)


async def _state(ingestor: Ingestor, pool: asyncpg.Pool, owner: UUID) -> object:
    documents = [
        (d.path, d.content_hash, d.chunks, d.embedded_chunks, d.ready)
        for d in await ingestor.documents.list_documents(owner)
    ]
    chunks = sorted(await pool.fetch("SELECT id, text FROM chunks WHERE owner_id = $1", owner))
    return documents, chunks


@pytest.mark.parametrize("stuck", [False, True], ids=["cleaned-at-once", "cleaned-next-run"])
async def test_a_vector_failure_shows_no_half_document_and_keeps_the_old_version(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID], stuck: bool
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    before = await _state(ingestor, pool, owner)
    stored = await vectors.count(str(owner))
    failing = _FailingVectors(vectors)
    failing.stuck = stuck
    ingestor.vectors = failing  # type: ignore[assignment]
    changed = [SourceFile("ownership.md", NEW_OWNERSHIP), SourceFile("new.md", b"# New\n\nfresh")]
    with pytest.raises(ConnectionError):
        await ingestor.ingest(owner, changed)

    # The old version is listed, whole; nothing of the new one is, rows or vectors.
    assert await _state(ingestor, pool, owner) == before
    hits = await vectors.search(str(owner), "A reference lends a value", k=20)
    assert not any("lends a value" in hit.text for hit in hits) or stuck
    failing.broken = failing.stuck = False
    # The next run first deletes whatever the failed one left in the vector store.
    report = await ingestor.ingest(owner, changed)
    assert {f.path: f.status for f in report.files} == {
        "ownership.md": "ingested",
        "new.md": "ingested",
    }
    listed = await ingestor.documents.list_documents(owner)
    assert all(d.ready and d.embedded_chunks == d.chunks for d in listed)
    rows = await pool.fetchval("SELECT count(*) FROM chunks WHERE owner_id = $1", owner)
    assert await vectors.count(str(owner)) == rows > stored
    assert await pool.fetchval("SELECT count(*) FROM staged_vectors") == 0


async def test_a_database_failure_at_commit_leaves_no_vectors_behind(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    before = await _state(ingestor, pool, owner)
    stored = await vectors.count(str(owner))

    async def lost(*args: object) -> None:
        raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")

    monkeypatch.setattr(ingestor.documents, "commit", lost)
    with pytest.raises(asyncpg.exceptions.ConnectionDoesNotExistError):
        await ingestor.ingest(owner, [SourceFile("ownership.md", NEW_OWNERSHIP)])
    assert await _state(ingestor, pool, owner) == before
    assert await vectors.count(str(owner)) == stored


def _freeze(folder: Path, frozen: bool) -> None:
    """Make every file and folder under ``folder`` immutable (or writable again)."""
    paths = [folder, *folder.rglob("*")]
    subprocess.run(["chattr", "+i" if frozen else "-i", *map(str, paths)], check=True)


async def test_a_read_only_vector_folder_leaves_no_document(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID], tmp_path: Path
) -> None:
    ingestor, pool, _vectors, owner = parts
    await ingestor.ingest(owner, [SourceFile("basics.md", BASICS)])
    before = await _state(ingestor, pool, owner)
    folder = tmp_path / "chroma"
    try:
        # Root ignores permission bits; only the immutable flag refuses root's writes.
        _freeze(folder, True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("this file system has no immutable flag (chattr)")
    try:
        with pytest.raises(Exception) as caught:  # whatever Chroma raises
            await ingestor.ingest(owner, _book())
        assert not isinstance(caught.value, AssertionError)
        paths = [d.path for d in await ingestor.documents.list_documents(owner)]
    finally:
        _freeze(folder, False)
    # The table of contents has no chunks and is stored first; no notes appear.
    assert [p for p in paths if p != "SUMMARY.md"] == ["basics.md"]
    assert (await _state(ingestor, pool, owner))[1] == before[1]


async def test_reindex_rebuilds_vectors_from_postgres(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, _pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    expected = await vectors.count(str(owner))
    await vectors.delete(str(owner), where={})
    assert await vectors.count(str(owner)) == 0
    assert await ingestor.reindex(owner) == expected
    assert await vectors.count(str(owner)) == expected


async def test_owners_never_see_each_other(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, pool, vectors, owner = parts
    other = uuid4()
    await pool.execute("INSERT INTO users (id, name) VALUES ($1, $2)", other, f"u{other}")
    await ingestor.ingest(owner, _book())
    assert await ingestor.documents.list_documents(other) == []
    assert await ingestor.graph.concepts(other) == []
    assert await vectors.search(str(other), "ownership", k=3) == []
    mine = await ingestor.documents.list_documents(owner)
    assert await ingestor.documents.get(other, mine[0].id) is None
    assert not await ingestor.delete(other, mine[0].id)
    assert await ingestor.documents.get(owner, mine[0].id) is not None


async def test_a_document_deleted_while_its_new_version_is_read_fails_alone(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    ingestor, pool, vectors, owner = parts
    await ingestor.ingest(owner, _book())
    plan = ingestor.documents.plan

    async def plan_then_delete(*args: Any) -> ChunkPlan:
        planned = await plan(*args)
        if args[1] == "ownership.md":  # the learner deletes it from another tab
            assert await ingestor.delete(owner, planned.document_id)
        return planned

    monkeypatch.setattr(ingestor.documents, "plan", plan_then_delete)
    report = await ingestor.ingest(
        owner, [SourceFile("ownership.md", NEW_OWNERSHIP), SourceFile("new.md", b"# New\n\nfresh")]
    )
    outcome = {f.path: f for f in report.files}
    assert outcome["ownership.md"].status == "failed"
    assert "changed during ingestion" in (outcome["ownership.md"].error or "")
    assert outcome["new.md"].status == "ingested"
    paths = [d.path for d in await ingestor.documents.list_documents(owner)]
    assert "ownership.md" not in paths and "new.md" in paths
    rows = await pool.fetchval("SELECT count(*) FROM chunks WHERE owner_id = $1", owner)
    assert await vectors.count(str(owner)) == rows


async def test_a_document_missing_vectors_is_listed_as_not_ready(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, _pool, _vectors, owner = parts
    await ingestor.ingest(owner, _book())

    async def notes() -> list[tuple[bool, int, int]]:
        listed = await ingestor.documents.list_documents(owner)
        return [(d.ready, d.embedded_chunks, d.chunks) for d in listed if d.kind == "notes"]

    assert all(ready and 0 < embedded == chunks for ready, embedded, chunks in await notes())
    await ingestor.documents.mark_all_unembedded(owner)  # a re-index under way
    assert all(not ready and embedded < chunks for ready, embedded, chunks in await notes())
    await ingestor.reindex(owner)
    assert all(ready and embedded == chunks for ready, embedded, chunks in await notes())


class _CountingEmbeddings(Embeddings):
    """The real model, counting the texts it is asked to embed."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.texts = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


async def test_a_rewritten_section_keeps_its_concept_on_re_upload(
    parts: tuple[Ingestor, asyncpg.Pool, VectorStore, UUID],
) -> None:
    ingestor, _pool, _vectors, owner = parts
    first = b"# Kitchen\n\nNotes on the kitchen.\n\n## Setup\n\nInstall the compiler first.\n"
    await ingestor.ingest(owner, [SourceFile("kitchen.md", first)])
    before = {c.key for c in await ingestor.graph.concepts(owner)}
    counting = _CountingEmbeddings(ingestor.embeddings)
    ingestor.embeddings = counting
    rewritten = first.replace(b"Install the compiler first.", b"Bake the bread for an hour.")
    report = await ingestor.ingest(owner, [SourceFile("kitchen.md", rewritten)])
    assert [f.status for f in report.files] == ["ingested"]
    # Same sections, same concepts: nothing renamed as a namesake of its own old text,
    # and no section compared with its previous version.
    assert {c.key for c in await ingestor.graph.concepts(owner)} == before
    assert counting.texts == 0
