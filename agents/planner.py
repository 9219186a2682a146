"""The planner node: what to learn now, at what difficulty, and why (one line)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from langgraph.runtime import Runtime

from agents.concepts import as_uuid, say
from agents.context import TutorContext
from agents.events import emit
from agents.state import TutorState
from tutor.learner.next_step import plan_next

NO_NOTES = "Your notes are empty so far: upload some Markdown notes and I will teach from them."
UNKNOWN_CONCEPT = "I cannot find that concept in your notes."


async def plan(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Pick the concept (the one asked for, or the learner model's next step).

    A concept asked for by id or by name is taught however many lessons it just had;
    otherwise the planner sees the latest lessons and moves on after two on one concept.
    """
    context = runtime.context
    request = state.request or {"kind": "next"}
    graph = await context.planning_graphs.get(context.owner)
    if not len(graph):
        return {**await say(NO_NOTES), "concept_id": None}
    asked: UUID | None = None
    if "concept_id" in request:
        asked = as_uuid(request["concept_id"])
        if asked is None or asked not in graph.index:
            return {**await say(UNKNOWN_CONCEPT), "concept_id": None}
    elif request["kind"] == "chat" and state.intent == "lesson":
        asked = _named(graph.ids, graph.folded_titles, request.get("text", ""))
    step = await plan_next(
        context.learner,
        context.planning_graphs,
        context.owner,
        context.clock(),
        concept_id=asked,
        lessons=context.lessons,
    )
    if step.concept_id is None:
        return {**await say(step.reason), "concept_id": None}
    title = graph.titles[graph.index[step.concept_id]]
    emit(
        "plan",
        kind=step.kind,
        concept_id=str(step.concept_id),
        title=title,
        difficulty=step.difficulty,
        reason=step.reason,
    )
    return {
        "concept_id": str(step.concept_id),
        "difficulty": step.difficulty,
        "reason": step.reason,
        "passages": [],
        "lesson_id": None,
        "open_exercises": [],
    }


def after_plan(state: TutorState) -> Literal["retriever", "__end__"]:
    """On to retrieval when there is a concept to teach."""
    return "retriever" if state.concept_id else "__end__"


def _named(ids: tuple[UUID, ...], titles: tuple[str, ...], text: str) -> UUID | None:
    """The concept whose title the text names (the longest such title), if any."""
    folded = text.casefold()
    named = [(len(t), i) for i, t in enumerate(titles) if len(t) > 2 and t in folded]
    return ids[max(named)[1]] if named else None
