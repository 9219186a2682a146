"""The relational store: an asyncpg pool on the embedded server or on ``TUTOR_DATABASE_URL``."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from tutor.config import Settings
from tutor.db import migrations
from tutor.db.embedded import EmbeddedPostgres
from tutor.errors import StartupError

_log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "tutor"
"""The database the app creates on its embedded server."""


def redact(url: str) -> str:
    """``url`` without its password, fit for logs and status pages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


class Database:
    """An open asyncpg pool, and the embedded server behind it when there is one."""

    def __init__(
        self, pool: asyncpg.Pool, dsn: str, where: str, embedded: EmbeddedPostgres | None
    ) -> None:
        self.pool = pool
        self.dsn = dsn
        """Connection URL, for libraries that open their own connections (psycopg)."""
        self.where = where
        """Where the database runs, in words (no password)."""
        self._embedded = embedded

    @classmethod
    async def open(cls, settings: Settings, *, migrate: bool = True) -> Database:
        """Start or reach the server, apply pending migrations, and open the pool."""
        embedded: EmbeddedPostgres | None = None
        if settings.database.url:
            dsn = settings.database.url
            where = redact(dsn)
        else:
            embedded = EmbeddedPostgres(settings.data_dir / "postgres")
            address = await asyncio.to_thread(embedded.start)
            await _ensure_database(address.dsn("postgres"), EMBEDDED_DATABASE)
            dsn = address.dsn(EMBEDDED_DATABASE)
            where = f"embedded PostgreSQL in {embedded.pgdata}"
        try:
            if migrate:
                await upgrade(dsn)
            pool = await asyncpg.create_pool(
                dsn,
                min_size=settings.database.pool_min_size,
                max_size=settings.database.pool_max_size,
            )
        except (OSError, asyncpg.PostgresError) as error:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
            raise StartupError(f"cannot open the database at {where}: {error}") from error
        except BaseException:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
            raise
        return cls(pool, dsn, where, embedded)

    async def ping(self) -> str:
        """Run a trivial query; return the server's version."""
        async with self.pool.acquire() as connection:
            version: str = await connection.fetchval("SHOW server_version")
        return version

    async def close(self) -> None:
        """Close the pool, then give up the embedded server (stopped if last user)."""
        try:
            await self.pool.close()
        finally:
            if self._embedded is not None:
                await asyncio.to_thread(self._embedded.stop)


async def upgrade(dsn: str, directory: Path = migrations.MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations on the database at ``dsn``."""
    connection = await asyncpg.connect(dsn)
    try:
        return await migrations.upgrade(connection, directory)
    finally:
        await connection.close()


async def _ensure_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await connection.execute(f'CREATE DATABASE "{name}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # another process created it a moment ago
            else:
                _log.info("created database %s", name)
    finally:
        await connection.close()
