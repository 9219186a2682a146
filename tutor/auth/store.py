"""Learners, sessions and API tokens in PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from tutor.auth.errors import AccountError
from tutor.auth.passwords import check_password
from tutor.auth.secrets import (
    API_TOKEN_PREFIX,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)

__all__ = ["AccountError", "AccountStore", "ApiToken", "User", "check_credentials"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class User:
    """A learner."""

    id: UUID
    name: str


@dataclass(frozen=True)
class ApiToken:
    """A personal API token, as listed (never its secret)."""

    id: UUID
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


def check_credentials(name: str, password: str) -> None:
    """Refuse a malformed name or a weak password, saying which and why."""
    if not _NAME.match(name):
        raise AccountError(
            "the name must be 1 to 64 letters, digits or . _ @ -, starting with a letter or digit"
        )
    check_password(password, name=name)


def _checked_hash(name: str, password: str) -> str:
    check_credentials(name, password)
    return hash_password(password)


def _checked_password_hash(name: str, password: str) -> str:
    check_password(password, name=name)
    return hash_password(password)


class AccountStore:
    """Accounts, sessions and tokens; secrets are only ever stored hashed."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_user(self, name: str, password: str) -> User:
        """A new learner; refused if the name is taken or the credentials are weak."""
        # Rating and hashing the password take CPU (hashing a fraction of a second, on
        # purpose): not on the event loop.
        password_hash = await asyncio.to_thread(_checked_hash, name, password)
        try:
            row = await self._pool.fetchrow(
                "INSERT INTO users (name, password_hash) VALUES ($1, $2) RETURNING id, name",
                name,
                password_hash,
            )
        except asyncpg.UniqueViolationError:
            raise AccountError(f"the name {name!r} is taken") from None
        return User(row["id"], row["name"])

    async def set_password(self, user_id: UUID, password: str, *, name: str = "") -> None:
        """Replace a learner's password (refused when weak; ``name`` helps judge that)."""
        password_hash = await asyncio.to_thread(_checked_password_hash, name, password)
        await self._pool.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash
        )

    async def by_name(self, name: str) -> User | None:
        """The learner with this name, if any."""
        row = await self._pool.fetchrow("SELECT id, name FROM users WHERE name = $1", name)
        return None if row is None else User(row["id"], row["name"])

    async def has_password(self, user_id: UUID) -> bool:
        """Whether the learner can sign in with a password."""
        value: bool | None = await self._pool.fetchval(
            "SELECT password_hash IS NOT NULL FROM users WHERE id = $1", user_id
        )
        return bool(value)

    async def authenticate(self, name: str, password: str) -> User | None:
        """The learner if the password matches; None for a wrong password or unknown name."""
        row = await self._pool.fetchrow(
            "SELECT id, name, password_hash FROM users WHERE name = $1", name
        )
        matches = await asyncio.to_thread(
            verify_password, row["password_hash"] if row is not None else None, password
        )
        if row is None or not matches:
            return None
        return User(row["id"], row["name"])

    async def open_session(self, user: User, days: int) -> str:
        """A new session for ``user``; its secret token (for the cookie)."""
        token = new_token()
        await self._pool.execute(
            "INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, $3)",
            user.id,
            token_hash(token),
            datetime.now(UTC) + timedelta(days=days),
        )
        return token

    async def close_session(self, token: str) -> None:
        """End a session (signing out)."""
        await self._pool.execute(
            "UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
            token_hash(token),
        )

    async def session_user(self, token: str) -> User | None:
        """The learner of a live session token."""
        row = await self._pool.fetchrow(
            """
            SELECT u.id, u.name FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
            """,
            token_hash(token),
        )
        return None if row is None else User(row["id"], row["name"])

    async def create_api_token(
        self, user: User, name: str, expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """A new personal API token: its record and its secret (shown once)."""
        if not 1 <= len(name) <= 100:
            raise AccountError("a token's name must be 1 to 100 characters long")
        token = new_token(API_TOKEN_PREFIX)
        row = await self._pool.fetchrow(
            """
            INSERT INTO api_tokens (user_id, name, token_hash, expires_at)
            VALUES ($1, $2, $3, $4)
            RETURNING id, name, created_at, expires_at, last_used_at, revoked_at
            """,
            user.id,
            name,
            token_hash(token),
            expires_at,
        )
        return _api_token(row), token

    async def api_tokens(self, user: User) -> list[ApiToken]:
        """The learner's tokens, newest first."""
        rows = await self._pool.fetch(
            """
            SELECT id, name, created_at, expires_at, last_used_at, revoked_at
            FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC
            """,
            user.id,
        )
        return [_api_token(row) for row in rows]

    async def revoke_api_token(self, user: User, token_id: UUID) -> bool:
        """Revoke one of the learner's tokens; False if they have no such token."""
        status: str = await self._pool.execute(
            "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) "
            "WHERE id = $1 AND user_id = $2",
            token_id,
            user.id,
        )
        return status != "UPDATE 0"

    async def token_user(self, token: str) -> User | None:
        """The learner of a live API token; records its use."""
        row = await self._pool.fetchrow(
            """
            UPDATE api_tokens t SET last_used_at = now() FROM users u
            WHERE t.token_hash = $1 AND u.id = t.user_id AND t.revoked_at IS NULL
              AND (t.expires_at IS NULL OR t.expires_at > now())
            RETURNING u.id, u.name
            """,
            token_hash(token),
        )
        return None if row is None else User(row["id"], row["name"])


def _api_token(row: asyncpg.Record) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        revoked=row["revoked_at"] is not None,
    )
