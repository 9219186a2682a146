"""Accounts end to end: sessions, tokens, limits, and no learner reaching another's data."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import PASSWORD, sign_up, upload
from tutor.api.app import create_app
from tutor.config import AuthSettings, DatabaseSettings, LLMSettings, Settings

pytestmark = pytest.mark.integration

PUBLIC = {
    "/healthz",
    "/readyz",
    "/api/v1/auth/signup",
    "/api/v1/auth/signin",
    "/api/v1/auth/signout",
}


@pytest.fixture
async def app(database_url: str, data_dir: Path) -> Litestar:
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        llm=LLMSettings(provider="fake"),
        auth=AuthSettings(signin_attempts=3),
    )
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as client:
        yield client


async def test_session_cookie_is_safe_and_signout_ends_it(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post("/api/v1/auth/signup", json={"name": "ada", "password": PASSWORD})
    assert response.status_code == 201
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert (await client.get("/api/v1/auth/me")).json()["name"] == "ada"
    assert (await client.post("/api/v1/auth/signout")).status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    # X-Forwarded-Proto from a client that is not a trusted proxy changes nothing.
    posing = await client.post(
        "/api/v1/auth/signin",
        json={"name": "ada", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "secure" not in posing.headers["set-cookie"].lower()


async def test_bad_signups_are_explained(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client, "ada")
    for body, words in [
        ({"name": "ada", "password": PASSWORD}, "taken"),
        ({"name": "bob", "password": "short"}, "at least 10 characters besides spaces"),
        ({"name": "bad name", "password": PASSWORD}, "name must be"),
    ]:
        response = await client.post("/api/v1/auth/signup", json=body)
        assert response.status_code == 400, response.text
        assert words in response.text


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("12345678", "at least 10 characters besides spaces (it has 8)"),
        ("password", "at least 10 characters besides spaces"),
        (" " * 8, "(it has 0)"),
        ("a b c d e f g h", "(it has 8)"),
        ("1234567890", "too easy to guess: this is a top-100 common password"),
        ("password1234", "too easy to guess: this is a very common password"),
        ("qwertyuiop[]", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", 'too easy to guess: repeats like "aaa"'),
        ("bobbobbob1", 'too easy to guess: repeats like "abcabcabc"'),
    ],
)
async def test_weak_passwords_are_refused_saying_why(
    client: AsyncTestClient[Litestar], password: str, why: str
) -> None:
    response = await client.post("/api/v1/auth/signup", json={"name": "bob", "password": password})
    assert response.status_code == 400, response.text
    assert why in response.json()["detail"], response.text
    assert response.json()["error"] == "PasswordError"
    assert "set-cookie" not in response.headers
    signin = await client.post("/api/v1/auth/signin", json={"name": "bob", "password": password})
    assert signin.status_code == 401  # no account was made


async def test_wrong_password_and_unknown_user_look_alike_then_get_limited(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client, "ada")
    wrong = await client.post("/api/v1/auth/signin", json={"name": "ada", "password": "nope-nope"})
    unknown = await client.post(
        "/api/v1/auth/signin", json={"name": "nobody", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong name or password"
    for _ in range(2):
        await client.post("/api/v1/auth/signin", json={"name": "ada", "password": "nope-nope"})
    limited = await client.post("/api/v1/auth/signin", json={"name": "ada", "password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0


async def test_api_tokens_work_until_revoked_or_expired(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client, "ada")
    created = (await client.post("/api/v1/auth/tokens", json={"name": "bot"})).json()
    secret = created["token"]
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    expired = (
        await client.post("/api/v1/auth/tokens", json={"name": "old", "expires_at": past})
    ).json()["token"]
    listed = (await client.get("/api/v1/auth/tokens")).json()
    assert {t["name"] for t in listed} == {"bot", "old"}
    assert all("token" not in t for t in listed)  # the secret is shown once only
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/v1/auth/me", headers=bearer)).json()["name"] == "ada"
    old = {"Authorization": f"Bearer {expired}"}
    assert (await client.get("/api/v1/auth/me", headers=old)).status_code == 401
    revoked = await client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=bearer)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=bearer)).status_code == 401


async def test_malformed_and_oversized_json_are_client_errors(
    client: AsyncTestClient[Litestar],
) -> None:
    malformed = await client.post(
        "/api/v1/auth/signin", content=b"{name", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    huge = await client.post("/api/v1/auth/signin", json={"name": "ada", "password": "x" * 5000})
    assert huge.status_code == 400


def _operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def test_every_route_needs_a_learner(client: AsyncTestClient[Litestar]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    zero = "00000000-0000-0000-0000-000000000000"
    for method, path in _operations(schema):
        if path in PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", zero, path)
        response = await client.request(method, url)
        assert response.status_code == 401, (method, path, response.status_code)


async def test_no_route_reaches_another_learners_data(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client, "ada")
    job_id = (await upload(client, {"a.md": b"# Alpha\n\nAda's private notes.\n"}))["id"]
    document_id = (await client.get("/api/v1/documents")).json()[0]["id"]
    token = (await client.post("/api/v1/auth/tokens", json={"name": "t"})).json()
    concept = (await client.get("/api/v1/graph")).json()["nodes"][0]["id"]
    path = (await client.post("/api/v1/paths", json={"name": "p", "targets": [concept]})).json()
    ids = {
        "document_id": document_id,
        "job_id": job_id,
        "token_id": token["id"],
        "path_id": path["id"],
    }

    client.cookies.clear()
    await sign_up(client, "bob")  # from here on the client is Bob
    schema = (await client.get("/schema/openapi.json")).json()
    checked = 0
    for method, path in _operations(schema):
        if path in PUBLIC:
            continue
        names = re.findall(r"\{([^}:]+)", path)
        url = path
        for name in names:
            url = re.sub(r"\{" + name + r"[^}]*\}", ids[name], url)
        response = await client.request(method, url)
        if names:
            assert response.status_code == 404, (method, path, response.text)
            checked += 1
        elif method == "GET":
            assert response.status_code == 200, (method, path)
            assert document_id not in response.text and "Alpha" not in response.text
    assert checked >= 6
    # Ada's concept is not Bob's to practise or to aim for.
    foreign = await client.post(
        "/api/v1/attempts",
        json={"concept_id": concept, "kind": "code", "score": 1, "idempotency_key": "k"},
    )
    assert foreign.status_code == 404
    aimed = await client.post("/api/v1/paths", json={"name": "x", "targets": [concept]})
    assert aimed.status_code == 404
    # Ada's things are all still there, and hers alone.
    client.cookies.clear()
    ada = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.get(f"/api/v1/documents/{document_id}", headers=ada)).status_code == 200
    tokens = (await client.get("/api/v1/auth/tokens", headers=ada)).json()
    assert [t["revoked"] for t in tokens] == [False]


async def test_text_the_database_cannot_store_is_refused_not_a_crash(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client, "ada")
    for path, body in [
        ("/api/v1/auth/signup", b'{"name": "bob", "password": "lone \\udaaf surrogate"}'),
        ("/api/v1/auth/signin", b'{"name": "ada", "password": "nul\\u0000byte in it"}'),
        ("/api/v1/auth/tokens", b'{"name": "bot\\u0000"}'),
    ]:
        response = await client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
    assert (await client.get("/api/v1/auth/tokens")).json() == []


async def test_token_times_are_always_in_utc(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client, "ada")
    for expires_at, expected in [
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00"),
        ("2999-01-01T00:00:00", "2999-01-01T00:00:00"),
    ]:
        response = await client.post(
            "/api/v1/auth/tokens", json={"name": "t", "expires_at": expires_at}
        )
        assert response.status_code == 201, response.text
        answered = datetime.fromisoformat(response.json()["expires_at"])
        assert answered.utcoffset() == timedelta(0), response.text
        assert answered.replace(tzinfo=None).isoformat() == expected
    listed = (await client.get("/api/v1/auth/tokens")).json()
    assert all(datetime.fromisoformat(t["expires_at"]).tzinfo for t in listed)


async def test_a_token_expiry_must_be_a_date_time_string(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client, "ada")
    # Lax validation would read a number as seconds since 1970: a token dead on arrival.
    edges = ["2030-13-01T00:00", "0001-01-01T00:03:00+01:01", "9999-12-31T23:30:00-01:00"]
    for expires_at in [12297, 1.5, True, "0", "12297", "2030-01-01", "soon", *edges]:
        response = await client.post(
            "/api/v1/auth/tokens", json={"name": "t", "expires_at": expires_at}
        )
        assert response.status_code == 400, (expires_at, response.text)
        assert response.json()["extra"][0]["key"] == "expires_at", response.text
        if expires_at not in edges:
            assert "a date and time" in response.text, response.text
    assert (await client.get("/api/v1/auth/tokens")).json() == []


async def test_refusals_have_the_shape_of_every_error(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client, "ada")
    taken = await client.post("/api/v1/auth/signup", json={"name": "ada", "password": PASSWORD})
    assert taken.status_code == 400
    assert taken.json()["status_code"] == 400 and "taken" in taken.json()["detail"]
    assert taken.json()["error"] == "AccountError"


async def test_signout_without_a_session_answers_no_content(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post("/api/v1/auth/signout")
    assert response.status_code == 204 and response.content == b""
    assert "max-age=0" in response.headers["set-cookie"].lower()


async def test_every_operation_is_documented(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary") and operation.get("description"), where
            statuses = set(operation["responses"])
            if path.startswith("/api/v1/") and not path.startswith("/api/v1/auth/sign"):
                assert "401" in statuses, where
            if "{" in path:
                assert "404" in statuses, where
            for status, response in operation["responses"].items():
                # The framework's own 400 for invalid input has a schema but no example.
                if status.startswith("4") and status != "400":
                    assert response["content"]["application/json"]["examples"], where
