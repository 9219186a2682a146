"""The exercise node: exercises on the lesson's concept, from the model or from the notes.

The model is asked for structured exercises (validated by pydantic) and asked once more
if its answer does not validate. Drafts that pass validation but have nothing to do with
the passages are dropped. When nothing usable is left, deterministic generators build
the exercises from the passages themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from langchain_core.messages import HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agents.concepts import concept_info, passage, siblings
from agents.context import TutorContext
from agents.events import emit
from agents.lesson_writer import numbered
from agents.prompts import load_prompt
from agents.state import TutorState
from tutor.llm.errors import StructuredOutputError
from tutor.llm.structured import generate_structured
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
    drafts: list[tuple[ExerciseDraft, ExerciseSource]] = [
        (draft, "model")
        for draft in await _from_model(context, concept, passages, state.difficulty)
    ]
    if not drafts:
        seed = UUID(state.lesson_id).int % 2**31 if state.lesson_id else 0
        nearby = await siblings(context, concept_id)
        drafts = [
            (draft, "generated")
            for draft in generate_exercises(concept, passages, nearby, state.difficulty, seed=seed)
        ]
    lesson_id = UUID(state.lesson_id) if state.lesson_id else None
    stored = await context.lessons.add_exercises(
        context.owner, concept_id, lesson_id, state.difficulty, drafts
    )
    for exercise in stored:
        emit("exercise", **exercise.public())
    return {"open_exercises": [str(exercise.id) for exercise in stored]}


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
