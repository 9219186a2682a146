"""Guessing passwords and listing names are slowed down, per address and per name; the
addresses are the clients' own, behind trusted proxies too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from tests.integration.conftest import PASSWORD
from tutor.api.app import create_app
from tutor.config import AuthSettings, ServerSettings, Settings

pytestmark = pytest.mark.integration

WRONG = "not the password at all"
Client = AsyncTestClient[Litestar]


def _with_peers(app: Litestar) -> ASGIApp:
    """``app``, seeing each request come from the address in its X-Test-Peer header."""

    async def peered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            peer = dict(scope["headers"]).get(b"x-test-peer")
            if peer is not None:
                scope["client"] = (peer.decode(), 40000)
        await app(scope, receive, send)

    return peered


def peer(host: str, **headers: str) -> dict[str, str]:
    """Headers that make a request come from ``host``."""
    return {"X-Test-Peer": host, **headers}


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[Client]:
    auth = AuthSettings(
        signin_attempts=3,
        signin_address_attempts=10,
        signin_name_attempts=10,
        signups_per_address=3,
    )
    server = ServerSettings(trusted_proxies=["10.0.0.1"])
    app = create_app(settings.model_copy(update={"auth": auth, "server": server}))
    async with AsyncTestClient(_with_peers(app)) as client:  # type: ignore[arg-type]
        yield client


async def _sign_in(client: Client, name: str, password: str, headers: dict[str, str]) -> int:
    answer = await client.post(
        "/api/v1/auth/signin", json={"name": name, "password": password}, headers=headers
    )
    return answer.status_code


async def _sign_up(client: Client, name: str, headers: dict[str, str]) -> int:
    answer = await client.post(
        "/api/v1/auth/signup", json={"name": name, "password": PASSWORD}, headers=headers
    )
    return answer.status_code


async def test_one_address_trying_many_names_is_limited(client: Client) -> None:
    sprayer = peer("203.0.113.5")
    statuses = [await _sign_in(client, f"learner{i}", WRONG, sprayer) for i in range(30)]
    assert statuses[:10] == [401] * 10, statuses
    assert set(statuses[10:]) == {429}, statuses
    assert await _sign_in(client, "learner0", WRONG, peer("198.51.100.7")) == 401


async def test_an_ipv6_host_counts_as_its_network(client: Client) -> None:
    statuses = [
        await _sign_in(client, f"learner{i}", WRONG, peer(f"2001:db8:1:2::{i + 1:x}"))
        for i in range(12)
    ]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}, statuses
    assert await _sign_in(client, "learner0", WRONG, peer("2001:db8:1:3::1")) == 401


async def test_many_addresses_guessing_one_name_do_not_lock_its_learners_browser(
    client: Client,
) -> None:
    assert await _sign_up(client, "ada", peer("192.0.2.10")) == 201
    device = client.cookies.get("tutor_device")
    assert device
    client.cookies.clear()
    statuses = [
        await _sign_in(client, "ada", f"guess number {i}", peer(f"198.51.100.{i + 1}"))
        for i in range(14)
    ]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}, statuses
    # A new browser with the right password waits too: the name is under attack.
    assert await _sign_in(client, "ada", PASSWORD, peer("198.51.100.200")) == 429
    # A made-up device token is no one's.
    client.cookies.set("tutor_device", "made-up", domain="testserver.local")
    assert await _sign_in(client, "ada", PASSWORD, peer("192.0.2.10")) == 429
    # Ada's own browser signs in, whatever its address today, and can fail a few times.
    client.cookies.set("tutor_device", device, domain="testserver.local")
    assert await _sign_in(client, "ada", "a typo in it", peer("192.0.2.99")) == 401
    assert await _sign_in(client, "ada", PASSWORD, peer("192.0.2.99")) == 200
    assert await _sign_in(client, "ada", PASSWORD, peer("192.0.2.10")) == 200


async def test_signups_are_limited_per_address_whatever_their_outcome(client: Client) -> None:
    lister = peer("203.0.113.9")
    answers = [
        await client.post(
            "/api/v1/auth/signup", json={"name": name, "password": PASSWORD}, headers=lister
        )
        for name in ("ada", "ada", "grace", "alan", "linus")
    ]
    statuses = [a.status_code for a in answers]
    assert statuses == [201, 400, 201, 429, 429], statuses
    assert "taken" in answers[1].json()["detail"]
    assert "too many sign-ups" in answers[3].json()["detail"]
    assert int(answers[3].headers["retry-after"]) > 0
    assert await _sign_up(client, "alan", peer("198.51.100.9")) == 201


async def test_forwarded_for_counts_only_from_a_trusted_proxy(client: Client) -> None:
    # Behind the trusted proxy, each client is itself: one is limited, the next is not.
    def proxied(*chain: str) -> dict[str, str]:
        return peer("10.0.0.1", **{"X-Forwarded-For": ", ".join(chain)})

    first = [await _sign_in(client, "ada", WRONG, proxied("198.51.100.1")) for _ in range(4)]
    assert first == [401, 401, 401, 429], first
    assert await _sign_in(client, "ada", WRONG, proxied("198.51.100.2")) == 401
    # A client cannot pose as another by sending its own X-Forwarded-For to the proxy.
    assert await _sign_in(client, "ada", WRONG, proxied("198.51.100.2", "198.51.100.1")) == 429
    # From anyone else the header is ignored: changing it changes nothing.
    statuses = [
        await _sign_in(
            client, "bob", WRONG, peer("192.0.2.50", **{"X-Forwarded-For": f"203.0.113.{i}"})
        )
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429], statuses


async def test_the_scheme_counts_only_from_a_trusted_proxy(client: Client) -> None:
    https = {"X-Forwarded-Proto": "https"}
    signup = await client.post(
        "/api/v1/auth/signup",
        json={"name": "ada", "password": PASSWORD},
        headers=peer("10.0.0.1", **https),
    )
    assert signup.status_code == 201
    cookies = signup.headers.get_list("set-cookie")
    assert len(cookies) == 2 and all("secure" in c.lower() for c in cookies), cookies
    assert signup.headers["strict-transport-security"].startswith("max-age=")
    client.cookies.clear()
    signin = await client.post(
        "/api/v1/auth/signin",
        json={"name": "ada", "password": PASSWORD},
        headers=peer("192.0.2.50", **https),
    )
    assert signin.status_code == 200
    assert not any("secure" in c.lower() for c in signin.headers.get_list("set-cookie"))
    assert "strict-transport-security" not in signin.headers
