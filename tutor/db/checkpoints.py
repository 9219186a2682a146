"""Durable conversation threads: LangGraph's PostgreSQL checkpointer on the app's database.

The checkpointer speaks psycopg 3, not asyncpg, so it gets a small pool of its own on
the same database. Its tables are created (and upgraded) by its own ``setup``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

POOL_SIZE = 4
"""Connections for checkpoints: each turn reads once and writes a few times."""


@asynccontextmanager
async def open_checkpointer(dsn: str) -> AsyncIterator[AsyncPostgresSaver]:
    """A ready checkpointer on ``dsn``; its pool is closed on exit."""
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
        conninfo=dsn,
        min_size=1,
        max_size=POOL_SIZE,
        open=False,
        # A connection broken by a database restart is noticed and replaced before it is
        # handed out, not on the caller's first statement.
        check=AsyncConnectionPool.check_connection,
        # What the saver expects of its connections (see AsyncPostgresSaver.from_conn_string).
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    await pool.open(wait=True)
    try:
        saver = AsyncPostgresSaver(pool)
        await saver.setup()
        yield saver
    finally:
        await pool.close()
