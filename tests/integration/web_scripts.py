"""Run one of the web UI's npm generator scripts, writing to a file of the test's choosing."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def generate(script: str, output: Path) -> str:
    """Run ``npm run <script>`` the way package.json says, but writing to ``output``.

    The script must be ``<tool> ... --output <file> ...``; the tool runs from
    ``web/node_modules/.bin`` under node. Skips the test when node is not installed.

    Returns:
        What the tool wrote.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    scripts = json.loads((WEB / "package.json").read_text(encoding="utf-8"))["scripts"]
    tool, *args = shlex.split(scripts[script])
    executable = WEB / "node_modules" / ".bin" / tool
    assert executable.exists(), "web/node_modules is missing: run `make web-deps`"
    at = args.index("--output") + 1
    run = subprocess.run(
        [node, str(executable), *args[:at], str(output), *args[at + 1 :]],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return output.read_text(encoding="utf-8")
