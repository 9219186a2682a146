"""The relational store: embedded PostgreSQL, migrations, and the asyncpg pool."""

from tutor.db.database import CONNECTION_LOST, UNAVAILABLE_MESSAGE, Database, redact, upgrade
from tutor.db.embedded import EmbeddedPostgres, ServerAddress

__all__ = [
    "CONNECTION_LOST",
    "UNAVAILABLE_MESSAGE",
    "Database",
    "EmbeddedPostgres",
    "ServerAddress",
    "redact",
    "upgrade",
]
