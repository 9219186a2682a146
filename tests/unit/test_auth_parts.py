"""Password hashing, tokens and the sign-in limiter."""

from __future__ import annotations

import pytest

from tutor.auth.limits import AttemptLimiter
from tutor.auth.secrets import (
    API_TOKEN_PREFIX,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from tutor.auth.store import AccountError, check_credentials


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
        ("ada", "short", "8 to 1024"),
        ("ada", "x" * 1025, "8 to 1024"),
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
