"""Frames from clients: every bad frame gets a typed error that names the problem."""

from __future__ import annotations

import json

import pytest

from tutor.api.protocol import MAX_TEXT_CHARS, ChatAction, ErrorEvent, parse_action


def test_chat_frame_parses() -> None:
    assert parse_action('{"type": "chat", "text": "What is a borrow?"}') == ChatAction(
        text="What is a borrow?"
    )


@pytest.mark.parametrize(
    ("frame", "code", "words"),
    [
        ("{not json", "malformed", "not valid JSON"),
        ('["chat"]', "malformed", "JSON object"),
        ('{"type": "dance"}', "unknown_type", "'dance'"),
        ('{"text": "hi"}', "unknown_type", "None"),
        ('{"type": "chat", "text": ""}', "invalid", "text"),
        ('{"type": "chat"}', "invalid", "text"),
        ('{"type": "chat", "text": "hi", "extra": 1}', "invalid", "extra"),
        (json.dumps({"type": "chat", "text": "x" * (MAX_TEXT_CHARS + 1)}), "invalid", "text"),
    ],
)
def test_bad_frames_become_typed_errors(frame: str, code: str, words: str) -> None:
    result = parse_action(frame)
    assert isinstance(result, ErrorEvent)
    assert result.code == code
    assert words in result.message
