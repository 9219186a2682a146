"""Learner code tries to break out of its jail: real bubblewrap, real runs, real files.

Each test plays an attack that worked against a sandbox without its own mount, user and
network namespaces, and checks that the attack fails below Python too (``subprocess`` and
``ctypes`` calls into libc), with a positive control where a probe could fail for a dull
reason.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tutor.db import ServerAddress
from tutor.sandbox import SANDBOX_UIDS, Limits, RunResult, SandboxError, run_python
from tutor.sandbox import jail as jail_module

pytestmark = pytest.mark.integration

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="runs get user ids of their own only as root")
PROJECT = Path(__file__).resolve().parents[2]
NOBODY = 65534

# Reads each path three ways (Python, a subprocess, libc through ctypes) and prints what
# each way got: the bytes, or None when it was refused.
READ_PROBE = """
import ctypes, json, subprocess
libc = ctypes.CDLL(None, use_errno=True)
found = {}
for path in PATHS:
    try:
        with open(path, "rb") as source:
            by_python = source.read(200).decode(errors="replace")
    except OSError:
        by_python = None
    done = subprocess.run(["cat", path], capture_output=True)
    by_cat = done.stdout[:200].decode(errors="replace") if done.returncode == 0 else None
    fd = libc.open(path.encode(), 0)
    by_libc = None
    if fd >= 0:
        buffer = ctypes.create_string_buffer(200)
        by_libc = buffer.raw[: libc.read(fd, buffer, 200)].decode(errors="replace")
    found[path] = {"python": by_python, "cat": by_cat, "libc": by_libc}
print(json.dumps(found))
"""


def _run(code: str, tests: str = "", **limits: float) -> RunResult:
    return run_python(code, tests, limits=Limits(**limits))  # type: ignore[arg-type]


def _read_in_jail(paths: list[str]) -> dict[str, dict[str, str | None]]:
    result = _run(f"PATHS = {paths!r}\n" + READ_PROBE)
    assert result.passed, result.feedback
    found: dict[str, dict[str, str | None]] = json.loads(result.stdout)
    return found


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds; the bound only keeps a broken run from hanging."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.05)


def _processes_running(argv: list[str]) -> list[int]:
    wanted = "\0".join(argv).encode() + b"\0"
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(entry.path, "cmdline").read_bytes() == wanted:
                    found.append(int(entry.name))
    return found


def _sandbox_processes() -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, StopIteration):
                status = Path(entry.path, "status").read_text()
                uid = next(line for line in status.splitlines() if line.startswith("Uid:"))
                if int(uid.split()[1]) in SANDBOX_UIDS:
                    found.append(int(entry.name))
    return found


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder any user may read, in a chain of such folders (unlike ``tmp_path``'s)."""
    folder = Path(tempfile.mkdtemp(prefix="tutor-jail-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def background() -> Iterator[Callable[..., Future[RunResult]]]:
    """Start a run in a thread; the test ends what the run waits on."""
    with ThreadPoolExecutor(max_workers=2) as pool:

        def start(code: str, **limits: float) -> Future[RunResult]:
            return pool.submit(_run, code, "", **limits)

        yield start


def test_a_planted_data_file_and_the_project_are_unreadable_by_every_route(
    open_folder: Path,
) -> None:
    data = open_folder / "data"
    (data / "chroma").mkdir(parents=True)
    secret = f"passages of another learner {uuid.uuid4().hex}"
    planted = [data / "chroma" / "chroma.sqlite3", data / "tutor.log"]
    for path in planted:
        path.write_text(secret)
        path.chmod(0o644)
    for folder in (data, data / "chroma"):
        folder.chmod(0o755)
    project_file = PROJECT / "pyproject.toml"
    paths = [str(p) for p in planted] + [str(project_file), "/root/.bashrc", "solution.py"]

    found = _read_in_jail(paths)

    assert secret not in json.dumps(found)
    for path in paths[:-1]:
        assert found[path] == {"python": None, "cat": None, "libc": None}, path
    # The control: the run's own file is read all three ways, so the probes themselves work.
    assert all(found["solution.py"].values()), found["solution.py"]


def test_the_jail_shows_only_the_system_and_its_own_scratch() -> None:
    code = (
        "import os\n"
        "print(sorted(os.listdir('/')))\n"
        "print(sorted(os.listdir('/etc')))\n"
        "print([p for p in ('/root', '/home', '/srv', '/run', '/var/lib') if os.path.exists(p)])\n"
    )
    result = _run(code)
    assert result.passed, result.feedback
    top, etc, present = (eval(line) for line in result.stdout.splitlines())
    system = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"}
    assert set(top) <= system | {"etc", "proc", "dev", "tmp", "var", "sandbox"}
    assert etc in ([], ["ld.so.cache"])
    assert present == []


def test_a_database_socket_in_a_host_folder_is_unreachable(
    open_folder: Path, pg_server: ServerAddress
) -> None:
    folder = open_folder / "pg"
    folder.mkdir()
    folder.chmod(0o755)
    planted = folder / ".s.PGSQL.5432"
    abstract = f"\0tutor-test-{uuid.uuid4().hex}"
    real = pg_server.socket_dir / f".s.PGSQL.{pg_server.port}"
    with (
        socket.socket(socket.AF_UNIX) as listener,
        socket.socket(socket.AF_UNIX) as hidden,
        socket.socket(socket.AF_UNIX) as control,
    ):
        listener.bind(str(planted))
        planted.chmod(0o777)
        listener.listen()
        listener.setblocking(False)
        hidden.bind(abstract)
        hidden.listen()
        hidden.setblocking(False)
        control.connect(str(real))  # the host reaches the real server's socket
        # Through libc, below any check inside Python.
        code = (
            "import ctypes, socket\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "reached = []\n"
            "own = socket.socket(socket.AF_UNIX)\n"
            "own.bind('/tmp/own.sock')\n"
            "own.listen()\n"
            f"for address in {['/tmp/own.sock', str(planted), abstract, str(real)]!r}:\n"
            "    fd = libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)\n"
            "    path = address.encode()\n"
            "    name = socket.AF_UNIX.to_bytes(2, 'little') + path + bytes(108 - len(path))\n"
            "    if libc.connect(fd, name, len(name)) == 0:\n"
            "        reached.append(address)\n"
            "print(reached)\n"
        )
        result = _run(code)
        assert result.passed, result.feedback
        # The control: its own socket is reached, so the probe itself works.
        assert result.stdout.strip() == "['/tmp/own.sock']"
        for server in (listener, hidden):
            with pytest.raises(BlockingIOError):
                server.accept()


def test_no_network_even_below_python() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        port = server.getsockname()[1]
        code = (
            "import ctypes, socket, struct\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "fd = libc.socket(2, 1, 0)\n"
            "address = struct.pack('<H', 2)"
            f" + struct.pack('!H4s8x', {port}, bytes([127, 0, 0, 1]))\n"
            "print(libc.connect(fd, address, 16), ctypes.get_errno())\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}))\n"
            "    print('connected')\n"
            "except OSError as error:\n"
            "    print(type(error).__name__)\n"
        )
        result = _run(code)
        assert result.passed, result.feedback
        libc_line, python_line = result.stdout.splitlines()
        assert libc_line.split()[0] == "-1"
        assert python_line == "PermissionError"
        with pytest.raises(BlockingIOError):
            server.accept()


def test_one_disk_budget_covers_tmp_var_tmp_dev_shm_and_the_working_folder() -> None:
    code = (
        "import json\n"
        "chunk = b'x' * (256 * 1024)\n"
        "written, failure = 0, None\n"
        "for place in ('/tmp/a', '/var/tmp/b', '/dev/shm/c', 'd'):\n"
        "    try:\n"
        "        with open(place, 'wb', buffering=0) as f:\n"
        "            for _ in range(8):\n"
        "                f.write(chunk)\n"
        "                written += len(chunk)\n"
        "    except OSError as error:\n"
        "        failure = [place, error.errno]\n"
        "        break\n"
        "print(json.dumps({'written': written, 'failure': failure}))\n"
    )
    result = _run(code, disk_mb=4, file_mb=64)
    assert result.passed, result.feedback
    outcome = json.loads(result.stdout)
    assert outcome["failure"] is not None and outcome["failure"][1] == errno.ENOSPC
    # The per-file limit (64 MiB) did not stop it: the places share the 4 MiB.
    assert outcome["failure"][0] != "/tmp/a"
    assert 2 * 1024 * 1024 <= outcome["written"] <= 4 * 1024 * 1024


def test_the_file_count_budget_covers_every_writable_place() -> None:
    code = (
        "import json\n"
        "places = ('/tmp', '/var/tmp', '/dev/shm', '.')\n"
        "created, failure = 0, None\n"
        "try:\n"
        "    while created < 100000:\n"
        "        open(f'{places[created % 4]}/f{created}', 'w').close()\n"
        "        created += 1\n"
        "except OSError as error:\n"
        "    failure = error.errno\n"
        "print(json.dumps({'created': created, 'failure': failure}))\n"
    )
    result = _run(code, files=50)
    assert result.passed, result.feedback
    assert json.loads(result.stdout) == {"created": 50, "failure": errno.ENOSPC}


def test_files_outside_any_folder_are_bounded_by_the_open_files_limit() -> None:
    # A memfd is RAM that no tmpfs counts; each is at most file_mb, and only so many stay open.
    code = (
        "import json, os\n"
        "held, failure = [], None\n"
        "try:\n"
        "    while len(held) < 300:\n"
        "        fd = os.memfd_create('hoard')\n"
        "        os.write(fd, b'x' * (1024 * 1024))\n"
        "        held.append(fd)\n"
        "except OSError as error:\n"
        "    failure = error.errno\n"
        "print(json.dumps({'held': len(held), 'failure': failure}))\n"
    )
    result = _run(code, open_files=32, file_mb=1)
    assert result.passed, result.feedback
    outcome = json.loads(result.stdout)
    assert outcome["failure"] == errno.EMFILE
    assert 0 < outcome["held"] < 32


def test_nothing_written_stays_after_the_run() -> None:
    name = f"left-{uuid.uuid4().hex}"
    places = ["/tmp", "/var/tmp", "/dev/shm"]
    # Through a shell, below any check inside Python.
    code = (
        "import subprocess\n"
        f"for folder in {[*places, '.']!r}:\n"
        f"    subprocess.run(['sh', '-c', f'head -c 100000 /dev/zero > {{folder}}/{name}'],"
        " check=True)\n"
    )
    result = _run(code)
    assert result.passed, result.feedback
    for folder in places:
        assert not Path(folder, name).exists()


def test_the_code_holds_no_capability_and_cannot_widen_its_budgets() -> None:
    code = (
        "import ctypes, json\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "attempts = {\n"
        "    'user namespace': libc.unshare(0x10000000),\n"
        "    'mount namespace': libc.unshare(0x00020000),\n"
        "    'network namespace': libc.unshare(0x40000000),\n"
        "    'bigger tmpfs': libc.mount(b'tmpfs', b'/tmp', b'tmpfs', 0, b'size=1g'),\n"
        "    'unmount /tmp': libc.umount2(b'/tmp', 2),\n"
        "    'shared memory': libc.shmget(0, 1 << 20, 0o1000 | 0o600),\n"
        "    'message queue': libc.msgget(0, 0o1000 | 0o600),\n"
        "    'root': libc.setuid(0),\n"
        "}\n"
        "try:\n"
        "    with open('/proc/sys/kernel/shmmni', 'w') as f:\n"
        "        f.write('4096')\n"
        "    attempts['reopen shared memory'] = 0\n"
        "except OSError:\n"
        "    attempts['reopen shared memory'] = -1\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith(('Cap', 'NoNew'))]\n"
        "print(json.dumps({'attempts': attempts, 'caps': caps}))\n"
    )
    result = _run(code)
    assert result.passed, result.feedback
    outcome = json.loads(result.stdout)
    assert outcome["attempts"] == dict.fromkeys(outcome["attempts"], -1)
    assert len(outcome["attempts"]) == 9
    # No capability in any set, and no program can gain one (setuid bits do nothing).
    assert [line.split()[1] for line in outcome["caps"]] == ["0" * 16] * 5 + ["1"]


def test_concurrent_runs_see_neither_each_others_files_nor_processes(
    background: Callable[..., Future[RunResult]],
) -> None:
    marker = uuid.uuid4().hex
    hold = ["sleep", f"60.{int(marker[:6], 16)}"]
    # Both runs work through a shell, below any check inside Python.
    first = background(
        "import os, subprocess\n"
        f"SOLUTION_OF_A = '{marker}'\n"
        "for place in ('/tmp', '/var/tmp', '/dev/shm'):\n"
        f"    subprocess.run(['sh', '-c', f'echo {marker} > {{place}}/from-a'], check=True)\n"
        f"subprocess.run({hold!r})  # the test ends this once the second run is over\n"
        "print(os.getuid(), flush=True)\n"
        "subprocess.run(['ls', '-a', '/tmp', '/var/tmp', '/dev/shm', '.'])\n",
        wall_s=90,
    )
    _wait_for(lambda: bool(_processes_running(hold)), "the first run holds")
    second = _run(
        "import os, subprocess\n"
        "for place in ('/tmp', '/var/tmp', '/dev/shm'):\n"
        "    subprocess.run(['sh', '-c', f'echo planted > {place}/from-b'], check=True)\n"
        "print(os.getuid())\n"
        "print(sum(name.isdigit() for name in os.listdir('/proc')))\n"
        # Spelled backwards, so that its own solution.py does not hold the first's text.
        f"secret = '{marker[::-1]}'[::-1]\n"
        "found = subprocess.run(\n"
        "    ['grep', '-r', '-l', '-s', secret, '/tmp', '/var/tmp', '/dev/shm', '/sandbox'],\n"
        "    capture_output=True, text=True,\n"
        ")\n"
        "print(found.stdout.split())\n"
    )
    for pid in _processes_running(hold):
        os.kill(pid, 15)
    result = first.result()
    assert second.passed, second.feedback
    assert result.passed, result.feedback
    uid_b, processes_b, found_b = second.stdout.splitlines()
    assert found_b == "[]"
    assert int(processes_b) == 2  # its own first process and the code's
    uid_a, *listing_a = result.stdout.splitlines()
    assert "from-a" in listing_a and "from-b" not in listing_a
    if AS_ROOT:
        assert uid_a != uid_b and {int(uid_a), int(uid_b)} <= set(SANDBOX_UIDS)


def _holder(hold: list[str], full: list[str]) -> str:
    """Code that starts sleepers until its process budget is spent, then shows ``full``."""
    return (
        "import os\n"
        "def spawn(argv):\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.execv('/usr/bin/sleep', argv)\n"
        "    return pid\n"
        "children = []\n"
        "try:\n"
        "    while True:\n"
        f"        children.append(spawn({hold!r}))\n"
        "except BlockingIOError:\n"
        "    pass\n"
        "print(len(children))\n"
        "# Free one place and take it again with a sign, so the test knows the budget is full.\n"
        "os.kill(children[-1], 9)\n"
        "os.waitpid(children.pop(), 0)\n"
        f"children.append(spawn({full!r}))\n"
        "for pid in children:  # the test ends them once the other run is over\n"
        "    os.waitpid(pid, 0)\n"
    )


NEEDS_PROCESSES = (
    "import subprocess\nfor _ in range(5):\n    subprocess.run(['true'], check=True)\n"
)


def test_one_run_holding_every_process_it_may_does_not_starve_another(
    background: Callable[..., Future[RunResult]],
) -> None:
    tag = uuid.uuid4().int % 10**6
    hold, full = ["sleep", f"61.{tag}"], ["sleep", f"62.{tag}"]
    processes = 16
    holder = background(_holder(hold, full), processes=processes, wall_s=90)
    _wait_for(lambda: bool(_processes_running(full)), "the holder is full")
    other = _run(NEEDS_PROCESSES, processes=processes)
    for pid in _processes_running(hold) + _processes_running(full):
        os.kill(pid, 15)
    held = holder.result()
    assert other.passed, other.feedback
    assert held.passed, held.feedback
    # Its budget counts the jail's first process and the code's own: the rest slept.
    assert int(held.stdout) == processes - 2


# The same two runs, started by a service that is not root (so no user id of their own). The
# system's Python runs it, without the project's virtual environment: it imports only tutor.
UNPRIVILEGED_SERVICE = """
import json, os, sys, threading, time
from tutor.sandbox import Limits, run_python

holder_code, other_code, hold, full = json.loads(sys.argv[1])

def running(argv):
    wanted = "\\0".join(argv).encode() + b"\\0"
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                if f.read() == wanted:
                    found.append(int(name))
        except OSError:
            pass
    return found

held = []
holder = threading.Thread(
    target=lambda: held.append(run_python(holder_code, "", limits=Limits(wall_s=90)))
)
holder.start()
deadline = time.monotonic() + 60
while not running(full) and time.monotonic() < deadline:
    time.sleep(0.05)
full_when_other_ran = bool(running(full))
other = run_python(other_code, "")
for pid in running(hold) + running(full):
    os.kill(pid, 15)
holder.join()
print(json.dumps({"service": os.getuid(), "other": [other.status, other.stdout, other.feedback],
                  "holder": [held[0].status, held[0].stdout, held[0].feedback],
                  "full_when_other_ran": full_when_other_ran}))
"""


@needs_root
def test_a_service_that_is_not_root_still_gives_each_run_its_own_budget() -> None:
    if any(p.stat().st_mode & 0o005 != 0o005 for p in (PROJECT, *PROJECT.parents)):
        pytest.skip("the project's folder is not open to other users")
    tag = uuid.uuid4().int % 10**6
    hold, full = ["sleep", f"63.{tag}"], ["sleep", f"64.{tag}"]
    other = NEEDS_PROCESSES + "import os\nprint(os.getuid())\n"
    python = jail_module.interpreter_candidates("/usr/bin/python3")[0]
    done = subprocess.run(
        [python, "-c", UNPRIVILEGED_SERVICE, json.dumps([_holder(hold, full), other, hold, full])],
        user=NOBODY,
        group=NOBODY,
        extra_groups=[],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["full_when_other_ran"]
    assert outcome["other"][0] == "passed", outcome["other"]
    assert outcome["holder"][0] == "passed", outcome["holder"]
    # The runs run as the service's user, the only one it can give them.
    assert int(outcome["other"][1]) == outcome["service"] != 0
    assert int(outcome["holder"][1]) == Limits().processes - 2


def test_a_sleeping_fork_bomb_and_an_endless_loop_end_with_the_right_status() -> None:
    bomb = _run(
        "import os, time\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except BlockingIOError:\n"
        "        time.sleep(60)\n",
        wall_s=2,
    )
    assert bomb.status == "timeout"
    loop = _run("while True:\n    pass\n", cpu_s=1, wall_s=30)
    assert loop.status == "timeout" and "time limit" in loop.feedback
    if AS_ROOT:
        _wait_for(lambda: not _sandbox_processes(), "the runs' processes are gone")


def test_without_bubblewrap_nothing_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(jail_module, "TOOL_PATH", str(tmp_path))
    with pytest.raises(SandboxError, match=r"bubblewrap \(bwrap\) is not installed.*apt-get"):
        _run("print(1)")


def test_where_namespaces_are_refused_nothing_runs(
    monkeypatch: pytest.MonkeyPatch, open_folder: Path
) -> None:
    # This machine allows them, so a stand-in bwrap fails the way bubblewrap does without.
    fake = open_folder / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(jail_module, "TOOL_PATH", str(open_folder))
    with pytest.raises(SandboxError, match=r"No permissions to create new namespace") as refused:
        _run("print(1)")
    assert "user namespaces" in str(refused.value)
    monkeypatch.undo()
    assert _run("print(1)").stdout == "1\n"  # a refusal is not remembered
