"""The exercise node: exercises on the lesson's concept, from the model or from the notes.

The model is asked for structured exercises (validated by pydantic) and asked once more
if its answer does not validate. Drafts that pass validation but have nothing to do with
the passages are dropped, and so are those that fail the exercise checks
(:mod:`tutor.teaching.exercise_checks`: a trivial answer, an answer the question gives
away, options of different kinds, too short a question, or one the learner had before).
When nothing usable is left, deterministic generators build the exercises from the
passages themselves, under the same checks.

An exercise the learner had before may come again only in a review: when the concept's
spaced review is due, as the planner sees it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from functools import partial
from typing import Any
from uuid import UUID

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime
from pydantic import TypeAdapter

from agents.concepts import concept_info, passage, siblings
from agents.context import TutorContext
from agents.events import emit
from agents.prompt_passages import numbered
from agents.prompts import load_prompt
from agents.state import PreparedExercise, TutorState
from tutor.llm.errors import StructuredOutputError
from tutor.llm.structured import generate_structured
from tutor.teaching.exercise_checks import check_exercises
from tutor.teaching.exercises import (
    CodeDraft,
    Difficulty,
    ExerciseDraft,
    ExerciseSet,
    ExerciseSource,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.generators import generate_exercises
from tutor.teaching.guard import QualityGuard
from tutor.teaching.material import ConceptInfo, Passage

_log = logging.getLogger(__name__)
_DRAFT: TypeAdapter[ExerciseDraft] = TypeAdapter(ExerciseDraft)
ATTEMPTS = 2
"""Tries the model gets to write exercises that validate."""
KINDS: dict[Difficulty, str] = {
    "intro": "two multiple choice questions that check recognition",
    "practice": "one multiple choice question and one short answer question that check recall",
    "challenge": "one short answer question asking why or how, and one explain-back",
}
"""What each level asks for: recognition, recall, then production."""
_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")
_SHARED_WORDS = 2
"""Content words a model-written question must share with the passages."""


async def set_exercises(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Write, store and send the exercises; they become the thread's open exercises."""
    context = runtime.context
    if state.concept_id is None or state.difficulty is None:
        return {"open_exercises": []}
    concept_id = UUID(state.concept_id)
    concept = await concept_info(context, concept_id)
    if concept is None:
        return {"open_exercises": []}
    passages = [passage(p) for p in state.passages]
    # Usually written while the lesson streamed (agents/exercise_drafts.py); none of them
    # passing the checks is no reason to make the learner wait for the model now.
    prepared = state.prepared_exercises
    drafts = _prepared(prepared or [])
    if prepared is None:
        drafts = [
            (draft, "model")
            for draft in await model_drafts(context, concept, passages, state.difficulty)
        ]
    if not drafts and prepared is None:
        seed = UUID(state.lesson_id).int % 2**31 if state.lesson_id else 0
        drafts = [
            (draft, "generated")
            for draft in await generated_drafts(
                context, concept_id, concept, passages, state.difficulty, seed=seed
            )
        ]
    lesson_id = UUID(state.lesson_id) if state.lesson_id else None
    stored = await context.lessons.add_exercises(
        context.owner, concept_id, lesson_id, state.difficulty, drafts
    )
    for exercise in stored:
        emit("exercise", **exercise.public())
    return {
        "open_exercises": [str(exercise.id) for exercise in stored],
        "prepared_exercises": None,
    }


def _prepared(records: Sequence[PreparedExercise]) -> list[tuple[ExerciseDraft, ExerciseSource]]:
    return [(_DRAFT.validate_python(r["draft"]), r["source"]) for r in records]


async def model_drafts(
    context: TutorContext, concept: ConceptInfo, passages: Sequence[Passage], level: Difficulty
) -> list[ExerciseDraft]:
    """The model's exercises that validate, are about the passages and pass the checks."""
    written = await _from_model(context, concept, passages, level)
    if not written:
        return []
    seen, review = await exercise_history(context, concept.key)
    checked = check_exercises(written, seen=seen, review=review)
    for rejection in checked.rejected:
        _log.info("model exercise rejected (%s): %s", rejection.reason, rejection.detail)
    return checked.kept


async def generated_drafts(
    context: TutorContext,
    concept_id: UUID,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    level: Difficulty,
    *,
    seed: int,
) -> list[ExerciseDraft]:
    """Exercises built from the passages by the generators (no model)."""
    nearby = await siblings(context, concept_id)
    statistics = await context.note_terms.statistics(context.owner)
    seen, review = await exercise_history(context, concept.key)
    # In a thread: this runs while a lesson streams, whose tokens must not wait on it.
    return await asyncio.to_thread(
        partial(
            generate_exercises,
            statistics=statistics,
            history=seen,
            review=review,
            seed=seed,
        ),
        concept,
        passages,
        nearby,
        level,
    )


async def exercise_history(context: TutorContext, concept_key: str) -> tuple[frozenset[str], bool]:
    """What the learner had before, and whether this concept's lesson is a review.

    Returns:
        The fingerprints of every exercise the learner was set, and True when the
        concept's spaced review is due (its exercises may then come again).
    """
    seen = await context.lessons.exercise_history(context.owner)
    concepts = await context.planning_graphs.concepts(context.owner)
    concept_id = next((c.id for c in concepts.values() if c.key == concept_key), None)
    if concept_id is None:
        return seen, False
    rows = await context.learner.mastery(context.owner)
    now = context.clock()
    review = any(r.concept_id == concept_id and r.attempts and r.due_at <= now for r in rows)
    return seen, review


async def _from_model(
    context: TutorContext, concept: ConceptInfo, passages: Sequence[Passage], level: Difficulty
) -> list[ExerciseDraft]:
    if not passages:
        return []
    system = load_prompt("exercises").render(
        title=concept.title, difficulty=level, kinds=KINDS[level], passages=numbered(passages)
    )
    messages = [SystemMessage(system), HumanMessage(f"Exercises on {concept.title}, please.")]
    for _ in range(ATTEMPTS):
        try:
            written = await generate_structured(context.chat_model, messages, ExerciseSet)
        except StructuredOutputError:
            continue
        return [d for d in written.exercises if plausible(d, passages, context.guard)]
    return []


def plausible(draft: ExerciseDraft, passages: Sequence[Passage], guard: QualityGuard) -> bool:
    """Whether a valid draft reads like text and is about the passages."""
    if isinstance(draft, MultipleChoiceDraft):
        text = " ".join([draft.question, *draft.options])
    elif isinstance(draft, ShortAnswerDraft):
        text = f"{draft.question} {draft.reference_answer}"
    elif isinstance(draft, CodeDraft):
        # Only runnable code can be checked; a model's code in another language cannot.
        if not draft.runnable or not draft.tests.strip():
            return False
        text = draft.prompt
    else:
        text = draft.prompt
    if not guard.check_prefix(text, passages).ok:
        return False
    source = set(_WORD.findall(" ".join(p.text for p in passages).casefold()))
    return len(set(_WORD.findall(text.casefold())) & source) >= _SHARED_WORDS
