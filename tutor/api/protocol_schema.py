"""The WebSocket protocol as one JSON Schema document (draft 2020-12).

The document is generated from the typed messages in :mod:`tutor.api.protocol`; the web
UI's TypeScript types are generated in turn from it. It names two definitions,
``ClientAction`` (what a client may send) and ``ServerEvent`` (what the server sends),
and accepts either one at the top.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from tutor.api.protocol import CLIENT_ACTION, PROTOCOL_VERSION, SERVER_EVENT

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
_ENVELOPE: Final = ("v", "type")
SCHEMA_ID: Final = f"https://tutor.local/schemas/protocol-v{PROTOCOL_VERSION}.schema.json"


class _ProtocolSchema(GenerateJsonSchema):
    """Pydantic's generator, tuned for a schema that other code is generated from."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        # The server always sends every field of an event, defaults included, so a field
        # with a default is still one a client can rely on being there.
        if self.mode == "serialization":
            return not field.get("serialization_exclude", False)
        return super().field_is_required(field, total)

    def field_title_should_be_set(self, schema: CoreSchema | Any) -> bool:
        # Field titles would only repeat the field names, and a generator of types makes
        # a named type of every titled schema ("Seq", "Seq1", ...).
        return False


def protocol_schema() -> dict[str, Any]:
    """The protocol's JSON Schema: client actions as validated, server events as sent.

    Returns:
        The document, with ``$defs`` sorted by name so that it changes only when the
        protocol does.
    """
    adapters: list[tuple[str, Any, TypeAdapter[Any]]] = [
        ("ClientAction", "validation", CLIENT_ACTION),
        ("ServerEvent", "serialization", SERVER_EVENT),
    ]
    roots, document = TypeAdapter.json_schemas(
        adapters, ref_template="#/$defs/{model}", schema_generator=_ProtocolSchema
    )
    definitions: dict[str, Any] = dict(document.get("$defs", {}))
    for name, mode, _ in adapters:
        root: JsonSchemaValue = dict(roots[(name, mode)])
        root["title"] = name
        definitions[name] = root
    for ref in definitions["ClientAction"]["oneOf"]:
        action = definitions[ref["$ref"].rsplit("/", 1)[-1]]
        # The models default them, but ``parse_action`` refuses a frame without its
        # ``type`` and ``v`` before any model sees it: for a client they are required.
        action["required"] = [
            *_ENVELOPE,
            *(f for f in action.get("required", []) if f not in _ENVELOPE),
        ]
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "TutorProtocol",
        "description": (
            f"The tutor's WebSocket protocol, version {PROTOCOL_VERSION}: every frame is one "
            "JSON object, a ClientAction from the client or a ServerEvent from the server."
        ),
        "oneOf": [{"$ref": "#/$defs/ClientAction"}, {"$ref": "#/$defs/ServerEvent"}],
        "$defs": {name: definitions[name] for name in sorted(definitions)},
    }


def protocol_schema_json() -> str:
    """The schema as the text committed in ``docs/protocol.schema.json``."""
    return json.dumps(protocol_schema(), indent=2, ensure_ascii=False) + "\n"
