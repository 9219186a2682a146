"""State carried through the tutor graph, checkpointed after every step of a thread.

Channel values are plain JSON-shaped data (strings, numbers, lists, typed dicts) and
LangChain messages, so a checkpoint reads back on any worker, in any later version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, NotRequired, TypedDict, cast

from langchain_core.messages import AnyMessage
from langgraph.graph.message import Messages, add_messages

RequestKind = Literal["start_lesson", "answer", "explain", "chat", "next", "set_path"]
Intent = Literal["lesson", "next", "answer", "explain", "ask", "chat", "set_path"]

MAX_MESSAGES = 40
"""Messages kept in a thread's state; older ones stay in the client's event log only."""


class Request(TypedDict):
    """This turn's request: a structured client action, or free text (``chat``) to classify."""

    kind: RequestKind
    text: NotRequired[str]
    """What the learner wrote: a question, an answer or an explanation."""
    concept_id: NotRequired[str]
    """The concept to learn or explain (a lesson without one follows the planner)."""
    exercise_id: NotRequired[str]
    """The exercise an answer is for."""
    targets: NotRequired[list[str]]
    """Concept ids a learning path leads to."""
    idempotency_key: NotRequired[str]
    """Makes a repeated answer count once."""


class PassageRecord(TypedDict):
    """A retrieved passage, as kept in state (see :class:`tutor.teaching.material.Passage`)."""

    chunk_id: str
    text: str
    heading_path: str
    document_path: str
    concept_key: str
    kind: str
    score: float
    position: NotRequired[int]
    see_also: NotRequired[bool]


class PreparedExercise(TypedDict):
    """An exercise drafted while the lesson streamed, waiting to be stored and set."""

    draft: dict[str, Any]
    """The draft as JSON (a :data:`tutor.teaching.exercises.ExerciseDraft`)."""
    source: Literal["model", "generated"]


def recent_messages(left: Messages, right: Messages) -> list[AnyMessage]:
    """``add_messages``, keeping only the latest :data:`MAX_MESSAGES`."""
    merged = cast("list[AnyMessage]", add_messages(left, right))
    return merged[-MAX_MESSAGES:]


@dataclass
class InputState:
    """What one turn sends in."""

    messages: Annotated[list[AnyMessage], recent_messages] = field(default_factory=list)
    """The conversation: the learner's messages and the tutor's replies, oldest first."""
    request: Request | None = None
    """This turn's request; every turn sets it."""


@dataclass
class TutorState(InputState):
    """The whole state of one tutoring thread."""

    intent: Intent | None = None
    """Where this turn's request was routed."""
    concept_id: str | None = None
    """The concept being taught (kept across turns: answers and explanations refer to it)."""
    difficulty: Literal["intro", "practice", "challenge"] | None = None
    """The level the current lesson and its exercises are pitched at."""
    reason: str = ""
    """One line the learner saw on why this concept, e.g. ``"Review: Ownership is due"``."""
    passages: list[PassageRecord] = field(default_factory=list)
    """Passages retrieved for the current lesson or question, best first."""
    lesson_id: str | None = None
    """The current lesson."""
    open_exercises: list[str] = field(default_factory=list)
    """Exercises of the current lesson not yet answered, in the order they were set."""
    prepared_exercises: list[PreparedExercise] | None = None
    """Exercises on the current lesson drafted while it streamed, until they are set
    (None: none were drafted, so the exercise node drafts them itself)."""


def request_text(request: Request | None) -> str:
    """What the learner wrote with this request ("" when nothing)."""
    return request.get("text", "") if request else ""
