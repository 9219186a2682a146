"""The explain-back node: the learner explains a concept; covered, missing, contradicted."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agents.concepts import as_uuid, concept_info, say
from agents.context import TutorContext
from agents.events import stream_text
from agents.grader import emit_explain, explain, record
from agents.state import TutorState

WHICH_CONCEPT = "Which concept are you explaining? Start a lesson first, or name the concept."
EMPTY = "Tell me in your own words what the concept is and why it matters."


async def explain_back(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Compare the explanation with the concept's key points; one follow-up question."""
    context = runtime.context
    request = state.request or {"kind": "explain"}
    concept_id: UUID | None = as_uuid(request.get("concept_id") or state.concept_id)
    concept = await concept_info(context, concept_id) if concept_id else None
    if concept_id is None or concept is None:
        return await say(WHICH_CONCEPT)
    text = request.get("text", "").strip()
    if not text:
        return await say(EMPTY)
    result = await explain(context, concept, text, concept.key_points)
    emit_explain(concept_id, result)
    await record(context, concept_id, concept, result, request)
    reply = f"{result.feedback}\n\n{result.follow_up}"
    await stream_text(reply, context.settings.ready_text_words_per_second)
    return {"messages": [AIMessage(reply)], "concept_id": str(concept_id)}
