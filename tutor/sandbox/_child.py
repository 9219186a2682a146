"""The program the sandbox process runs before, and around, the learner's code.

The runner passes this file's text to ``python -I -S -c`` (isolated mode, no ``site``), so it
imports nothing from the project. It is started as the runner's own user; in order it:

1. reads the run's secret token from stdin, then points stdin at ``/dev/null``;
2. moves into new network and PID namespaces (``unshare`` through libc; as a regular user
   inside a new user namespace too) and forks, the parent staying as a supervisor (see
   ``_enter_namespaces``); the network namespace is empty (not even loopback is up) and is
   reported to the runner, which uses it to find and kill every process of the run;
3. sets the resource limits (CPU, address space, file size, processes, no core files);
4. as root, drops to the sandbox user (``setgroups([])``, ``setgid``, ``setuid``);
5. replaces socket creation and adds an audit hook that refuses sockets and ``open`` of paths
   outside the sandbox directory and the standard library;
6. runs ``solution.py`` then ``tests.py`` in one namespace, then every ``test_*`` function the
   tests define, and reports ``<token> <status>`` on the result pipe.

Audit hooks and the socket replacement are guard rails, not a security boundary: code that
loads ``ctypes`` can make system calls directly. The boundaries are the unprivileged user, the
empty network namespace, the resource limits and the runner's process sweep.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import socket
import sys
import sysconfig
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

CLONE_NEWPID = 0x20000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
LEARNER_FILES = ("solution.py", "tests.py")
NETWORK_REFUSED = "network access is not allowed"
_SIGNALLED = 128
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_NETWORK_EVENTS = frozenset(
    {"socket.__new__", "socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"}
)


def _enter_namespaces() -> str:
    """Enter new network and PID namespaces; return the network namespace's id.

    With a PID namespace the process forks: the parent stays outside as a supervisor that
    waits and passes the exit status on; the child is the namespace's first process, so when
    it ends the kernel kills and reaps every process it left behind (no orphans, no zombies
    counted against ``RLIMIT_NPROC`` when the service itself is PID 1 and reaps nothing).
    Returns ``""`` when no network namespace could be made.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    base = 0 if os.geteuid() == 0 else CLONE_NEWUSER
    if libc.unshare(base | CLONE_NEWNET | CLONE_NEWPID) != 0:
        return os.readlink("/proc/self/ns/net") if libc.unshare(base | CLONE_NEWNET) == 0 else ""
    network = os.readlink("/proc/self/ns/net")
    child = os.fork()
    if child:
        _supervise(child)
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    return network


def _supervise(child: int) -> NoReturn:
    """Wait for ``child`` and end the same way it ended."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    number = -code if code < 0 else code - _SIGNALLED if code == _SIGNALLED + signal.SIGXCPU else 0
    if number:
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(code if code >= 0 else 1)


def _on_cpu_limit(_number: int, _frame: object) -> None:
    """The first process of a PID namespace ignores a default ``SIGXCPU``: end on purpose."""
    os._exit(_SIGNALLED + signal.SIGXCPU)


def _set_limits(config: dict[str, Any]) -> None:
    cpu = int(config["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (config["memory_bytes"], config["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (config["file_bytes"], config["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (config["processes"], config["processes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _drop_privileges(config: dict[str, Any]) -> None:
    if os.geteuid() != 0:
        return
    os.setgroups([])
    os.setgid(int(config["gid"]))
    os.setuid(int(config["uid"]))
    if os.geteuid() == 0 or os.getuid() == 0:
        sys.exit("sandbox: could not drop root privileges")


def _refuse_network(*_args: object, **_kwargs: object) -> NoReturn:
    raise PermissionError(NETWORK_REFUSED)


class _NoSocket(socket.socket):
    """Stands in for ``socket.socket``; subclassing it (as ``ssl`` does) still works."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(NETWORK_REFUSED)


def _block_network() -> None:
    socket.socket = _NoSocket  # type: ignore[misc]
    socket.SocketType = _NoSocket
    for name in ("create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo"):
        setattr(socket, name, _refuse_network)


def _is_within(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _make_audit_hook(sandbox: str) -> Callable[[str, tuple[Any, ...]], None]:
    stdlib = {
        os.path.realpath(p) for key in ("stdlib", "platstdlib") if (p := sysconfig.get_path(key))
    }
    readable = (sandbox, *sorted(stdlib), "/dev/null", "/dev/urandom", "/dev/zero")
    writable = (sandbox, "/dev/null")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in _NETWORK_EVENTS:
            raise PermissionError(NETWORK_REFUSED)
        if event != "open":
            return
        path, mode, flags = args
        if path is None or isinstance(path, int):
            return
        resolved = os.path.realpath(os.fsdecode(path))
        writing = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
            isinstance(mode, str) and any(c in mode for c in "wax+")
        )
        if not _is_within(resolved, writable if writing else readable):
            raise PermissionError(f"access to {os.fsdecode(path)!r} is not allowed")

    return hook


def _learner_traceback(error: BaseException) -> str:
    """Format ``error`` showing only the frames of the learner's files."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in LEARNER_FILES]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines)


def _status_of(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return "memory"
    if isinstance(error, AssertionError):
        return "failed"
    if isinstance(error, SystemExit):
        return "failed" if error.code not in (0, None) else "error"
    return "error"


def _run_learner_code(sources: dict[str, str]) -> str:
    """Run the solution, the tests and the test functions; return the run's status."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        for filename in LEARNER_FILES:
            exec(compile(sources[filename], filename, "exec"), namespace)
    except BaseException as error:  # every outcome is reported
        namespace.clear()
        if isinstance(error, SystemExit) and error.code in (0, None):
            print("The program exited before the tests finished.", file=sys.stderr)
        else:
            print(_learner_traceback(error), file=sys.stderr, end="")
        return _status_of(error)
    worst = "passed"
    tests = [
        (name, value)
        for name, value in namespace.items()
        if name.startswith("test_")
        and callable(value)
        and getattr(getattr(value, "__code__", None), "co_filename", "") == "tests.py"
    ]
    for name, function in tests:
        try:
            function()
        except BaseException as error:  # every outcome is reported
            print(f"{name} failed:\n{_learner_traceback(error)}", file=sys.stderr, end="")
            status = _status_of(error)
            if worst == "passed" or status in ("memory", "error"):
                worst = status
    return worst


def main() -> None:
    """Set up the sandbox, run the learner's code and report the outcome."""
    config: dict[str, Any] = json.loads(sys.argv[1])
    token = sys.stdin.readline().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    report = os.fdopen(int(config["result_fd"]), "w", buffering=1)
    report.write(f"ns {_enter_namespaces()}\n")
    _set_limits(config)
    _drop_privileges(config)
    sandbox = os.path.realpath(config["directory"])
    os.chdir(sandbox)
    sources = {}
    for filename in LEARNER_FILES:
        with open(filename, encoding="utf-8") as source:
            sources[filename] = source.read()
    _block_network()
    sys.addaudithook(_make_audit_hook(sandbox))
    status = _run_learner_code(sources)
    sys.stdout.flush()
    sys.stderr.flush()
    report.write(f"{token} {status}\n")
    report.flush()
    os._exit(0 if status == "passed" else 1)


if __name__ == "__main__":
    main()
