"""Migrations: each applied once, recorded, atomic, and safe when processes race."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from tutor.db import upgrade
from tutor.db.migrations import MIGRATIONS_DIR, load_migrations
from tutor.errors import MigrationError

pytestmark = pytest.mark.integration


def _write(directory: Path, name: str, sql: str) -> None:
    (directory / name).write_text(sql)


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()
    return {row["tablename"] for row in rows}


async def _recorded(url: str) -> list[int]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        await connection.close()
    return [row["version"] for row in rows]


async def test_project_migrations_apply_once(database_url: str) -> None:
    names = [f"{m.version:04d}_{m.name}" for m in load_migrations(MIGRATIONS_DIR)]
    assert await upgrade(database_url) == names
    assert await upgrade(database_url) == []
    assert "users" in await _tables(database_url)
    assert await _recorded(database_url) == [m.version for m in load_migrations()]


async def test_racing_processes_apply_each_migration_once(
    database_url: str, tmp_path: Path
) -> None:
    # Not idempotent on purpose: a second application would fail on the duplicate table.
    _write(tmp_path, "0001_one.sql", "CREATE TABLE one (n int); SELECT pg_sleep(0.2);")
    _write(tmp_path, "0002_two.sql", "CREATE TABLE two (n int);")
    results = await asyncio.gather(*(upgrade(database_url, tmp_path) for _ in range(4)))
    applied = [name for result in results for name in result]
    assert sorted(applied) == ["0001_one", "0002_two"]
    assert await _recorded(database_url) == [1, 2]


async def test_failing_migration_is_rolled_back_and_not_recorded(
    database_url: str, tmp_path: Path
) -> None:
    _write(tmp_path, "0001_good.sql", "CREATE TABLE good (n int);")
    _write(
        tmp_path,
        "0002_bad.sql",
        "CREATE TABLE half (n int); INSERT INTO no_such_table VALUES (1);",
    )
    with pytest.raises(MigrationError, match=r"0002_bad\.sql failed.*no_such_table"):
        await upgrade(database_url, tmp_path)
    assert await _recorded(database_url) == [1]
    tables = await _tables(database_url)
    assert "good" in tables
    assert "half" not in tables  # nothing of the failed file is left


async def test_edited_applied_migration_is_refused(database_url: str, tmp_path: Path) -> None:
    _write(tmp_path, "0001_first.sql", "CREATE TABLE first (n int);")
    await upgrade(database_url, tmp_path)
    _write(tmp_path, "0001_first.sql", "CREATE TABLE first (n bigint);")
    _write(tmp_path, "0002_second.sql", "CREATE TABLE second (n int);")
    with pytest.raises(MigrationError, match="was changed after it was applied"):
        await upgrade(database_url, tmp_path)
    assert "second" not in await _tables(database_url)
