"""The OpenAPI document and the web UI's API types are generated from the code as it is."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tutor.api.app import openapi_json

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DOCUMENT = ROOT / "docs" / "openapi.json"
COMMITTED = WEB / "src" / "lib" / "api-schema.ts"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_the_committed_openapi_document_is_the_apps() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_json(), (
        "docs/openapi.json is out of date: run `make protocol`"
    )


def test_committed_api_types_are_generated_from_the_document(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    assert GENERATOR.exists(), "web/node_modules is missing: run `make web-deps`"
    script = json.loads((WEB / "package.json").read_text(encoding="utf-8"))["scripts"]
    args = shlex.split(script["api:types"])
    assert args[0] == "openapi-typescript", script
    at = args.index("--output") + 1
    generated = tmp_path / "api-schema.ts"
    run = subprocess.run(
        [node, str(GENERATOR), *args[1:at], str(generated), *args[at + 1 :]],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert COMMITTED.read_text(encoding="utf-8") == generated.read_text(encoding="utf-8"), (
        "web/src/lib/api-schema.ts is out of date: run `make protocol`"
    )


def test_every_schema_of_the_document_has_a_type() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    types = COMMITTED.read_text(encoding="utf-8")
    for name in document["components"]["schemas"]:
        assert f"        {name}: {{" in types, name
