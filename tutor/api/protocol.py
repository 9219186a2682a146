"""The WebSocket protocol: client actions and server events as tagged, typed messages.

Every frame is one JSON object with a ``type`` field. A client sends one action per
turn; the server answers with events as the turn runs (``plan``, ``token`` as each piece
of text is written, ``lesson``, ``exercise``, ``grade``, ``explain_result``,
``mastery``, ``citation``) and ends the turn with ``done``. Anything the server cannot
act on gets an ``error`` event, and the connection stays open.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL_VERSION = 1
MAX_TEXT_CHARS = 4000
MAX_ANSWER_CHARS = 20_000
"""Code answers may be longer than chat messages."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- client actions ----------------------------------------------------------------------


class ChatAction(_Message):
    """The learner writes freely; the tutor works out what they want."""

    type: Literal["chat"] = "chat"
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="What the learner says.")


class StartLessonAction(_Message):
    """A lesson: on the concept named, else on the planner's next step."""

    type: Literal["start_lesson"] = "start_lesson"
    concept_id: UUID | None = None


class NextAction(_Message):
    """Move on to the planner's next step."""

    type: Literal["next"] = "next"


class AnswerAction(_Message):
    """An answer to an exercise; a repeated ``idempotency_key`` counts once."""

    type: Literal["answer"] = "answer"
    exercise_id: UUID
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)


class ExplainAction(_Message):
    """The learner explains a concept in their own words (the current one when unnamed)."""

    type: Literal["explain"] = "explain"
    concept_id: UUID | None = None
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)


class SetPathAction(_Message):
    """Aim for these concepts; the planner steers toward them."""

    type: Literal["set_path"] = "set_path"
    targets: list[UUID] = Field(min_length=1, max_length=100)


ClientAction = Annotated[
    ChatAction | StartLessonAction | NextAction | AnswerAction | ExplainAction | SetPathAction,
    Field(discriminator="type"),
]
CLIENT_ACTION: TypeAdapter[ClientAction] = TypeAdapter(ClientAction)


# --- server events -----------------------------------------------------------------------


class PlanEvent(_Message):
    """What the tutor will teach now, and why, in one line."""

    type: Literal["plan"] = "plan"
    kind: Literal["review", "new", "continue", "done"]
    concept_id: UUID
    title: str
    difficulty: Literal["intro", "practice", "challenge"]
    reason: str = Field(description='For the learner, e.g. "Review: Ownership is due".')


class TokenEvent(_Message):
    """A piece of the tutor's reply, sent as soon as it is written."""

    type: Literal["token"] = "token"
    text: str


class ResetEvent(_Message):
    """Discard the text streamed so far in this turn: a replacement follows."""

    type: Literal["reset"] = "reset"
    reason: str


class Citation(_Message):
    """The passage of the learner's notes a citation number points at."""

    number: int = Field(ge=1)
    chunk_id: str
    heading_path: str
    document_path: str
    text: str


class CitationEvent(Citation):
    """A citation of a chat answer."""

    type: Literal["citation"] = "citation"


class LessonEvent(_Message):
    """The complete lesson: its text (as streamed) and what each citation points at."""

    type: Literal["lesson"] = "lesson"
    id: UUID
    concept_id: UUID
    title: str
    difficulty: Literal["intro", "practice", "challenge"]
    reason: str
    source: Literal["model", "extractive"] = Field(
        description="Written by the model, or quoted from the notes."
    )
    text: str
    citations: list[Citation]
    novelty: float = Field(description="1 - the highest cosine to an earlier lesson on it.")
    rewritten: bool


class ExerciseEvent(_Message):
    """An exercise, as the learner sees it (never with its answer)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["exercise"] = "exercise"
    id: UUID
    concept_id: UUID
    lesson_id: UUID | None
    difficulty: Literal["intro", "practice", "challenge"]
    kind: Literal["multiple_choice", "short_answer", "code", "explain_back"]


class GradeEvent(_Message):
    """The grade of an answer."""

    type: Literal["grade"] = "grade"
    exercise_id: UUID
    score: float = Field(ge=0, le=1)
    verdict: Literal["correct", "partial", "incorrect"]
    feedback: str
    covered: list[str]
    missed: list[str]
    output: str = Field(description="What the learner's code printed, for code exercises.")


class ExplainResultEvent(_Message):
    """An explanation compared with the concept's key points."""

    type: Literal["explain_result"] = "explain_result"
    concept_id: UUID
    score: float = Field(ge=0, le=1)
    passed: bool
    covered: list[str]
    missing: list[str]
    contradicted: list[str]
    feedback: str
    follow_up: str


class MasteryEvent(_Message):
    """How a concept's mastery moved with an attempt."""

    type: Literal["mastery"] = "mastery"
    concept_id: UUID
    before: float
    p_known: float
    mastered: bool
    attempts: int
    due_at: str
    counted: bool = Field(description="False when the attempt repeated an idempotency key.")


class DoneEvent(_Message):
    """The turn is complete."""

    type: Literal["done"] = "done"
    tokens: int = Field(description="How many token events the turn had.")
    elapsed_ms: float = Field(description="From receiving the action to the end of the turn.")


ErrorCode = Literal["malformed", "invalid", "unknown_type", "unauthorized", "internal"]


class ErrorEvent(_Message):
    """Something the server could not do; ``retryable`` says whether to try again."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    retryable: bool = False


_TurnEvents = (
    PlanEvent
    | TokenEvent
    | ResetEvent
    | CitationEvent
    | LessonEvent
    | ExerciseEvent
    | GradeEvent
    | ExplainResultEvent
    | MasteryEvent
)
TurnEvent = Annotated[_TurnEvents, Field(discriminator="type")]
"""What the tutor graph's nodes send while a turn runs."""
TURN_EVENT: TypeAdapter[TurnEvent] = TypeAdapter(TurnEvent)
ServerEvent = _TurnEvents | DoneEvent | ErrorEvent


def turn_event(payload: dict[str, Any]) -> TurnEvent:
    """The typed event for what a graph node sent (``{"event": kind, **fields}``)."""
    fields = {key: value for key, value in payload.items() if key != "event"}
    return TURN_EVENT.validate_python({"type": payload["event"], **fields})


_ACTION_TYPES = sorted(
    get_args(model.model_fields["type"].annotation)[0]
    for model in (
        ChatAction,
        StartLessonAction,
        NextAction,
        AnswerAction,
        ExplainAction,
        SetPathAction,
    )
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
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'frame'}: {e['msg']}"
            for e in error.errors()
        )
        return ErrorEvent(code="invalid", message=f"invalid {kind} action: {problems}")
