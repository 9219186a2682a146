"""Passwords and tokens, and how they are kept: never in the clear.

Passwords are hashed with argon2 (slow on purpose). Session and API tokens are 256-bit
random strings, so a fast SHA-256 of them is enough to make a stolen table useless.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_TOKEN_PREFIX = "tt_"
"""Marks personal API tokens, so a leaked one is easy to recognise in logs or code."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2 hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; an account without a password matches nothing.

    With no hash, a hash is still computed, so an unknown name takes as long to refuse
    as a wrong password and cannot be told apart by timing.
    """
    if password_hash is None:
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    """A new random token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """How a token is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    """A random password a person can type."""
    return secrets.token_urlsafe(12)
