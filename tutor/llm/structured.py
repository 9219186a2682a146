"""Structured output: JSON constrained to a schema, validated into a pydantic model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import pydantic
from langchain_core.messages import BaseMessage

from tutor.llm.errors import StructuredOutputError

OutputT = TypeVar("OutputT", bound=pydantic.BaseModel)

_REPLY_EXCERPT = 200
"""Characters of a bad reply quoted in an error message."""


@runtime_checkable
class StructuredChatModel(Protocol):
    """A chat model that can answer in JSON constrained to a schema."""

    async def agenerate_json(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """Reply with JSON text constrained to ``schema``."""
        ...


def closed_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` where objects accept only the properties they declare.

    JSON Schema allows extra properties unless told otherwise, and a small model given
    that freedom invents keys until it runs out of tokens; grammar-constrained decoding
    follows the schema literally, so it has to say so. An explicit
    ``additionalProperties`` is kept.

    Args:
        schema: A JSON schema, for example from ``Model.model_json_schema()``.

    Returns:
        The same schema with ``"additionalProperties": false`` on every object.
    """
    closed: dict[str, Any] = _close(schema)
    return closed


def _close(node: Any) -> Any:
    if isinstance(node, dict):
        closed = {key: _close(value) for key, value in node.items()}
        if closed.get("type") == "object" and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(node, list):
        return [_close(item) for item in node]
    return node


async def generate_structured(
    model: StructuredChatModel,
    messages: Sequence[BaseMessage],
    output: type[OutputT],
) -> OutputT:
    """Ask ``model`` for an answer shaped like ``output`` and validate it.

    Args:
        model: Any chat model that implements ``agenerate_json``.
        messages: The conversation to answer.
        output: The pydantic model the answer must match.

    Returns:
        The validated answer.

    Raises:
        StructuredOutputError: The reply is not JSON, or does not match ``output``.
    """
    schema = closed_schema(output.model_json_schema())
    reply = await model.agenerate_json(messages, schema)
    return parse_structured(reply, output)


def parse_structured(reply: str, output: type[OutputT]) -> OutputT:
    """Validate a JSON reply into ``output``, naming the problem when it does not fit.

    Args:
        reply: The text the model returned.
        output: The pydantic model the reply must match.

    Returns:
        The validated answer.

    Raises:
        StructuredOutputError: The reply is not JSON, or does not match ``output``.
    """
    name = output.__name__
    excerpt = reply[:_REPLY_EXCERPT] + ("..." if len(reply) > _REPLY_EXCERPT else "")
    try:
        data = json.loads(reply)
    except json.JSONDecodeError as exc:
        # Truncation at the token limit is the usual cause; the position shows it.
        message = f"reply for {name} is not valid JSON ({exc}): {excerpt!r}"
        raise StructuredOutputError(message, output_name=name, reply=reply) from exc
    try:
        return output.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '<root>'}: {error['msg']}"
            for error in exc.errors()
        )
        message = f"reply does not match {name} ({problems}): {excerpt!r}"
        raise StructuredOutputError(message, output_name=name, reply=reply) from exc
