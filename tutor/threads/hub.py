"""The turns running in this process: numbered events, fan-out to connections, the log.

A turn runs as its own task, apart from any connection: a client that drops mid-turn
loses nothing, and one that reconnects is sent what it missed, then the rest live.
Events are numbered per thread as they are published, sent at once to the thread's
connections, and written to the log in batches every few tens of milliseconds (one
statement for all turns), so streaming many turns costs the database little.

Each process is a worker with an id, and holds an advisory lock on that id for as long
as it lives. A turn left running by a worker whose lock is free (it died, or the server
restarted) is closed as interrupted, with an error its clients see on resuming.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID, uuid4

import asyncpg

from tutor.api.protocol import DoneEvent, ErrorEvent, TurnEvent
from tutor.threads.store import ThreadBusyError, ThreadStore

_log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.05
"""How often published events are written to the log."""
_LOCK_KEY = "SELECT hashtextextended('tutor-worker:' || $1::text, 0)"


class Subscriber(Protocol):
    """A connection that receives a thread's events."""

    def deliver(self, seq: int, frame: str) -> None:
        """Queue one event frame for sending; must not block."""
        ...


@dataclass(eq=False)
class Turn:
    """One running turn."""

    id: UUID
    thread_id: UUID
    next_seq: int
    started: float = field(default_factory=time.perf_counter)
    log: list[tuple[int, str]] = field(default_factory=list)
    """Every event published so far, numbered, as sent."""
    tokens: int = 0
    task: asyncio.Task[None] | None = None
    ending: bool = False
    """Its ``done`` is numbered and may be with clients (replayed from the log) while the
    turn still records its end."""


Run = Callable[[Turn], Awaitable[None]]
"""What a turn does: publishes its events through the hub until it is done."""
Event = TurnEvent | ErrorEvent | DoneEvent


class TurnHub:
    """This process's running turns, one per thread at most."""

    def __init__(self, pool: asyncpg.Pool, store: ThreadStore, dsn: str) -> None:
        self._pool = pool
        self._dsn = dsn
        self._store = store
        self.worker = uuid4()
        self._turns: dict[UUID, Turn] = {}
        self._subscribers: dict[UUID, set[Subscriber]] = {}
        self._pending: list[tuple[UUID, int, UUID, str]] = []
        self._flush_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self._lease: asyncpg.Connection | None = None

    async def start(self) -> None:
        """Take this worker's lease, close turns of dead workers, start writing the log."""
        # A connection of its own, held for the worker's life: the lock lives with it.
        self._lease = await asyncpg.connect(self._dsn)
        key = await self._lease.fetchval(_LOCK_KEY, str(self.worker))
        await self._lease.execute("SELECT pg_advisory_lock($1)", key)
        await self.recover()
        self._flusher = asyncio.create_task(self._flush_forever())

    async def close(self) -> None:
        """Interrupt running turns, write what is left, give up the lease."""
        for turn in list(self._turns.values()):
            if turn.task is not None:
                turn.task.cancel()
        tasks = [t.task for t in self._turns.values() if t.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()
        if self._lease is not None:
            await self._lease.close()

    async def recover(self) -> int:
        """Close the running turns of workers that are gone; how many were closed."""
        closed = 0
        async with self._pool.acquire() as connection:
            for turn_id, thread_id, worker in await self._store.orphaned_turns(self.worker):
                key = await connection.fetchval(_LOCK_KEY, str(worker))
                # The lock is free only when the worker that ran the turn is gone.
                if await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    await connection.execute("SELECT pg_advisory_unlock($1)", key)
                    await self._store.close_interrupted(turn_id, thread_id)
                    closed += 1
        if closed:
            _log.warning("closed %d turn(s) left running by a stopped worker", closed)
        return closed

    def running(self, thread_id: UUID) -> Turn | None:
        """The turn running on the thread in this process, if any (one ending is not)."""
        turn = self._turns.get(thread_id)
        return None if turn is None or turn.ending else turn

    async def begin(self, thread_id: UUID, action: dict[str, Any], run: Run) -> Turn:
        """Start a turn on the thread.

        Raises:
            ThreadBusyError: a turn is already running on it (here or on another worker).
        """
        while (ending := self._turns.get(thread_id)) is not None and ending.ending:
            # A client that read its done may act at once; the turn's last writes are
            # brief, so the next turn waits for them rather than being refused.
            assert ending.task is not None
            await asyncio.wait([ending.task])
        if thread_id in self._turns:
            raise ThreadBusyError(f"a turn is running on thread {thread_id}")
        turn = Turn(uuid4(), thread_id, next_seq=0)
        # Claimed before the first await, so a second action right after this one is busy.
        self._turns[thread_id] = turn
        try:
            try:
                await self._store.start_turn(turn.id, thread_id, self.worker, action)
            except ThreadBusyError:
                if not await self.recover():
                    raise
                await self._store.start_turn(turn.id, thread_id, self.worker, action)
            turn.next_seq = await self._store.last_seq(thread_id) + 1
        except BaseException:
            del self._turns[thread_id]
            raise
        turn.task = asyncio.create_task(self._run(turn, run))
        return turn

    def publish(self, turn: Turn, event: Event) -> int:
        """Number the event, send it to the thread's connections, queue it for the log."""
        seq, frame = self._logged(turn, event)
        self._deliver(turn.thread_id, seq, frame)
        return seq

    def _logged(self, turn: Turn, event: Event) -> tuple[int, str]:
        seq = turn.next_seq
        turn.next_seq += 1
        frame = event.model_copy(update={"seq": seq}).model_dump_json()
        # PostgreSQL's jsonb refuses NUL; a model can write one. The client gets the same.
        frame = frame.replace("\\u0000", "")
        turn.log.append((seq, frame))
        self._pending.append((turn.thread_id, seq, turn.id, frame))
        return seq, frame

    def _deliver(self, thread_id: UUID, seq: int, frame: str) -> None:
        for subscriber in list(self._subscribers.get(thread_id, ())):
            subscriber.deliver(seq, frame)

    def attach(self, thread_id: UUID, after: int, subscriber: Subscriber) -> list[tuple[int, str]]:
        """Send the thread's events to ``subscriber`` from now on.

        Returns:
            The events after ``after`` that the running turn (if any) published so far:
            with what the log holds, the subscriber misses nothing.
        """
        self._subscribers.setdefault(thread_id, set()).add(subscriber)
        turn = self._turns.get(thread_id)
        return [] if turn is None else [(seq, frame) for seq, frame in turn.log if seq > after]

    def detach(self, thread_id: UUID, subscriber: Subscriber) -> None:
        """Stop sending the thread's events to ``subscriber``."""
        subscribers = self._subscribers.get(thread_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[thread_id]

    def interrupt(self, thread_id: UUID) -> bool:
        """Stop the thread's running turn now; False when none runs here."""
        turn = self._turns.get(thread_id)
        if turn is None or turn.task is None or turn.task.done():
            return False
        turn.task.cancel()
        return True

    async def flush(self) -> None:
        """Write the events published since the last flush.

        A batch the database refuses is written event by event, so one bad event (the
        log says which) costs only itself, never the others' place in the log.
        """
        async with self._flush_lock:
            batch, self._pending = self._pending, []
            try:
                await self._store.append(batch)
            except asyncpg.DataError:
                for event in batch:
                    try:
                        await self._store.append([event])
                    except asyncpg.DataError:
                        _log.exception("event %s of thread %s not logged", event[1], event[0])

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self.flush()
            except (OSError, asyncpg.PostgresError):
                _log.exception("could not write the event log; retrying")

    async def _run(self, turn: Turn, run: Run) -> None:
        status = "complete"
        try:
            await run(turn)
        except asyncio.CancelledError:
            status = "interrupted"
        except Exception:
            _log.exception("turn %s failed", turn.id)
            status = "failed"
            self.publish(
                turn,
                ErrorEvent(
                    code="internal", message="the turn failed; please try again", retryable=True
                ),
            )
        finally:
            elapsed_ms = round((time.perf_counter() - turn.started) * 1000, 1)
            done = DoneEvent(status=status, tokens=turn.tokens, elapsed_ms=elapsed_ms)
            seq, frame = self._logged(turn, done)
            turn.ending = True
            try:
                await self.flush()
            except (OSError, asyncpg.PostgresError):
                _log.exception("could not write the end of turn %s to the log", turn.id)
            try:
                await self._store.end_turn(turn.id, status)
            except (OSError, asyncpg.PostgresError):
                _log.exception("could not record the end of turn %s", turn.id)
            del self._turns[turn.thread_id]
            # Sent once the thread is free: a client may start the next turn on reading it.
            self._deliver(turn.thread_id, seq, frame)
