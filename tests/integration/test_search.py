"""Word search and hybrid search on the real stack: PostgreSQL, Chroma, the embedding model."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from langchain_core.embeddings import Embeddings

from tests.integration.conftest import real_ingestor
from tutor.db import upgrade
from tutor.db.migrations import MIGRATIONS_DIR
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor
from tutor.search import PostgresLexicalSearch, hybrid_search
from tutor.vectors import VectorStore

pytestmark = pytest.mark.integration

OWNERSHIP = b"""# Ownership

Ownership is how a program manages the memory it uses. Each value has an owner, there is
only one owner at a time, and the value is dropped when its owner goes out of scope.

## Moving a Value

Assigning a heap value to another variable moves it, and the first variable is no longer
valid. Using it afterwards is refused by the compiler with this message:

```console
error[E0382]: borrow of moved value: `s1`
```

## Changing a String

A string can grow when the variable that holds it is declared with the right keyword:

```rust
let mut greeting = String::from("hello");
greeting.push_str(", world!");
```

## Scope

A scope is the range within a program for which an item is valid. When a variable goes
out of scope its memory is returned, and nothing else has to clean it up by hand.
"""
MARKETS = b"""# Markets

A market brings buyers and sellers together so that goods can be exchanged. Prices move
until the quantity buyers want equals the quantity sellers offer at that price.

## Demand

Demand is the quantity of a good that buyers are willing and able to purchase at each
price. When the price of a good rises, buyers usually want less of it.
"""


@dataclass
class Stack:
    ingestor: Ingestor
    pool: asyncpg.Pool
    vectors: VectorStore
    lexical: PostgresLexicalSearch
    owner: UUID


@pytest.fixture
async def stack(database_url: str, tmp_path: Path, embeddings: Embeddings) -> AsyncIterator[Stack]:
    async with real_ingestor(database_url, tmp_path, embeddings) as (service, pool, vectors, owner):
        report = await service.ingest(
            owner, [SourceFile("ownership.md", OWNERSHIP), SourceFile("markets.md", MARKETS)]
        )
        assert {f.status for f in report.files} == {"ingested"}
        yield Stack(service, pool, vectors, PostgresLexicalSearch(pool), owner)


async def test_error_codes_and_keywords_are_found_by_their_exact_words(stack: Stack) -> None:
    owner = str(stack.owner)
    for query, expected in [
        ("What does E0382 mean?", "error[E0382]"),
        ("e0382", "error[E0382]"),
        ("when do I need mut", "let mut greeting"),
        # PostgreSQL's parser alone reads "greeting.push_str" as the host name
        # "greeting.push" and the word "str": "push" would not be found.
        ("push_str", "greeting.push_str"),
        ("push", "greeting.push_str"),
        ("String::from", 'String::from("hello")'),
    ]:
        hits = await stack.lexical.search(owner, query, k=3)
        assert hits, query
        assert expected in hits[0].text, (query, hits[0].text)
        assert hits[0].metadata["path"] == "ownership.md"


async def test_a_word_the_notes_lack_finds_nothing(stack: Stack) -> None:
    owner = str(stack.owner)
    assert await stack.lexical.search(owner, "E0499 zanzibar", k=3) == []
    assert await stack.lexical.search(owner, "   ", k=3) == []
    assert await stack.lexical.search(owner, "E0382", k=0) == []
    assert await stack.lexical.search(owner, "?! -- ::", k=3) == []


async def test_a_query_with_a_nul_or_of_a_whole_page_is_searched(stack: Stack) -> None:
    owner = str(stack.owner)
    hits = await stack.lexical.search(owner, "E0382\x00mut", k=3)
    assert hits
    assert "error[E0382]" in hits[0].text
    page = "E0382 " + " ".join(f"word{i}" for i in range(2_000))
    hits = await stack.lexical.search(owner, page, k=3)
    assert hits
    assert "error[E0382]" in hits[0].text


async def test_rare_words_outrank_common_ones(stack: Stack) -> None:
    # "the", "of", "a" are in most chunks; "buyers" in the market notes alone.
    hits = await stack.lexical.search(str(stack.owner), "the price of a good buyers", k=10)
    assert hits
    assert {hit.metadata["path"] for hit in hits[:2]} == {"markets.md"}
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


async def test_word_hits_carry_what_vector_hits_carry(stack: Stack) -> None:
    owner = str(stack.owner)
    word_hit = (await stack.lexical.search(owner, "E0382", k=1))[0]
    cosines = await stack.vectors.similarities(owner, "E0382", [word_hit.id])
    dense = await stack.vectors.search(owner, "E0382", k=20)
    same = next(hit for hit in dense if hit.id == word_hit.id)
    assert word_hit.text == same.text
    assert dict(word_hit.metadata) == dict(same.metadata)
    assert cosines[word_hit.id] == pytest.approx(same.score, abs=1e-4)


async def test_a_concept_keeps_only_its_own_chunks(stack: Stack) -> None:
    owner = str(stack.owner)
    everywhere = await stack.lexical.search(owner, "value", k=10)
    concept = str(everywhere[0].metadata["concept"])
    assert concept
    assert len({hit.metadata["concept"] for hit in everywhere}) > 1
    narrowed = await stack.lexical.search(owner, "value", k=10, concept=concept)
    assert narrowed
    assert {hit.metadata["concept"] for hit in narrowed} == {concept}
    fused = await hybrid_search(stack.vectors, stack.lexical, owner, "value", k=10, concept=concept)
    assert fused
    assert {hit.metadata["concept"] for hit in fused} == {concept}


async def test_hybrid_search_brings_the_exact_word_into_the_top_hits(stack: Stack) -> None:
    owner = str(stack.owner)
    query = "What does E0382 mean?"
    fused = await hybrid_search(stack.vectors, stack.lexical, owner, query, k=2)
    assert any("error[E0382]" in hit.text for hit in fused)
    # Every score is the cosine similarity, whichever search found the hit.
    cosines = await stack.vectors.similarities(owner, query, [hit.id for hit in fused])
    for hit in fused:
        assert hit.score == pytest.approx(cosines[hit.id], abs=1e-4)
    alone = await hybrid_search(stack.vectors, None, owner, query, k=2)
    assert alone == await stack.vectors.search(owner, query, k=2)


async def test_no_search_reads_another_owners_chunks(
    stack: Stack, database_url: str, tmp_path: Path, embeddings: Embeddings
) -> None:
    other = uuid.uuid4()
    await stack.pool.execute("INSERT INTO users (id, name) VALUES ($1, $2)", other, "other")
    secret = b"# Secret\n\nThe zanzibar protocol answers error E0999 with a quokka handshake.\n"
    report = await stack.ingestor.ingest(other, [SourceFile("secret.md", secret)])
    assert {f.status for f in report.files} == {"ingested"}
    query = "zanzibar E0999 quokka handshake"
    owner = str(stack.owner)
    assert await stack.lexical.search(owner, query, k=10) == []
    dense = await stack.vectors.search(owner, query, k=50)
    fused = await hybrid_search(stack.vectors, stack.lexical, owner, query, k=50)
    assert dense
    assert fused
    for hit in dense + fused:
        assert hit.metadata["owner"] == owner
        assert "zanzibar" not in hit.text
    theirs = await stack.lexical.search(str(other), query, k=10)
    assert [hit.metadata["owner"] for hit in theirs] == [str(other)]
    with pytest.raises(ValueError, match="owner"):
        await stack.lexical.search("", query)
    with pytest.raises(ValueError, match="owner"):
        await hybrid_search(stack.vectors, stack.lexical, "not-an-id", query)


async def test_a_deleted_document_leaves_no_word_hits(stack: Stack) -> None:
    owner = str(stack.owner)
    assert await stack.lexical.search(owner, "E0382", k=5)
    document_id = await stack.pool.fetchval(
        "SELECT id FROM documents WHERE owner_id = $1 AND path = 'ownership.md'", stack.owner
    )
    assert await stack.ingestor.delete(stack.owner, document_id)
    assert await stack.lexical.search(owner, "E0382 push_str mut", k=5) == []
    fused = await hybrid_search(stack.vectors, stack.lexical, owner, "E0382 push_str", k=10)
    assert {hit.metadata["path"] for hit in fused} <= {"markets.md"}


async def test_a_new_version_is_searched_by_its_new_words(stack: Stack) -> None:
    owner = str(stack.owner)
    changed = OWNERSHIP.replace(b"E0382", b"E0505")
    report = await stack.ingestor.ingest(stack.owner, [SourceFile("ownership.md", changed)])
    assert {f.status for f in report.files} == {"ingested"}
    assert await stack.lexical.search(owner, "E0382", k=5) == []
    hits = await stack.lexical.search(owner, "E0505", k=5)
    assert hits
    assert "error[E0505]" in hits[0].text


async def test_the_migration_indexes_chunks_stored_before_it(
    database_url: str, tmp_path: Path
) -> None:
    earlier = tmp_path / "migrations"
    earlier.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0011":
            shutil.copy(path, earlier / path.name)
    await upgrade(database_url, earlier)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        owner = uuid.uuid4()
        await pool.execute("INSERT INTO users (id, name) VALUES ($1, 'early')", owner)
        document = await pool.fetchval(
            "INSERT INTO documents (owner_id, path, title, content_hash, size_bytes) "
            "VALUES ($1, 'old.md', 'Old', 'h', 10) RETURNING id",
            owner,
        )
        await pool.execute(
            "INSERT INTO chunks (owner_id, document_id, position, heading_path, "
            "section_anchor, kind, text, content_hash, token_count, embedded) "
            "VALUES ($1, $2, 0, ARRAY['Errors', 'Moves'], 'moves', 'prose', "
            "'The compiler says error[E0382] after a move.', 'c', 9, true)",
            owner,
            document,
        )
        applied = await upgrade(database_url)
        assert [name for name in applied if name.startswith("0011")]
        hits = await PostgresLexicalSearch(pool).search(str(owner), "E0382 moves", k=3)
        assert [hit.text for hit in hits] == [
            "Errors > Moves\n\nThe compiler says error[E0382] after a move."
        ]
        # The heading path is searched too.
        assert await PostgresLexicalSearch(pool).search(str(owner), "moves", k=3)
    finally:
        await pool.close()
