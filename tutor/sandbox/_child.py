"""The program that runs inside the jail, before and around the learner's code.

The runner starts it through bubblewrap as ``python -I -S -B -c <this file's text>``, so it
imports nothing from the project. It begins as user 0 of the jail's own user namespace with
three capabilities there (``CAP_SYS_ADMIN``, ``CAP_SYS_RESOURCE``, ``CAP_SETFCAP``), which reach
nothing outside the jail's namespaces. In order it:

1. reads the run's request (token, limits, the learner's files) from stdin as JSON, then
   points stdin at ``/dev/null``;
2. mounts the run's one scratch filesystem at ``/sandbox``: a tmpfs bounded in bytes *and*
   in files (``size`` and ``nr_inodes``, which bubblewrap's own ``--tmpfs`` cannot bound), and
   binds its folders on ``/tmp``, ``/var/tmp`` and ``/dev/shm``, so one budget covers every
   writable place; it vanishes with the jail's mount namespace;
3. closes what would step around those budgets, then makes ``/proc/sys`` read-only: user
   namespaces beyond the code's own of the next step (in one more, the code would hold
   ``CAP_SYS_ADMIN`` again and could mount an unbounded tmpfs), and System V shared memory
   and message queues (RAM outside the tmpfs);
4. moves into a user namespace of its own as the run's user, so the code holds no power over
   the jail's mounts, IPC or settings, and drops every capability there for good;
5. sets the resource limits (CPU, address space, file size, processes, open files, no core
   files), offers the run first to the kernel's out-of-memory killer, and tells the runner it
   is ready;
6. forks: this first process of the PID namespace stays behind to reap every process the
   code leaves and to end as the code's process ended (when it ends, the kernel kills what
   is left of the run); the forked process
7. runs ``solution.py`` then ``tests.py`` in one namespace, then every ``test_*`` function the
   tests define, and reports ``<token> <status>`` on the result pipe.

Nothing of the learner's runs before step 7. Refusing IP sockets with a clear message is
feedback, not a boundary: the jail's network namespace has no usable interface at all.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import socket
import sys
import traceback
from typing import Any, NoReturn

LEARNER_FILES = ("solution.py", "tests.py")
NETWORK_REFUSED = "network access is not allowed"
SCRATCH = "/sandbox"
WORK = "/sandbox/work"
# Folders of the scratch filesystem bound where programs look for temporary space.
SHARED_TEMP = (("tmp", "/tmp"), ("var-tmp", "/var/tmp"), ("shm", "/dev/shm"))
# Settings of the jail's own namespaces (not the host's): one user namespace more, the
# code's; no System V shared memory segments or message queues.
KERNEL_SETTINGS = (
    ("/proc/sys/user/max_user_namespaces", "1"),
    ("/proc/sys/kernel/shmmni", "0"),
    ("/proc/sys/kernel/shmall", "0"),
    ("/proc/sys/kernel/msgmni", "0"),
)
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_BIND = 4096
_MS_REMOUNT = 32
_MS_RDONLY = 1
_CLONE_NEWUSER = 0x10000000
_EINVAL = 22
_SIGNALLED = 128
_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAPABILITY_VERSION_3 = 0x20080522
_INET_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6})
_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def _check(result: int, action: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        sys.exit(f"sandbox setup: {action} failed: {os.strerror(error)}")


def _mount_scratch(request: dict[str, Any]) -> None:
    """Mount the run's one bounded tmpfs and bind its folders on the temporary places."""
    options = f"size={int(request['disk_bytes'])},nr_inodes={int(request['files'])},mode=0700"
    _check(
        _libc.mount(b"tmpfs", SCRATCH.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, options.encode()),
        f"mounting {SCRATCH}",
    )
    os.mkdir(WORK, 0o700)
    for name, target in SHARED_TEMP:
        source = f"{SCRATCH}/{name}"
        os.mkdir(source, 0o700)
        _check(_libc.mount(source.encode(), target.encode(), None, _MS_BIND, None), target)


def _close_kernel_doors() -> None:
    for path, value in KERNEL_SETTINGS:
        with open(path, "w", encoding="ascii") as setting:
            setting.write(value)
    # The code's user id owns the jail's namespaces from outside: it could write the IPC
    # settings back, were /proc/sys writable.
    _check(_libc.mount(b"/proc/sys", b"/proc/sys", None, _MS_BIND, None), "binding /proc/sys")
    flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    _check(_libc.mount(None, b"/proc/sys", None, flags, None), "making /proc/sys read-only")


def _enter_own_user_namespace(uid: int) -> None:
    """Become ``uid`` in a new user namespace, with no power over the jail's namespaces."""
    _check(_libc.unshare(_CLONE_NEWUSER), "making the code's user namespace")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} 0 1"), ("gid_map", f"{uid} 0 1")):
        with open(f"/proc/self/{name}", "w", encoding="ascii") as mapping:
            mapping.write(text)


def _drop_capabilities() -> None:
    with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as setting:
        last = int(setting.read())
    for capability in range(last + 1):
        dropped = _libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) == 0
        # EINVAL: a capability this kernel does not have; any other failure ends the run.
        if not dropped and ctypes.get_errno() != _EINVAL:
            _check(-1, "dropping the bounding set")
    _check(_libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clearing ambient")
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    _check(_libc.capset(ctypes.byref(header), (_CapData * 2)()), "dropping capabilities")


def _set_limits(request: dict[str, Any]) -> None:
    cpu = int(request["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (request["memory_bytes"], request["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (request["file_bytes"], request["file_bytes"]))
    # Counted per user namespace, and the jail's is its own: no other run shares this budget.
    resource.setrlimit(resource.RLIMIT_NPROC, (request["processes"], request["processes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A file made with memfd_create lives in RAM outside the tmpfs while it is open.
    resource.setrlimit(resource.RLIMIT_NOFILE, (request["open_files"], request["open_files"]))
    # Address space is limited per process, not per run: should the machine run short of
    # memory, the kernel ends the run's processes before the service's or the database's.
    with open("/proc/self/oom_score_adj", "w", encoding="ascii") as preference:
        preference.write("1000")


def _supervise(child: int) -> NoReturn:
    """Reap every process of the run until ``child`` ends, then end with its status."""
    while True:
        pid, status = os.wait()
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else _SIGNALLED - code)


def _refuse_ip_sockets(event: str, args: tuple[Any, ...]) -> None:
    """Name the rule when code reaches for the network (the namespace stops it regardless)."""
    if event == "socket.getaddrinfo" or (
        event in ("socket.connect", "socket.bind", "socket.sendto")
        and getattr(args[0], "family", None) in _INET_FAMILIES
    ):
        raise PermissionError(NETWORK_REFUSED)


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
    """Set up the jail's inside, run the learner's code and report the outcome."""
    request: dict[str, Any] = json.loads(sys.stdin.buffer.read())
    os.environ.pop("PWD", None)  # set by bubblewrap; the code sees only PATH and LANG
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    report = os.fdopen(int(request["result_fd"]), "w", buffering=1)
    _mount_scratch(request)
    _close_kernel_doors()
    os.chdir(WORK)
    sources = {name: request[name.removesuffix(".py")] for name in LEARNER_FILES}
    for filename, text in sources.items():
        with open(filename, "w", encoding="utf-8") as source:
            source.write(text)
    _enter_own_user_namespace(int(request["uid"]))
    _drop_capabilities()
    token = str(request["token"])
    _set_limits(request)
    request.clear()
    sys.addaudithook(_refuse_ip_sockets)
    report.write("ready\n")
    learner = os.fork()
    if learner:
        _supervise(learner)
    status = _run_learner_code(sources)
    sys.stdout.flush()
    sys.stderr.flush()
    report.write(f"{token} {status}\n")
    report.flush()
    os._exit(0 if status == "passed" else 1)


if __name__ == "__main__":
    main()
