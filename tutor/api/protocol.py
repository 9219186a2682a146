"""The WebSocket protocol, version 1: client actions and server events as typed messages.

Every frame is one JSON object with a ``type`` field naming the message and a ``v``
field naming the protocol version. A connection starts with ``hello`` (which thread to
open or resume, and the last sequence number seen), answered by ``ready``. Then the
client sends one action per turn; the server answers with events as the turn runs and
ends it with ``done``. Every server event carries ``seq``: events of turns are numbered
per thread and kept in the thread's event log, so a client that reconnects with its
last ``seq`` receives what it missed; ``ready``, ``pong`` and errors about a frame carry
the thread's latest ``seq`` and are not logged. Anything the server cannot act on gets
an ``error`` event, and the connection stays open.

Frames are read strictly: JSON nested deeper than the parser's limit is malformed, a
number is never taken for a boolean nor a boolean for a number (``"v": true`` is not
version 1), and text may not hold NUL, which nothing downstream can store.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal, get_args
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import from_json

PROTOCOL_VERSION: Final = 1
MAX_TEXT_CHARS = 4000
MAX_ANSWER_CHARS = 20_000
"""Code answers may be longer than chat messages."""


def _without_nul(value: str) -> str:
    # PostgreSQL's text and jsonb cannot hold NUL: refused here, with a clear error, rather
    # than failing once the turn writes it.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


Text = Annotated[str, AfterValidator(_without_nul)]
"""A string from a client: anything but NUL."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = Field(default=PROTOCOL_VERSION, description="The protocol version.")


class _Event(_Message):
    seq: int = Field(
        default=0,
        ge=0,
        description="The thread's sequence number: this event's, or the latest one for "
        "events that are not logged (ready, pong, errors about a frame).",
    )


# --- client actions ----------------------------------------------------------------------


class HelloAction(_Message):
    """Open or resume a thread; the first frame of a connection."""

    type: Literal["hello"] = "hello"
    token: Text | None = Field(
        default=None,
        max_length=200,
        description="A personal API token, when the connection has no session cookie.",
    )
    thread: UUID | None = Field(
        default=None, description="The thread to resume; the learner's latest when absent."
    )
    new_thread: bool = Field(
        default=False, description="Start a new thread (``thread`` must then be absent)."
    )
    last_seq: int | None = Field(
        default=None,
        ge=0,
        description="The last seq this client saw on the thread; later events are sent again.",
    )

    @model_validator(mode="after")
    def _one_thread(self) -> HelloAction:
        if self.new_thread and self.thread is not None:
            raise ValueError("give a thread to resume, or new_thread, not both")
        return self


class ChatAction(_Message):
    """The learner writes freely; the tutor works out what they want."""

    type: Literal["chat"] = "chat"
    text: Text = Field(
        min_length=1, max_length=MAX_TEXT_CHARS, description="What the learner says."
    )


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
    answer: Text = Field(max_length=MAX_ANSWER_CHARS)
    idempotency_key: Text | None = Field(default=None, min_length=1, max_length=200)


class ExplainAction(_Message):
    """The learner explains a concept in their own words (the current one when unnamed)."""

    type: Literal["explain"] = "explain"
    concept_id: UUID | None = None
    text: Text = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    idempotency_key: Text | None = Field(default=None, min_length=1, max_length=200)


class SetPathAction(_Message):
    """Aim for these concepts; the planner steers toward them."""

    type: Literal["set_path"] = "set_path"
    targets: list[UUID] = Field(min_length=1, max_length=100)


class FeedbackAction(_Message):
    """The learner rates a lesson (again: the latest rating counts)."""

    type: Literal["feedback"] = "feedback"
    lesson_id: UUID
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: Text = Field(default="", max_length=2000)


class InterruptAction(_Message):
    """Stop the running turn now."""

    type: Literal["interrupt"] = "interrupt"


class PingAction(_Message):
    """Is the server there? Answered by ``pong`` with the same nonce."""

    type: Literal["ping"] = "ping"
    nonce: Text | None = Field(default=None, max_length=100)


TurnAction = (
    ChatAction | StartLessonAction | NextAction | AnswerAction | ExplainAction | SetPathAction
)
"""The actions that run a turn of the tutor."""
ClientAction = Annotated[
    HelloAction | TurnAction | FeedbackAction | InterruptAction | PingAction,
    Field(discriminator="type"),
]
CLIENT_ACTION: TypeAdapter[ClientAction] = TypeAdapter(ClientAction)


# --- server events -----------------------------------------------------------------------


class RequestEvent(_Event):
    """What the learner asked for; the first event of every turn.

    A client that resumes a thread shows the learner's own words beside the tutor's.
    """

    type: Literal["request"] = "request"
    action: Literal["chat", "start_lesson", "next", "answer", "explain", "set_path"]
    text: str = Field(default="", description="The learner's words; empty for buttons.")
    exercise_id: UUID | None = Field(default=None, description="The exercise answered.")
    concept_id: UUID | None = Field(default=None, description="The concept asked for.")

    @classmethod
    def of(cls, action: TurnAction) -> RequestEvent:
        """The event for an action that starts a turn."""
        text = ""
        if isinstance(action, ChatAction | ExplainAction):
            text = action.text
        elif isinstance(action, AnswerAction):
            text = action.answer
        return cls(
            action=action.type,
            text=text,
            exercise_id=getattr(action, "exercise_id", None),
            concept_id=getattr(action, "concept_id", None),
        )


class PlanEvent(_Event):
    """What the tutor will teach now, and why, in one line."""

    type: Literal["plan"] = "plan"
    kind: Literal["review", "new", "continue", "done"]
    concept_id: UUID
    title: str
    difficulty: Literal["intro", "practice", "challenge"]
    reason: str = Field(description='For the learner, e.g. "Review: Ownership is due".')


class TokenEvent(_Event):
    """A piece of the tutor's reply, sent as soon as it is written."""

    type: Literal["token"] = "token"
    text: str


class ResetEvent(_Event):
    """Discard the text streamed so far in this turn: a replacement follows."""

    type: Literal["reset"] = "reset"
    reason: str


class Citation(BaseModel):
    """The passage of the learner's notes a citation number points at."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int = Field(ge=1)
    chunk_id: str
    heading_path: str
    document_path: str
    text: str
    see_also: bool = Field(
        default=False, description="The passage comes from outside the concept's own section."
    )


class CitationEvent(_Event):
    """A source of a chat answer."""

    type: Literal["citation"] = "citation"
    number: int = Field(ge=1)
    chunk_id: str
    heading_path: str
    document_path: str
    text: str
    see_also: bool = Field(
        default=False, description="The passage comes from outside the concept's own section."
    )


class LessonEvent(_Event):
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


class ExerciseEvent(_Event):
    """An exercise, as the learner sees it (never with its answer)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Literal["exercise"] = "exercise"
    id: UUID
    concept_id: UUID
    lesson_id: UUID | None
    difficulty: Literal["intro", "practice", "challenge"]
    kind: Literal["multiple_choice", "short_answer", "code", "explain_back"]


class GradeEvent(_Event):
    """The grade of an answer."""

    type: Literal["grade"] = "grade"
    exercise_id: UUID
    score: float = Field(ge=0, le=1)
    verdict: Literal["correct", "partial", "incorrect"]
    feedback: str
    covered: list[str]
    missed: list[str]
    output: str = Field(description="What the learner's code printed, for code exercises.")


class ExplainResultEvent(_Event):
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


class MasteryEvent(_Event):
    """How a concept's mastery moved with an attempt."""

    type: Literal["mastery"] = "mastery"
    concept_id: UUID
    title: str = Field(min_length=1, description="The concept's title, to name the change by.")
    before: float
    p_known: float
    mastered: bool
    attempts: int = Field(description="Counted attempts on the concept so far.")
    due_at: str
    counted: bool = Field(
        description=(
            "False when the attempt moved nothing: a repeated idempotency key, or a later"
            " answer to an exercise already answered (recorded, not fresh evidence)."
        )
    )


class DoneEvent(_Event):
    """The turn is complete."""

    type: Literal["done"] = "done"
    status: Literal["complete", "interrupted", "failed"] = "complete"
    tokens: int = Field(description="How many token events the turn had.")
    elapsed_ms: float = Field(description="From receiving the action to the end of the turn.")


ErrorCode = Literal[
    "malformed",
    "invalid",
    "unknown_type",
    "unsupported_version",
    "too_large",
    "hello_first",
    "unauthorized",
    "forbidden",
    "busy",
    "rate_limited",
    "not_found",
    "interrupted",
    "internal",
]


class ErrorEvent(_Event):
    """Something the server could not do; ``retryable`` says whether to try again."""

    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    retryable: bool = False


_TurnEvents = (
    RequestEvent
    | PlanEvent
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


class ReadyEvent(_Event):
    """The thread is open: what follows are the events missed, then new ones."""

    type: Literal["ready"] = "ready"
    thread: UUID
    resumed: bool = Field(description="Whether an existing thread was resumed.")
    missed: int = Field(ge=0, description="How many logged events are sent again now.")
    running: bool = Field(description="Whether a turn is running on the thread.")


class AckEvent(_Event):
    """An action that runs no turn was carried out (a lesson's rating was stored)."""

    type: Literal["ack"] = "ack"
    action: Literal["feedback"]
    lesson_id: UUID | None = None


class PongEvent(_Event):
    """The answer to ``ping``."""

    type: Literal["pong"] = "pong"
    nonce: str | None = None


ServerEvent = Annotated[
    _TurnEvents | DoneEvent | ErrorEvent | ReadyEvent | PongEvent | AckEvent,
    Field(discriminator="type"),
]
SERVER_EVENT: TypeAdapter[ServerEvent] = TypeAdapter(ServerEvent)


def turn_event(payload: dict[str, Any], seq: int) -> TurnEvent:
    """The typed event for what a graph node sent (``{"event": kind, **fields}``)."""
    fields = {key: value for key, value in payload.items() if key != "event"}
    return TURN_EVENT.validate_python({"type": payload["event"], "seq": seq, **fields})


_ACTION_TYPES = sorted(
    get_args(model.model_fields["type"].annotation)[0]
    for model in (
        HelloAction,
        ChatAction,
        StartLessonAction,
        NextAction,
        AnswerAction,
        ExplainAction,
        SetPathAction,
        FeedbackAction,
        InterruptAction,
        PingAction,
    )
)


def parse_action(frame: str) -> ClientAction | ErrorEvent:
    """The action in ``frame``, or the error event that says why there is none."""
    try:
        # pydantic's parser stops at a fixed nesting depth with an error, where the
        # standard library's runs out of stack on a frame of brackets.
        data = from_json(frame, allow_inf_nan=False)
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
    version = data.get("v")
    # In Python true == 1 and 1.0 == 1: the version is the JSON integer itself, or it is not.
    if type(version) is not int or version != PROTOCOL_VERSION:
        return ErrorEvent(
            code="unsupported_version",
            message=f"protocol version {_json(version)} is not supported; "
            f'send "v": {PROTOCOL_VERSION}',
        )
    try:
        # Strict: a boolean is no number and a number no boolean (JSON strings still
        # stand for UUIDs).
        return CLIENT_ACTION.validate_json(frame, strict=True)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'frame'}: {e['msg']}"
            for e in error.errors()
        )
        return ErrorEvent(code="invalid", message=f"invalid {kind} action: {problems}")


def _json(value: Any) -> str:
    """A short JSON rendering of a value from a frame, for error messages."""
    if value is None:
        return "missing"
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
