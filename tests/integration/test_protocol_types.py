"""The web UI's protocol types are what json-schema-to-typescript makes of the schema now."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
COMMITTED = WEB / "src" / "lib" / "protocol.ts"
JSON2TS = WEB / "node_modules" / ".bin" / "json2ts"


def _script_args(output: Path) -> list[str]:
    """The ``protocol:types`` script's arguments, writing to ``output`` instead."""
    script = json.loads((WEB / "package.json").read_text(encoding="utf-8"))["scripts"]
    args = shlex.split(script["protocol:types"])
    assert args[0] == "json2ts", script
    at = args.index("--output") + 1
    return [*args[1:at], str(output), *args[at + 1 :]]


def test_committed_types_are_generated_from_the_committed_schema(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    assert JSON2TS.exists(), "web/node_modules is missing: run `make web-deps`"
    generated = tmp_path / "protocol.ts"
    run = subprocess.run(
        [node, str(JSON2TS), *_script_args(generated)],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "web/src/lib/protocol.ts is out of date: run `make protocol`"
    )


def test_types_name_every_message_of_the_schema() -> None:
    schema = json.loads((ROOT / "docs" / "protocol.schema.json").read_text(encoding="utf-8"))
    types = COMMITTED.read_text(encoding="utf-8")
    for name in schema["$defs"]:
        assert f"export interface {name} " in types or f"export type {name} =" in types, name
