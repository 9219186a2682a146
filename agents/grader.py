"""The grader node: judge an answer to an exercise, record it, and show mastery move."""

from __future__ import annotations

import asyncio
import functools
from typing import Any
from uuid import UUID, uuid4

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agents.concepts import as_uuid, concept_info, say
from agents.context import TutorContext
from agents.events import emit, stream_text
from agents.state import TutorState
from tutor.learner.store import NewAttempt, Recorded, Verdict
from tutor.teaching.answers import grade_answer
from tutor.teaching.exercises import ExplainBackDraft
from tutor.teaching.explain import ExplainResult, compare_explanation
from tutor.teaching.material import ConceptInfo

NO_EXERCISE = "There is no open exercise to answer yet: ask me for a lesson first."
UNKNOWN_EXERCISE = "I cannot find that exercise."
_COPY_SOURCES = 3
"""Passages of the concept an explanation is checked against for copying."""
GONE_CONCEPT = "A removed concept"
"""The name of a concept deleted while its exercise was still open."""


async def grade(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Grade the answer to the named exercise (or the first open one)."""
    context = runtime.context
    request = state.request or {"kind": "answer"}
    named = request.get("exercise_id")
    if named is None and not state.open_exercises:
        return await say(NO_EXERCISE)
    exercise_id = as_uuid(named or state.open_exercises[0])
    exercise = None
    if exercise_id is not None:
        exercise = await context.lessons.exercise(context.owner, exercise_id)
    if exercise is None:
        return await say(UNKNOWN_EXERCISE)
    answer = request.get("text", "")
    body = exercise.body
    concept = await concept_info(context, exercise.concept_id)
    if isinstance(body, ExplainBackDraft):
        result = await explain(context, concept, answer, tuple(body.key_points))
        emit_explain(exercise.concept_id, result)
        await record(
            context,
            exercise.concept_id,
            concept,
            result,
            request,
            exercise_id=str(exercise.id),
        )
        reply = f"{result.feedback}\n\n{result.follow_up}"
    else:
        graded = await grade_answer(
            body, answer, grader=context.grader, limits=context.sandbox_limits
        )
        before = await context.learner.p_known(context.owner, exercise.concept_id)
        recorded = await context.learner.record(
            context.owner,
            NewAttempt(
                concept_id=exercise.concept_id,
                kind=body.kind,
                score=graded.score,
                idempotency_key=request.get("idempotency_key") or str(uuid4()),
                answer=answer,
                verdict=graded.verdict,
                exercise_id=str(exercise.id),
            ),
            context.clock(),
        )
        emit(
            "grade",
            exercise_id=str(exercise.id),
            score=round(graded.score, 4),
            verdict=graded.verdict,
            feedback=graded.feedback,
            covered=list(graded.covered),
            missed=list(graded.missed),
            output=graded.output,
        )
        emit_mastery(exercise.concept_id, title_of(concept), before, recorded)
        reply = graded.feedback
    await stream_text(reply, context.settings.ready_text_words_per_second)
    still_open = [e for e in state.open_exercises if e != str(exercise.id)]
    return {"messages": [AIMessage(reply)], "open_exercises": still_open}


async def explain(
    context: TutorContext, concept: ConceptInfo | None, text: str, key_points: tuple[str, ...]
) -> ExplainResult:
    """Compare an explanation with the concept's key points (in a worker thread)."""
    concept = concept or ConceptInfo(key="", title="the concept")
    points = key_points or concept.key_points or ((concept.summary,) if concept.summary else ())
    sources: list[str] = []
    if concept.key and text.strip():
        # The concept's passages closest to the explanation: what a copy would be copied from.
        hits = await context.vectors.search(
            str(context.owner), text, k=_COPY_SOURCES, where={"concept": concept.key}
        )
        sources = [hit.text for hit in hits]
    return await asyncio.to_thread(
        functools.partial(compare_explanation, sources=sources),
        text,
        concept,
        points or (concept.title,),
        context.embeddings,
    )


async def record(
    context: TutorContext,
    concept_id: UUID,
    concept: ConceptInfo | None,
    result: ExplainResult,
    request: dict[str, Any] | Any,
    *,
    exercise_id: str | None = None,
) -> Recorded:
    """Record an explain-back as an attempt and send the mastery change.

    Args:
        context: The turn's context.
        concept_id: The concept explained.
        concept: That concept, for its title (None when it is gone).
        result: The comparison with the key points.
        request: The learner's request (its text and idempotency key).
        exercise_id: The explain-back exercise answered, if any: a second answer to it
            is recorded but not counted.
    """
    verdict: Verdict = "correct" if result.passed else "partial" if result.covered else "incorrect"
    before = await context.learner.p_known(context.owner, concept_id)
    recorded = await context.learner.record(
        context.owner,
        NewAttempt(
            concept_id=concept_id,
            kind="explain_back",
            score=result.score,
            idempotency_key=request.get("idempotency_key") or str(uuid4()),
            answer=request.get("text", ""),
            verdict=verdict,
            exercise_id=exercise_id,
        ),
        context.clock(),
    )
    emit_mastery(concept_id, title_of(concept), before, recorded)
    return recorded


def emit_explain(concept_id: UUID, result: ExplainResult) -> None:
    """Send the comparison of an explanation with the key points."""
    emit(
        "explain_result",
        concept_id=str(concept_id),
        score=round(result.score, 4),
        passed=result.passed,
        covered=list(result.covered),
        missing=list(result.missing),
        contradicted=list(result.contradicted),
        feedback=result.feedback,
        follow_up=result.follow_up,
    )


def title_of(concept: ConceptInfo | None) -> str:
    """The title a mastery change names its concept by."""
    return concept.title if concept is not None and concept.title.strip() else GONE_CONCEPT


def emit_mastery(concept_id: UUID, title: str, before: float, recorded: Recorded) -> None:
    """Send how the concept's mastery moved with this attempt, naming the concept."""
    emit(
        "mastery",
        concept_id=str(concept_id),
        title=title,
        before=round(before, 4),
        p_known=round(recorded.p_known, 4),
        mastered=recorded.mastered,
        attempts=recorded.attempts,
        due_at=recorded.due_at.isoformat(),
        counted=recorded.counted,
    )
