"""The embedded PostgreSQL server: shared by processes, stopped by the last, crash-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import asyncpg
import pytest

from tutor.db import EmbeddedPostgres
from tutor.errors import EmbeddedPostgresError

pytestmark = pytest.mark.integration


def _postmaster_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().splitlines()[0])


def _alive(pid: int) -> bool:
    # A zombie (exited, not yet reaped by a container's init) counts as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _end(child: subprocess.Popen[str], sig: int = signal.SIGKILL) -> None:
    child.send_signal(sig)
    child.wait()
    assert child.stdout is not None
    child.stdout.close()


async def _query_one(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        value: int = await connection.fetchval("SELECT 1")
        return value
    finally:
        await connection.close()


def _claim_in_child(pgdata: Path) -> subprocess.Popen[str]:
    """Another app process: claims the server, says so, then waits to be killed."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from tutor.db import EmbeddedPostgres
        server = EmbeddedPostgres(Path({str(pgdata)!r}))
        server.start()
        print("started", flush=True)
        time.sleep(600)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    return child


async def test_start_serves_queries_and_last_stop_stops(tmp_path: Path) -> None:
    first = EmbeddedPostgres(tmp_path / "pg")
    second = EmbeddedPostgres(tmp_path / "pg")
    address = first.start()
    assert second.start() == address
    pid = _postmaster_pid(first.pgdata)
    assert pid is not None and _alive(pid)
    assert await _query_one(address.dsn("postgres")) == 1

    assert first.stop() is False  # the second claim keeps it up
    assert await _query_one(address.dsn("postgres")) == 1
    assert second.stop() is True
    assert not _alive(pid)


async def test_two_processes_share_one_server(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    child = _claim_in_child(pgdata)
    try:
        pid = _postmaster_pid(pgdata)
        ours = EmbeddedPostgres(pgdata)
        address = ours.start()
        assert _postmaster_pid(pgdata) == pid  # reused, not a second server
        assert ours.stop() is False  # the child still holds a claim
        assert pid is not None and _alive(pid)
        assert await _query_one(address.dsn("postgres")) == 1
    finally:
        _end(child)
    # The kernel dropped the killed child's claim: the next user is the last one.
    last = EmbeddedPostgres(pgdata)
    last.start()
    assert last.stop() is True


async def test_killed_app_leaves_a_server_that_is_reused(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    child = _claim_in_child(pgdata)
    pid = _postmaster_pid(pgdata)
    _end(child)
    assert pid is not None and _alive(pid)

    again = EmbeddedPostgres(pgdata)
    address = again.start()
    assert _postmaster_pid(pgdata) == pid
    assert await _query_one(address.dsn("postgres")) == 1
    assert again.stop() is True


async def test_killed_server_is_restarted_cleanly(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    server = EmbeddedPostgres(pgdata)
    address = server.start()
    connection = await asyncpg.connect(address.dsn("postgres"))
    await connection.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    await connection.close()
    pid = _postmaster_pid(pgdata)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    # Our claim is still held, but the server behind it is gone (stale postmaster.pid).
    server.stop()

    again = EmbeddedPostgres(pgdata)
    address = again.start()
    assert _postmaster_pid(pgdata) != pid
    connection = await asyncpg.connect(address.dsn("postgres"))
    try:
        assert await connection.fetchval("SELECT n FROM kept") == 42  # committed data survives
    finally:
        await connection.close()
    again.stop()


def test_half_finished_init_is_redone(tmp_path: Path) -> None:
    scratch = tmp_path / "pg.init"
    scratch.mkdir()
    (scratch / "garbage").write_text("left by a killed initdb")
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    try:
        assert (tmp_path / "pg" / "PG_VERSION").exists()
        assert not scratch.exists()
    finally:
        server.stop()


def test_foreign_directory_is_refused_untouched(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    precious = pgdata / "notes.md"
    precious.write_text("# mine")
    with pytest.raises(EmbeddedPostgresError, match="holds no PostgreSQL data"):
        EmbeddedPostgres(pgdata).start()
    assert precious.read_text() == "# mine"
