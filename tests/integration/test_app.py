"""The app on real Postgres, Chroma and embeddings, with the fake chat model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up, upload
from tutor.api.app import create_app
from tutor.config import ServerSettings, Settings
from tutor.db import ServerAddress
from tutor.resources import Resources

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    # /readyz tells each component only when the server is set to.
    server = ServerSettings(readyz_details=True)
    async with AsyncTestClient(create_app(settings.model_copy(update={"server": server}))) as c:
        await sign_up(c)
        yield c


def _resources(client: AsyncTestClient[Litestar]) -> Resources:
    resources: Resources = client.app.state.resources
    return resources


async def _ready(client: AsyncTestClient[Litestar]) -> dict[str, Any]:
    # The embedding model loads in the background (the app runs in the test client's own
    # loop): poll until nothing is still starting, then read the probe.
    for _ in range(300):
        response = await client.get("/readyz")
        body: dict[str, Any] = response.json()
        if all(c["state"] != "starting" for c in body["components"]):
            body["status_code"] = response.status_code
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"still starting after 60 s: {body}")


async def test_healthz_answers(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


async def test_readyz_names_every_component(client: AsyncTestClient[Litestar]) -> None:
    body = await _ready(client)
    assert body["status_code"] == 200, body
    components = {c["name"]: c for c in body["components"]}
    assert set(components) == {"chat_model", "database", "embeddings", "graph", "vectors"}
    assert all(c["state"] == "ok" for c in components.values())
    assert components["graph"]["where"].startswith("tables in postgres")
    assert components["embeddings"]["detail"] == "384 dimensions"
    assert "quality guard" not in components["chat_model"]["detail"]
    # Once the model's texts were judged, the probe says how they fared.
    resources = _resources(client)
    resources.pass_rates.record(resources.chat_model.where, "lesson", passed=False)
    chat_model = {c["name"]: c for c in (await _ready(client))["components"]}["chat_model"]
    assert chat_model["detail"].endswith("quality guard: lesson 0/1 passed (est. 0.33, not asked)")


async def test_readyz_tells_anyone_only_whether_it_is_ready(settings: Settings) -> None:
    async with AsyncTestClient(create_app(settings)) as client:
        for _ in range(300):
            answer = await client.get("/readyz")
            if answer.status_code == 200:
                break
            assert answer.json() == {"ready": False, "components": None}, answer.text
            await asyncio.sleep(0.2)
        assert answer.json() == {"ready": True, "components": None}, answer.text
        # Nothing about where the data lives or what runs, signed in or not.
        await sign_up(client)
        signed_in = await client.get("/readyz")
        assert signed_in.json() == {"ready": True, "components": None}
        for secret in (str(settings.data_dir), "postgres", "384", "fake"):
            assert secret not in answer.text and secret not in signed_in.text


async def test_readyz_reports_a_component_that_is_down(
    client: AsyncTestClient[Litestar], database_url: str, pg_server: ServerAddress
) -> None:
    # Take the database away under the running app: no new connections, old ones cut.
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(pg_server.dsn("postgres"))
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
    finally:
        await admin.close()
    body = await _ready(client)
    assert body["status_code"] == 503
    states = {c["name"]: c["state"] for c in body["components"]}
    assert states["database"] == "down"
    assert states["vectors"] == "ok"


async def test_openapi_schema_and_offline_swagger_page(
    client: AsyncTestClient[Litestar],
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert {"/healthz", "/readyz"} <= set(schema["paths"])
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    assert "https://" not in page.text  # every asset is served locally, no CDN
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert f"/schema/assets/{asset}" in page.text
        served = await client.get(f"/schema/assets/{asset}")
        assert served.status_code == 200 and len(served.content) > 1000


NOTES = {
    "ownership.md": b"""# Ownership

Each value in Rust has an owner, and there can only be one owner at a time. When the
owner goes out of scope, the value will be dropped and its memory returned.

## Moves

Assigning a `String` to another variable moves it: the first variable can no longer be
used, which prevents freeing the same memory twice.

```rust
let s1 = String::from("hello");
let s2 = s1;
```
"""
}
ANSWER = (
    "Each value in Rust has an owner, and there can only be one owner at a time [1]. "
    "When the owner goes out of scope, the value is dropped [1]."
)


async def test_ws_streams_a_cited_answer_a_checked_sentence_at_a_time(
    client: AsyncTestClient[Litestar],
) -> None:
    await upload(client, NOTES)
    fake = _resources(client).chat_model
    fake.enqueue(ANSWER)  # type: ignore[attr-defined]
    with await client.websocket_connect("/ws") as ws:
        _hello(ws)
        ws.send_text(json.dumps({"v": 1, "type": "chat", "text": "What is ownership in Rust?"}))
        events = _until_done(ws)
    tokens = [e["text"] for e in events if e["type"] == "token"]
    said = "".join(tokens)
    # The model's two sentences, each sent once checked, then the passage they stand on.
    assert tokens[:2] == [
        "Each value in Rust has an owner, and there can only be one owner at a time [1]. ",
        "When the owner goes out of scope, the value is dropped [1].",
    ]
    assert said.startswith(ANSWER) and "From your notes, under **Ownership**" in said
    [citation] = [e for e in events if e["type"] == "citation"]
    assert citation["number"] == 1 and "owner" in citation["text"]
    assert events[-1]["type"] == "done"
    assert events[-1]["tokens"] == len(tokens)


async def test_ws_full_session_lesson_answer_grade_mastery(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await upload(client, NOTES)
    with await client.websocket_connect("/ws") as ws:
        _hello(ws)
        ws.send_text(json.dumps({"v": 1, "type": "start_lesson"}))
        events = _until_done(ws)
        kinds = [e["type"] for e in events]
        assert kinds[:2] == ["request", "plan"] and "lesson" in kinds and kinds[-1] == "done"
        [lesson] = [e for e in events if e["type"] == "lesson"]
        tokens = "".join(e["text"] for e in events if e["type"] == "token")
        assert tokens == lesson["text"]
        exercises = [e for e in events if e["type"] == "exercise"]
        choice = exercises[0]
        # The right answer, as stored: a first wrong answer need not move mastery.
        # (The app runs on the test client's own loop: a connection of this test's own.)
        connection = await asyncpg.connect(database_url)
        try:
            stored = await connection.fetchval(
                "SELECT body FROM exercises WHERE id = $1", UUID(choice["id"])
            )
        finally:
            await connection.close()
        body = json.loads(stored)
        right = {"multiple_choice": "answer", "short_answer": "reference_answer"}
        assert body["kind"] in right, body
        ws.send_text(
            json.dumps(
                {
                    "v": 1,
                    "type": "answer",
                    "exercise_id": choice["id"],
                    "answer": str(body[right[body["kind"]]]),
                    "idempotency_key": "first-answer",
                }
            )
        )
        graded = _until_done(ws)
    [grade] = [e for e in graded if e["type"] == "grade"]
    [mastery] = [e for e in graded if e["type"] == "mastery"]
    assert grade["exercise_id"] == choice["id"] and grade["verdict"] == "correct"
    assert mastery["p_known"] > mastery["before"]
    progress = (await client.get("/api/v1/progress")).json()
    assert progress["totals"]["attempts"] == 1, progress


async def test_ws_bad_frames_get_typed_errors_and_connection_stays_usable(
    client: AsyncTestClient[Litestar],
) -> None:
    with await client.websocket_connect("/ws") as ws:
        for frame, code in [
            ('{"v": 1, "type": "next"}', "hello_first"),
            ("{oops", "malformed"),
            ('{"v": 1, "type": "sing"}', "unknown_type"),
            ('{"v": 1, "type": "chat", "text": ""}', "invalid"),
            ('{"v": 1, "type": "answer", "exercise_id": "not-a-uuid", "answer": "x"}', "invalid"),
        ]:
            ws.send_text(frame)
            event = json.loads(ws.receive_text())
            assert event["type"] == "error" and event["code"] == code, event
        _hello(ws)
        ws.send_text(json.dumps({"v": 1, "type": "start_lesson"}))
        events = _until_done(ws)
    # No notes yet: the tutor says so, and the connection still works.
    assert "notes are empty" in "".join(e["text"] for e in events if e["type"] == "token")


def _hello(ws: Any) -> dict[str, Any]:
    ws.send_text(json.dumps({"v": 1, "type": "hello"}))
    ready: dict[str, Any] = json.loads(ws.receive_text())
    assert ready["type"] == "ready", ready
    return ready


def _until_done(ws: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in {"done", "error"}:
        events.append(json.loads(ws.receive_text()))
    return events


async def test_ws_without_a_session_is_refused_with_a_reason(
    client: AsyncTestClient[Litestar],
) -> None:
    client.cookies.clear()
    with await client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"v": 1, "type": "hello", "token": "tt_not-a-token"}))
        event = json.loads(ws.receive_text())
        assert event["type"] == "error" and event["code"] == "unauthorized", event
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 4401


async def test_ws_idle_connections_close_and_actions_are_rate_limited(settings: Settings) -> None:
    server = settings.server.model_copy(
        update={"ws_idle_timeout_s": 0.5, "ws_actions_per_minute": 2}
    )
    strict = settings.model_copy(update={"server": server})
    async with AsyncTestClient(create_app(strict)) as client:
        await sign_up(client)
        with await client.websocket_connect("/ws") as ws:
            _hello(ws)
            for _ in range(2):
                ws.send_text(json.dumps({"v": 1, "type": "next"}))
                assert _until_done(ws)[-1]["type"] == "done"
            ws.send_text(json.dumps({"v": 1, "type": "next"}))
            limited = json.loads(ws.receive_text())
            assert limited["code"] == "rate_limited" and limited["retryable"], limited
            # Pings are not actions: they are answered, and keep the connection alive.
            ws.send_text(json.dumps({"v": 1, "type": "ping"}))
            assert json.loads(ws.receive_text())["type"] == "pong"
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_text()
        assert closed.value.code == 4408
