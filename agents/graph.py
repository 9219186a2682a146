"""The tutor graph builder."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agents.chat_answer import answer_chat
from agents.context import TutorContext
from agents.state import InputState, TutorState

TutorGraphBuilder = StateGraph[TutorState, TutorContext, InputState, TutorState]


def build_tutor_graph() -> TutorGraphBuilder:
    """The uncompiled graph; callers compile it with the checkpointer they need."""
    builder: TutorGraphBuilder = StateGraph(
        TutorState, context_schema=TutorContext, input_schema=InputState
    )
    builder.add_node("answer_chat", answer_chat)
    builder.add_edge(START, "answer_chat")
    builder.add_edge("answer_chat", END)
    return builder
