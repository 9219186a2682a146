"""The relational store: an asyncpg pool on the embedded server or on ``TUTOR_DATABASE_URL``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psycopg.errors

from tutor.config import Settings
from tutor.db import migrations
from tutor.db.embedded import EmbeddedPostgres
from tutor.db.supervisor import EmbeddedSupervisor
from tutor.errors import DatabaseUnavailable, StartupError

_log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "tutor"
"""The database the app creates on its embedded server."""

CONNECTION_LOST: tuple[type[Exception], ...] = (
    DatabaseUnavailable,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    psycopg.errors.AdminShutdown,
    psycopg.errors.CrashShutdown,
    psycopg.errors.CannotConnectNow,
)
"""Errors meaning the database went away (not that a query was wrong): answered with 503."""

_CONNECT_FAILURES: tuple[type[Exception], ...] = (OSError, *CONNECTION_LOST)
"""A connection that cannot be made: refused, no socket, timed out, server starting up."""

UNAVAILABLE_MESSAGE = "the database is unavailable (down or restarting); try again in a moment"


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
        self,
        pool: asyncpg.Pool,
        dsn: str,
        where: str,
        embedded: EmbeddedPostgres | None,
        supervisor: EmbeddedSupervisor | None = None,
    ) -> None:
        self.pool = pool
        self.dsn = dsn
        """Connection URL, for libraries that open their own connections (psycopg)."""
        self.where = where
        """Where the database runs, in words (no password)."""
        self.supervisor = supervisor
        """Restarts the embedded server when it dies; None for a server of its own."""
        self._embedded = embedded

    @classmethod
    async def open(cls, settings: Settings, *, migrate: bool = True) -> Database:
        """Start or reach the server, apply pending migrations, and open the pool."""
        embedded: EmbeddedPostgres | None = None
        supervisor: EmbeddedSupervisor | None = None
        if settings.database.url:
            dsn = settings.database.url
            where = redact(dsn)
        else:
            embedded = EmbeddedPostgres(settings.data_dir / "postgres")
            address = await asyncio.to_thread(embedded.start)
            where = f"embedded PostgreSQL in {embedded.pgdata}"
            supervisor = EmbeddedSupervisor(embedded, settings.database.watch_interval_s)
        try:
            if embedded is not None:
                await _ensure_database(address.dsn("postgres"), EMBEDDED_DATABASE)
                dsn = address.dsn(EMBEDDED_DATABASE)
            if migrate:
                await upgrade(dsn)
            pool = await asyncpg.create_pool(
                dsn,
                min_size=settings.database.pool_min_size,
                max_size=settings.database.pool_max_size,
                connect=partial(_connect, supervisor.notice_failure if supervisor else None),
            )
        except (OSError, asyncpg.PostgresError, DatabaseUnavailable) as error:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
            raise StartupError(f"cannot open the database at {where}: {error}") from error
        except BaseException:
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
            raise
        if supervisor is not None:
            supervisor.start()
        return cls(pool, dsn, where, embedded, supervisor)

    async def ping(self) -> str:
        """Run a trivial query; return the server's version."""
        async with self.pool.acquire() as connection:
            version: str = await connection.fetchval("SHOW server_version")
        return version

    async def close(self) -> None:
        """Close the pool, then give up the embedded server (stopped if last user)."""
        try:
            if self.supervisor is not None:
                await self.supervisor.close()
            await self.pool.close()
        finally:
            if self._embedded is not None:
                await asyncio.to_thread(self._embedded.stop)


async def _connect(
    on_failure: Callable[[], None] | None, *args: Any, **kwargs: Any
) -> asyncpg.Connection:
    """A new pool connection; a database that cannot be reached is named as such."""
    try:
        connection: asyncpg.Connection = await asyncpg.connect(*args, **kwargs)
    except _CONNECT_FAILURES as error:
        if on_failure is not None:
            on_failure()
        # Said without where or why: the message reaches HTTP clients; the cause is chained.
        raise DatabaseUnavailable(UNAVAILABLE_MESSAGE) from error
    if on_failure is not None:
        # A server that dies drops every connection: look at it then, not at the next tick.
        connection.add_termination_listener(lambda _: on_failure())
    return connection


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
