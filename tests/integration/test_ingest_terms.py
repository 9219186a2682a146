"""Term prerequisites on the real stack: stored terms, and edges across documents and runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import pytest
from langchain_core.embeddings import Embeddings

from tests.integration.conftest import real_ingestor
from tutor.ingest.concepts import LINK_WEIGHT
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor

pytestmark = pytest.mark.integration

SCARCITY = b"""# Scarcity

**Scarcity** is the condition of wanting more than the available resources allow.
Households, firms and governments all face it, every day and in every country.

## Opportunity Cost

The **opportunity cost** of a choice is the value of the best alternative given up.
Spending an evening studying has the opportunity cost of the wages not earned.

## Trade-offs

Households weigh food against rent, and firms weigh wages against machines. Every
country weighs schools against roads. Such weighing happens every day.
"""
PRODUCTION = b"""# Production Possibilities

A country can make cars or trucks with the workers and machines it has. Every day its
firms decide how many of each to build, and households buy what they make.

## The Frontier

Moving along the frontier has an opportunity cost: the opportunity cost of more cars
is fewer trucks, and this opportunity cost rises as workers are moved away from
what they do best.

## Factories

Households work in factories in every country; firms build factories every day and
fill them with machines, and governments tax what they make.
"""


@pytest.fixture
async def ingestor(
    database_url: str, tmp_path: Path, embeddings: Embeddings
) -> AsyncIterator[tuple[Ingestor, UUID]]:
    async with real_ingestor(database_url, tmp_path, embeddings) as (service, _, _, owner):
        yield service, owner


async def term_edges(ingestor: Ingestor, owner: UUID) -> set[tuple[str, str]]:
    titles = {c.id: c.title for c in await ingestor.graph.concepts(owner)}
    return {
        (titles[e.source], titles[e.target])
        for e in await ingestor.graph.edges(owner, "prerequisite")
        if e.origin == "term"
    }


async def test_a_term_defined_in_one_document_is_a_prerequisite_where_another_uses_it(
    ingestor: tuple[Ingestor, UUID],
) -> None:
    service, owner = ingestor
    files = [SourceFile("01-scarcity.md", SCARCITY), SourceFile("02-production.md", PRODUCTION)]
    report = await service.ingest(owner, files)
    assert {f.status for f in report.files} == {"ingested"}

    stored = {c.title: c for c in await service.graph.concepts(owner)}
    assert "opportunity cost" in stored["Opportunity Cost"].terms
    edges = await term_edges(service, owner)
    assert ("Opportunity Cost", "The Frontier") in edges
    # "Factories" shares only everyday words with the first chapter.
    assert not any(target == "Factories" for _, target in edges)
    (edge,) = [
        e
        for e in await service.graph.edges(owner, "prerequisite")
        if e.origin == "term" and e.target == stored["The Frontier"].id
    ]
    assert edge.weight < LINK_WEIGHT  # a cycle breaks on it before it breaks a link


async def test_a_later_run_finds_terms_that_an_earlier_run_stored(
    ingestor: tuple[Ingestor, UUID],
) -> None:
    service, owner = ingestor
    await service.ingest(owner, [SourceFile("01-scarcity.md", SCARCITY)])
    assert await term_edges(service, owner) == set()
    # Only the second chapter is read now: the first one's terms come from the store.
    await service.ingest(owner, [SourceFile("02-production.md", PRODUCTION)])
    assert ("Opportunity Cost", "The Frontier") in await term_edges(service, owner)


async def test_a_section_removed_from_a_new_version_is_no_longer_an_introducer(
    ingestor: tuple[Ingestor, UUID],
) -> None:
    service, owner = ingestor
    first = SourceFile("01-scarcity.md", SCARCITY + PRODUCTION.replace(b"# ", b"## ", 1))
    await service.ingest(owner, [first])
    assert ("Opportunity Cost", "The Frontier") in await term_edges(service, owner)

    # The new version drops the section that defined the term; its user stays.
    start = SCARCITY.index(b"## Opportunity Cost")
    end = SCARCITY.index(b"## Trade-offs")
    second = SourceFile(
        "01-scarcity.md",
        SCARCITY[:start] + SCARCITY[end:] + PRODUCTION.replace(b"# ", b"## ", 1),
    )
    report = await service.ingest(owner, [second])
    assert [f.status for f in report.files] == ["ingested"], report.files
    titles = {c.title for c in await service.graph.concepts(owner)}
    assert "Opportunity Cost" not in titles
    assert "The Frontier" in titles
    assert not any(source == "Opportunity Cost" for source, _ in await term_edges(service, owner))
