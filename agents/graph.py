"""The tutor graph builder.

One learner turn runs from START to END::

    START -> (route_request) -> classify -> (route_intent) -> ...
          -> planner -> (after_plan) -> retriever -> lesson_writer -> exercise_setter -> END
          -> grader -> END
          -> explain_back -> END
          -> answer_chat -> END
          -> set_path -> END
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from agents.chat_answer import answer_chat
from agents.context import TutorContext
from agents.exercise_setter import set_exercises
from agents.explain_back import explain_back
from agents.grader import grade
from agents.lesson_writer import write_lesson
from agents.paths import set_path
from agents.planner import after_plan, plan
from agents.retriever import retrieve
from agents.router import classify, route_intent, route_request
from agents.state import InputState, TutorState

TutorGraphBuilder = StateGraph[TutorState, TutorContext, InputState, TutorState]


def build_tutor_graph() -> TutorGraphBuilder:
    """The uncompiled graph; callers compile it with the checkpointer they need."""
    builder: TutorGraphBuilder = StateGraph(
        TutorState, context_schema=TutorContext, input_schema=InputState
    )
    builder.add_node("classify", classify)
    builder.add_node("planner", plan)
    builder.add_node("retriever", retrieve)
    builder.add_node("lesson_writer", write_lesson)
    builder.add_node("exercise_setter", set_exercises)
    builder.add_node("grader", grade)
    builder.add_node("explain_back", explain_back)
    builder.add_node("answer_chat", answer_chat)
    builder.add_node("set_path", set_path)
    builder.add_conditional_edges(START, route_request)
    builder.add_conditional_edges("classify", route_intent)
    builder.add_conditional_edges("planner", after_plan)
    builder.add_edge("retriever", "lesson_writer")
    builder.add_edge("lesson_writer", "exercise_setter")
    for last in ("exercise_setter", "grader", "explain_back", "answer_chat", "set_path"):
        builder.add_edge(last, END)
    return builder
