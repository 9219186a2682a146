"""The WebSocket protocol: client actions and server events as tagged, typed messages.

Every frame is one JSON object with a ``type`` field. This first version carries a chat
turn: the client sends ``chat``; the server streams ``token`` events as the model writes,
then ``done``. Anything the server cannot act on gets an ``error`` event, and the
connection stays open.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL_VERSION = 1
MAX_TEXT_CHARS = 4000


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChatAction(_Message):
    """The learner says something to the tutor."""

    type: Literal["chat"] = "chat"
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="What the learner says.")


ClientAction = Annotated[ChatAction, Field(discriminator="type")]
CLIENT_ACTION: TypeAdapter[ClientAction] = TypeAdapter(ClientAction)


class TokenEvent(_Message):
    """A piece of the tutor's reply, sent as soon as the model writes it."""

    type: Literal["token"] = "token"
    text: str


class DoneEvent(_Message):
    """The reply is complete."""

    type: Literal["done"] = "done"
    tokens: int = Field(description="How many token events the reply had.")
    elapsed_ms: float = Field(description="From receiving the action to the last token.")


ErrorCode = Literal["malformed", "invalid", "unknown_type", "unauthorized", "internal"]


class ErrorEvent(_Message):
    """Something the server could not do; ``retryable`` says whether to try again."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    retryable: bool = False


ServerEvent = TokenEvent | DoneEvent | ErrorEvent


_ACTION_TYPES = sorted(
    get_args(model.model_fields["type"].annotation)[0] for model in (ChatAction,)
)


def parse_action(frame: str) -> ClientAction | ErrorEvent:
    """The action in ``frame``, or the error event that says why there is none."""
    try:
        data = json.loads(frame)
    except ValueError as error:
        return ErrorEvent(code="malformed", message=f"frame is not valid JSON: {error}")
    if not isinstance(data, dict):
        return ErrorEvent(code="malformed", message="frame must be a JSON object")
    kind = data.get("type")
    if kind not in _ACTION_TYPES:
        return ErrorEvent(
            code="unknown_type",
            message=f"unknown action type {kind!r}; expected one of {_ACTION_TYPES}",
        )
    try:
        return CLIENT_ACTION.validate_python(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'frame'}: {e['msg']}" for e in error.errors()
        )
        return ErrorEvent(code="invalid", message=f"invalid {kind} action: {problems}")
