"""The bubblewrap command line that puts one run in a jail of its own.

Each run gets new user, mount, PID, network, IPC, UTS and (where the kernel has them)
cgroup namespaces. Its filesystem is built from nothing: the system's ``/usr`` read-only
(with the ``/bin``, ``/lib`` ... links or folders beside it), ``/etc/ld.so.cache``, a few
device nodes, a ``/proc`` of its own PID namespace, and empty mount points that the program
inside (``_child.py``) covers with the run's one bounded tmpfs. The root is read-only. The
data directory, the project, ``/root``, ``/home``, the host's ``/tmp``, sockets, logs and other
runs are simply not there. No ``--dev`` (bubblewrap's devpts setup would run the program in a
nested user namespace that cannot mount the run's tmpfs); no ``--disable-userns`` for the
same reason: the program inside closes user namespaces itself before the learner's code runs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

TOOL_PATH = "/usr/bin:/bin:/usr/local/bin"
"""Where bubblewrap is looked for (not the service's ``PATH``, which a user may extend)."""

INSTALL_HINT = "install Debian's bubblewrap package (apt-get install bubblewrap)"

_DEVICES = ("null", "zero", "full", "random", "urandom")
_ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_MOUNT_POINTS = ("/tmp", "/var/tmp", "/dev/shm", "/sandbox")
_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
# Inside the jail's own user namespace only: the program mounts the run's tmpfs with them,
# closes user namespaces, and maps the code's namespace onto the jail's user 0 (which the
# kernel allows only with CAP_SETFCAP); it drops them all before the learner's code runs.
_SETUP_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SYS_RESOURCE", "CAP_SETFCAP")


def find_bwrap() -> str | None:
    """The path of bubblewrap's ``bwrap``, or ``None`` when it is not installed."""
    return shutil.which("bwrap", path=TOOL_PATH)


def jail_command(bwrap: str, python: str, child_source: str, info_fd: int) -> list[str]:
    """The command that runs ``child_source`` with ``python`` in a fresh jail.

    The program starts as user 0 of the jail's user namespace, which bubblewrap maps to the
    id it runs as; the program itself moves the learner's code to a namespace of its own.

    Args:
        bwrap: The ``bwrap`` executable.
        python: An interpreter under ``/usr``, which is all of the host's disk the jail sees.
        child_source: The program to run in isolated mode.
        info_fd: Where bubblewrap writes the jail's first process id (JSON).

    Returns:
        The argument vector.
    """
    command = [
        bwrap,
        "--unshare-user",
        "--unshare-ipc",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--uid",
        "0",
        "--gid",
        "0",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        # The program is the PID namespace's first process and reaps it itself: bubblewrap's
        # own first process outlives bubblewrap, a zombie for whoever adopts it.
        "--as-pid-1",
        "--clearenv",
        "--info-fd",
        str(info_fd),
    ]
    for name, value in _ENV.items():
        command += ["--setenv", name, value]
    command += ["--ro-bind", "/usr", "/usr"]
    for name in _ROOT_LINKS:
        path = Path("/", name)
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            command += ["--ro-bind", str(path), str(path)]
    command += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    command += ["--proc", "/proc", "--dir", "/dev"]
    for device in _DEVICES:
        command += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
    command += ["--symlink", "/proc/self/fd", "/dev/fd"]
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        command += ["--symlink", f"/proc/self/fd/{number}", f"/dev/{name}"]
    for mount_point in _MOUNT_POINTS:
        command += ["--dir", mount_point]
    command += ["--remount-ro", "/", "--chdir", "/"]
    for capability in _SETUP_CAPABILITIES:
        command += ["--cap-add", capability]
    command += ["--", python, "-I", "-S", "-B", "-c", child_source]
    return command


def interpreter_candidates(executable: str) -> list[str]:
    """Interpreters the jail can run, best first: the service's own when under ``/usr``.

    Args:
        executable: The service's interpreter (``sys.executable``).

    Returns:
        Paths of existing interpreters under ``/usr``.
    """
    found = [os.path.realpath(executable), "/usr/bin/python3", "/usr/local/bin/python3"]
    return [
        path
        for path in dict.fromkeys(found)
        if path.startswith("/usr/") and os.access(path, os.X_OK)
    ]
