"""The protocol's JSON Schema: committed up to date, and true to what the server does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from tutor.api.protocol import (
    SERVER_EVENT,
    DoneEvent,
    ErrorEvent,
    ExerciseEvent,
    PongEvent,
    ReadyEvent,
    TokenEvent,
    parse_action,
)
from tutor.api.protocol_schema import protocol_schema, protocol_schema_json
from tutor.cli import main

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "protocol.schema.json"
ID = "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f"


def _validator(definition: str | None = None) -> Draft202012Validator:
    schema = protocol_schema()
    if definition is not None:
        schema = {**schema, "oneOf": [{"$ref": f"#/$defs/{definition}"}]}
    return Draft202012Validator(schema)


def test_committed_schema_is_what_the_code_generates() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == protocol_schema_json(), (
        "docs/protocol.schema.json is out of date: run `make protocol`"
    )


def test_generation_is_stable() -> None:
    assert protocol_schema_json() == protocol_schema_json()
    assert list(protocol_schema()["$defs"]) == sorted(protocol_schema()["$defs"])


def test_schema_is_valid_draft_2020_12() -> None:
    schema = protocol_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"ClientAction", "ServerEvent"} <= set(schema["$defs"])


def test_cli_prints_and_writes_the_schema(tmp_path: Path) -> None:
    printed = CliRunner().invoke(main, ["protocol", "schema"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == protocol_schema()
    target = tmp_path / "protocol.schema.json"
    written = CliRunner().invoke(main, ["protocol", "schema", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == protocol_schema_json()


ACTIONS: list[dict[str, Any]] = [
    {"type": "hello", "thread": ID, "last_seq": 3},
    {"type": "hello", "token": "secret"},
    {"type": "chat", "text": "What is a borrow?"},
    {"type": "start_lesson", "concept_id": ID},
    {"type": "next"},
    {"type": "answer", "exercise_id": ID, "answer": "1", "idempotency_key": "k1"},
    {"type": "explain", "text": "A value has one owner."},
    {"type": "set_path", "targets": [ID]},
    {"type": "feedback", "lesson_id": ID, "rating": 4, "comment": "clear"},
    {"type": "interrupt"},
    {"type": "ping", "nonce": "n1"},
]


@pytest.mark.parametrize("fields", ACTIONS, ids=lambda f: f["type"])
def test_frames_the_server_accepts_match_the_schema(fields: dict[str, Any]) -> None:
    frame = {"v": 1, **fields}
    assert not isinstance(parse_action(json.dumps(frame)), ErrorEvent)
    assert list(_validator("ClientAction").iter_errors(frame)) == []


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "chat", "text": "no version"},
        {"v": 1, "text": "no type"},
        {"v": 2, "type": "chat", "text": "a later version"},
        {"v": 1, "type": "chat", "text": ""},
        {"v": 1, "type": "chat", "text": "hi", "extra": True},
        {"v": 1, "type": "feedback", "lesson_id": ID, "rating": 6},
        {"v": 1, "type": "set_path", "targets": []},
        {"v": 1, "type": "dance"},
    ],
)
def test_frames_the_server_refuses_fail_the_schema(frame: dict[str, Any]) -> None:
    assert isinstance(parse_action(json.dumps(frame)), ErrorEvent)
    assert list(_validator("ClientAction").iter_errors(frame)) != []


EVENTS = [
    TokenEvent(seq=4, text="Ownership "),
    DoneEvent(seq=9, tokens=3, elapsed_ms=12.5),
    ErrorEvent(code="busy", message="a turn is running", retryable=True),
    ReadyEvent(thread=uuid4(), resumed=False, missed=0, running=False),
    PongEvent(nonce="n1"),
    ExerciseEvent.model_validate(
        {
            "id": ID,
            "concept_id": ID,
            "lesson_id": None,
            "difficulty": "intro",
            "kind": "short_answer",
            "prompt": "What does a move do?",
        }
    ),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.type)
def test_events_as_sent_match_the_schema(event: Any) -> None:
    sent = json.loads(SERVER_EVENT.dump_json(event))
    assert list(_validator("ServerEvent").iter_errors(sent)) == []


def test_every_field_of_an_event_is_required_as_the_server_always_sends_it() -> None:
    done = protocol_schema()["$defs"]["DoneEvent"]
    assert set(done["required"]) == set(done["properties"])
    assert set(json.loads(SERVER_EVENT.dump_json(DoneEvent(tokens=0, elapsed_ms=1.0)))) == set(
        done["properties"]
    )


def test_an_event_missing_a_field_fails_the_schema() -> None:
    sent = json.loads(SERVER_EVENT.dump_json(TokenEvent(seq=1, text="x")))
    del sent["seq"]
    assert list(_validator("ServerEvent").iter_errors(sent)) != []
