"""Summaries and key points are claims of the notes, on the real stack.

PostgreSQL, Chroma and the embedding model ingest a small book written like the real
ones: a foreword with a byline, a chapter that opens with meta-text, shows listings with
captions, asks questions and ends with its own summary, and economics notes full of
examples.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from langchain_core.embeddings import Embeddings
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import real_ingestor, sign_up, upload
from tutor.api.app import create_app
from tutor.config import Settings
from tutor.graph.model import Concept
from tutor.ingest.claims import claim_sentences
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor

pytestmark = pytest.mark.integration

SUMMARY = """\
# Summary

[Foreword](foreword.md)

- [Understanding Ownership](ownership.md)
- [Demand](demand.md)
"""
BYLINE = (
    "by Steve Klabnik, Carol Nichols, and Chris Krycho, with contributions from the Rust Community"
)
FOREWORD = f"""\
# Foreword

{BYLINE}

The Rust programming language has come a long way in a few short years, from a small
community of enthusiasts to one of the most loved languages in the world. The language
combines years of research in systems programming with the practical wisdom of a
passionate community. Rust gives programmers control over low-level details without the
hassle traditionally associated with such control.
"""
OWNERSHIP = """\
# Understanding Ownership

In this chapter, we'll talk about ownership as well as several related features. Let's
start with the rules. Ownership is a set of rules that govern how a Rust program manages
memory. Each value in Rust has an owner, and there can only be one owner at a time. When
the owner goes out of scope, the value will be dropped and its memory returned to the
allocator. Because the compiler checks these rules, a program that breaks them does not
compile. Memory safety in Rust therefore needs no garbage collector at run time.

What happens when a value is assigned to another variable? Listing 4-2 shows it.

<span class="caption">Listing 4-2: Moving a String from one variable to another</span>

```rust
let s1 = String::from("hello");
let s2 = s1;
```

Assigning a heap value to another variable moves the value, and the first variable can
no longer be used. With only `s2` valid, the memory is freed once. A reference borrows a
value without taking ownership of it, so the value is not dropped when the reference goes
away. References are immutable by default, just as variables are.

## Summary

The concepts of ownership, borrowing, and slices ensure memory safety in Rust programs at
compile time. We'll talk about these concepts further throughout the rest of the book.
"""
DEMAND = """\
# Demand

Economists use the term demand to refer to the amount of a good or service consumers are
willing and able to purchase at each price. A rise in the price of a good almost always
decreases the quantity demanded. Beef, for example, is bought less when its price rises.
Demand is the relationship between a range of prices and the quantities demanded at those
prices. Quantity demanded is a specific amount on the demand curve. How large is the
demand for gasoline? Economists measure it in gallons per day. As just mentioned, the
whole curve shifts when something other than the price changes. When incomes rise, the
demand for a normal good increases and its demand curve shifts to the right.
"""
BOOK = {
    "SUMMARY.md": SUMMARY,
    "foreword.md": FOREWORD,
    "ownership.md": OWNERSHIP,
    "demand.md": DEMAND,
}


def book(**changed: str) -> list[SourceFile]:
    files = {**BOOK, **{f"{name}.md": text for name, text in changed.items()}}
    return [SourceFile(f"book/{name}", text.encode()) for name, text in files.items()]


@pytest.fixture
async def stack(
    database_url: str, tmp_path: Path, embeddings: Embeddings
) -> AsyncIterator[tuple[Ingestor, asyncpg.Pool, UUID]]:
    async with real_ingestor(database_url, tmp_path, embeddings) as (service, pool, _, owner):
        yield service, pool, owner


def by_title(concepts: list[Concept]) -> dict[str, Concept]:
    return {c.title: c for c in concepts}


async def test_summaries_and_key_points_are_claims_of_their_notes(
    stack: tuple[Ingestor, asyncpg.Pool, UUID],
) -> None:
    ingestor, _, owner = stack
    report = await ingestor.ingest(owner, book())
    assert {f.status for f in report.files} == {"ingested"}
    concepts = by_title(await ingestor.graph.concepts(owner))
    assert set(concepts) == {"Foreword", "Understanding Ownership", "Demand"}
    claims = {
        "Foreword": claim_sentences(FOREWORD),
        "Understanding Ownership": claim_sentences(OWNERSHIP),
        "Demand": claim_sentences(DEMAND),
    }
    for title, concept in concepts.items():
        assert concept.summary in claims[title]
        assert 3 <= len(concept.key_points) <= 7
        assert set(concept.key_points) <= set(claims[title])
        # In the author's order.
        assert list(concept.key_points) == [c for c in claims[title] if c in concept.key_points]
    said = [text for c in concepts.values() for text in (c.summary, *c.key_points)]
    for unwanted in ("Klabnik", "Listing", "?", "In this chapter", "Let's", "for example"):
        assert not [text for text in said if unwanted in text], unwanted
    assert "As just mentioned" not in " ".join(said)
    assert "s2" not in " ".join(said)

    # The chapter's own summary sums it up.
    assert concepts["Understanding Ownership"].summary == (
        "The concepts of ownership, borrowing, and slices ensure memory safety in Rust "
        "programs at compile time."
    )


async def test_the_same_notes_give_the_same_claims_and_a_change_rebuilds_them(
    stack: tuple[Ingestor, asyncpg.Pool, UUID],
) -> None:
    ingestor, pool, owner = stack
    await ingestor.ingest(owner, book())
    first = {c.key: (c.summary, c.key_points) for c in await ingestor.graph.concepts(owner)}

    other = uuid4()
    await pool.execute("INSERT INTO users (id, name) VALUES ($1, $2)", other, f"u{other}")
    await ingestor.ingest(other, list(reversed(book())))
    second = {c.key: (c.summary, c.key_points) for c in await ingestor.graph.concepts(other)}
    assert second == first

    # A rewritten claim replaces the old one at re-ingestion.
    old = "Quantity demanded is a specific amount on the demand curve."
    new = "Quantity demanded is one specific amount on the demand curve, at one price."
    assert old in first["demand"][1]
    await ingestor.ingest(owner, book(demand=DEMAND.replace(old, new)))
    demand = by_title(await ingestor.graph.concepts(owner))["Demand"]
    assert old not in demand.key_points
    assert new in claim_sentences(DEMAND.replace(old, new))
    assert set(demand.key_points) <= set(claim_sentences(DEMAND.replace(old, new)))


async def test_the_graph_api_shows_the_claims(settings: Settings) -> None:
    client: AsyncTestClient[Litestar]
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        files = {name: text.encode() for name, text in BOOK.items()}
        assert (await upload(client, files))["status"] == "done"
        nodes = {n["title"]: n for n in (await client.get("/api/v1/graph")).json()["nodes"]}
    foreword = nodes["Foreword"]
    assert foreword["summary"] in claim_sentences(FOREWORD)
    assert foreword["key_points"]
    assert set(foreword["key_points"]) <= set(claim_sentences(FOREWORD))
    assert BYLINE not in [foreword["summary"], *foreword["key_points"]]
