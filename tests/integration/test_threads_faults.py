"""The event log under faults: PostgreSQL killed mid-turn, a worker killed mid-turn.

Whatever fails, the log keeps every event a client saw, in order, under one number each;
no client ever sees a seq the log lacks; a thread is never left busy.

Run as a program, this module is a worker process that runs one turn and never ends it
(the test kills it): ``python -m tests.integration.test_threads_faults DSN THREAD``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from tutor.api.protocol import TokenEvent
from tutor.db import EmbeddedPostgres, ServerAddress, upgrade
from tutor.threads import ThreadStore, Turn, TurnHub
from tutor.threads.store import LoggedRow

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PATIENCE_S = 60
"""Longest a test waits for something that must happen (a safety net, not a measure)."""
WORKER_NAME = "turn-worker"


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition``, failing with ``what`` if it never holds."""
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.02)


class Recorder:
    """A client: what the hub sent it, in order."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, dict[str, Any]]] = []

    def deliver(self, seq: int, frame: str) -> None:
        self.frames.append((seq, json.loads(frame)))

    @property
    def seqs(self) -> list[int]:
        return [seq for seq, _ in self.frames]

    def ended(self) -> bool:
        return bool(self.frames) and self.frames[-1][1]["type"] == "done"


async def _learner(pool: asyncpg.Pool) -> UUID:
    owner: UUID = await pool.fetchval(
        "INSERT INTO users (name) VALUES ($1) RETURNING id", f"l{uuid4().hex[:8]}"
    )
    return owner


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


class KillablePostgres:
    """An embedded PostgreSQL of the test's own, which the test may kill and start again."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self._claims: list[EmbeddedPostgres] = []
        self.address: ServerAddress | None = None

    def start(self) -> ServerAddress:
        claim = EmbeddedPostgres(self.pgdata)
        self.address = claim.start()
        self._claims.append(claim)
        return self.address

    def kill(self) -> None:
        """SIGKILL the server, as the out-of-memory killer would."""
        pid = _postmaster_pid(self.pgdata)
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + PATIENCE_S
        while not _gone(pid):
            assert time.monotonic() < deadline, "the server did not die"
            time.sleep(0.02)

    def stop(self) -> None:
        for claim in reversed(self._claims):
            claim.stop()


@pytest.fixture
def killable(tmp_path: Path) -> Iterator[KillablePostgres]:
    server = KillablePostgres(tmp_path / "pg")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def own_database(killable: KillablePostgres) -> AsyncIterator[str]:
    assert killable.address is not None
    admin = await asyncpg.connect(killable.address.dsn("postgres"))
    try:
        await admin.execute('CREATE DATABASE "tutor"')
    finally:
        await admin.close()
    dsn = killable.address.dsn("tutor")
    await upgrade(dsn)
    yield dsn


async def test_postgresql_killed_mid_turn_loses_no_event_and_reuses_no_seq(
    killable: KillablePostgres, own_database: str
) -> None:
    dsn = own_database
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    store = ThreadStore(pool)
    hub = TurnHub(pool, store, dsn)
    await hub.start()
    try:
        thread = (await store.open(await _learner(pool), None)).id
        client = Recorder()
        hub.attach(thread, 0, client)
        words: asyncio.Queue[str | None] = asyncio.Queue()

        async def run(turn: Turn) -> None:
            while (word := await words.get()) is not None:
                hub.publish(turn, TokenEvent(text=word))
                turn.tokens += 1

        turn = await hub.begin(thread, {"type": "chat"}, run)
        for i in range(20):
            words.put_nowait(f"a{i} ")
        await until(lambda: len(client.frames) == 20, "the first words reach the client")

        await asyncio.to_thread(killable.kill)
        for i in range(30):
            words.put_nowait(f"b{i} ")
        words.put_nowait(None)
        await until(lambda: turn.ending, "the turn finishes its work")
        # Nothing said since the database died is in the log, so no client has seen it.
        assert client.seqs == list(range(1, 21))

        await asyncio.to_thread(killable.start)
        await until(client.ended, "the turn's done reaches the client")

        logged = await store.events_since(thread, 0, 1000)
        assert [e.seq for e in logged] == list(range(1, 52)), "every event, in order, no gap"
        assert [e.seq for e in logged] == client.seqs
        assert [e.event for e in logged] == [event for _, event in client.frames]
        words_logged = [e.event["text"] for e in logged if e.event["type"] == "token"]
        assert words_logged == [f"a{i} " for i in range(20)] + [f"b{i} " for i in range(30)]
        assert logged[-1].event["status"] == "complete" and logged[-1].event["tokens"] == 50
        assert await pool.fetchval("SELECT status FROM turns WHERE id = $1", turn.id) == "complete"
        # A client that saw 20 before the outage resumes with the rest.
        assert [e.seq for e in await store.events_since(thread, 20, 1000)] == list(range(21, 52))

        # The thread is free, and the next turn numbers on after everything a client saw.
        assert hub.running(thread) is None
        words.put_nowait("again")
        words.put_nowait(None)
        again = await hub.begin(thread, {"type": "chat"}, run)
        assert again.task is not None
        await again.task
        assert client.seqs == list(range(1, 54))
        # The worker holds its lease again: another worker would not take its turns.
        other = TurnHub(pool, store, dsn)
        await until(lambda: hub._lease is not None and not hub._lease.is_closed(), "the lease")
        assert await other._alive(hub.worker)
    finally:
        await hub.close()
        await pool.close()


class FailingWrites(ThreadStore):
    """The real store, whose log writes fail while ``failing`` (the database is away)."""

    failing = False

    async def write(
        self,
        events: Sequence[LoggedRow],
        worker: UUID,
        *,
        ending: tuple[UUID, str] | None = None,
    ) -> set[UUID]:
        if self.failing:
            raise ConnectionRefusedError("the database is away")
        return await super().write(events, worker, ending=ending)


async def test_a_turn_closed_by_another_worker_meanwhile_is_given_up_for_the_log(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = FailingWrites(pool)
    hub = TurnHub(pool, store, database_url)
    await hub.start()
    try:
        thread = (await store.open(await _learner(pool), None)).id
        client = Recorder()
        hub.attach(thread, 0, client)
        go_on = asyncio.Event()

        async def run(turn: Turn) -> None:
            for i in range(3):
                hub.publish(turn, TokenEvent(text=f"a{i} "))
            await go_on.wait()
            for i in range(3):
                hub.publish(turn, TokenEvent(text=f"b{i} "))
            await asyncio.Event().wait()

        turn = await hub.begin(thread, {"type": "chat"}, run)
        await until(lambda: len(client.frames) == 3, "the first words reach the client")
        store.failing = True
        go_on.set()
        await until(lambda: len(hub._pending) == 3, "the next words are queued")
        # Meanwhile another worker found this one's lease free and closed the turn.
        closed = await ThreadStore(pool).close_interrupted(turn.id, thread)
        assert [e.seq for e in closed] == [4, 5]
        store.failing = False
        await until(client.ended, "the client hears how the turn ended")

        assert client.seqs == [1, 2, 3, 4, 5]
        assert client.frames[3][1]["code"] == "interrupted"
        logged = await store.events_since(thread, 0, 100)
        assert [e.seq for e in logged] == [1, 2, 3, 4, 5]
        assert "b0 " not in json.dumps([e.event for e in logged]), "its later words are dropped"
        assert turn.task is not None
        await asyncio.wait([turn.task])
        assert hub.running(thread) is None and not hub._pending
        go_on.clear()
        again = await hub.begin(thread, {"type": "chat"}, run)
        await until(lambda: len(client.frames) == 8, "the next turn is heard")
        assert client.seqs == list(range(1, 9))
        assert await hub.interrupt(thread)
        assert again.task is not None
        await asyncio.wait([again.task])
    finally:
        await hub.close()


async def test_a_killed_worker_s_turn_is_closed_with_a_seq_no_client_has_seen(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = ThreadStore(pool)
    thread = (await store.open(await _learner(pool), None)).id
    # This process runs too, since before the worker died: it takes the dead worker's
    # turn when asked to interrupt it.
    survivor = TurnHub(pool, store, database_url)
    await survivor.start()
    watcher = Recorder()
    survivor.attach(thread, 0, watcher)
    worker_dsn = f"{database_url}&application_name={WORKER_NAME}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.test_threads_faults", worker_dsn, str(thread)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    seen: list[int] = []
    blocker = await asyncpg.connect(database_url)
    try:
        assert worker.stdin is not None and worker.stdout is not None
        stdout = worker.stdout

        def publish(count: int) -> None:
            assert worker.stdin is not None
            worker.stdin.write(f"{count}\n")
            worker.stdin.flush()

        def read_until(wanted: Callable[[str], bool]) -> None:
            while not wanted(line := stdout.readline().strip()):
                assert line, "the worker stopped"
                if line.startswith("seq "):
                    seen.append(int(line.split()[1]))

        publish(10)
        await asyncio.to_thread(read_until, lambda line: line == "seq 10")
        seen.append(10)
        # The log cannot be written for a while (a slow disk, a lock) ...
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute("LOCK TABLE thread_events IN ACCESS EXCLUSIVE MODE")
        publish(10)
        await asyncio.to_thread(read_until, lambda line: line == "published")
        # ... and the worker dies with its connections.
        worker.kill()
        worker.wait()
        seen += [int(line.split()[1]) for line in stdout if line.startswith("seq ")]
        await blocker.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
            WORKER_NAME,
        )
        await transaction.rollback()

        assert await survivor.interrupt(thread), "the dead worker's turn is interrupted"
        logged = await store.events_since(thread, 0, 100)
        seqs = [e.seq for e in logged]
        assert seqs == list(range(1, len(seqs) + 1))
        error, done = logged[-2:]
        assert error.event["code"] == "interrupted" and done.event["status"] == "interrupted"
        assert error.seq > max(seen), "the interrupted error has a seq no client has seen"
        assert set(seen) <= set(seqs), "every event a client saw is in the log"
        # A client resuming from the last seq it saw is told the turn was interrupted.
        resumed = await store.events_since(thread, max(seen), 100)
        assert [e.event["type"] for e in resumed][-2:] == ["error", "done"]
        assert [seq for seq, _ in watcher.frames] == [error.seq, done.seq]
        assert not await survivor.interrupt(thread)

        async def run(turn: Turn) -> None:
            survivor.publish(turn, TokenEvent(text="again"))

        again = await survivor.begin(thread, {"type": "chat"}, run)
        assert again.task is not None
        await again.task
        assert watcher.frames[-2][0] == done.seq + 1
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        for pipe in (worker.stdin, worker.stdout):
            if pipe is not None:
                pipe.close()
        await blocker.close()
        await survivor.close()


class _Printer:
    def deliver(self, seq: int, frame: str) -> None:
        print(f"seq {seq}", flush=True)


async def _serve_one_turn(dsn: str, thread: UUID) -> None:
    """Run one turn on ``thread`` that publishes as many words as stdin asks, forever."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    hub = TurnHub(pool, ThreadStore(pool), dsn)
    await hub.start()
    hub.attach(thread, 0, _Printer())

    async def run(turn: Turn) -> None:
        while line := await asyncio.to_thread(sys.stdin.readline):
            for i in range(int(line)):
                hub.publish(turn, TokenEvent(text=f"w{i} "))
            print("published", flush=True)
        await asyncio.Event().wait()

    turn = await hub.begin(thread, {"type": "chat"}, run)
    assert turn.task is not None
    await turn.task


if __name__ == "__main__":
    asyncio.run(_serve_one_turn(sys.argv[1], UUID(sys.argv[2])))
