"""The tutor graph (LangGraph): planner, retriever, lesson writer, grader, explain-back."""

from agents.context import TutorContext
from agents.graph import build_tutor_graph
from agents.state import InputState, TutorState

__all__ = ["InputState", "TutorContext", "TutorState", "build_tutor_graph"]
