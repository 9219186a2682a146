"""The OpenAPI document and the web UI's API types are generated from the code as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.web_scripts import generate
from tutor.api.app import openapi_json

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DOCUMENT = ROOT / "docs" / "openapi.json"
COMMITTED = WEB / "src" / "lib" / "api-schema.ts"


def test_the_committed_openapi_document_is_the_apps() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == openapi_json(), (
        "docs/openapi.json is out of date: run `make protocol`"
    )


def test_committed_api_types_are_generated_from_the_document(tmp_path: Path) -> None:
    generated = generate("api:types", tmp_path / "api-schema.ts")
    assert COMMITTED.read_text(encoding="utf-8") == generated, (
        "web/src/lib/api-schema.ts is out of date: run `make protocol`"
    )


def test_every_schema_of_the_document_has_a_type() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    types = COMMITTED.read_text(encoding="utf-8")
    for name in document["components"]["schemas"]:
        assert f"        {name}: {{" in types, name
