"""Files parsed in worker processes: the time and memory budgets, and the workers' life."""

from __future__ import annotations

import asyncio

import pytest

from tutor.config import IngestSettings
from tutor.ingest.errors import IngestError, ParseBudgetError
from tutor.ingest.files import SourceFile
from tutor.ingest.parsing import FileParser

pytestmark = pytest.mark.integration

FINE = SourceFile("fine.md", b"# Fine\n\nA short note that parses at once.\n")
# Under every structural limit, yet slow: unclosed brackets, line after line.
SLOW = SourceFile("slow.md", (b"[" * 60 + b"\n") * 800)
# A list of many items: its parse tree takes far more memory than its text.
WIDE = SourceFile("wide.md", b"- a\n" * 300_000)


async def test_a_file_over_its_cpu_budget_is_refused_and_the_worker_goes_on() -> None:
    parser = FileParser(IngestSettings(parse_budget_s=0.5))
    try:
        with pytest.raises(ParseBudgetError, match=r"^slow\.md: .*budget of 0\.5 CPU seconds"):
            await parser.prepare(SLOW)
        prepared = await parser.prepare(FINE)
        assert prepared.parsed is not None and prepared.parsed.title == "Fine"
    finally:
        await parser.close()


async def test_a_file_over_its_memory_budget_is_refused_and_the_worker_goes_on() -> None:
    settings = IngestSettings(parse_memory_bytes=256 * 1024**2, parse_budget_s=600)
    parser = FileParser(settings)
    try:
        with pytest.raises(ParseBudgetError, match="TUTOR_INGEST_PARSE_MEMORY_BYTES"):
            await parser.prepare(WIDE)
        prepared = await parser.prepare(FINE)
        assert prepared.parsed is not None and prepared.parsed.title == "Fine"
    finally:
        await parser.close()


@pytest.mark.parametrize("after_s", [0.0, 2.0], ids=["handing-over", "reading"])
async def test_closing_stops_a_worker_in_the_middle_of_a_file(after_s: float) -> None:
    parser = FileParser(IngestSettings(parse_budget_s=600, max_brackets=10**7))
    endless = SourceFile("endless.md", (b"[" * 100 + b"\n") * 40_000)
    reading = asyncio.create_task(parser.prepare(endless))
    await asyncio.sleep(after_s)  # the file is being handed over, or being read
    assert not reading.done()
    await parser.close()
    # The worker is gone: the file fails at once instead of being read for minutes.
    with pytest.raises(IngestError, match=r"^endless\.md: .*shutting down"):
        async with asyncio.timeout(60):
            await reading
    with pytest.raises(IngestError, match="shutting down"):
        await parser.prepare(FINE)
