"""The web UI's protocol types are what json-schema-to-typescript makes of the schema now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.web_scripts import generate

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
COMMITTED = WEB / "src" / "lib" / "protocol.ts"


def test_committed_types_are_generated_from_the_committed_schema(tmp_path: Path) -> None:
    generated = generate("protocol:types", tmp_path / "protocol.ts")
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "web/src/lib/protocol.ts is out of date: run `make protocol`"
    )


def test_types_name_every_message_of_the_schema() -> None:
    schema = json.loads((ROOT / "docs" / "protocol.schema.json").read_text(encoding="utf-8"))
    types = COMMITTED.read_text(encoding="utf-8")
    for name in schema["$defs"]:
        assert f"export interface {name} " in types or f"export type {name} =" in types, name
