"""Background ingestion jobs: an upload returns at once; its progress is a row to read.

Jobs wait in this process, in a queue per owner, and hold no database connection while
they wait: at most ``concurrent_jobs`` run at once, and one owner's jobs run one after
another (across processes too, under the owner's lock in
:meth:`~tutor.ingest.store.DocumentStore.ingest_lock`). So however many uploads arrive,
ingestion uses a bounded share of the pool and the other routes keep theirs.

Each job row names the process that owns it, which renews the claim (``heartbeat_at``)
while the job waits or runs. A job whose claim has lapsed for ``job_lease_s`` belongs to
a process that died or lost the database: any process marks it failed, as interrupted.
A shutdown marks its own unfinished jobs the same way at once. Either way the learner is
told to upload the files again (they lived only in memory); files already ingested stay,
and come back as unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from tutor.errors import TutorError
from tutor.ingest.files import SourceFile
from tutor.ingest.service import FileOutcome, Ingestor, IngestReport

_log = logging.getLogger(__name__)
_SHUTDOWN_TIMEOUT_S = 5.0
"""How long a shutdown waits for the database to record its interrupted jobs."""
_RENEWALS_PER_LEASE = 4
INTERRUPTED_BY_SHUTDOWN = "interrupted by a shutdown; upload it again"
INTERRUPTED = "interrupted: the server stopped while ingesting it; upload it again"


class IngestClosedError(TutorError):
    """The service is shutting down and takes no new uploads."""


class IngestBusyError(TutorError):
    """The learner's uploads waiting for ingestion already fill their share."""


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


@dataclass(frozen=True)
class _Job:
    id: UUID
    sources: list[SourceFile]


class IngestJobs:
    """Queues jobs, runs them a few at a time, and reads their progress."""

    def __init__(self, pool: asyncpg.Pool, ingestor: Ingestor) -> None:
        self._pool = pool
        self._ingestor = ingestor
        settings = ingestor.settings
        self._lease_s = settings.job_lease_s
        self._max_waiting_bytes = settings.max_waiting_bytes
        self._slots = asyncio.Semaphore(settings.concurrent_jobs)
        self._queues: dict[UUID, deque[_Job]] = {}
        self._runners: dict[UUID, asyncio.Task[None]] = {}
        self._upkeep: asyncio.Task[None] | None = None
        self._closing = False
        self.worker_id = uuid4()
        """This process's claim on its jobs."""

    async def recover(self) -> int:
        """Mark interrupted the jobs of processes that stopped; how many there were.

        From now on this process renews its own jobs' claims and, as often, recovers
        other processes' lapsed jobs.
        """
        recovered = await self._recover_lapsed()
        if self._upkeep is None:
            self._upkeep = asyncio.create_task(self._keep_up())
        return recovered

    async def start(
        self, owner: UUID, sources: Sequence[SourceFile], rejected: Sequence[FileOutcome] = ()
    ) -> UUID:
        """Record a job for ``sources`` and queue it; its id.

        Raises:
            IngestClosedError: The service is shutting down.
            IngestBusyError: The owner's waiting uploads would pass ``max_waiting_bytes``.
        """
        if self._closing:
            raise IngestClosedError("the server is shutting down; upload the files again soon")
        # Waiting files are held in memory: without a cap, one learner's uploads could
        # fill it.
        waiting = sum(len(s.data) for job in self._queues.get(owner, ()) for s in job.sources)
        size = sum(len(s.data) for s in sources)
        if waiting and waiting + size > self._max_waiting_bytes:
            raise IngestBusyError(
                f"{waiting:,} bytes of your uploads are still waiting to be ingested, and "
                f"{size:,} more would pass the limit of {self._max_waiting_bytes:,} bytes "
                "(TUTOR_INGEST_MAX_WAITING_BYTES); upload again once some are done"
            )
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
            """
            INSERT INTO ingest_jobs (owner_id, files, worker_id, heartbeat_at)
            VALUES ($1, $2::jsonb, $3, now()) RETURNING id
            """,
            owner,
            json.dumps(files, default=str),
            self.worker_id,
        )
        self._queues.setdefault(owner, deque()).append(_Job(job_id, list(sources)))
        if owner not in self._runners:
            self._runners[owner] = asyncio.create_task(self._drain(owner))
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
        """Wait until every queued and running job has ended (tests, maintenance)."""
        while self._runners:
            await asyncio.gather(*list(self._runners.values()), return_exceptions=True)

    async def close(self) -> None:
        """Stop at once: cancel every job and mark the unfinished ones interrupted."""
        self._closing = True
        tasks = list(self._runners.values())
        if self._upkeep is not None:
            tasks.append(self._upkeep)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            async with asyncio.timeout(_SHUTDOWN_TIMEOUT_S):
                await self._pool.execute(
                    _FAIL + "WHERE worker_id = $1 AND status IN ('queued', 'running')",
                    self.worker_id,
                    INTERRUPTED_BY_SHUTDOWN,
                )
        except Exception:  # the database is gone, or too slow to answer
            # Their claims lapse instead; the next process marks them.
            _log.warning("could not mark unfinished ingest jobs as interrupted", exc_info=True)

    async def _drain(self, owner: UUID) -> None:
        queue = self._queues[owner]
        try:
            while queue:
                await self._run(owner, queue[0])
                queue.popleft()
        finally:
            # No await since the queue was last seen empty: a job started now finds no
            # runner and starts one.
            del self._runners[owner]
            if not queue:
                del self._queues[owner]

    async def _run(self, owner: UUID, job: _Job) -> None:
        try:
            async with self._slots:
                await self._pool.execute(
                    "UPDATE ingest_jobs SET status = 'running' WHERE id = $1", job.id
                )
                report = await self._ingestor.ingest(
                    owner, job.sources, progress=lambda o, n: self._progress(job.id, o, n)
                )
                await self._finish(job.id, report)
        except asyncio.CancelledError:
            raise  # a shutdown: close() marks every unfinished job at once
        except Exception as error:
            _log.exception("ingest job %s failed", job.id)
            try:
                await self._pool.execute(_FAIL + "WHERE id = $1", job.id, _failure(error))
            except Exception:  # the database is gone too
                # Its claim is no longer renewed, so it is recovered once that lapses.
                _log.warning("could not record the failure of ingest job %s", job.id)

    async def _keep_up(self) -> None:
        while True:
            await asyncio.sleep(self._lease_s / _RENEWALS_PER_LEASE)
            try:
                await self._renew()
                await self._recover_lapsed()
            except Exception:  # the database is gone: try again next time
                _log.warning("could not renew ingest job claims", exc_info=True)

    async def _renew(self) -> None:
        # Only the jobs still queued here: a job whose end could not be recorded must
        # lapse, or it would look alive forever.
        ids = [job.id for queue in self._queues.values() for job in queue]
        if ids:
            await self._pool.execute(
                "UPDATE ingest_jobs SET heartbeat_at = now() "
                "WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')",
                ids,
            )

    async def _recover_lapsed(self) -> int:
        status = await self._pool.execute(
            _FAIL
            + """
            WHERE status IN ('queued', 'running')
              AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $1))
            """,
            self._lease_s,
            INTERRUPTED,
        )
        recovered = int(status.split()[-1])
        if recovered:
            _log.warning("marked %d ingest job(s) of a stopped process interrupted", recovered)
        return recovered

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


_FAIL = """
    UPDATE ingest_jobs SET status = 'failed', finished_at = now(),
           files = (SELECT coalesce(jsonb_agg(CASE WHEN f->>'status' = 'queued'
               THEN f || jsonb_build_object('status', 'failed', 'error', $2::text)
               ELSE f END), '[]') FROM jsonb_array_elements(files) f)
"""
"""Marks jobs failed, and their files not yet done with the reason ($2)."""


def _failure(error: Exception) -> str:
    return f"ingestion failed: {error}"
