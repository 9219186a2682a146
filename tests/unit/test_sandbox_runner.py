"""The sandbox runs learner code against tests, within limits, and reports the outcome."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from tutor.sandbox import SANDBOX_UIDS, Limits, RunResult, arun_python, run_python

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="runs get user ids of their own only as root")


def _run(code: str, tests: str = "", **limits: float) -> RunResult:
    started = time.monotonic()
    result = run_python(code, tests, limits=Limits(**limits))  # type: ignore[arg-type]
    assert time.monotonic() - started < 30
    return result


def _live_sandbox_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        # Zombies count too: they would use up a sandbox user's process limit.
        if int(fields["Uid"].split()[0]) in SANDBOX_UIDS:
            found.append(int(entry.name))
    return found


def _assert_no_stray_processes() -> None:
    deadline = time.monotonic() + 10
    while _live_sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _live_sandbox_processes() == []


def test_correct_solution_passes() -> None:
    result = _run("def add(a, b):\n    return a + b\n", "assert add(2, 3) == 5\n")
    assert result.passed
    assert result.status == "passed"
    assert result.feedback == ""


def test_wrong_solution_fails_with_the_assertion_in_feedback() -> None:
    result = _run("def add(a, b):\n    return a - b\n", "assert add(2, 3) == 5, 'add(2, 3)'\n")
    assert not result.passed
    assert result.status == "failed"
    assert "AssertionError: add(2, 3)" in result.feedback
    assert 'File "tests.py", line 1' in result.feedback
    assert "_child" not in result.feedback


def test_test_functions_are_run_and_failures_named() -> None:
    tests = "def test_one():\n    assert f() == 1\n\ndef test_two():\n    assert f() == 2\n"
    assert _run("def f():\n    return 1\n", tests).status == "failed"
    result = _run("def f():\n    return 1\n", tests)
    assert "test_two failed" in result.feedback
    assert "test_one" not in result.feedback
    assert _run("def f():\n    return 2\n", "def test_two():\n    assert f() == 2\n").passed


def test_other_exceptions_are_errors() -> None:
    result = _run("def f(:\n", "assert True\n")
    assert result.status == "error"
    assert "SyntaxError" in result.feedback


def test_exiting_early_does_not_pass() -> None:
    result = _run("import os\nos._exit(0)\n", "assert False\n")
    assert not result.passed
    assert result.status == "error"
    assert _run("import sys\nsys.exit(0)\n", "assert False\n").status == "error"


def test_output_is_captured_and_truncated() -> None:
    result = _run("print('hello')\nprint('x' * 200000)\n", "", output_kb=4)
    assert result.passed
    assert result.stdout.startswith("hello\n")
    assert len(result.stdout) == 4 * 1024


def test_infinite_loop_is_stopped_by_the_cpu_limit() -> None:
    result = _run("while True:\n    pass\n", "", cpu_s=1, wall_s=20)
    assert result.status == "timeout"
    assert "time limit" in result.feedback


def test_sleeping_forever_is_stopped_by_the_wall_clock() -> None:
    result = _run("import time\ntime.sleep(60)\n", "", wall_s=1)
    assert result.status == "timeout"
    assert result.duration_s < 30


def test_fork_bomb_is_contained_and_leaves_no_processes() -> None:
    result = _run("import os\nwhile True:\n    os.fork()\n", "", wall_s=5)
    assert not result.passed
    assert result.status in {"error", "timeout", "killed"}
    if AS_ROOT:
        _assert_no_stray_processes()


@needs_root
def test_processes_that_leave_the_session_are_killed() -> None:
    code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(120)\n"
    result = _run(code, "")
    assert result.passed
    _assert_no_stray_processes()


def test_memory_bomb_is_reported() -> None:
    result = _run("x = bytearray(10**10)\n", "")
    assert result.status == "memory"
    assert "memory" in result.feedback


def test_growing_list_is_reported() -> None:
    result = _run("x = []\nwhile True:\n    x.append(' ' * 100000)\n", "", memory_mb=128)
    assert result.status in {"memory", "error", "killed"}
    assert not result.passed


def test_the_run_is_the_first_the_out_of_memory_killer_ends() -> None:
    code = "import subprocess\nprint(open('/proc/self/oom_score_adj').read().strip())\n"
    code += "subprocess.run(['cat', '/proc/self/oom_score_adj'])\n"
    result = _run(code, "")
    assert result.passed, result.feedback
    assert result.stdout.split() == ["1000", "1000"]


def test_socket_connection_fails_inside() -> None:
    result = _run("import socket\nsocket.create_connection(('127.0.0.1', 1))\n", "")
    assert result.status in {"failed", "error"}
    assert "network access is not allowed" in result.feedback


def test_url_fetch_fails_inside() -> None:
    result = _run("import urllib.request\nurllib.request.urlopen('http://example.com')\n", "")
    assert result.status in {"failed", "error"}
    assert "network access is not allowed" in result.feedback


@needs_root
def test_the_network_namespace_is_empty_even_below_python() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = (
            "import ctypes, struct\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "fd = libc.socket(2, 1, 0)\n"
            "address = struct.pack('<H', 2)"
            f" + struct.pack('!H4s8x', {port}, bytes([127, 0, 0, 1]))\n"
            "assert libc.connect(fd, address, 16) != 0, 'connected'\n"
        )
        result = _run(code, "")
    assert result.passed, result.feedback


def test_reading_etc_shadow_fails() -> None:
    result = _run("print(open('/etc/shadow').read())\n", "")
    assert result.status == "error"
    assert "root:" not in result.stdout
    assert "'/etc/shadow'" in result.feedback


@needs_root
def test_root_only_files_are_unreadable_even_below_python() -> None:
    code = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "assert libc.open(b'/etc/shadow', 0) < 0, 'opened /etc/shadow'\n"
        "assert libc.open(b'/root', 0) < 0, 'opened /root'\n"
    )
    assert _run(code, "").passed


def test_reading_a_private_file_of_the_caller_fails(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the answer key")
    secret.chmod(0o600)
    tmp_path.chmod(0o700)
    result = _run(f"print(open({str(secret)!r}).read())\n", "")
    assert result.status == "error"
    assert "the answer key" not in result.stdout
    assert "FileNotFoundError" in result.feedback


def test_huge_file_is_stopped_by_the_file_size_limit() -> None:
    code = "with open('big', 'wb') as f:\n    f.write(b'x' * (8 * 1024 * 1024))\n"
    result = _run(code, "", file_mb=1)
    assert result.status == "error"
    assert "File too large" in result.feedback


def test_runs_in_a_fresh_private_directory() -> None:
    code = "import os, stat\nprint(os.getcwd())\nprint(oct(stat.S_IMODE(os.stat('.').st_mode)))\n"
    tests = "import os\nassert sorted(os.listdir('.')) == ['solution.py', 'tests.py']\n"
    result = _run(code, tests)
    assert result.passed, result.feedback
    directory, mode = result.stdout.split()
    assert mode == "0o700"
    assert not Path(directory).exists()


def test_environment_is_cleared_and_interpreter_isolated() -> None:
    code = (
        "import os, sys\nprint(sorted(os.environ))\nprint(sys.flags.isolated, sys.flags.no_site)\n"
    )
    result = _run(code, "")
    assert result.passed
    assert result.stdout.splitlines() == ["['LANG', 'PATH']", "1 1"]


@needs_root
def test_runs_as_a_sandbox_user_id_without_groups() -> None:
    result = _run("import os\nprint(os.getuid(), os.getgid(), os.getgroups())\n", "")
    uid, gid, groups = result.stdout.split()
    assert int(uid) in SANDBOX_UIDS and gid == uid
    assert groups == "[]"


async def test_async_variant_works() -> None:
    results = [
        await arun_python("x = 1\n", "assert x == 1\n"),
        await arun_python("x = 1\n", "assert x == 2\n"),
    ]
    assert [r.status for r in results] == ["passed", "failed"]
