"""Ingestion jobs on the real stack: who owns a job, recovery, shutdown, a bounded pool."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest

from tutor.config import ChromaSettings, IngestSettings
from tutor.db import EmbeddedPostgres, upgrade
from tutor.embeddings import FakeEmbeddings
from tutor.graph.postgres import PostgresGraphStore
from tutor.ingest.files import SourceFile
from tutor.ingest.jobs import INTERRUPTED, INTERRUPTED_BY_SHUTDOWN, IngestClosedError, IngestJobs
from tutor.ingest.parsing import FileParser
from tutor.ingest.prepare import PreparedFile
from tutor.ingest.service import Ingestor
from tutor.ingest.store import DocumentStore
from tutor.vectors import build_vector_store

pytestmark = pytest.mark.integration

NOTE = b"# Loops\n\nA loop repeats a block of code.\n"


class _GatedParser(FileParser):
    """The real parser, but each file waits until the test opens the gate."""

    def __init__(self, settings: IngestSettings) -> None:
        super().__init__(settings)
        self.gate = asyncio.Event()

    async def prepare(self, source: SourceFile) -> PreparedFile:
        await self.gate.wait()
        return await super().prepare(source)


@pytest.fixture
async def stack(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[asyncpg.Pool, list[Ingestor], UUID]]:
    await upgrade(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    owner = uuid4()
    await pool.execute("INSERT INTO users (id, name) VALUES ($1, 'ada')", owner)
    embeddings = FakeEmbeddings()
    vectors = build_vector_store(ChromaSettings(), tmp_path, embeddings)
    made: list[Ingestor] = []
    try:
        yield pool, made, owner
    finally:
        for ingestor in made:
            await ingestor.close()
        await vectors.close()
        await pool.close()


def _ingestor(
    pool: asyncpg.Pool, made: list[Ingestor], tmp_path: Path, **limits: float
) -> Ingestor:
    settings = IngestSettings(**limits)  # type: ignore[arg-type]
    embeddings = FakeEmbeddings()
    ingestor = Ingestor(
        DocumentStore(pool),
        PostgresGraphStore(pool),
        build_vector_store(ChromaSettings(), tmp_path, embeddings),
        embeddings,
        settings,
        _GatedParser(settings),
    )
    made.append(ingestor)
    return ingestor


def _gate(ingestor: Ingestor) -> asyncio.Event:
    assert isinstance(ingestor.parser, _GatedParser)
    return ingestor.parser.gate


async def _status(pool: asyncpg.Pool, job: UUID) -> tuple[str, list[str]]:
    row = await pool.fetchrow("SELECT status, files FROM ingest_jobs WHERE id = $1", job)
    return row["status"], [f.get("error") or f["status"] for f in json.loads(row["files"])]


async def _until(pool: asyncpg.Pool, job: UUID, status: str) -> None:
    async with asyncio.timeout(120):
        while (await _status(pool, job))[0] != status:
            await asyncio.sleep(0.05)


async def test_a_second_process_leaves_the_first_ones_running_jobs_alone(
    stack: tuple[asyncpg.Pool, list[Ingestor], UUID], tmp_path: Path
) -> None:
    pool, made, owner = stack
    first = IngestJobs(pool, _ingestor(pool, made, tmp_path))
    await first.recover()
    running = await first.start(owner, [SourceFile("loops.md", NOTE)])
    queued = await first.start(owner, [SourceFile("more.md", NOTE + b"\nmore\n")])
    await _until(pool, running, "running")

    second = IngestJobs(pool, _ingestor(pool, made, tmp_path))
    assert await second.recover() == 0
    assert (await _status(pool, running))[0] == "running"
    assert (await _status(pool, queued))[0] == "queued"

    _gate(made[0]).set()
    await first.wait()
    assert (await _status(pool, running))[0] == "done"
    assert (await _status(pool, queued))[0] == "done"
    await first.close()
    await second.close()


async def test_a_dead_workers_jobs_are_recovered_and_a_live_ones_are_not(
    stack: tuple[asyncpg.Pool, list[Ingestor], UUID], tmp_path: Path
) -> None:
    pool, made, owner = stack
    lease = 1.0
    alive = IngestJobs(pool, _ingestor(pool, made, tmp_path, job_lease_s=lease))
    await alive.recover()
    kept = await alive.start(owner, [SourceFile("loops.md", NOTE)])
    dying = IngestJobs(pool, _ingestor(pool, made, tmp_path, job_lease_s=lease))
    await dying.recover()
    other = uuid4()
    await pool.execute("INSERT INTO users (id, name) VALUES ($1, 'bo')", other)
    lost = await dying.start(other, [SourceFile("loops.md", NOTE)])
    await _until(pool, lost, "running")
    # The process dies: its tasks stop, nothing is written, its claim is no longer renewed.
    assert dying._upkeep is not None
    for task in [dying._upkeep, *dying._runners.values()]:
        task.cancel()
    await asyncio.sleep(0)

    async with asyncio.timeout(120):
        while (await _status(pool, lost))[0] != "failed":
            await asyncio.sleep(lease / 4)
    assert (await _status(pool, lost))[1] == [INTERRUPTED]
    # Several leases have passed: the live process kept its claim on its own job.
    assert (await _status(pool, kept))[0] in {"queued", "running"}
    _gate(made[0]).set()
    await alive.wait()
    assert (await _status(pool, kept))[0] == "done"
    await alive.close()


async def test_a_shutdown_stops_at_once_and_marks_unfinished_jobs(
    stack: tuple[asyncpg.Pool, list[Ingestor], UUID], tmp_path: Path
) -> None:
    pool, made, owner = stack
    jobs = IngestJobs(pool, _ingestor(pool, made, tmp_path))
    await jobs.recover()
    ids = [await jobs.start(owner, [SourceFile(f"n{i}.md", NOTE)]) for i in range(3)]
    await _until(pool, ids[0], "running")
    await jobs.close()  # the first job never gets past its gate: close must not wait
    for job in ids:
        assert await _status(pool, job) == ("failed", [INTERRUPTED_BY_SHUTDOWN])
    with pytest.raises(IngestClosedError, match="shutting down"):
        await jobs.start(owner, [SourceFile("late.md", NOTE)])


async def test_many_queued_jobs_leave_the_pool_free(
    stack: tuple[asyncpg.Pool, list[Ingestor], UUID], tmp_path: Path
) -> None:
    pool, made, owner = stack
    jobs = IngestJobs(pool, _ingestor(pool, made, tmp_path, concurrent_jobs=1))
    await jobs.recover()
    owners = [owner]
    for i in range(9):
        learner = uuid4()
        await pool.execute("INSERT INTO users (id, name) VALUES ($1, $2)", learner, f"l{i}")
        owners.append(learner)
    ids = [await jobs.start(o, [SourceFile("loops.md", NOTE)]) for o in owners]
    ids += [await jobs.start(owner, [SourceFile(f"n{i}.md", NOTE)]) for i in range(11)]
    await _until(pool, ids[0], "running")
    # Twenty jobs wait, one runs: the pool (4 connections) still serves every other query.
    async with asyncio.timeout(30):
        answers = await asyncio.gather(*(pool.fetchval("SELECT 1") for _ in range(8)))
    assert answers == [1] * 8
    _gate(made[0]).set()
    await jobs.wait()
    assert [(await _status(pool, job))[0] for job in ids] == ["done"] * len(ids)
    await jobs.close()


async def test_a_job_whose_database_went_away_does_not_stay_running(tmp_path: Path) -> None:
    # A server of its own, stopped and started again in the middle of a job.
    server = EmbeddedPostgres(tmp_path / "postgres")
    address = await asyncio.to_thread(server.start)
    made: list[Ingestor] = []
    try:
        admin = await asyncpg.connect(address.dsn("postgres"))
        await admin.execute('CREATE DATABASE "jobs"')
        await admin.close()
        url = address.dsn("jobs")
        await upgrade(url)
        pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
        owner = uuid4()
        await pool.execute("INSERT INTO users (id, name) VALUES ($1, 'ada')", owner)
        jobs = IngestJobs(pool, _ingestor(pool, made, tmp_path, job_lease_s=1.0))
        await jobs.recover()
        job = await jobs.start(owner, [SourceFile("loops.md", NOTE)])
        await _until(pool, job, "running")
        await asyncio.to_thread(server.stop)
        _gate(made[0]).set()  # the job goes on, and meets no database
        await jobs.wait()
        await asyncio.to_thread(server.start)
        # Its end could not be written; once its claim lapses, it is marked interrupted.
        async with asyncio.timeout(120):
            while True:
                try:
                    status = await _status(pool, job)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    status = ("unreachable", [])
                if status[0] == "failed":
                    break
                await asyncio.sleep(0.25)
        assert status[1] == [INTERRUPTED]
        assert await pool.fetchval("SELECT count(*) FROM documents") == 0
        await jobs.close()
        await pool.close()
    finally:
        for ingestor in made:
            await ingestor.close()
        await asyncio.to_thread(server.stop)
