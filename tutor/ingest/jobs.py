"""Background ingestion jobs: an upload returns at once; its progress is a row to read.

One job per owner runs at a time, across every process, under a PostgreSQL advisory lock
held for the job's length; later jobs wait their turn. A job interrupted by a shutdown is
marked failed with the reason, since its files lived only in memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from tutor.ingest.files import SourceFile
from tutor.ingest.service import FileOutcome, Ingestor, IngestReport

_log = logging.getLogger(__name__)
_LOCK_NAMESPACE = 7302
"""First half of the advisory lock key of an owner's ingestion (the owner is the second)."""


@dataclass(frozen=True)
class JobStatus:
    """A job as the API shows it."""

    id: UUID
    status: str
    files: list[dict[str, Any]]
    files_total: int
    files_done: int
    chunks_total: int
    chunks_embedded: int
    cycles_broken: list[dict[str, Any]]
    created_at: datetime
    finished_at: datetime | None


class IngestJobs:
    """Starts jobs, runs them in the background, and reads their progress."""

    def __init__(self, pool: asyncpg.Pool, ingestor: Ingestor) -> None:
        self._pool = pool
        self._ingestor = ingestor
        self._tasks: set[asyncio.Task[None]] = set()

    async def recover(self) -> int:
        """Mark jobs left running by a stopped process as failed; how many there were."""
        status = await self._pool.execute(
            """
            UPDATE ingest_jobs SET status = 'failed', finished_at = now(),
                   files = (SELECT coalesce(jsonb_agg(CASE WHEN f->>'status' = 'queued'
                       THEN f || jsonb_build_object('status', 'failed', 'error', $1::text)
                       ELSE f END), '[]') FROM jsonb_array_elements(files) f)
            WHERE status IN ('queued', 'running')
            """,
            "interrupted by a restart; upload it again",
        )
        return int(status.split()[-1])

    async def start(
        self, owner: UUID, sources: Sequence[SourceFile], rejected: Sequence[FileOutcome] = ()
    ) -> UUID:
        """Record a job for ``sources`` and run it in the background; its id."""
        files = [asdict(o) for o in rejected] + [
            {
                "path": s.path,
                "status": "queued",
                "error": None,
                "document_id": None,
                "chunks": 0,
                "concepts": 0,
            }
            for s in sources
        ]
        job_id: UUID = await self._pool.fetchval(
            "INSERT INTO ingest_jobs (owner_id, files) VALUES ($1, $2::jsonb) RETURNING id",
            owner,
            json.dumps(files, default=str),
        )
        task = asyncio.create_task(self._run(owner, job_id, list(sources)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job_id

    async def get(self, owner: UUID, job_id: UUID) -> JobStatus | None:
        """A job of ``owner``, or None (also for another owner's job)."""
        row = await self._pool.fetchrow(
            "SELECT * FROM ingest_jobs WHERE owner_id = $1 AND id = $2", owner, job_id
        )
        if row is None:
            return None
        files = json.loads(row["files"])
        return JobStatus(
            id=row["id"],
            status=row["status"],
            files=files,
            files_total=len(files),
            files_done=sum(f["status"] != "queued" for f in files),
            chunks_total=row["chunks_total"],
            chunks_embedded=row["chunks_embedded"],
            cycles_broken=json.loads(row["cycles_broken"]),
            created_at=row["created_at"],
            finished_at=row["finished_at"],
        )

    async def wait(self) -> None:
        """Wait for every running job (tests, and a graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Cancel running jobs; they are marked failed as interrupted."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, owner: UUID, job_id: UUID, sources: list[SourceFile]) -> None:
        try:
            async with self._pool.acquire() as lock:
                await lock.execute(
                    "SELECT pg_advisory_lock($1, hashtext($2))", _LOCK_NAMESPACE, str(owner)
                )
                try:
                    await self._pool.execute(
                        "UPDATE ingest_jobs SET status = 'running' WHERE id = $1", job_id
                    )
                    report = await self._ingestor.ingest(
                        owner, sources, progress=lambda o, n: self._progress(job_id, o, n)
                    )
                    await self._finish(job_id, report)
                finally:
                    await lock.execute(
                        "SELECT pg_advisory_unlock($1, hashtext($2))", _LOCK_NAMESPACE, str(owner)
                    )
        except asyncio.CancelledError:
            await self._fail(job_id, "interrupted by a shutdown; upload it again")
            raise
        except Exception as error:
            _log.exception("ingest job %s failed", job_id)
            await self._fail(job_id, f"ingestion failed: {error}")

    async def _progress(self, job_id: UUID, outcome: FileOutcome | None, embedded: int) -> None:
        if outcome is None:
            await self._pool.execute(
                "UPDATE ingest_jobs SET chunks_embedded = $2 WHERE id = $1", job_id, embedded
            )
            return
        await self._pool.execute(
            """
            UPDATE ingest_jobs SET chunks_embedded = $3, chunks_total = chunks_total + $4,
                   files = (SELECT jsonb_agg(CASE WHEN f->>'path' = $2 AND f->>'status' = 'queued'
                                                  THEN $5::jsonb ELSE f END)
                            FROM jsonb_array_elements(files) f)
            WHERE id = $1
            """,
            job_id,
            outcome.path,
            embedded,
            outcome.chunks,
            json.dumps(asdict(outcome), default=str),
        )

    async def _finish(self, job_id: UUID, report: IngestReport) -> None:
        await self._pool.execute(
            """
            UPDATE ingest_jobs SET status = 'done', finished_at = now(),
                   cycles_broken = $2::jsonb WHERE id = $1
            """,
            job_id,
            json.dumps(report.cycles_broken),
        )

    async def _fail(self, job_id: UUID, reason: str) -> None:
        await self._pool.execute(
            """
            UPDATE ingest_jobs SET status = 'failed', finished_at = now(),
                   files = (SELECT coalesce(jsonb_agg(CASE WHEN f->>'status' = 'queued'
                       THEN f || jsonb_build_object('status', 'failed', 'error', $2::text)
                       ELSE f END), '[]') FROM jsonb_array_elements(files) f)
            WHERE id = $1
            """,
            job_id,
            reason,
        )
