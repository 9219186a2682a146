"""A user id of its own for each concurrent run, when the service runs as root.

Per-user kernel budgets (processes, pipe buffers, pending signals, message queue bytes) are
counted by user id. With one id per run, no run can use up another's: each run takes a free
id from :data:`SANDBOX_UIDS` (ids no account uses), held with a lock file so that several
service processes on one machine never hand out the same id at once. Before an id is used
and after the run, every process still running as it is killed.

As any other user the service cannot change ids; each run then still has a process budget
of its own, because the jail's fresh user namespace counts its processes apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from tutor.sandbox.errors import SandboxError

SANDBOX_UIDS = range(2_000_000_000, 2_000_000_256)
"""User (and group) ids of concurrent runs; far above any account's or subordinate range's."""

LOCK_DIRECTORY = Path("/run/tutor-sandbox")
"""Where the lock files of the ids in use live (root's only)."""

_SWEEP_ATTEMPTS = 200
_log = logging.getLogger(__name__)


@contextlib.contextmanager
def run_uid() -> Iterator[int | None]:
    """Hold a sandbox user id for one run; ``None`` when the service is not root.

    Yields:
        The id, free of processes, or ``None``.

    Raises:
        SandboxError: When every id is held, or the lock folder is not root's own.
    """
    if os.geteuid() != 0:
        yield None
        return
    directory = _lock_directory()
    for uid in SANDBOX_UIDS:
        descriptor = os.open(
            directory / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
        )
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        try:
            end_processes_of(uid)  # left behind if a holder ever died mid-run
            yield uid
        finally:
            end_processes_of(uid)
            os.close(descriptor)
        return
    raise SandboxError(f"all {len(SANDBOX_UIDS)} sandbox user ids are in use")


def _lock_directory() -> Path:
    """The lock folder, created 0700 and refused unless it is root's own real folder."""
    with contextlib.suppress(FileExistsError):
        LOCK_DIRECTORY.mkdir(mode=0o700)
    info = LOCK_DIRECTORY.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise SandboxError(f"{LOCK_DIRECTORY} must be a folder of root's with mode 0700")
    return LOCK_DIRECTORY


def processes_of(uid: int) -> list[int]:
    """Ids of the processes (zombies too) whose real user id is ``uid``.

    Args:
        uid: The user id.

    Returns:
        Process ids.
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            # /proc/<pid> of a process that changed ids is owned by root: read its status.
            status = Path(entry.path, "status").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:"):
                if int(line.split()[1]) == uid:
                    found.append(int(entry.name))
                break
    return found


def end_processes_of(uid: int) -> None:
    """Kill every process running as ``uid`` and wait until they are gone.

    Args:
        uid: A sandbox user id (never an account's).
    """
    for _ in range(_SWEEP_ATTEMPTS):
        left = processes_of(uid)
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    _log.warning("processes of sandbox user %d are still running: %s", uid, processes_of(uid))
