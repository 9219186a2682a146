"""The chat protocol with a real ``websockets`` client against the app served by uvicorn.

One server (embedded stack, fake model streaming 20 tokens a second) serves the module;
each test signs up its own learner with its own notes.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.integration.conftest import PASSWORD
from tutor.api.app import create_app
from tutor.config import DatabaseSettings, LLMSettings, ServerSettings, Settings
from tutor.db import ServerAddress

pytestmark = pytest.mark.integration

NOTES = b"""# Ownership

Each value in Rust has an owner, and there can only be one owner at a time. When the
owner goes out of scope, the value will be dropped and its memory returned.

## Moves

Assigning a `String` to another variable moves it: the first variable can no longer be
used, which prevents freeing the same memory twice.
"""
TIMEOUT_S = 60


@dataclass
class Served:
    base_url: str
    ws_url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_database(pg_server: ServerAddress) -> str:
    """A fresh database on the session's server; its URL."""
    name = f"ws_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        admin = await asyncpg.connect(pg_server.dsn("postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    asyncio.run(create())
    return pg_server.dsn(name)


@contextmanager
def serve(
    database_url: str | None,
    data_dir: Path,
    *,
    database: dict[str, Any] | None = None,
    **server: Any,
) -> Iterator[Served]:
    """The app, served by uvicorn in a thread, with these server (and database) settings.

    Without a URL, the app runs its own embedded PostgreSQL in ``data_dir``.
    """
    port = _free_port()
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url, **(database or {})),
        llm=LLMSettings(provider="fake", fake_tokens_per_second=20),
        server=ServerSettings(host="127.0.0.1", port=port, **server),
    )
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        ws_max_size=4 * settings.server.ws_max_frame_bytes,
        log_level="warning",
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT_S
    while not runner.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws")
    finally:
        runner.should_exit = True
        thread.join(timeout=TIMEOUT_S)


@pytest.fixture(scope="module")
def served(pg_server: ServerAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(new_database(pg_server), tmp_path_factory.mktemp("data")) as running:
        yield running


@dataclass
class Learner:
    token: str
    url: str
    """``/ws`` with the learner's token."""


def learner(served: Served, *, notes: bool = True) -> Learner:
    """A new learner with a token and (by default) notes on ownership."""
    with httpx.Client(base_url=served.base_url, timeout=TIMEOUT_S) as http:
        name = f"l{uuid.uuid4().hex[:10]}"
        assert http.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
        token = http.post("/api/v1/auth/tokens", json={"name": "ws"}).json()["token"]
        if notes:
            files = [("data", ("ownership.md", NOTES, "text/markdown"))]
            job = http.post("/api/v1/documents", files=files).json()["job_id"]
            while http.get(f"/api/v1/ingest-jobs/{job}").json()["status"] not in {"done", "failed"}:
                time.sleep(0.1)
    return Learner(token, f"{served.ws_url}?token={token}")


def send(ws: ClientConnection, kind: str, **fields: Any) -> None:
    ws.send(json.dumps({"v": 1, "type": kind, **fields}))


def receive(ws: ClientConnection) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT_S))
    return event


def hello(ws: ClientConnection, **fields: Any) -> dict[str, Any]:
    send(ws, "hello", **fields)
    ready = receive(ws)
    assert ready["type"] == "ready", ready
    return ready


def until_done(ws: ClientConnection) -> list[dict[str, Any]]:
    events = []
    while True:
        events.append(receive(ws))
        if events[-1]["type"] == "done":
            return events


def tokens(events: list[dict[str, Any]]) -> str:
    return "".join(e["text"] for e in events if e["type"] == "token")


def test_a_full_session_plan_lesson_answer_grade_mastery(served: Served) -> None:
    me = learner(served)
    with connect(me.url) as ws:
        ready = hello(ws)
        assert ready["resumed"] is False and ready["seq"] == 0 and not ready["running"]
        send(ws, "start_lesson")
        events = until_done(ws)
        kinds = [e["type"] for e in events]
        assert kinds[:2] == ["request", "plan"] and "lesson" in kinds and "exercise" in kinds
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        [lesson] = [e for e in events if e["type"] == "lesson"]
        assert tokens(events) == lesson["text"]
        assert events[-1]["status"] == "complete"
        exercise = next(e for e in events if e["type"] == "exercise")
        send(ws, "answer", exercise_id=exercise["id"], answer="0", idempotency_key="a1")
        graded = until_done(ws)
    kinds = [e["type"] for e in graded]
    # The learner's own words open the turn, so a client that resumes can show them.
    assert graded[0]["type"] == "request" and graded[0]["action"] == "answer"
    assert graded[0]["exercise_id"] == exercise["id"] and graded[0]["text"] == "0"
    assert "grade" in kinds or "explain_result" in kinds
    [mastery] = [e for e in graded if e["type"] == "mastery"]
    # Mastery follows the verdict: up when right; a first wrong answer may leave it at
    # the prior, never raise it.
    verdict = next((e.get("verdict") for e in graded if e["type"] == "grade"), None)
    if verdict == "correct":
        assert mastery["p_known"] > mastery["before"], mastery
    else:
        assert mastery["p_known"] <= mastery["before"], (verdict, mastery)
    assert graded[0]["seq"] == events[-1]["seq"] + 1


def test_reconnecting_mid_stream_resumes_without_losing_or_repeating(served: Served) -> None:
    me = learner(served)
    with connect(me.url) as ws:
        thread = hello(ws)["thread"]
        send(ws, "start_lesson")
        first: list[dict[str, Any]] = []
        # Tokens are checked sentences now: a short lesson may come in a few.
        while not any(e["type"] == "token" for e in first):
            first.append(receive(ws))
    # The turn goes on without the client; it comes back with the last seq it saw.
    with connect(me.url) as ws:
        ready = hello(ws, thread=thread, last_seq=first[-1]["seq"])
        assert ready["resumed"] and ready["thread"] == thread
        rest = until_done(ws)
    seqs = [e["seq"] for e in first + rest]
    assert seqs == list(range(1, len(seqs) + 1)), "no event lost or sent twice"
    [lesson] = [e for e in rest if e["type"] == "lesson"]
    assert tokens(first) + tokens(rest) == lesson["text"]


def test_interrupt_stops_the_turn_at_once_and_is_acknowledged(served: Served) -> None:
    me = learner(served)
    with connect(me.url) as ws:
        hello(ws)
        send(ws, "chat", text="What happens when the owner goes out of scope?")
        while receive(ws)["type"] != "token":
            pass
        send(ws, "interrupt")
        events = until_done(ws)
        assert events[-1]["status"] == "interrupted"
        assert not [e for e in events if e["type"] == "citation"], "the answer was cut short"
        # The thread is free again at once.
        send(ws, "chat", text="What happens when the owner goes out of scope?")
        assert until_done(ws)[-1]["status"] == "complete"
        send(ws, "interrupt")
        assert receive(ws)["code"] == "not_found"


def test_a_second_action_during_a_turn_is_refused_and_the_turn_goes_on(served: Served) -> None:
    me = learner(served)
    with connect(me.url) as ws:
        hello(ws)
        send(ws, "start_lesson")
        send(ws, "chat", text="And what is a move?")
        events = until_done(ws)
    [busy] = [e for e in events if e["type"] == "error"]
    assert busy["code"] == "busy" and busy["retryable"]
    assert events[-1]["status"] == "complete" and any(e["type"] == "lesson" for e in events)


def test_bad_frames_get_typed_errors_and_the_connection_stays_usable(served: Served) -> None:
    me = learner(served, notes=False)
    with connect(me.url, max_size=None) as ws:
        send(ws, "next")
        assert receive(ws)["code"] == "hello_first"
        hello(ws)
        cases = [
            ("{oops", "malformed"),
            (json.dumps({"v": 1, "type": "chat", "text": "x" * 70_000}), "too_large"),
            (json.dumps({"v": 1, "type": "dance"}), "unknown_type"),
            (json.dumps({"v": 7, "type": "chat", "text": "hi"}), "unsupported_version"),
            (json.dumps({"v": 1, "type": "answer", "exercise_id": "x", "answer": "1"}), "invalid"),
        ]
        for frame, code in cases:
            ws.send(frame)
            event = receive(ws)
            assert event["type"] == "error" and event["code"] == code, event
        send(ws, "ping", nonce="still-there")
        assert receive(ws) == {"v": 1, "type": "pong", "seq": 0, "nonce": "still-there"}


def test_another_learners_thread_is_refused(served: Served) -> None:
    alice, bob = learner(served, notes=False), learner(served, notes=False)
    with connect(alice.url) as ws:
        thread = hello(ws)["thread"]
    with connect(bob.url) as ws:
        send(ws, "hello", thread=thread, last_seq=0)
        refused = receive(ws)
        assert refused["type"] == "error" and refused["code"] == "forbidden"
        assert hello(ws)["thread"] != thread


def test_too_many_connections_for_one_learner(served: Served) -> None:
    me = learner(served, notes=False)
    with ExitStack() as stack:
        for _ in range(8):
            hello(stack.enter_context(connect(me.url)))
        with connect(me.url) as extra:
            send(extra, "hello")
            assert receive(extra)["code"] == "rate_limited"
            with pytest.raises(ConnectionClosed) as closed:
                receive(extra)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    # Closed connections no longer count.
    with connect(me.url) as ws:
        assert hello(ws)["type"] == "ready"


def test_a_token_in_hello_and_a_foreign_origin(served: Served) -> None:
    me = learner(served, notes=False)
    with connect(served.ws_url) as ws:
        assert hello(ws, token=me.token)["type"] == "ready"
    # A malformed origin (an unclosed IPv6 bracket) is refused like a foreign one.
    for origin in ("http://evil.example", "http://[::1"):
        with connect(me.url, origin=origin) as ws:  # type: ignore[arg-type]
            refused = receive(ws)
            assert refused["type"] == "error" and refused["code"] == "forbidden"


def test_feedback_on_a_lesson_is_stored(served: Served) -> None:
    me = learner(served)
    with connect(me.url) as ws:
        hello(ws)
        send(ws, "start_lesson")
        [lesson] = [e for e in until_done(ws) if e["type"] == "lesson"]
        send(ws, "feedback", lesson_id=lesson["id"], rating=4, comment="clear")
        ack = receive(ws)
        assert ack["type"] == "ack" and ack["lesson_id"] == lesson["id"]
        send(ws, "feedback", lesson_id=str(uuid.uuid4()), rating=4)
        assert receive(ws)["code"] == "not_found"
