"""The app on real Postgres, Chroma and embeddings, with the fake chat model."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up
from tutor.api.app import create_app
from tutor.config import Settings
from tutor.db import ServerAddress
from tutor.resources import Resources

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        yield client


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


async def test_ws_streams_the_reply_token_by_token(client: AsyncTestClient[Litestar]) -> None:
    fake = _resources(client).chat_model
    fake.enqueue("Ownership means each value has one owner.")  # type: ignore[attr-defined]
    with await client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "chat", "text": "What is ownership?"}))
        events = _until_done(ws)
    tokens = [e["text"] for e in events if e["type"] == "token"]
    assert len(tokens) > 3
    assert "".join(tokens) == "Ownership means each value has one owner."
    assert events[-1]["type"] == "done"
    assert events[-1]["tokens"] == len(tokens)


async def test_ws_bad_frames_get_typed_errors_and_connection_stays_usable(
    client: AsyncTestClient[Litestar],
) -> None:
    fake = _resources(client).chat_model
    fake.enqueue("Still here.")  # type: ignore[attr-defined]
    with await client.websocket_connect("/ws") as ws:
        for frame, code in [
            ("{oops", "malformed"),
            ('{"type": "sing"}', "unknown_type"),
            ('{"type": "chat", "text": ""}', "invalid"),
        ]:
            ws.send_text(frame)
            event = json.loads(ws.receive_text())
            assert event["type"] == "error" and event["code"] == code, event
        ws.send_text(json.dumps({"type": "chat", "text": "Are you there?"}))
        events = _until_done(ws)
    assert "".join(e["text"] for e in events if e["type"] == "token") == "Still here."


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
        event = json.loads(ws.receive_text())
        assert event["type"] == "error" and event["code"] == "unauthorized", event
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 4401
