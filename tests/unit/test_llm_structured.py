"""Structured output: schemas are closed, and bad replies raise errors that say why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import BaseModel, ConfigDict, Field

from tutor.llm import (
    FakeChatModel,
    StructuredChatModel,
    StructuredOutputError,
    closed_schema,
    generate_structured,
    parse_structured,
)
from tutor.llm.schema_example import example_for_schema


class KeyPoint(BaseModel):
    text: str
    covered: bool


class Feedback(BaseModel):
    summary: str = Field(max_length=60)
    points: list[KeyPoint]
    score: float = Field(ge=0, le=1)
    level: int | None = None


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class RecordingModel:
    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.schemas: list[dict[str, Any]] = []

    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        self.schemas.append(schema)
        return self.reply


def test_closed_schema_forbids_extra_keys_everywhere() -> None:
    schema = closed_schema(Feedback.model_json_schema())

    assert schema["additionalProperties"] is False
    assert schema["$defs"]["KeyPoint"]["additionalProperties"] is False
    assert "additionalProperties" not in Feedback.model_json_schema()


def test_closed_schema_keeps_an_explicit_choice() -> None:
    assert closed_schema(Loose.model_json_schema())["additionalProperties"] is True


async def test_generate_structured_sends_the_closed_schema() -> None:
    model = RecordingModel('{"summary": "ok", "points": [], "score": 0.5}')
    assert isinstance(model, StructuredChatModel)

    feedback = await generate_structured(model, [HumanMessage("grade")], Feedback)

    assert feedback == Feedback(summary="ok", points=[], score=0.5)
    assert model.schemas == [closed_schema(Feedback.model_json_schema())]


async def test_truncated_json_names_the_output_and_the_problem() -> None:
    model = RecordingModel('{"summary": "the reply stopped he')

    with pytest.raises(StructuredOutputError, match="for Feedback is not valid JSON") as info:
        await generate_structured(model, [HumanMessage("grade")], Feedback)

    assert info.value.output_name == "Feedback"
    assert info.value.reply == model.reply


def test_a_schema_mismatch_names_the_fields() -> None:
    reply = '{"summary": "ok", "points": [{"text": "x"}], "score": 3}'

    with pytest.raises(StructuredOutputError) as info:
        parse_structured(reply, Feedback)

    message = str(info.value)
    assert "does not match Feedback" in message
    assert "points.0.covered" in message
    assert "score" in message


@pytest.mark.parametrize("output", [Feedback, KeyPoint, Loose])
def test_schema_examples_validate(output: type[BaseModel]) -> None:
    example = example_for_schema(closed_schema(output.model_json_schema()))

    output.model_validate(example)


def test_schema_example_honours_bounds_and_enums() -> None:
    schema = {
        "type": "object",
        "properties": {
            "word": {"type": "string", "minLength": 10, "maxLength": 12},
            "count": {"type": "integer", "exclusiveMinimum": 2},
            "ratio": {"type": "number", "maximum": -1},
            "kind": {"enum": ["mcq", "cloze"]},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3},
            "maybe": {"type": ["null", "boolean"]},
        },
    }

    example = example_for_schema(schema)

    assert 10 <= len(example["word"]) <= 12
    assert example["count"] == 3
    assert example["ratio"] == -1.0
    assert example["kind"] == "mcq"
    assert example["tags"] == ["tags", "tags", "tags"]
    assert example["maybe"] is False


async def test_the_fake_satisfies_the_protocol() -> None:
    assert isinstance(FakeChatModel(), StructuredChatModel)
