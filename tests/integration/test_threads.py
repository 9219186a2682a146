"""Threads on the real PostgreSQL: the event log, one turn at a time, turns of dead workers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from uuid import UUID, uuid4

import asyncpg
import pytest

from tutor.api.protocol import TokenEvent
from tutor.threads import ThreadBusyError, ThreadNotFoundError, ThreadStore, Turn, TurnHub
from tutor.threads.store import LoggedEvent, LoggedRow

pytestmark = pytest.mark.integration


@pytest.fixture
async def hub(pool: asyncpg.Pool, database_url: str) -> AsyncIterator[TurnHub]:
    """This process's hub, started on the test's database."""
    started = TurnHub(pool, ThreadStore(pool), database_url)
    await started.start()
    yield started
    await started.close()


async def _learner(pool: asyncpg.Pool) -> UUID:
    owner: UUID = await pool.fetchval(
        "INSERT INTO users (name) VALUES ($1) RETURNING id", f"l{uuid4().hex[:8]}"
    )
    return owner


class Recorder:
    def __init__(self) -> None:
        self.frames: list[tuple[int, str]] = []

    def deliver(self, seq: int, frame: str) -> None:
        self.frames.append((seq, frame))


async def test_events_are_numbered_logged_and_sent_to_subscribers(
    pool: asyncpg.Pool, hub: TurnHub
) -> None:
    store = ThreadStore(pool)
    thread = (await store.open(await _learner(pool), None)).id
    recorder = Recorder()
    assert hub.attach(thread, 0, recorder) == []

    async def run(turn: Turn) -> None:
        for word in ("one ", "two ", "three"):
            hub.publish(turn, TokenEvent(text=word))
            turn.tokens += 1

    first = await hub.begin(thread, {"type": "chat"}, run)
    with pytest.raises(ThreadBusyError):
        await hub.begin(thread, {"type": "chat"}, run)
    assert first.task is not None
    await first.task
    assert [seq for seq, _ in recorder.frames] == [1, 2, 3, 4]
    done = json.loads(recorder.frames[-1][1])
    assert done["type"] == "done" and done["status"] == "complete" and done["tokens"] == 3
    logged = await store.events_since(thread, 1, 100)
    assert [e.seq for e in logged] == [2, 3, 4]
    assert logged[0].event["text"] == "two "
    # The next turn numbers on from the log.
    second = await hub.begin(thread, {"type": "chat"}, run)
    assert second.task is not None
    await second.task
    assert await store.last_seq(thread) == 8


class SlowToEnd(ThreadStore):
    """The real store, slow to answer once it recorded a turn's end: its done is logged."""

    async def write(
        self,
        events: Sequence[LoggedRow],
        worker: UUID,
        *,
        ending: tuple[UUID, str] | None = None,
    ) -> set[UUID]:
        owned = await super().write(events, worker, ending=ending)
        if ending is not None:
            await asyncio.sleep(0.3)
        return owned


async def test_the_next_action_after_a_replayed_done_is_not_refused(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = SlowToEnd(pool)
    hub = TurnHub(pool, store, database_url)
    await hub.start()
    try:
        thread = (await store.open(await _learner(pool), None)).id

        async def run(turn: Turn) -> None:
            hub.publish(turn, TokenEvent(text="hello"))

        await hub.begin(thread, {"type": "chat"}, run)
        # A client that reconnects now reads the done from the log and acts at once.
        while [e.event["type"] for e in await store.events_since(thread, 0, 10)][-1:] != ["done"]:
            await asyncio.sleep(0.01)
        assert hub.running(thread) is None
        second = await hub.begin(thread, {"type": "chat"}, run)
        assert second.task is not None
        await second.task
        assert [e.event["type"] for e in await store.events_since(thread, 0, 10)] == [
            "token",
            "done",
            "token",
            "done",
        ]
    finally:
        await hub.close()


async def test_a_turn_left_by_a_dead_worker_is_closed_and_reported(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = ThreadStore(pool)
    owner = await _learner(pool)
    thread = (await store.open(owner, None)).id
    alive = TurnHub(pool, store, database_url)
    await alive.start()
    dead_turn, live_turn = uuid4(), uuid4()
    try:
        # A worker that stopped mid-turn (nobody holds its lock) ...
        await store.start_turn(dead_turn, thread, uuid4(), {"type": "start_lesson"})
        other = (await store.open(owner, None, new=True)).id
        # ... and a turn of a worker that is still running.
        await store.start_turn(live_turn, other, alive.worker, {"type": "next"})
        restarted = TurnHub(pool, store, database_url)
        await restarted.start()
        try:
            logged = await store.events_since(thread, 0, 10)
            assert [e.event["type"] for e in logged] == ["error", "done"]
            assert logged[0].event["code"] == "interrupted" and logged[0].event["retryable"]
            assert logged[1].event["status"] == "interrupted"
            assert await store.events_since(other, 0, 10) == []
            statuses = dict(await pool.fetch("SELECT id, status FROM turns"))
            assert statuses == {dead_turn: "interrupted", live_turn: "running"}

            async def run(turn: Turn) -> None:
                restarted.publish(turn, TokenEvent(text="again"))

            # The thread can be used again; its numbering goes on after the report.
            again = await restarted.begin(thread, {"type": "start_lesson"}, run)
            assert again.task is not None
            await again.task
            assert [e.seq for e in await store.events_since(thread, 2, 10)] == [3, 4]
        finally:
            await restarted.close()
    finally:
        await alive.close()


async def test_threads_belong_to_their_learner(pool: asyncpg.Pool) -> None:
    store = ThreadStore(pool)
    alice, bob = await _learner(pool), await _learner(pool)
    first = await store.open(alice, None)
    assert not first.resumed
    again = await store.open(alice, None)
    assert again.id == first.id and again.resumed
    with pytest.raises(ThreadNotFoundError):
        await store.open(bob, first.id)
    assert (await store.open(alice, None, new=True)).id != first.id


async def test_a_nul_written_by_the_model_neither_breaks_the_log_nor_the_thread(
    pool: asyncpg.Pool, hub: TurnHub
) -> None:
    store = ThreadStore(pool)
    thread = (await store.open(await _learner(pool), None)).id

    async def run(turn: Turn) -> None:
        hub.publish(turn, TokenEvent(text="be\x00fore "))
        hub.publish(turn, TokenEvent(text="after"))

    for _ in range(2):
        turn = await hub.begin(thread, {"type": "chat"}, run)
        assert turn.task is not None
        await turn.task
    logged = await store.events_since(thread, 0, 10)
    assert [e.event["type"] for e in logged] == ["token", "token", "done"] * 2
    assert logged[0].event["text"] == "before "
    statuses = [r["status"] for r in await pool.fetch("SELECT status FROM turns")]
    assert statuses == ["complete", "complete"]


class SlowReads(ThreadStore):
    """The real store, whose log reads hang until told: the moment a client resumes."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.reading = asyncio.Event()
        self.go_on = asyncio.Event()

    async def events_since(self, thread_id: UUID, seq: int, limit: int) -> list[LoggedEvent]:
        found = await super().events_since(thread_id, seq, limit)
        self.reading.set()
        await self.go_on.wait()
        return found


async def test_a_client_resuming_while_a_turn_ends_misses_nothing(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = SlowReads(pool)
    hub = TurnHub(pool, store, database_url)
    await hub.start()
    try:
        thread = (await store.open(await _learner(pool), None)).id
        second_half = asyncio.Event()

        async def run(turn: Turn) -> None:
            for word in ("one ", "two "):
                hub.publish(turn, TokenEvent(text=word))
            await second_half.wait()
            hub.publish(turn, TokenEvent(text="three"))

        turn = await hub.begin(thread, {"type": "chat"}, run)
        while len(turn.log) < 2:
            await asyncio.sleep(0.01)
        client = Recorder()
        resuming = asyncio.create_task(hub.subscribe(thread, 0, client))
        await store.reading.wait()
        # While the client's read of the log is under way, the turn goes on and ends.
        second_half.set()
        assert turn.task is not None
        await turn.task
        assert hub.running(thread) is None
        store.go_on.set()
        missed = await resuming
        assert [seq for seq, _ in missed] == [1, 2, 3, 4]
        assert [json.loads(frame)["type"] for _, frame in missed][-1] == "done"
        assert client.frames == []

        # What follows comes live.
        second = await hub.begin(thread, {"type": "chat"}, run)
        assert second.task is not None
        await second.task
        assert [seq for seq, _ in client.frames] == [5, 6, 7, 8]
    finally:
        await hub.close()


class BrokenEnd(ThreadStore):
    """The real store, failing (not for want of a database) to record turns' ends."""

    broken = True
    tries = 0

    async def write(
        self,
        events: Sequence[LoggedRow],
        worker: UUID,
        *,
        ending: tuple[UUID, str] | None = None,
    ) -> set[UUID]:
        if ending is not None and self.broken:
            self.tries += 1
            raise RuntimeError("a bug")
        return await super().write(events, worker, ending=ending)


async def test_a_turn_that_could_not_end_does_not_keep_its_thread_busy(
    pool: asyncpg.Pool, database_url: str
) -> None:
    store = BrokenEnd(pool)
    hub = TurnHub(pool, store, database_url)
    await hub.start()
    try:
        thread = (await store.open(await _learner(pool), None)).id
        client = Recorder()
        hub.attach(thread, 0, client)

        async def run(turn: Turn) -> None:
            hub.publish(turn, TokenEvent(text="hello"))

        broken = await hub.begin(thread, {"type": "chat"}, run)
        assert broken.task is not None
        await broken.task
        assert hub.running(thread) is None
        assert store.tries > 1, "tried more than once"
        store.broken = False
        # The next action finds the turn left running, closes it, and goes on.
        again = await hub.begin(thread, {"type": "chat"}, run)
        assert again.task is not None
        await again.task
        logged = await store.events_since(thread, 0, 10)
        assert [(e.seq, e.event["type"]) for e in logged] == [
            (1, "token"),
            (2, "error"),
            (3, "done"),
            (4, "token"),
            (5, "done"),
        ]
        assert logged[1].event["code"] == "interrupted"
        assert [seq for seq, _ in client.frames] == [1, 2, 3, 4, 5]
        statuses = [
            r["status"] for r in await pool.fetch("SELECT status FROM turns ORDER BY started_at")
        ]
        assert statuses == ["interrupted", "complete"]
    finally:
        await hub.close()


async def test_text_no_json_can_carry_is_replaced_under_its_number(
    pool: asyncpg.Pool, hub: TurnHub
) -> None:
    store = ThreadStore(pool)
    thread = (await store.open(await _learner(pool), None)).id

    async def run(turn: Turn) -> None:
        hub.publish(turn, TokenEvent(text="half a pair \ud800"))
        hub.publish(turn, TokenEvent(text="\\u0000 as typed"))

    turn = await hub.begin(thread, {"type": "chat"}, run)
    assert turn.task is not None
    await turn.task
    logged = await store.events_since(thread, 0, 10)
    assert [(e.seq, e.event["type"]) for e in logged] == [(1, "error"), (2, "token"), (3, "done")]
    assert logged[0].event["code"] == "internal" and "stored" in logged[0].event["message"]
    assert logged[1].event["text"] == "\\u0000 as typed"
    assert logged[2].event["status"] == "complete"
