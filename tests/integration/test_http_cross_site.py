"""Pages of other sites and other host names cannot act on a learner's behalf."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import AsyncTestClient

from tests.integration.conftest import PASSWORD, sign_up
from tutor.api.app import create_app
from tutor.config import ServerSettings, Settings

pytestmark = pytest.mark.integration

FOREIGN_PAGE = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
"""What a browser sends with a request made by a page of another site."""
OLD_BROWSER_FOREIGN_PAGE = {"Origin": "http://evil.example"}
"""The same from a browser that does not send Sec-Fetch-Site."""
SAME_SITE_PAGE = {"Origin": "http://testserver.local:3000", "Sec-Fetch-Site": "same-site"}
"""A page on another port of the same host."""
SANDBOXED_PAGE = {"Origin": "null"}
MALFORMED_ORIGIN = {"Origin": "http://[::1"}
OWN_PAGE = {"Origin": "http://testserver.local", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


def _upload_parts() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", ("a.md", b"# Alpha\n\nSome notes.\n", "text/markdown"))]


async def _changes(
    client: AsyncTestClient[Litestar], headers: dict[str, str], token_id: str
) -> dict[str, int]:
    """The status of each state-changing request sent with ``headers``."""
    answers = {
        "token": await client.post("/api/v1/auth/tokens", json={"name": "stolen"}, headers=headers),
        "upload": await client.post("/api/v1/documents", files=_upload_parts(), headers=headers),
        "run": await client.post("/api/v1/sandbox/run", json={"code": "print(1)"}, headers=headers),
        "revoke": await client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers),
        "preferences": await client.put(
            "/api/v1/preferences", json={"daily_goal": 5}, headers=headers
        ),
        "signout": await client.post("/api/v1/auth/signout", headers=headers),
    }
    return {name: answer.status_code for name, answer in answers.items()}


@pytest.mark.parametrize(
    "headers",
    [FOREIGN_PAGE, OLD_BROWSER_FOREIGN_PAGE, SAME_SITE_PAGE, SANDBOXED_PAGE, MALFORMED_ORIGIN],
    ids=["cross-site", "origin-only", "same-site", "null-origin", "malformed-origin"],
)
async def test_a_foreign_page_cannot_change_anything_with_the_cookie(
    client: AsyncTestClient[Litestar], headers: dict[str, str]
) -> None:
    await sign_up(client)
    token = (await client.post("/api/v1/auth/tokens", json={"name": "mine"})).json()
    statuses = await _changes(client, headers, token["id"])
    assert set(statuses.values()) == {403}, statuses
    refused = await client.post("/api/v1/auth/tokens", json={"name": "x"}, headers=headers)
    assert "another site" in refused.json()["detail"]
    # Nothing changed: the session lives, the one token is unrevoked, no notes arrived.
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    tokens = (await client.get("/api/v1/auth/tokens")).json()
    assert [(t["name"], t["revoked"]) for t in tokens] == [("mine", False)]
    assert (await client.get("/api/v1/documents")).json() == []
    # Reading is not refused: a foreign page cannot read the answer anyway (no CORS).
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200


async def test_the_tutors_own_pages_and_other_clients_may(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client)
    token = (await client.post("/api/v1/auth/tokens", json={"name": "mine"})).json()
    own = await _changes(client, OWN_PAGE, token["id"])
    assert own == {
        "token": 201,
        "upload": 202,
        "run": 200,
        "revoke": 204,
        "preferences": 200,
        "signout": 204,
    }, own
    # A browser that sends only Origin, the server's own.
    signed_in = await client.post(
        "/api/v1/auth/signin",
        json={"name": "ada", "password": PASSWORD},
        headers={"Origin": "http://testserver.local"},
    )
    assert signed_in.status_code == 200, signed_in.text


async def test_a_bearer_token_works_from_any_page(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client)
    secret = (await client.post("/api/v1/auth/tokens", json={"name": "bot"})).json()["token"]
    other = (await client.post("/api/v1/auth/tokens", json={"name": "other"})).json()
    client.cookies.clear()
    bearer = FOREIGN_PAGE | {"Authorization": f"Bearer {secret}"}
    statuses = await _changes(client, bearer, other["id"])
    assert statuses == {
        "token": 201,
        "upload": 202,
        "run": 200,
        "revoke": 204,
        "preferences": 200,
        "signout": 204,
    }, statuses


async def test_origins_allowed_by_setting_may(settings: Settings) -> None:
    dev_server = "http://localhost:3000"
    settings = settings.model_copy(update={"server": ServerSettings(allowed_origins=[dev_server])})
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        headers = {"Origin": dev_server, "Sec-Fetch-Site": "same-site"}
        created = await client.post("/api/v1/auth/tokens", json={"name": "t"}, headers=headers)
        assert created.status_code == 201, created.text
        foreign = await client.post("/api/v1/auth/tokens", json={"name": "t"}, headers=FOREIGN_PAGE)
        assert foreign.status_code == 403


async def test_signing_in_from_a_foreign_page_sets_no_cookie(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client)
    client.cookies.clear()
    body = f'{{"name": "ada", "password": "{PASSWORD}"}}'
    # A form or a no-CORS fetch can send text/plain without asking first.
    for headers in (FOREIGN_PAGE, OLD_BROWSER_FOREIGN_PAGE, {}):
        for path in ("/api/v1/auth/signin", "/api/v1/auth/signup"):
            answer = await client.post(
                path, content=body, headers=headers | {"Content-Type": "text/plain"}
            )
            assert answer.status_code in {403, 415}, (headers, path, answer.text)
            assert "set-cookie" not in answer.headers, (headers, path)
    assert (await client.get("/api/v1/auth/me")).status_code == 401


ZERO = "00000000-0000-0000-0000-000000000000"
JSON_ROUTES = [
    ("POST", "/api/v1/auth/signup", {"name": "eve", "password": PASSWORD}),
    ("POST", "/api/v1/auth/signin", {"name": "ada", "password": PASSWORD}),
    ("POST", "/api/v1/auth/tokens", {"name": "t"}),
    ("POST", "/api/v1/sandbox/run", {"code": "print(1)"}),
    ("POST", "/api/v1/paths", {"name": "p", "targets": [ZERO]}),
    ("PUT", "/api/v1/preferences", {"daily_goal": 5}),
    (
        "POST",
        "/api/v1/attempts",
        {"concept_id": ZERO, "kind": "code", "score": 1, "idempotency_key": "k"},
    ),
]


def _form_encoded(body: dict[str, Any]) -> str:
    # What an HTML form posts: the JSON as a field name, so it would parse if read as JSON.
    return json.dumps(body) + "="


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_json_routes_read_only_json(
    client: AsyncTestClient[Litestar], content_type: str | None
) -> None:
    await sign_up(client)
    for method, path, body in JSON_ROUTES:
        content = _form_encoded(body) if content_type and "form" in content_type else None
        headers = {"Content-Type": content_type} if content_type else {}
        answer = await client.request(
            method, path, content=content or json.dumps(body), headers=headers
        )
        assert answer.status_code == 415, (method, path, answer.text)
        assert "application/json" in answer.json()["detail"], answer.text
        assert "set-cookie" not in answer.headers
    assert (await client.get("/api/v1/auth/tokens")).json() == []
    assert (await client.get("/api/v1/paths")).json() == []


async def test_uploads_read_only_multipart(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client)
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/json"):
        answer = await client.post(
            "/api/v1/documents", content=b"files=a.md", headers={"Content-Type": content_type}
        )
        assert answer.status_code == 415, (content_type, answer.text)
        assert "multipart/form-data" in answer.json()["detail"]
    assert (await client.get("/api/v1/documents")).json() == []


async def test_json_nested_a_thousand_deep_is_a_bad_request(
    client: AsyncTestClient[Litestar],
) -> None:
    deep = "[" * 1000 + "]" * 1000
    signin = await client.post(
        "/api/v1/auth/signin",
        content=f'{{"name": {deep}, "password": "x"}}',
        headers={"Content-Type": "application/json"},
    )
    assert signin.status_code == 400, signin.text
    assert "nests 1001 levels deep" in signin.json()["detail"]  # the object is one more
    await sign_up(client)
    for method, path, _ in JSON_ROUTES:
        for body in (deep, f'{{"a": {deep}}}', '{"a": ' * 5000 + "1" + "}" * 5000):
            answer = await client.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 400, (method, path, answer.text)
            assert "levels deep" in answer.json()["detail"]
    # Brackets inside strings are text, not nesting.
    named = await client.post("/api/v1/auth/tokens", json={"name": "[" * 90})
    assert named.status_code == 201, named.text


async def test_a_json_body_larger_than_the_api_needs_is_refused(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client)
    answer = await client.post("/api/v1/sandbox/run", json={"code": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413, answer.text
    assert "at most 1024 KiB" in answer.json()["detail"]


@pytest.fixture
async def loopback_only(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """The app with the default host names, reached as localhost."""
    settings = settings.model_copy(update={"server": ServerSettings(allowed_hosts=None)})
    app = create_app(settings)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


async def test_unknown_host_names_are_refused(
    loopback_only: AsyncTestClient[Litestar],
) -> None:
    client = loopback_only
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST", "localhost"):
        answer = await client.get("/healthz", headers={"Host": host})
        assert answer.status_code == 200, (host, answer.text)
    # A rebinding page: its own name, pointed at the tutor's address.
    for host in ("evil.example:8000", "evil.example", "localhost.evil.example", "", "127.0.0.2"):
        for method, path in (("GET", "/healthz"), ("POST", "/api/v1/auth/signup")):
            answer = await client.request(
                method,
                path,
                json={"name": "eve", "password": PASSWORD},
                headers={"Host": host},
            )
            assert answer.status_code == 400, (host, path, answer.text)
            assert "does not answer to the host name" in answer.json()["detail"]
    assert (await client.get("/api/v1/auth/me")).status_code == 401  # no one signed up
    with (
        pytest.raises(WebSocketDisconnect),
        await client.websocket_connect("/ws", headers={"Host": "evil.example"}) as ws,
    ):
        ws.send_text(json.dumps({"v": 1, "type": "hello"}))
        ws.receive_text()


@pytest.mark.parametrize(
    ("server", "allowed", "refused"),
    [
        (
            ServerSettings(host="tutor.lan", allowed_hosts=None),
            ["tutor.lan", "localhost"],
            ["other.lan"],
        ),
        (
            ServerSettings(host="0.0.0.0", allowed_hosts=None),
            ["127.0.0.1"],
            ["0.0.0.0", "192.168.1.9"],
        ),
        (
            ServerSettings(allowed_hosts=["tutor.example.org", "*.tutor.example.org"]),
            ["tutor.example.org", "a.tutor.example.org:443"],
            ["localhost", "eviltutor.example.org"],
        ),
        (ServerSettings(allowed_hosts=["*"]), ["anything.example", "10.1.2.3:9"], []),
    ],
    ids=["host", "any-interface", "listed", "any"],
)
async def test_the_allowed_host_names_follow_the_settings(
    settings: Settings, server: ServerSettings, allowed: list[str], refused: list[str]
) -> None:
    app = create_app(settings.model_copy(update={"server": server}))
    async with AsyncTestClient(app) as client:
        for host in allowed:
            answer = await client.get("/healthz", headers={"Host": host})
            assert answer.status_code == 200, (host, answer.text)
        for host in refused:
            answer = await client.get("/healthz", headers={"Host": host})
            assert answer.status_code == 400, (host, answer.text)
