"""The turns running in this process: numbered events, the log, fan-out to connections.

A turn runs as its own task, apart from any connection: a client that drops mid-turn
loses nothing, and one that reconnects is sent what it missed, then the rest live.

**Clients see only what the log holds.** An event is numbered when a turn publishes it
and queued for the thread's log; it goes to the thread's connections once it is written.
One writer writes whatever is queued, for every turn at once, as soon as the previous
write is done: an idle server writes each event at once, a busy one in large batches. A
write the database refuses for want of a connection keeps its events queued, in order,
and is tried again until it succeeds; meanwhile clients wait rather than run ahead of
the log. So:

- a client resuming from its last seq finds every later event in the log;
- a turn numbers its events after the log's last seq, which is the last any client can
  have seen: no seq is ever given to two events a client could see. Events still queued
  when the process dies die with it, unseen, and their numbers are free again;
- a turn closed as interrupted gets the next seqs after the log's: new to every client.

**Owning a turn.** A running turn is a row naming the worker (process) that runs it;
each worker holds an advisory lock on its own id on a connection of its own, its lease,
and takes it again when the database comes back. A worker whose lock is free is gone.
Events are written only for turns still running on their worker, by a statement that
holds the turns' rows while it writes, and a turn's end is recorded by the statement that
writes its last events. A running turn whose worker is gone is closed as interrupted by
whoever comes across it: a starting worker, an action on its thread, or ``interrupt``.
Should that befall a turn this process still runs (its lease went with the database and
another process came first), the turn's queued events are dropped, its task cancelled,
and the thread's connections are sent what the log holds instead.

A turn that cannot record its end while the database is away keeps its thread until it
can; its ``done`` is sent only then, once the thread is free.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from uuid import UUID, uuid4

import asyncpg
from pydantic_core import PydanticSerializationError

from tutor.api.protocol import DoneEvent, ErrorEvent, TurnEvent
from tutor.threads.sockets import CREDENTIALS_CHANNEL, SocketRegistry
from tutor.threads.store import (
    DATABASE_ERRORS,
    LoggedEvent,
    LoggedRow,
    ThreadBusyError,
    ThreadStore,
)

_log = logging.getLogger(__name__)

RETRY_S = 0.2
"""First wait before writing again after the database refused; doubles up to ``MAX_RETRY_S``."""
MAX_RETRY_S = 2.0
LEASE_CHECK_S = 1.0
"""How often the writer checks, when idle, that this worker still holds its lease."""
END_ATTEMPTS = 3
"""Tries at ending a turn that fails otherwise than for want of the database."""
ENDING_WAIT_S = 2.0
"""How long a new action waits for the previous turn of its thread to record its end."""
REPLAY_LIMIT = 10_000
_LOCK_KEY = "SELECT hashtextextended('tutor-worker:' || $1::text, 0)"
_UNSTORABLE = "this part of the reply could not be stored"


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
    """Every event written so far, numbered, as sent."""
    tokens: int = 0
    task: asyncio.Task[None] | None = None
    ending: bool = False
    """Its ``done`` is numbered; the turn is writing its end and runs no more."""
    final: tuple[int, str] | None = None
    """Its ``done`` (seq, frame), written with the record of its end."""
    status: Status = "complete"
    """How it ended (once ``ending``)."""
    lost: bool = False
    """Closed by another worker while this one could not reach the database."""


class _Holder:
    """Holds what is delivered while a new subscriber reads the log."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, str]] = []

    def deliver(self, seq: int, frame: str) -> None:
        self.frames.append((seq, frame))


@dataclass
class _Queued:
    turn: Turn
    seq: int
    frame: str


Status = Literal["complete", "interrupted", "failed"]
Run = Callable[[Turn], Awaitable[None]]
"""What a turn does: publishes its events through the hub until it is done."""
Event = TurnEvent | ErrorEvent | DoneEvent


class TurnHub:
    """This process's running turns (one per thread at most) and its open connections."""

    def __init__(self, pool: asyncpg.Pool, store: ThreadStore, dsn: str) -> None:
        self._pool = pool
        self._dsn = dsn
        self._store = store
        self.worker = uuid4()
        self.sockets = SocketRegistry()
        """The open connections; told when a learner's credentials change."""
        self._turns: dict[UUID, Turn] = {}
        self._subscribers: dict[UUID, set[Subscriber]] = {}
        self._pending: list[_Queued] = []
        self._queued = asyncio.Event()
        self._stopping = asyncio.Event()
        self._write_lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self._lease: asyncpg.Connection | None = None

    # -- life -----------------------------------------------------------------------

    async def start(self) -> None:
        """Take this worker's lease, close turns of dead workers, start writing the log."""
        await self._take_lease()
        await self.recover()
        self._writer = asyncio.create_task(self._write_forever())

    async def close(self) -> None:
        """Interrupt running turns, write what is left, give up the lease.

        A turn that cannot write its end now (the database is away) is left running in
        the database; the next worker to start closes it as interrupted.
        """
        self._stopping.set()
        for turn in list(self._turns.values()):
            if turn.task is not None and not turn.ending:
                turn.task.cancel()
        tasks = [t.task for t in self._turns.values() if t.task is not None]
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        try:
            await self.flush()
        except DATABASE_ERRORS as error:
            _log.warning(
                "%d event(s) not written to the log at shutdown: %s", len(self._pending), error
            )
        if self._lease is not None:
            self._lease.terminate()

    async def _take_lease(self) -> None:
        # A connection of its own, held for the worker's life: the lock lives with it.
        lease = await asyncpg.connect(self._dsn)
        try:
            key = await lease.fetchval(_LOCK_KEY, str(self.worker))
            await lease.execute("SELECT pg_advisory_lock($1)", key)
            await lease.add_listener(CREDENTIALS_CHANNEL, self._credentials_notice)
        except BaseException:
            lease.terminate()
            raise
        self._lease = lease

    async def _keep_lease(self) -> None:
        """Take the lease again if its connection died (the database went away)."""
        if self._lease is not None and not self._lease.is_closed():
            return
        if self._lease is not None:
            self._lease.terminate()
            self._lease = None
        await self._take_lease()
        _log.warning("the database is back; worker %s holds its lease again", self.worker)

    def _credentials_notice(
        self, connection: object, pid: int, channel: str, payload: object
    ) -> None:
        self.sockets.notified(str(payload))

    async def _alive(self, worker: UUID) -> bool:
        """Whether a worker still holds its lease."""
        if worker == self.worker:
            return True
        async with self._pool.acquire() as connection:
            key = await connection.fetchval(_LOCK_KEY, str(worker))
            # The lock is free only when the worker that holds it is gone.
            if await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):
                await connection.execute("SELECT pg_advisory_unlock($1)", key)
                return False
        return True

    async def recover(self) -> int:
        """Close the running turns of workers that are gone; how many were closed."""
        closed = 0
        for turn_id, thread_id, worker in await self._store.orphaned_turns(self.worker):
            if not await self._alive(worker):
                closed += bool(await self._close_interrupted(turn_id, thread_id))
        if closed:
            _log.warning("closed %d turn(s) left running by a stopped worker", closed)
        return closed

    async def _reclaim(self, thread_id: UUID) -> bool:
        """Close the thread's running turn if nobody runs it any more; whether one was."""
        running = await self._store.running_turn(thread_id)
        if running is None:
            return False
        turn_id, worker = running
        if worker == self.worker:
            # This worker's, yet not among its turns: its task is gone.
            if any(turn.id == turn_id for turn in self._turns.values()):
                return False
            # What it said before is kept: written first, then the error after it.
            await self.flush()
        elif await self._alive(worker):
            return False
        return bool(await self._close_interrupted(turn_id, thread_id))

    async def _close_interrupted(self, turn_id: UUID, thread_id: UUID) -> list[LoggedEvent]:
        logged = await self._store.close_interrupted(turn_id, thread_id)
        for event in logged:
            self._deliver(thread_id, event.seq, _dumps(event.event))
        return logged

    # -- turns ----------------------------------------------------------------------

    def running(self, thread_id: UUID) -> Turn | None:
        """The turn running on the thread in this process, if any (one ending is not)."""
        turn = self._turns.get(thread_id)
        return None if turn is None or turn.ending else turn

    async def begin(self, thread_id: UUID, action: dict[str, Any], run: Run) -> Turn:
        """Start a turn on the thread.

        Raises:
            ThreadBusyError: a turn is running on it (here or on a worker still alive).
        """
        ending = self._turns.get(thread_id)
        if ending is not None and ending.ending and ending.task is not None:
            # A client that read its done from the log may act before the turn has heard
            # back from the database; its end is a moment away, unless the database is.
            await asyncio.wait([ending.task], timeout=ENDING_WAIT_S)
        if thread_id in self._turns:
            raise ThreadBusyError(f"a turn is running on thread {thread_id}")
        turn = Turn(uuid4(), thread_id, next_seq=0)
        # Claimed before the first await, so a second action right after this one is busy.
        self._turns[thread_id] = turn
        try:
            try:
                await self._store.start_turn(turn.id, thread_id, self.worker, action)
            except ThreadBusyError:
                if not await self._reclaim(thread_id):
                    raise
                await self._store.start_turn(turn.id, thread_id, self.worker, action)
            turn.next_seq = await self._store.last_seq(thread_id) + 1
        except BaseException:
            del self._turns[thread_id]
            raise
        turn.task = asyncio.create_task(self._run(turn, run))
        return turn

    def publish(self, turn: Turn, event: Event) -> int:
        """Number the event and queue it; it goes to connections once it is written."""
        if turn.lost:
            return 0
        seq = turn.next_seq
        turn.next_seq += 1
        self._pending.append(_Queued(turn, seq, _frame(event, seq)))
        self._queued.set()
        return seq

    async def interrupt(self, thread_id: UUID) -> bool:
        """Stop the thread's turn now; False when none runs (here or anywhere).

        A turn of this process is cancelled (one already ending just ends). A turn left
        running by a worker that is gone is closed as interrupted at once.
        """
        turn = self._turns.get(thread_id)
        if turn is not None:
            if not turn.ending and turn.task is not None:
                turn.task.cancel()
            return True
        return await self._reclaim(thread_id)

    async def _run(self, turn: Turn, run: Run) -> None:
        status: Status = "complete"
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
            if not turn.lost:
                await self._end(turn, status)

    async def _end(self, turn: Turn, status: Status) -> None:
        """Write the turn's last events and its end, trying until the database takes them."""
        elapsed_ms = round((time.perf_counter() - turn.started) * 1000, 1)
        done = DoneEvent(status=status, tokens=turn.tokens, elapsed_ms=elapsed_ms)
        turn.final = (turn.next_seq, _frame(done, turn.next_seq))
        turn.next_seq += 1
        turn.status = status
        turn.ending = True
        delay = RETRY_S
        strange = 0
        while not turn.lost:
            try:
                await self.flush(ending=turn)
                return
            except DATABASE_ERRORS as error:
                if self._stopping.is_set():
                    _log.warning("turn %s left for recovery: %s", turn.id, error)
                    self._forget(turn)
                    return
                _log.log(
                    logging.DEBUG if delay > RETRY_S else logging.WARNING,
                    "could not write the end of turn %s (%s); retrying until it works",
                    turn.id,
                    error,
                )
            except Exception:
                strange += 1
                _log.exception("could not end turn %s (attempt %d)", turn.id, strange)
                if strange >= END_ATTEMPTS or self._stopping.is_set():
                    # Not the database being away, and not passing: the thread is let go.
                    # Its turn, running in the database on no task of this worker, is
                    # closed as interrupted by the next action on the thread.
                    self._forget(turn)
                    return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=delay)
            delay = min(delay * 2, MAX_RETRY_S)

    def _forget(self, turn: Turn) -> None:
        if self._turns.get(turn.thread_id) is turn:
            del self._turns[turn.thread_id]

    # -- connections ----------------------------------------------------------------

    def attach(self, thread_id: UUID, after: int, subscriber: Subscriber) -> list[tuple[int, str]]:
        """Send the thread's events to ``subscriber`` from now on.

        Returns:
            The events after ``after`` that the running turn (if any) wrote so far: with
            what the log held a moment ago, the subscriber misses nothing.
        """
        self._subscribers.setdefault(thread_id, set()).add(subscriber)
        turn = self._turns.get(thread_id)
        return [] if turn is None else [(seq, frame) for seq, frame in turn.log if seq > after]

    async def subscribe(
        self, thread_id: UUID, after: int, subscriber: Subscriber
    ) -> list[tuple[int, str]]:
        """Send the thread's events to ``subscriber`` from now on; the ones it missed.

        Returns:
            Every event after ``after`` so far, in order: from the log, from the running
            turn, and any written while the log was read. Give them to the subscriber
            before anything else; what follows comes live.
        """
        early = _Holder()
        # Listening before reading: an event written during the read is held, not lost,
        # even if its turn ends meanwhile.
        self._subscribers.setdefault(thread_id, set()).add(early)
        try:
            logged = await self._store.events_since(thread_id, after, REPLAY_LIMIT)
        finally:
            self.detach(thread_id, early)
        frames = {event.seq: _dumps(event.event) for event in logged}
        turn = self._turns.get(thread_id)
        if turn is not None:
            frames.update((seq, frame) for seq, frame in turn.log if seq > after)
        frames.update((seq, frame) for seq, frame in early.frames if seq > after)
        # No await since the read: nothing was delivered that is not among these.
        self._subscribers.setdefault(thread_id, set()).add(subscriber)
        return sorted(frames.items())

    def detach(self, thread_id: UUID, subscriber: Subscriber) -> None:
        """Stop sending the thread's events to ``subscriber``."""
        subscribers = self._subscribers.get(thread_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[thread_id]

    def _deliver(self, thread_id: UUID, seq: int, frame: str) -> None:
        for subscriber in list(self._subscribers.get(thread_id, ())):
            subscriber.deliver(seq, frame)

    # -- the log --------------------------------------------------------------------

    async def flush(self, *, ending: Turn | None = None) -> None:
        """Write the queued events (and the end of ``ending``), then send them on.

        Raises:
            OSError, asyncpg.PostgresError, asyncpg.InterfaceError: the database could
                not be reached; the events stay queued, in order, for the next try.
        """
        async with self._write_lock:
            batch, self._pending = self._pending, []
            final: _Queued | None = None
            if ending is not None and ending.final is not None:
                final = _Queued(ending, *ending.final)
                batch.append(final)
            if not batch:
                return
            try:
                lost = await self._write(batch, ending)
            except BaseException:
                self._pending[:0] = [q for q in batch if q is not final]
                raise
            for queued in batch:
                turn = queued.turn
                if turn.lost or turn.id in lost:
                    continue
                turn.log.append((queued.seq, queued.frame))
                if queued is not final:
                    self._deliver(turn.thread_id, queued.seq, queued.frame)
            if final is not None and final.turn.id not in lost:
                self._forget(final.turn)
                # Sent once the thread is free: a client may start the next turn on reading it.
                self._deliver(final.turn.thread_id, final.seq, final.frame)
            for turn in {q.turn for q in batch if q.turn.id in lost and not q.turn.lost}:
                await self._abandon(turn)

    async def _write(self, batch: Sequence[_Queued], ending: Turn | None) -> set[UUID]:
        """Write a batch; the turns whose events were refused because they are not ours."""
        end = (ending.id, ending.status) if ending is not None else None
        try:
            owned = await self._store.write(_rows(batch), self.worker, ending=end)
            return {q.turn.id for q in batch} - owned
        except asyncpg.DataError:
            pass
        # One event the database cannot store (text it refuses) must not cost the others
        # their place: each is written alone, and one refused is replaced, under its
        # number, by an error saying so.
        lost: set[UUID] = set()
        for queued in batch:
            try:
                owned = await self._store.write(_rows([queued]), self.worker)
            except asyncpg.DataError:
                _log.exception(
                    "event %d of thread %s cannot be stored", queued.seq, queued.turn.thread_id
                )
                queued.frame = _frame(ErrorEvent(code="internal", message=_UNSTORABLE), queued.seq)
                owned = await self._store.write(_rows([queued]), self.worker)
            lost |= {queued.turn.id} - owned
        if end is not None:
            lost |= {end[0]} - await self._store.write([], self.worker, ending=end)
        return lost

    async def _abandon(self, turn: Turn) -> None:
        """Another worker closed this turn: drop what it queued, send what the log holds."""
        _log.warning("turn %s was closed by another worker while the database was away", turn.id)
        turn.lost = True
        self._pending = [q for q in self._pending if q.turn is not turn]
        self._forget(turn)
        if turn.task is not None and turn.task is not asyncio.current_task():
            turn.task.cancel()
        last = turn.log[-1][0] if turn.log else 0
        try:
            logged = await self._store.events_since(turn.thread_id, last, REPLAY_LIMIT)
        except DATABASE_ERRORS as error:
            # Its clients read the rest from the log when they come back.
            _log.warning("could not send the end of turn %s on: %s", turn.id, error)
            return
        for event in logged:
            self._deliver(turn.thread_id, event.seq, _dumps(event.event))

    async def _write_forever(self) -> None:
        delay = RETRY_S
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), timeout=LEASE_CHECK_S)
            self._queued.clear()
            try:
                await self._keep_lease()
                await self.flush()
            except DATABASE_ERRORS as error:
                # Said once per outage; the events wait, in order, meanwhile.
                _log.log(
                    logging.DEBUG if delay > RETRY_S else logging.WARNING,
                    "could not write %d event(s) to the log (%s); retrying until it works",
                    len(self._pending),
                    error,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_S)
                self._queued.set()
            except Exception:
                # The writer must outlive any failure: without it no turn ever ends.
                _log.exception(
                    "could not write %d event(s) to the log; retrying", len(self._pending)
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_S)
                self._queued.set()
            else:
                if delay > RETRY_S:
                    _log.warning("the event log is written again")
                delay = RETRY_S


def _frame(event: Event, seq: int) -> str:
    """The event as sent and logged: JSON that PostgreSQL's jsonb takes."""
    numbered = event.model_copy(update={"seq": seq})
    try:
        frame = numbered.model_dump_json()
    except PydanticSerializationError:
        # Text no JSON can carry (a lone surrogate from a model): say so, under its number.
        return ErrorEvent(code="internal", message=_UNSTORABLE, seq=seq).model_dump_json()
    if "\\u0000" not in frame:
        return frame
    # jsonb refuses NUL, and a model can write one: removed from the text itself (the
    # client gets the same), not from the JSON, where "\\u0000" may be a learner's words.
    return _dumps(_without_nul(json.loads(frame)))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def _rows(batch: Sequence[_Queued]) -> list[LoggedRow]:
    return [(q.turn.thread_id, q.seq, q.turn.id, q.frame) for q in batch]


def _dumps(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"))
