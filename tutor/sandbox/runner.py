"""Run a learner's Python code and an exercise's tests in a jail of their own.

Each run is a bubblewrap jail (see :mod:`tutor.sandbox.jail`): its own user, mount, PID,
network, IPC and UTS namespaces, a read-only system and nothing else of the host's disk, one
tmpfs bounded in bytes and files for its working folder, ``/tmp``, ``/var/tmp`` and
``/dev/shm`` (see ``_child.py``), a process budget of its own, and limits on CPU time, address
space and file size. As root each run also has a user id of its own (:mod:`tutor.sandbox.uids`).
A wall-clock timer kills the jail; every process of the run dies with it. The learner's files
go in on stdin and the outcome comes back on a pipe, with a secret token so that printed text
cannot pass for the verdict.

Without bubblewrap, or where it cannot create namespaces, nothing is run: :class:`SandboxError`
says what is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tutor.sandbox.errors import SandboxError
from tutor.sandbox.jail import INSTALL_HINT, find_bwrap, interpreter_candidates, jail_command
from tutor.sandbox.uids import run_uid

Status = Literal["passed", "failed", "error", "timeout", "memory", "killed"]

_CHILD_SOURCE = (Path(__file__).with_name("_child.py")).read_text(encoding="utf-8")
_REPORTED = frozenset({"passed", "failed", "error", "memory"})
_EXIT_GRACE_S = 0.5
_FEEDBACK_CHARS = 4000
_SETUP_CHARS = 2000
# The scratch tmpfs's own inodes: its root, the working folder, the three temporary folders
# and the learner's two files; the ``files`` limit counts only what the code creates.
_OWN_INODES = 7
# bubblewrap exits with 128 + the signal number when the program inside was killed.
_SIGNALLED = 128
_PROBE = "import sys\nassert sys.version_info >= (3, 11), sys.version\n"
_setup_lock = threading.Lock()
_interpreters: dict[str, str] = {}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run.

    Attributes:
        cpu_s: CPU seconds of each process (``RLIMIT_CPU``).
        wall_s: Wall-clock seconds before the whole run is killed.
        memory_mb: Address space of each process in MiB (``RLIMIT_AS``).
        file_mb: Largest file the code may write, in MiB (``RLIMIT_FSIZE``).
        processes: Processes of the run, the jail's two own included (``RLIMIT_NPROC``,
            counted apart for each run).
        output_kb: KiB of stdout and of stderr kept; the rest is dropped.
        disk_mb: MiB the run may store in all: its working folder, ``/tmp``, ``/var/tmp``
            and ``/dev/shm`` share this one budget (RAM-backed, freed when the run ends).
        files: Files and folders the code may create in those places together.
        open_files: Open files of each process (``RLIMIT_NOFILE``); with ``file_mb`` it
            bounds the RAM that files kept outside any folder can hold (``memfd_create``,
            unlinked files, pipes).
    """

    cpu_s: int = 2
    wall_s: float = 5
    memory_mb: int = 256
    file_mb: int = 1
    processes: int = 16
    output_kb: int = 64
    disk_mb: int = 16
    files: int = 1000
    open_files: int = 64


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run.

    Attributes:
        passed: Whether the solution passed the tests.
        status: ``passed``, ``failed`` (an assertion failed), ``error`` (another exception,
            or the program ended early), ``timeout`` (CPU or wall-clock limit), ``memory``,
            or ``killed`` (ended by a signal).
        stdout: The program's standard output, truncated to the output limit.
        stderr: The program's standard error, truncated to the output limit.
        duration_s: Wall-clock seconds the run took.
        feedback: What to show the learner; empty when the tests passed.
    """

    passed: bool
    status: Status
    stdout: str
    stderr: str
    duration_s: float
    feedback: str


def run_python(code: str, tests: str, *, limits: Limits = Limits()) -> RunResult:
    """Run ``code`` followed by ``tests`` in a jail and report the outcome.

    The tests pass when the combined program ends normally: top-level ``assert`` statements
    hold and every ``test_*`` function the tests define returns.

    Args:
        code: The learner's solution.
        tests: The exercise's test code, run after the solution in the same namespace.
        limits: The resource limits of the run.

    Returns:
        The outcome, with output, status and feedback for the learner.

    Raises:
        SandboxError: When no jail can be made here (bubblewrap missing, namespaces not
            allowed, no interpreter under ``/usr``); nothing is then run.
    """
    bwrap, python = _jail_tools()
    with run_uid() as uid:
        try:
            return _run(bwrap, python, uid, code, tests, limits)
        except _SetupFailedError as error:
            message = f"learner code cannot run: the jail did not start ({error})"
            raise SandboxError(message) from error


async def arun_python(code: str, tests: str, *, limits: Limits = Limits()) -> RunResult:
    """Run :func:`run_python` in a worker thread, so the event loop never blocks.

    Args:
        code: The learner's solution.
        tests: The exercise's test code.
        limits: The resource limits of the run.

    Returns:
        The outcome of the run.
    """
    return await asyncio.to_thread(run_python, code, tests, limits=limits)


def _jail_tools() -> tuple[str, str]:
    """``bwrap`` and an interpreter that a trial run in the jail proved to work.

    Only success is remembered: once bubblewrap is installed or namespaces are allowed,
    the next run finds them without a restart.
    """
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxError(
            f"learner code cannot run: bubblewrap (bwrap) is not installed; {INSTALL_HINT}"
        )
    with _setup_lock:
        if bwrap in _interpreters:
            return bwrap, _interpreters[bwrap]
        candidates = interpreter_candidates(sys.executable)
        problems = []
        for python in candidates:
            with run_uid() as uid:
                try:
                    result = _run(bwrap, python, uid, "", _PROBE, Limits(wall_s=30))
                except _SetupFailedError as error:
                    problems.append(f"{python}: {error}")
                    continue
            if result.passed:
                _interpreters[bwrap] = python
                return bwrap, python
            problems.append(f"{python}: {result.feedback or result.status}")
    if not candidates:
        raise SandboxError(
            "learner code cannot run: no Python 3.11+ under /usr for the jail "
            "(install Debian's python3)"
        )
    raise SandboxError(
        "learner code cannot run: bubblewrap could not make a jail here ("
        + "; ".join(problems)
        + "). Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 "
        "and user.max_user_namespaces above 0; in a container, seccomp and AppArmor profiles "
        f"that allow them), and {INSTALL_HINT}"
    )


class _SetupFailedError(Exception):
    """The jail did not come up; the message is what bubblewrap or its program said."""


def _run(
    bwrap: str, python: str, uid: int | None, code: str, tests: str, limits: Limits
) -> RunResult:
    token = secrets.token_hex(16)
    result_read, result_write = os.pipe()
    info_read, info_write = os.pipe()
    request = json.dumps(
        {
            "token": token,
            "result_fd": result_write,
            "solution": code,
            "tests": tests,
            "cpu_s": max(1, int(limits.cpu_s)),
            "memory_bytes": limits.memory_mb * 1024 * 1024,
            "file_bytes": limits.file_mb * 1024 * 1024,
            "processes": limits.processes,
            "disk_bytes": limits.disk_mb * 1024 * 1024,
            "files": limits.files + _OWN_INODES,
            "open_files": limits.open_files,
            "uid": uid if uid is not None else os.getuid(),
        }
    ).encode()
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            jail_command(bwrap, python, _CHILD_SOURCE, info_write),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd="/",
            env={},
            start_new_session=True,
            pass_fds=(result_write, info_write),
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
        )
    except OSError as error:
        os.close(result_read)
        os.close(info_read)
        raise _SetupFailedError(f"could not start {bwrap}: {error}") from error
    finally:
        os.close(result_write)
        os.close(info_write)
    assert process.stdout is not None and process.stderr is not None
    streams: dict[int, bytearray] = {}
    timed_out = _collect(
        process,
        request,
        (result_read, info_read),
        streams,
        started + limits.wall_s,
        limits.output_kb * 1024,
    )
    _end_jail(process, bytes(streams.get(info_read, b"")))
    returncode = process.wait()
    duration = time.monotonic() - started
    stdout = bytes(streams.get(process.stdout.fileno(), b"")).decode(errors="replace")
    stderr = bytes(streams.get(process.stderr.fileno(), b"")).decode(errors="replace")
    process.stdout.close()
    process.stderr.close()
    report = bytes(streams.get(result_read, b"")).decode(errors="replace").splitlines()
    if "ready" not in report and not timed_out:
        raise _SetupFailedError(stderr.strip()[-_SETUP_CHARS:] or f"exit status {returncode}")
    reported = next((line.split()[1] for line in report if line.startswith(f"{token} ")), None)
    status, number = _status(timed_out, returncode, reported)
    return RunResult(
        passed=status == "passed",
        status=status,
        stdout=stdout,
        stderr=stderr,
        duration_s=duration,
        feedback=_feedback(status, number, stdout, stderr, limits),
    )


def _end_jail(process: subprocess.Popen[bytes], info: bytes) -> None:
    """End a jail still running: kill its first process and let bubblewrap reap it.

    The rest of the run dies with that process (its PID namespace ends). Killing bubblewrap
    instead would leave the first process a zombie for whoever adopts it, still counted
    against the run's user id; so bubblewrap is killed only when it never made the jail.
    While bubblewrap runs it has not reaped its child, so the id cannot have been reused.
    """
    if process.poll() is not None:
        return
    try:
        first = int(json.loads(info)["child-pid"])
    except (ValueError, KeyError, TypeError):
        first = 0
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if first > 0:
            os.kill(first, signal.SIGKILL)
        else:
            os.killpg(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=_EXIT_GRACE_S * 10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _collect(
    process: subprocess.Popen[bytes],
    request: bytes,
    reports: tuple[int, ...],
    streams: dict[int, bytearray],
    deadline: float,
    keep: int,
) -> bool:
    """Send the request, read the pipes until they close or the deadline passes.

    Returns:
        Whether the deadline passed with the jail still running.
    """
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    stdin = process.stdin.fileno()
    os.set_blocking(stdin, False)
    pending = memoryview(request)
    with selectors.DefaultSelector() as selector:
        selector.register(stdin, selectors.EVENT_WRITE)
        for fd in (process.stdout.fileno(), process.stderr.fileno(), *reports):
            selector.register(fd, selectors.EVENT_READ)
        try:
            while any(key.fd != stdin for key in selector.get_map().values()):
                now = time.monotonic()
                if process.poll() is not None:
                    deadline = min(deadline, now + _EXIT_GRACE_S)
                if now >= deadline:
                    return process.returncode is None
                for key, _ in selector.select(timeout=min(0.1, deadline - now)):
                    fd = int(key.fd)
                    if fd == stdin:
                        try:
                            pending = pending[os.write(fd, pending) :]
                        except BlockingIOError:
                            continue
                        except OSError:  # the jail ended without reading it all
                            pending = pending[:0]
                        if not pending:
                            selector.unregister(fd)
                            process.stdin.close()
                        continue
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        selector.unregister(fd)
                        continue
                    buffer = streams.setdefault(fd, bytearray())
                    buffer += chunk[: max(0, keep - len(buffer))]
            return False
        finally:
            for fd in reports:
                os.close(fd)
            with contextlib.suppress(OSError):
                process.stdin.close()


def _status(timed_out: bool, returncode: int, reported: str | None) -> tuple[Status, int]:
    """The run's status and, when it was ended by a signal, the signal's number."""
    if timed_out:
        return "timeout", 0
    if reported in _REPORTED:
        if reported == "passed":
            return ("passed" if returncode == 0 else "error"), 0
        return reported, 0  # type: ignore[return-value]
    number = -returncode if returncode < 0 else max(0, returncode - _SIGNALLED)
    if number == signal.SIGXCPU:
        return "timeout", number
    return ("killed" if number else "error"), number


def _feedback(status: Status, number: int, stdout: str, stderr: str, limits: Limits) -> str:
    if status == "passed":
        return ""
    detail = (stderr.strip() or stdout.strip())[-_FEEDBACK_CHARS:]
    if status == "timeout":
        head = (
            f"Your code was stopped: it ran longer than the time limit ({limits.cpu_s} s of "
            f"CPU, {limits.wall_s:g} s in all). Look for a loop that never ends."
        )
    elif status == "memory":
        head = f"Your code was stopped: it needed more than {limits.memory_mb} MB of memory."
    elif status == "killed":
        name = signal.Signals(number).name if number in signal.valid_signals() else ""
        head = f"Your code was stopped by the system (signal {name or number})."
    elif not detail:
        head = "The program ended before the tests finished."
    else:
        head = ""
    return "\n\n".join(part for part in (head, detail) if part)
