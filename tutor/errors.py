"""Errors raised by the tutor service.

The whole tree, drawn once::

    TutorError                  anything the service raises on purpose
    ├── ConfigurationError      a setting is missing or names something that cannot work
    ├── StartupError            a component could not be started or reached at start
    │   └── EmbeddedPostgresError   the embedded PostgreSQL server failed to init or start
    ├── DatabaseUnavailable     the database cannot be reached now (down or restarting)
    └── MigrationError          a migration file is malformed, changed after being applied,
                                or failed (its transaction is rolled back, nothing recorded)
"""

from __future__ import annotations


class TutorError(Exception):
    """Base class of every error the service raises on purpose."""


class ConfigurationError(TutorError):
    """A setting is missing, malformed, or names something that cannot work."""


class StartupError(TutorError):
    """A component could not be started or reached when the service started."""


class EmbeddedPostgresError(StartupError):
    """The embedded PostgreSQL server failed to initialise or start."""


class DatabaseUnavailable(TutorError):
    """The database cannot be reached now: it is down, or being restarted."""


class MigrationError(TutorError):
    """A migration is malformed, was changed after it was applied, or failed."""
