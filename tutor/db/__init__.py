"""The relational store: embedded PostgreSQL, migrations, and the asyncpg pool."""

from tutor.db.database import Database, redact, upgrade
from tutor.db.embedded import EmbeddedPostgres, ServerAddress

__all__ = ["Database", "EmbeddedPostgres", "ServerAddress", "redact", "upgrade"]
