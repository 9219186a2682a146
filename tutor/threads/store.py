"""SQL of threads, their event log and their turns; every query is scoped by owner or thread."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from tutor.errors import DatabaseUnavailable, TutorError

INTERRUPTED_MESSAGE = "The server stopped during this turn; send the action again."
DATABASE_ERRORS = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    # A connection whose server died in the middle of a statement is left in a state the
    # driver refuses to use again; the pool replaces it.
    asyncpg.InternalClientError,
    DatabaseUnavailable,
)
"""What a query raises when the database is down, restarting, or its connection died."""
LoggedRow = tuple[UUID, int, UUID, str]
"""One event to log: (thread, seq, turn, event JSON)."""


class ThreadNotFoundError(TutorError):
    """No such thread for this learner (another learner's thread looks just like none)."""


class ThreadBusyError(TutorError):
    """A turn is already running on the thread."""


@dataclass(frozen=True)
class OpenedThread:
    """A thread a connection opened."""

    id: UUID
    last_seq: int
    """The number of the thread's latest logged event (0 when none)."""
    resumed: bool


@dataclass(frozen=True)
class LoggedEvent:
    """One event of the log, ready to send again."""

    seq: int
    turn_id: UUID
    event: dict[str, Any]


class ThreadStore:
    """Threads, events and turns in PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def open(self, owner: UUID, thread_id: UUID | None, *, new: bool = False) -> OpenedThread:
        """The thread asked for, else (unless ``new``) the learner's latest, else a new one.

        Raises:
            ThreadNotFoundError: ``thread_id`` is not one of the owner's threads.
        """
        if thread_id is None:
            if not new:
                thread_id = await self._pool.fetchval(
                    "SELECT id FROM threads WHERE owner_id = $1 ORDER BY updated_at DESC LIMIT 1",
                    owner,
                )
            if thread_id is None:
                created: UUID = await self._pool.fetchval(
                    "INSERT INTO threads (owner_id) VALUES ($1) RETURNING id", owner
                )
                return OpenedThread(created, 0, False)
        elif not await self._pool.fetchval(
            "SELECT EXISTS (SELECT 1 FROM threads WHERE id = $1 AND owner_id = $2)",
            thread_id,
            owner,
        ):
            raise ThreadNotFoundError(f"no thread {thread_id}")
        return OpenedThread(thread_id, await self.last_seq(thread_id), True)

    async def last_seq(self, thread_id: UUID) -> int:
        """The number of the thread's latest logged event (0 when none)."""
        value = await self._pool.fetchval(
            "SELECT coalesce(max(seq), 0) FROM thread_events WHERE thread_id = $1", thread_id
        )
        return int(value)

    async def events_since(self, thread_id: UUID, seq: int, limit: int) -> list[LoggedEvent]:
        """The thread's logged events after ``seq``, oldest first (at most ``limit``)."""
        rows = await self._pool.fetch(
            "SELECT seq, turn_id, event FROM thread_events WHERE thread_id = $1 AND seq > $2 "
            "ORDER BY seq LIMIT $3",
            thread_id,
            seq,
            limit,
        )
        return [LoggedEvent(r["seq"], r["turn_id"], json.loads(r["event"])) for r in rows]

    async def write(
        self,
        events: Sequence[LoggedRow],
        worker: UUID,
        *,
        ending: tuple[UUID, str] | None = None,
    ) -> set[UUID]:
        """Log the events of turns ``worker`` still runs, and record one turn's end.

        One statement: it holds the rows of the turns concerned while it writes, so a
        worker that closes one of them as interrupted (it found this worker's lock free)
        does so either before (the turn's events are not written) or after (its error is
        numbered after them), never in between.

        Args:
            events: Each (thread, seq, turn, event JSON), in order.
            worker: The worker writing.
            ending: A turn of these (or one without events left) and the status it ended
                with, recorded with its events.

        Returns:
            The turns concerned that were still running on ``worker``; the events of the
            others were not written (and their end not recorded).
        """
        turn_ids = {turn for _, _, turn, _ in events}
        if ending is not None:
            turn_ids.add(ending[0])
        if not turn_ids:
            return set()
        threads, seqs, turns, bodies = zip(*events, strict=True) if events else ((), (), (), ())
        rows = await self._pool.fetch(
            """
            WITH owned AS (
                SELECT id FROM turns
                WHERE id = ANY($5::uuid[]) AND status = 'running' AND worker = $6
                FOR UPDATE
            ), logged AS (
                INSERT INTO thread_events (thread_id, seq, turn_id, event)
                SELECT e.thread_id, e.seq, e.turn_id, e.body::jsonb
                FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[])
                    AS e (thread_id, seq, turn_id, body)
                WHERE e.turn_id IN (SELECT id FROM owned)
                -- A write retried after its answer was lost finds its own rows.
                ON CONFLICT DO NOTHING
            ), ended AS (
                UPDATE turns SET status = $8, ended_at = now()
                WHERE id = $7 AND id IN (SELECT id FROM owned)
            )
            SELECT id FROM owned
            """,
            list(threads),
            list(seqs),
            list(turns),
            list(bodies),
            list(turn_ids),
            worker,
            ending[0] if ending is not None else None,
            ending[1] if ending is not None else None,
        )
        return {row["id"] for row in rows}

    async def start_turn(
        self, turn_id: UUID, thread_id: UUID, worker: UUID, action: dict[str, Any]
    ) -> None:
        """Record a running turn.

        Raises:
            ThreadBusyError: a turn is already running on the thread (on any worker).
        """
        async with self._pool.acquire() as connection, connection.transaction():
            try:
                await connection.execute(
                    "INSERT INTO turns (id, thread_id, worker, action) VALUES ($1, $2, $3, $4)",
                    turn_id,
                    thread_id,
                    worker,
                    json.dumps(action),
                )
            except asyncpg.UniqueViolationError:
                raise ThreadBusyError(f"a turn is running on thread {thread_id}") from None
            await connection.execute(
                "UPDATE threads SET updated_at = now() WHERE id = $1", thread_id
            )

    async def running_turn(self, thread_id: UUID) -> tuple[UUID, UUID] | None:
        """The thread's running turn (id, worker), if any, on any worker."""
        row = await self._pool.fetchrow(
            "SELECT id, worker FROM turns WHERE thread_id = $1 AND status = 'running'", thread_id
        )
        return None if row is None else (row["id"], row["worker"])

    async def orphaned_turns(self, alive: UUID) -> list[tuple[UUID, UUID, UUID]]:
        """Running turns (id, thread, worker) of workers other than ``alive``."""
        rows = await self._pool.fetch(
            "SELECT id, thread_id, worker FROM turns WHERE status = 'running' AND worker <> $1",
            alive,
        )
        return [(r["id"], r["thread_id"], r["worker"]) for r in rows]

    async def close_interrupted(self, turn_id: UUID, thread_id: UUID) -> list[LoggedEvent]:
        """End a turn its worker did not finish: log an error and ``done`` for clients.

        Returns:
            The two events logged; none when the turn was not running any more.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            # Waits for a write of the turn's events under way; then numbers after them.
            updated = await connection.execute(
                "UPDATE turns SET status = 'interrupted', ended_at = now() "
                "WHERE id = $1 AND status = 'running'",
                turn_id,
            )
            if updated != "UPDATE 1":
                return []
            last = await connection.fetchval(
                "SELECT coalesce(max(seq), 0) FROM thread_events WHERE thread_id = $1",
                thread_id,
            )
            error = {
                "v": 1,
                "type": "error",
                "seq": last + 1,
                "code": "interrupted",
                "message": INTERRUPTED_MESSAGE,
                "retryable": True,
            }
            done = {
                "v": 1,
                "type": "done",
                "seq": last + 2,
                "status": "interrupted",
                "tokens": 0,
                "elapsed_ms": 0.0,
            }
            await connection.executemany(
                "INSERT INTO thread_events (thread_id, seq, turn_id, event) "
                "VALUES ($1, $2, $3, $4::jsonb)",
                [(thread_id, event["seq"], turn_id, json.dumps(event)) for event in (error, done)],
            )
        return [LoggedEvent(event["seq"], turn_id, event) for event in (error, done)]

    async def save_feedback(self, owner: UUID, lesson_id: UUID, rating: int, comment: str) -> bool:
        """Store a rating of one of the learner's lessons; False when there is no such lesson."""
        row = await self._pool.fetchrow(
            """
            INSERT INTO lesson_feedback (lesson_id, owner_id, rating, comment)
            SELECT id, owner_id, $3, $4 FROM lessons WHERE id = $1 AND owner_id = $2
            ON CONFLICT (lesson_id, owner_id) DO UPDATE SET
                rating = EXCLUDED.rating, comment = EXCLUDED.comment, updated_at = now()
            RETURNING lesson_id
            """,
            lesson_id,
            owner,
            rating,
            comment,
        )
        return row is not None
