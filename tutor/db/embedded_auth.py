"""Who may log in to the embedded PostgreSQL server: its superuser, with a password.

The password is random, made when the data directory is initialised, and kept in a file
that only the service's user can read (0600) beside the server's data directory; the app
puts it in its connection URL. Every login needs it (scram-sha-256). Peer identity was the
other choice; it was not taken because it lets in every process of the service's user
(learner code too, were a sandbox ever to run it as that user) and cannot carry over to a
TCP listener, while the password stays out of reach of anything that cannot read the data
directory.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from tutor.data_dir import write_private
from tutor.errors import EmbeddedPostgresError

SCRAM = "scram-sha-256"

HBA_CONF = f"""\
# Every login needs the superuser's password (kept in the tutor data directory).
# TYPE  DATABASE     USER  ADDRESS       METHOD
local   all          all                 {SCRAM}
host    all          all   127.0.0.1/32  {SCRAM}
host    all          all   ::1/128       {SCRAM}
local   replication  all                 {SCRAM}
host    replication  all   127.0.0.1/32  {SCRAM}
host    replication  all   ::1/128       {SCRAM}
"""
"""The server's ``pg_hba.conf`` once a trust-initialised data directory is migrated."""


def password_file(pgdata: Path) -> Path:
    """Where the superuser's password of the server in ``pgdata`` is kept."""
    return pgdata.parent / f".{pgdata.name}.password"


def read_password(path: Path) -> str | None:
    """The password kept in ``path``, or None when there is no such file."""
    try:
        password = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not password:
        raise EmbeddedPostgresError(f"the password file {path} is empty")
    return password


def create_password(path: Path) -> str:
    """Make a new password and keep it in ``path`` (0600), replacing it whole or not at all."""
    password = secrets.token_urlsafe(32)
    write_private(path, password + "\n")
    return password


def trusts_anyone(hba_conf: str) -> bool:
    """Whether a ``pg_hba.conf`` lets some login in without any check (``trust``)."""
    for line in hba_conf.splitlines():
        fields = line.split("#", 1)[0].split()
        if "trust" in fields[3:]:
            return True
    return False


def alter_password_sql(password: str) -> str:
    """The statement that sets the superuser's password (sent on stdin, never as an argument)."""
    quoted = password.replace("'", "''")
    return f"SET log_statement = 'none';\nALTER ROLE CURRENT_USER PASSWORD '{quoted}';\n"
