"""A socket lives only as long as what signed it in, and hostile clients get clear limits.

One server (embedded stack, fake model, a hello timeout of one second) serves the module.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection as ClientConnectionAsync
from websockets.asyncio.client import connect as connect_async
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.integration.conftest import PASSWORD
from tests.integration.test_ws_protocol import (
    TIMEOUT_S,
    Served,
    hello,
    learner,
    new_database,
    receive,
    send,
    serve,
)
from tutor.api.security import SESSION_COOKIE
from tutor.db import ServerAddress

pytestmark = pytest.mark.integration

HELLO_TIMEOUT_S = 1.0
CAP = 3


@pytest.fixture(scope="module")
def database_url_ws(pg_server: ServerAddress) -> str:
    return new_database(pg_server)


@pytest.fixture(scope="module")
def served(database_url_ws: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(
        database_url_ws,
        tmp_path_factory.mktemp("data"),
        ws_hello_timeout_s=HELLO_TIMEOUT_S,
        ws_connections_per_learner=CAP,
    ) as running:
        yield running


def _sql(database_url: str, query: str, *args: Any) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await connection.execute(query, *args)
        finally:
            await connection.close()

    asyncio.run(run())


def _signed_in(served: Served) -> tuple[httpx.Client, str]:
    """A browser-like client signed in as a new learner, and its session cookie."""
    http = httpx.Client(base_url=served.base_url, timeout=TIMEOUT_S)
    name = f"s{uuid.uuid4().hex[:10]}"
    response = http.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return http, http.cookies[SESSION_COOKIE]


def _closed_with(ws: ClientConnection) -> tuple[list[dict[str, Any]], int | None]:
    """What the server sent until it closed the socket, and the close code."""
    events = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            events.append(json.loads(ws.recv(timeout=TIMEOUT_S)))
    return events, closed.value.rcvd.code if closed.value.rcvd is not None else None


def _refused(ws: ClientConnection) -> None:
    events, code = _closed_with(ws)
    assert [e["code"] for e in events if e["type"] == "error"] == ["unauthorized"]
    assert code == 4401


def test_signing_out_closes_the_browser_s_open_socket(served: Served) -> None:
    http, session = _signed_in(served)
    with (
        closing(http),
        connect(served.ws_url, additional_headers={"Cookie": f"{SESSION_COOKIE}={session}"}) as ws,
    ):
        hello(ws)
        send(ws, "ping", nonce="before")
        assert receive(ws)["type"] == "pong"
        assert http.post("/api/v1/auth/signout").status_code == 204
        assert http.get("/api/v1/auth/me").status_code == 401
        # Closed without the client sending anything more.
        _refused(ws)


def test_revoking_a_token_closes_its_sockets(served: Served) -> None:
    http, _ = _signed_in(served)
    with closing(http):
        created = http.post("/api/v1/auth/tokens", json={"name": "bot"}).json()
        token, token_id = created["token"], created["id"]
        with (
            connect(f"{served.ws_url}?token={token}") as in_query,
            connect(served.ws_url) as in_hello,
        ):
            hello(in_query)
            hello(in_hello, token=token)
            assert http.delete(f"/api/v1/auth/tokens/{token_id}").status_code in {200, 204}
            _refused(in_query)
            _refused(in_hello)
        # And a new socket with it is refused too.
        with connect(f"{served.ws_url}?token={token}") as again:
            send(again, "hello")
            _refused(again)


@pytest.mark.parametrize("credential", ["session", "token"])
def test_every_action_checks_the_credential_again(
    served: Served, database_url_ws: str, credential: str
) -> None:
    http, session = _signed_in(served)
    with closing(http):
        if credential == "session":
            url, headers = served.ws_url, {"Cookie": f"{SESSION_COOKIE}={session}"}
            expire = "UPDATE sessions SET expires_at = now() - interval '1 s' WHERE user_id = $1"
        else:
            token = http.post("/api/v1/auth/tokens", json={"name": "cli"}).json()["token"]
            url, headers = f"{served.ws_url}?token={token}", {}
            expire = "UPDATE api_tokens SET expires_at = now() - interval '1 s' WHERE user_id = $1"
        learner_id = uuid.UUID(http.get("/api/v1/auth/me").json()["id"])
        with connect(url, additional_headers=headers) as ws:
            hello(ws)
            # Expiry sends no notice: the next action finds out.
            _sql(database_url_ws, expire, learner_id)
            send(ws, "next")
            _refused(ws)


def test_simultaneous_hellos_of_one_learner_get_at_most_the_cap(served: Served) -> None:
    me = learner(served, notes=False)

    async def storm() -> list[tuple[str, int | None]]:
        async def say_hello() -> ClientConnectionAsync:
            ws = await connect_async(me.url)
            await ws.send(json.dumps({"v": 1, "type": "hello"}))
            return ws

        sockets = await asyncio.gather(*(say_hello() for _ in range(20)))
        try:
            answers = await asyncio.gather(*(ws.recv() for ws in sockets))
            kinds = [
                json.loads(answer).get("code") or json.loads(answer)["type"] for answer in answers
            ]
            codes = []
            for ws, kind in zip(sockets, kinds, strict=True):
                if kind == "ready":
                    codes.append(None)
                    continue
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
            return list(zip(kinds, codes, strict=True))
        finally:
            await asyncio.gather(*(ws.close() for ws in sockets))

    outcomes = asyncio.run(storm())
    assert sum(kind == "ready" for kind, _ in outcomes) == CAP
    assert sorted(set(outcomes)) == sorted({("ready", None), ("rate_limited", 4429)})


def test_a_socket_that_never_says_hello_is_closed(served: Served) -> None:
    with connect(served.ws_url) as silent, connect(served.ws_url) as pinger:
        send(pinger, "ping", nonce="hi")
        assert receive(pinger)["type"] == "pong"
        for ws in (silent, pinger):
            events, code = _closed_with(ws)
            assert [e["code"] for e in events] == ["hello_first"]
            assert "hello" in events[0]["message"]
            assert code == 4408


def test_a_socket_that_said_hello_outlives_the_hello_timeout(served: Served) -> None:
    me = learner(served, notes=False)
    with connect(me.url) as ws:
        hello(ws)
        time.sleep(2 * HELLO_TIMEOUT_S)
        send(ws, "ping", nonce="still")
        assert receive(ws) == {"v": 1, "type": "pong", "seq": 0, "nonce": "still"}


def test_hostile_frames_get_protocol_errors_not_an_internal_close(served: Served) -> None:
    me = learner(served, notes=False)
    with connect(me.url) as ws:
        hello(ws)
        cases = [
            ("[" * 1000 + "]" * 1000, "malformed"),
            ('{"v": 1, "type": "chat", "text": ' + "[" * 1000 + "]" * 1000 + "}", "malformed"),
            (json.dumps({"v": 1, "type": "chat", "text": "a\u0000b"}), "invalid"),
            (json.dumps({"v": 1, "type": "chat", "text": "\\u0000 as written"}), None),
            ('{"v": true, "type": "chat", "text": "hi"}', "unsupported_version"),
            ('{"v": 1, "type": "hello", "last_seq": true}', "invalid"),
        ]
        for frame, code in cases:
            ws.send(frame)
            if code is None:
                # Six characters a learner typed, not a NUL: a turn like any other.
                events = []
                while not events or events[-1]["type"] != "done":
                    events.append(receive(ws))
                assert events[0]["type"] == "request" and events[0]["text"] == "\\u0000 as written"
                continue
            event = receive(ws)
            assert event["type"] == "error" and event["code"] == code, (frame[:40], event)
        send(ws, "ping", nonce="alive")
        assert receive(ws)["nonce"] == "alive"


def test_deleting_the_learner_closes_their_sockets(served: Served, database_url_ws: str) -> None:
    http, session = _signed_in(served)
    with (
        closing(http),
        connect(served.ws_url, additional_headers={"Cookie": f"{SESSION_COOKIE}={session}"}) as ws,
    ):
        hello(ws)
        learner_id = uuid.UUID(http.get("/api/v1/auth/me").json()["id"])
        _sql(database_url_ws, "DELETE FROM users WHERE id = $1", learner_id)
        _refused(ws)


def test_opening_threads_again_and_again_counts_as_actions(served: Served) -> None:
    me = learner(served, notes=False)
    with connect(me.url) as ws:
        hello(ws)
        answers = []
        for _ in range(61):
            send(ws, "hello", new_thread=True)
            answers.append(receive(ws))
        kinds = [a.get("code", a["type"]) for a in answers]
        assert kinds[:60] == ["ready"] * 60
        assert kinds[60] == "rate_limited"
        send(ws, "ping", nonce="alive")
        assert receive(ws)["type"] == "pong"
