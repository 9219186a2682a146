"""Schema migrations: ordered SQL files, each applied once and recorded.

Files are named ``NNNN_description.sql`` and applied in number order, each in its own
transaction together with its record in ``schema_migrations``; a failing file leaves
neither a half-applied schema nor a record. A session-level advisory lock serialises
processes that start together. An applied file whose text has changed is refused: the
schema it describes is no longer the schema in the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tutor.errors import MigrationError

_log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
"""The repository's ``migrations/`` folder (the service runs from its source tree)."""

_LOCK_KEY = 7_302_113_845_001
"""Advisory lock id reserved for migrations (any fixed bigint unique to this purpose)."""
_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text, to notice files edited after being applied."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read and validate the migration files of ``directory``, in order."""
    if not directory.is_dir():
        raise MigrationError(f"migrations directory not found: {directory}")
    migrations: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file {path.name!r} is not named NNNN_description.sql")
        version = int(match["version"])
        if version in migrations:
            raise MigrationError(
                f"two migration files share number {version:04d}: "
                f"{migrations[version].name!r} and {match['name']!r}"
            )
        sql = path.read_text(encoding="utf-8")
        if not sql.strip():
            raise MigrationError(f"migration file {path.name!r} is empty")
        migrations[version] = Migration(version, match["name"], sql)
    return [migrations[v] for v in sorted(migrations)]


async def upgrade(connection: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration not yet applied.

    Returns:
        The names of the migrations this call applied, in order.
    """
    migrations = load_migrations(directory)
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        rows = await connection.fetch("SELECT version, name, checksum FROM schema_migrations")
        applied = {row["version"]: row for row in rows}
        done: list[str] = []
        for migration in migrations:
            record = applied.get(migration.version)
            if record is not None:
                if record["checksum"] != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:04d}_{migration.name}.sql was changed "
                        "after it was applied; add a new migration instead of editing it"
                    )
                continue
            label = f"{migration.version:04d}_{migration.name}"
            try:
                async with connection.transaction():
                    await connection.execute(migration.sql)
                    await connection.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) "
                        "VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            except asyncpg.PostgresError as error:
                raise MigrationError(f"migration {label}.sql failed: {error}") from error
            _log.info("applied migration %s", label)
            done.append(label)
        return done
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def applied_versions(connection: asyncpg.Connection) -> list[int]:
    """Versions recorded as applied (empty before the first upgrade)."""
    exists = await connection.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return []
    rows = await connection.fetch("SELECT version FROM schema_migrations ORDER BY version")
    return [row["version"] for row in rows]
