"""On the real stack: an index page orders the notes, and keeps ordering later uploads."""

from __future__ import annotations

from uuid import UUID

import pytest

from tests.integration import test_ingest_terms as terms_tests
from tests.unit.test_ingest_index_page import CHAPTERS, INDEX, _chapter
from tutor.ingest.files import SourceFile
from tutor.ingest.service import Ingestor

pytestmark = pytest.mark.integration

ingestor = terms_tests.ingestor
"""The real ingestion (PostgreSQL, Chroma, the embedding model) for one learner."""


async def _titles_in_order(service: Ingestor, owner: UUID) -> list[str]:
    concepts = sorted(await service.graph.concepts(owner), key=lambda c: c.position)
    chapters = {title for _, title in CHAPTERS.values()}
    return [c.title for c in concepts if c.title in chapters]


async def test_an_index_page_orders_the_notes_and_a_later_upload_keeps_its_place(
    ingestor: tuple[Ingestor, UUID],
) -> None:
    service, owner = ingestor
    files = [SourceFile(path, _chapter(*about).encode()) for path, about in CHAPTERS.items()]
    files.append(SourceFile("index.md", INDEX.encode()))
    await service.ingest(owner, files)
    in_book_order = [title for _, title in CHAPTERS.values()]
    assert await _titles_in_order(service, owner) == in_book_order

    # A new version of one chapter, uploaded alone, keeps its place in the book.
    link, title = CHAPTERS["part1/intro.md"]
    changed = _chapter(link, title) + "\nA second paragraph on why the course starts here.\n"
    report = await service.ingest(owner, [SourceFile("part1/intro.md", changed.encode())])
    assert [f.status for f in report.files] == ["ingested"]
    assert await _titles_in_order(service, owner) == in_book_order
