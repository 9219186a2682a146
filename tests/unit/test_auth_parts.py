"""Password hashing and policy, tokens, the account limits and the request checks."""

from __future__ import annotations

import pytest

from tutor.api.cross_site import CrossSiteCheck
from tutor.api.hosts import HostCheck, allowed_hosts, host_name
from tutor.api.requests import json_depth
from tutor.auth.limits import AttemptLimiter
from tutor.auth.secrets import (
    API_TOKEN_PREFIX,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from tutor.auth.store import AccountError, check_credentials
from tutor.auth.throttle import AccountLimits, address_key
from tutor.config import AuthSettings, ServerSettings


def test_passwords_are_hashed_with_argon2_and_verified() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2") and "correct horse" not in stored
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "wrong horse")
    assert not verify_password(None, "correct horse")
    assert not verify_password("not a hash", "correct horse")


def test_tokens_are_random_and_stored_as_digests() -> None:
    first, second = new_token(API_TOKEN_PREFIX), new_token(API_TOKEN_PREFIX)
    assert first != second and first.startswith(API_TOKEN_PREFIX) and len(first) > 40
    assert token_hash(first) == token_hash(first) != token_hash(second)
    assert first not in token_hash(first)


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [
        ("", "long enough", "name"),
        ("has space", "long enough", "name"),
        ("ada", "short", "at least 10 characters besides spaces"),
        ("ada", "x" * 1025, "at most 1024 characters"),
        ("ada", "\t \n" * 20, "(it has 0)"),
        ("ada", "password", "at least 10"),
        ("ada", "iloveyou123", "too easy to guess"),
    ],
)
def test_bad_credentials_say_what_is_wrong(name: str, password: str, words: str) -> None:
    with pytest.raises(AccountError, match=words):
        check_credentials(name, password)


def test_limiter_blocks_after_the_allowed_failures_until_the_window_passes() -> None:
    now = [1000.0]
    limiter = AttemptLimiter(attempts=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("ada|1.2.3.4") == 0
        limiter.failed("ada|1.2.3.4")
    assert limiter.retry_after("ada|1.2.3.4") == pytest.approx(60)
    assert limiter.retry_after("bob|1.2.3.4") == 0  # others are not affected
    now[0] += 30
    assert limiter.retry_after("ada|1.2.3.4") == pytest.approx(30)
    now[0] += 31
    assert limiter.retry_after("ada|1.2.3.4") == 0


def test_success_forgets_failures() -> None:
    limiter = AttemptLimiter(attempts=2, window_s=60)
    limiter.failed("k")
    limiter.succeeded("k")
    limiter.failed("k")
    assert limiter.retry_after("k") == 0


def test_limiter_forgets_keys_that_never_come_back() -> None:
    now = [0.0]
    limiter = AttemptLimiter(attempts=3, window_s=10, clock=lambda: now[0])
    for i in range(5000):
        limiter.failed(f"name{i}")
    assert len(limiter) == 5000  # all within the window
    now[0] += 11
    for i in range(10_000):
        limiter.failed(f"later{i}")
    assert len(limiter) == 10_000  # the first 5,000 have expired and are gone


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("correct horse battery", True),
        ("Tr0ub4dor&3x", True),
        ("  spaced  out  words  here  ", True),
        ("12345678", False),
        ("        ", False),
        ("password", False),
        ("qwertyuiop", False),
        ("aaaaaaaaaaaa", False),
        ("abcdefghijkl", False),
    ],
)
def test_password_policy(password: str, accepted: bool) -> None:
    if accepted:
        check_credentials("ada", password)
    else:
        with pytest.raises(AccountError, match="the password"):
            check_credentials("ada", password)


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"1", 0),
        (b'"[[[["', 0),
        (b"[]", 1),
        (b'{"a": [1, {"b": "[{"}], "c": {}}', 3),
        (b'["\\\\", [["\\"["]]]', 3),
        (b'["a\\\\\\"[["]', 1),
        (b'["a\\"[["]', 1),
        (b"[" * 1000 + b"]" * 1000, 1000),
        (b"]]]]", 0),
    ],
)
def test_json_depth_skips_strings_and_escapes(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


def test_account_limits_per_pair_address_and_name() -> None:
    now = [0.0]
    limits = AccountLimits(
        AuthSettings(
            signin_attempts=2,
            signin_window_s=60,
            signin_address_attempts=4,
            signin_name_attempts=3,
            signin_long_window_s=600,
            signups_per_address=2,
            signup_window_s=3600,
        ),
        clock=lambda: now[0],
    )
    device = limits.remember("ada", None)
    # Two failures for one name at one address hold that pair.
    for _ in range(2):
        limits.signin_failed("bob", "1.1.1.1", None)
    assert limits.signin_wait("bob", "1.1.1.1", None) == pytest.approx(60)
    assert limits.signin_wait("bob", "2.2.2.2", None) == 0
    # Four failures from one address, whatever the names, hold the address.
    limits.signin_failed("carl", "1.1.1.1", None)
    limits.signin_failed("dora", "1.1.1.1", None)
    assert limits.signin_wait("erin", "1.1.1.1", None) == pytest.approx(600)
    # Three failures on one name, from anywhere, hold the name, but not its own browser.
    for address in ("3.3.3.3", "4.4.4.4", "5.5.5.5"):
        limits.signin_failed("ada", address, None)
    assert limits.signin_wait("ada", "6.6.6.6", None) == pytest.approx(600)
    assert limits.signin_wait("ada", "6.6.6.6", device) == 0
    assert limits.signin_wait("ada", "6.6.6.6", "forged") > 0
    assert not limits.knows("bob", device)  # a device is known for its learner only
    # Success forgets the pair, not the address nor the name.
    assert limits.signin_succeeded("ada", "6.6.6.6", device) == device
    now[0] += 61
    assert limits.signin_wait("bob", "2.2.2.2", None) == 0
    assert limits.signin_wait("ada", "7.7.7.7", None) > 0
    now[0] += 600
    assert limits.signin_wait("ada", "7.7.7.7", None) == 0
    assert limits.signin_wait("erin", "1.1.1.1", None) == 0
    # Sign-ups are counted per address, every attempt.
    assert [limits.signup_wait("8.8.8.8") for _ in range(3)][:2] == [0, 0]
    assert limits.signup_wait("8.8.8.8") > 0 and limits.signup_wait("9.9.9.9") == 0


def test_a_learner_keeps_a_few_browsers() -> None:
    limits = AccountLimits(AuthSettings())
    devices = [limits.remember("ada", None) for _ in range(12)]
    assert [limits.knows("ada", d) for d in devices] == [False] * 4 + [True] * 8


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("testclient", "testclient"),
    ],
)
def test_addresses_are_counted_by_network_for_ipv6(host: str, key: str) -> None:
    assert address_key(host) == key


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("localhost:8000", "localhost"),
        ("LocalHost", "localhost"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("tutor.example.org", "tutor.example.org"),
        ("", ""),
    ],
)
def test_host_names_lose_port_and_brackets(header: str, name: str) -> None:
    assert host_name(header) == name


def test_default_host_names_are_loopback_and_the_configured_host() -> None:
    assert allowed_hosts(ServerSettings(allowed_hosts=None)) == [
        "localhost",
        "127.0.0.1",
        "::1",
    ]
    assert "tutor.lan" in allowed_hosts(ServerSettings(host="tutor.lan", allowed_hosts=None))
    assert "0.0.0.0" not in allowed_hosts(ServerSettings(host="0.0.0.0", allowed_hosts=None))
    check = HostCheck(["tutor.example.org", "*.example.net"])
    assert check.allows("tutor.example.org") and check.allows("a.example.net")
    assert not check.allows("example.net") and not check.allows("evil-example.net")


def _scope(method: str, **headers: str) -> dict[str, object]:
    return {
        "type": "http",
        "method": method,
        "headers": [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    }


@pytest.mark.parametrize(
    ("method", "headers", "allowed"),
    [
        ("GET", {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, True),
        ("POST", {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, False),
        ("DELETE", {"Origin": "http://evil.example"}, False),
        ("POST", {"Origin": "null"}, False),
        ("POST", {"Origin": "http://[::1"}, False),
        ("POST", {"Sec-Fetch-Site": "same-site"}, False),
        ("POST", {"Sec-Fetch-Site": "same-origin", "Origin": "http://t.local"}, True),
        ("POST", {"Sec-Fetch-Site": "none"}, True),
        ("POST", {"Origin": "http://t.local", "Host": "t.local"}, True),
        ("POST", {"Origin": "http://t.local:8000", "Host": "t.local"}, False),
        ("POST", {}, True),
        ("PUT", {"Origin": "http://evil.example", "Authorization": "Bearer tt_x"}, True),
        ("POST", {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, True),
    ],
)
def test_cross_site_requests(method: str, headers: dict[str, str], allowed: bool) -> None:
    check = CrossSiteCheck(["http://localhost:3000/"])
    assert check.allows(_scope(method, **headers)) is allowed  # type: ignore[arg-type]
