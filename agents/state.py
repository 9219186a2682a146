"""State carried through the tutor graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


@dataclass
class InputState:
    """What the outside world sends in: the learner's new messages."""

    messages: Annotated[list[AnyMessage], add_messages] = field(default_factory=list)
    """The conversation so far; new messages are appended (or replace ones with same id)."""


@dataclass
class TutorState(InputState):
    """The whole state of one tutoring thread."""
