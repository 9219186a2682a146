"""A lesson streaming over ``/ws`` while the app's embedded PostgreSQL is killed.

The app runs its own embedded server (restarted by the app when it dies). The client must
get every event once, in order, the log must hold exactly what the client saw, the thread
must be free afterwards, and the next turn must number on after the last event seen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.integration.test_threads_faults import KillablePostgres
from tests.integration.test_ws_protocol import (
    Served,
    hello,
    learner,
    receive,
    send,
    serve,
    until_done,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_dir_ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("d")


@pytest.fixture(scope="module")
def served(data_dir_ws: Any) -> Iterator[Served]:
    with serve(None, data_dir_ws, database={"watch_interval_s": 0.2}) as running:
        yield running


def test_postgresql_killed_mid_lesson(served: Served, data_dir_ws: Any) -> None:
    me = learner(served)
    postgres = KillablePostgres(data_dir_ws / "postgres")
    with connect(me.url) as ws:
        thread = hello(ws)["thread"]
        send(ws, "start_lesson")
        seen: list[dict[str, Any]] = []
        # Tokens are checked sentences now: a short lesson may come in a few.
        while not any(e["type"] == "token" for e in seen):
            seen.append(receive(ws))
        postgres.kill()
        seen += until_done(ws)
        seqs = [e["seq"] for e in seen]
        assert seqs == list(range(1, len(seqs) + 1)), "every event once, in order"
        last = seqs[-1]
        # Pings are answered throughout; the thread is free once done is out.
        send(ws, "ping", nonce="after")
        assert receive(ws)["nonce"] == "after"

    # What the client saw is what the log holds: a second client replays the same.
    with connect(me.url) as again:
        ready = hello(again, thread=thread, last_seq=0)
        assert ready["missed"] == last and not ready["running"]
        replayed = [receive(again) for _ in range(last)]
        assert replayed == seen
        # The next turn numbers on after everything seen, and runs.
        deadline = time.monotonic() + 60
        while True:
            send(again, "chat", text="What happens when the owner goes out of scope?")
            first = receive(again)
            if first["type"] != "error":
                break
            # The database may still be coming back: the answer says so, and to retry.
            assert first["retryable"] and time.monotonic() < deadline, first
            time.sleep(0.2)
        events = [first, *until_done(again)]
        assert events[0]["seq"] == last + 1
        assert [e["seq"] for e in events] == list(range(last + 1, last + 1 + len(events)))
        assert events[-1]["status"] == "complete", events[-2:]
