"""Frames from clients: every bad frame gets a typed error that names the problem."""

from __future__ import annotations

import json
import uuid

import pytest

from tutor.api.protocol import MAX_TEXT_CHARS, ChatAction, ErrorEvent, parse_action


def test_chat_frame_parses() -> None:
    assert parse_action('{"v": 1, "type": "chat", "text": "What is a borrow?"}') == ChatAction(
        text="What is a borrow?"
    )


def test_every_action_parses_with_its_version() -> None:
    frames = {
        "hello": {"thread": "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f", "last_seq": 3},
        "start_lesson": {},
        "next": {},
        "answer": {"exercise_id": "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f", "answer": "1"},
        "explain": {"text": "A value has one owner."},
        "set_path": {"targets": ["6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f"]},
        "feedback": {"lesson_id": "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f", "rating": 4},
        "interrupt": {},
        "ping": {"nonce": "n1"},
    }
    for kind, fields in frames.items():
        action = parse_action(json.dumps({"v": 1, "type": kind, **fields}))
        assert not isinstance(action, ErrorEvent), action
        assert action.type == kind and action.v == 1


@pytest.mark.parametrize(
    ("frame", "code", "words"),
    [
        ("{not json", "malformed", "not valid JSON"),
        ('["chat"]', "malformed", "JSON object"),
        ('{"v": 1, "type": "dance"}', "unknown_type", "'dance'"),
        ('{"v": 1, "text": "hi"}', "unknown_type", "None"),
        ('{"type": "chat", "text": "hi"}', "unsupported_version", '"v": 1'),
        ('{"v": 2, "type": "chat", "text": "hi"}', "unsupported_version", "2"),
        ('{"v": 1, "type": "chat", "text": ""}', "invalid", "text"),
        ('{"v": 1, "type": "chat"}', "invalid", "text"),
        ('{"v": 1, "type": "chat", "text": "hi", "extra": 1}', "invalid", "extra"),
        ('{"v": 1, "type": "feedback", "lesson_id": "x", "rating": 9}', "invalid", "rating"),
        (
            json.dumps({"v": 1, "type": "chat", "text": "x" * (MAX_TEXT_CHARS + 1)}),
            "invalid",
            "text",
        ),
    ],
)
def test_bad_frames_become_typed_errors(frame: str, code: str, words: str) -> None:
    result = parse_action(frame)
    assert isinstance(result, ErrorEvent)
    assert result.code == code
    assert words in result.message


@pytest.mark.parametrize("depth", [300, 1_000, 100_000])
def test_deeply_nested_json_is_malformed_not_a_crash(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    for frame in (nested, f'{{"v": 1, "type": "chat", "text": {nested}}}'):
        result = parse_action(frame)
        assert isinstance(result, ErrorEvent)
        assert result.code == "malformed" and "recursion limit" in result.message


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("chat", {"text": "be\u0000fore"}, "text"),
        ("answer", {"exercise_id": str(uuid.uuid4()), "answer": "\u0000"}, "answer"),
        ("explain", {"text": "ok", "idempotency_key": "k\u0000"}, "idempotency_key"),
        ("feedback", {"lesson_id": str(uuid.uuid4()), "rating": 3, "comment": "\u0000"}, "comment"),
        ("ping", {"nonce": "\u0000"}, "nonce"),
        ("hello", {"token": "tt_\u0000"}, "token"),
    ],
)
def test_nul_in_any_text_is_refused_by_name(kind: str, fields: dict[str, str], field: str) -> None:
    result = parse_action(json.dumps({"v": 1, "type": kind, **fields}))
    assert isinstance(result, ErrorEvent)
    assert result.code == "invalid"
    assert field in result.message and "NUL" in result.message


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "[1]"])
def test_the_version_is_the_integer_one_only(version: str) -> None:
    result = parse_action(f'{{"v": {version}, "type": "ping"}}')
    assert isinstance(result, ErrorEvent)
    assert result.code == "unsupported_version" and version in result.message


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        (
            "feedback",
            {"lesson_id": "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f", "rating": True},
            "rating",
        ),
        (
            "feedback",
            {"lesson_id": "6f1c2b1e-33c4-4b0e-9a53-0a1d2c3b4e5f", "rating": 4.0},
            "rating",
        ),
        ("hello", {"last_seq": True}, "last_seq"),
        ("hello", {"new_thread": 1}, "new_thread"),
        ("chat", {"text": 5}, "text"),
    ],
)
def test_booleans_and_numbers_are_not_taken_for_each_other(
    kind: str, fields: dict[str, object], field: str
) -> None:
    result = parse_action(json.dumps({"v": 1, "type": kind, **fields}))
    assert isinstance(result, ErrorEvent)
    assert result.code == "invalid" and field in result.message


def test_a_lone_surrogate_is_malformed() -> None:
    result = parse_action('{"v": 1, "type": "chat", "text": "\\ud800"}')
    assert isinstance(result, ErrorEvent) and result.code == "malformed"
