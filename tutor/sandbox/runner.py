"""Run a learner's Python code and an exercise's tests in a separate, limited process.

Isolation, in layers (see ``_child.py`` for the steps inside the process):

* a fresh private directory (mode 0700) as the working directory, removed afterwards;
* a cleared environment (``PATH`` and ``LANG`` only) and ``python -I -S``;
* as root: an unprivileged system user (``tutor_sandbox``, created when missing), so root-only
  files (``/root``, ``/etc/shadow``, the service's data) are unreadable and ``RLIMIT_NPROC``
  is enforced; as another user the code runs as that user;
* new network and PID namespaces: no interfaces up (not even loopback) plus refused sockets,
  and every process the code leaves behind dies (and is reaped) with the run's first process;
* limits on CPU time, address space, file size and processes, and a wall-clock timeout;
* a new session; on exit or timeout the process group and every process left in the run's
  network namespace (which unprivileged code cannot leave) is killed;
* in the process, an audit hook refusing sockets and ``open`` outside the sandbox directory
  and the standard library (a guard rail only: ``ctypes`` reaches the system calls directly).

``RLIMIT_NPROC`` counts every process of the sandbox user, so concurrent runs share it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from tutor.errors import TutorError

SANDBOX_USER = "tutor_sandbox"
"""The system user learner code runs as when the service runs as root."""

Status = Literal["passed", "failed", "error", "timeout", "memory", "killed"]

_CHILD_SOURCE = (Path(__file__).with_name("_child.py")).read_text(encoding="utf-8")
_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
_REPORTED = frozenset({"passed", "failed", "error", "memory"})
_EXIT_GRACE_S = 0.5
_FEEDBACK_CHARS = 4000
_setup_lock = threading.Lock()
_interpreters: dict[tuple[int, int] | None, str] = {}


class SandboxError(TutorError):
    """The sandbox could not be set up (no usable interpreter or sandbox user)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run.

    Attributes:
        cpu_s: CPU seconds (``RLIMIT_CPU``).
        wall_s: Wall-clock seconds before the whole run is killed.
        memory_mb: Address space in MiB (``RLIMIT_AS``).
        file_mb: Largest file the code may write, in MiB (``RLIMIT_FSIZE``).
        processes: Processes of the sandbox user (``RLIMIT_NPROC``).
        output_kb: KiB of stdout and of stderr kept; the rest is dropped.
    """

    cpu_s: int = 2
    wall_s: float = 5
    memory_mb: int = 256
    file_mb: int = 1
    processes: int = 16
    output_kb: int = 64


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
    """Run ``code`` followed by ``tests`` in the sandbox and report the outcome.

    The tests pass when the combined program ends normally: top-level ``assert`` statements
    hold and every ``test_*`` function the tests define returns.

    Args:
        code: The learner's solution.
        tests: The exercise's test code, run after the solution in the same namespace.
        limits: The resource limits of the run.

    Returns:
        The outcome, with output, status and feedback for the learner.

    Raises:
        SandboxError: When no sandbox user or usable interpreter is available.
    """
    ids = _sandbox_ids() if os.geteuid() == 0 else None
    python = _interpreter(ids)
    directory = tempfile.mkdtemp(prefix="tutor-sandbox-")
    try:
        for name, text in (("solution.py", code), ("tests.py", tests)):
            path = Path(directory, name)
            path.write_text(text, encoding="utf-8")
            if ids is not None:
                os.chown(path, *ids)
        if ids is not None:
            os.chown(directory, *ids)
        os.chmod(directory, 0o700)
        return _run(python, directory, ids, limits)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


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


def _sandbox_ids() -> tuple[int, int]:
    """The sandbox user's uid and gid, creating the system user when missing."""
    with _setup_lock:
        try:
            entry = pwd.getpwnam(SANDBOX_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    SANDBOX_USER,
                ],
                check=False,
                capture_output=True,
            )
            try:
                entry = pwd.getpwnam(SANDBOX_USER)
            except KeyError as error:
                raise SandboxError(f"could not create the user {SANDBOX_USER}") from error
    return entry.pw_uid, entry.pw_gid


def _interpreter(ids: tuple[int, int] | None) -> str:
    """A Python 3.11+ the sandbox user can run, with a readable standard library.

    The project's interpreter may live where the sandbox user cannot reach (``/root``); the
    system's ``python3`` is the fallback.
    """
    with _setup_lock:
        if ids in _interpreters:
            return _interpreters[ids]
        candidates = [sys.executable, os.path.realpath(sys.executable), "/usr/bin/python3"]
        found = shutil.which("python3", path=_ENV["PATH"])
        if found:
            candidates.append(found)
        probe = "import json, socket, sys; sys.exit(sys.version_info < (3, 11))"
        for candidate in dict.fromkeys(candidates):
            try:
                done = subprocess.run(
                    [candidate, "-I", "-S", "-c", probe],
                    env=_ENV,
                    cwd="/",
                    capture_output=True,
                    timeout=30,
                    check=False,
                    user=ids[0] if ids else None,
                    group=ids[1] if ids else None,
                    extra_groups=[] if ids else None,
                )
            except (OSError, subprocess.SubprocessError):
                continue
            if done.returncode == 0:
                _interpreters[ids] = candidate
                return candidate
    raise SandboxError("no Python 3.11+ interpreter is usable by the sandbox user")


def _run(python: str, directory: str, ids: tuple[int, int] | None, limits: Limits) -> RunResult:
    token = secrets.token_hex(16)
    result_read, result_write = os.pipe()
    config = {
        "directory": directory,
        "result_fd": result_write,
        "uid": ids[0] if ids else os.getuid(),
        "gid": ids[1] if ids else os.getgid(),
        "cpu_s": max(1, int(limits.cpu_s)),
        "memory_bytes": limits.memory_mb * 1024 * 1024,
        "file_bytes": limits.file_mb * 1024 * 1024,
        "processes": limits.processes,
    }
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            [python, "-I", "-S", "-c", _CHILD_SOURCE, json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=directory,
            env=_ENV,
            start_new_session=True,
            pass_fds=(result_write,),
        )
    finally:
        os.close(result_write)
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    with contextlib.suppress(OSError):
        process.stdin.write(f"{token}\n".encode())
        process.stdin.close()
    streams: dict[int, bytearray] = {}
    timed_out = _collect(
        process,
        {process.stdout: "stdout", process.stderr: "stderr"},
        result_read,
        streams,
        started + limits.wall_s,
        limits.output_kb * 1024,
    )
    report = bytes(streams.get(result_read, b"")).decode(errors="replace").splitlines()
    namespace = report[0].removeprefix("ns ").strip() if report else ""
    _kill_run(process.pid, namespace, ids)
    returncode = process.wait()
    duration = time.monotonic() - started
    stdout = bytes(streams.get(process.stdout.fileno(), b"")).decode(errors="replace")
    stderr = bytes(streams.get(process.stderr.fileno(), b"")).decode(errors="replace")
    process.stdout.close()
    process.stderr.close()
    reported = next((line.split()[1] for line in report[1:] if line.startswith(f"{token} ")), None)
    status = _status(timed_out, returncode, reported)
    return RunResult(
        passed=status == "passed",
        status=status,
        stdout=stdout,
        stderr=stderr,
        duration_s=duration,
        feedback=_feedback(status, returncode, stdout, stderr, limits),
    )


def _collect(
    process: subprocess.Popen[bytes],
    pipes: dict[IO[bytes], str],
    result_read: int,
    streams: dict[int, bytearray],
    deadline: float,
    keep: int,
) -> bool:
    """Read the pipes until they close or the deadline passes; return whether it passed."""
    with selectors.DefaultSelector() as selector:
        for pipe in pipes:
            selector.register(pipe.fileno(), selectors.EVENT_READ)
        selector.register(result_read, selectors.EVENT_READ)
        try:
            while selector.get_map():
                now = time.monotonic()
                if process.poll() is not None:
                    deadline = min(deadline, now + _EXIT_GRACE_S)
                if now >= deadline:
                    return process.returncode is None
                for key, _ in selector.select(timeout=min(0.1, deadline - now)):
                    fd = int(key.fd)
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        selector.unregister(fd)
                        continue
                    buffer = streams.setdefault(fd, bytearray())
                    buffer += chunk[: max(0, keep - len(buffer))]
            return False
        finally:
            os.close(result_read)


def _kill_run(pid: int, namespace: str, ids: tuple[int, int] | None) -> None:
    """Kill the run's process group and every process left in its network namespace."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if not namespace:
        return
    uid = ids[0] if ids else os.getuid()
    for _ in range(100):
        left = [p for p in _processes_in(namespace, uid) if p != pid]
        if not left:
            return
        for other in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(other, signal.SIGKILL)
        time.sleep(0.01)


def _processes_in(namespace: str, uid: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            # /proc/<pid> of a process that changed its uid is owned by root: read the status.
            status = Path(entry.path, "status").read_text()
            real_uid = next(line for line in status.splitlines() if line.startswith("Uid:"))
            if int(real_uid.split()[1]) != uid:
                continue
            if os.readlink(f"/proc/{entry.name}/ns/net") == namespace:
                found.append(int(entry.name))
        except (OSError, StopIteration, ValueError, IndexError):
            continue
    return found


def _status(timed_out: bool, returncode: int, reported: str | None) -> Status:
    if timed_out:
        return "timeout"
    if returncode < 0:
        return "timeout" if -returncode == signal.SIGXCPU else "killed"
    if reported in _REPORTED:
        if reported == "passed":
            return "passed" if returncode == 0 else "error"
        return reported  # type: ignore[return-value]
    return "error"


def _feedback(status: Status, returncode: int, stdout: str, stderr: str, limits: Limits) -> str:
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
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else ""
        head = f"Your code was stopped by the system (signal {name or -returncode})."
    elif not detail:
        head = "The program ended before the tests finished."
    else:
        head = ""
    return "\n\n".join(part for part in (head, detail) if part)
