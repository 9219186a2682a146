"""The lesson writer node: a lesson grounded in the passages, streamed, cited, never repeated.

The model writes first, through the quality guard. When its text fails (the embedded
base model's usually does) the extractive lesson replaces it: the passages themselves
in a teaching order, quoted and cited. A lesson too close to one the learner already
had on the concept is rewritten once, from another angle.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agents.concepts import concept_info, part_titles, passage, say
from agents.context import TutorContext
from agents.events import emit, stream_text
from agents.prompts import load_prompt
from agents.state import TutorState
from agents.writing import stream_guarded
from tutor.ingest.code_marks import Failure
from tutor.ingest.learner_text import fence_failures, learner_markdown
from tutor.teaching.exercises import Difficulty
from tutor.teaching.extractive import extractive_lesson
from tutor.teaching.lessons import (
    Citation,
    EarlierLesson,
    LessonSource,
    NewLesson,
    lesson_embedding,
    novelty,
)
from tutor.teaching.material import ConceptInfo, Passage

_ORDER = {
    "example_first": "Start with the example, then explain.",
    "explanation_first": "Explain first, then give the example.",
}
_FAILS: dict[Failure, str] = {
    "compile": "does not compile",
    "panic": "panics when it runs",
    "misbehaves": "runs but does not do what is wanted",
}
ANOTHER_ANGLE = (
    "The learner has had a lesson on this before: take another angle, starting from the "
    "passages it did not use."
)


@dataclass(frozen=True)
class _Draft:
    text: str
    cited: tuple[Passage, ...]
    source: LessonSource
    embedding: npt.NDArray[np.float32]
    novelty: float


async def write_lesson(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Stream the lesson, store it with its embedding, and send it as a ``lesson`` event."""
    context = runtime.context
    assert state.concept_id is not None and state.difficulty is not None
    concept_id = UUID(state.concept_id)
    concept = await concept_info(context, concept_id)
    if concept is None:
        return {**await say("That concept is no longer in your notes."), "concept_id": None}
    passages = [passage(p) for p in state.passages]
    earlier = await context.lessons.earlier(
        context.owner, concept_id, context.settings.recent_lessons
    )
    order = (await context.learner.preferences(context.owner))["lesson_order"]
    draft, rewritten = await _compose(context, concept, passages, earlier, state.difficulty, order)
    citations = tuple(Citation.of(n, p) for n, p in enumerate(draft.cited, start=1))
    lesson_id = await context.lessons.save(
        NewLesson(
            owner=context.owner,
            concept_id=concept_id,
            thread_id=context.thread_id,
            source=draft.source,
            difficulty=state.difficulty,
            text=draft.text,
            citations=citations,
            embedding=draft.embedding,
            novelty=draft.novelty,
            rewritten=rewritten,
        )
    )
    emit(
        "lesson",
        id=str(lesson_id),
        concept_id=state.concept_id,
        title=concept.title,
        difficulty=state.difficulty,
        reason=state.reason,
        source=draft.source,
        text=draft.text,
        citations=[c.__dict__ for c in citations],
        novelty=round(draft.novelty, 4),
        rewritten=rewritten,
    )
    return {"messages": [AIMessage(draft.text)], "lesson_id": str(lesson_id)}


async def _compose(
    context: TutorContext,
    concept: ConceptInfo,
    passages: list[Passage],
    earlier: Sequence[EarlierLesson],
    difficulty: Difficulty,
    order: str,
) -> tuple[_Draft, bool]:
    """The lesson to keep, and whether it had to be rewritten for novelty."""
    limit = context.settings.novelty_threshold
    generated = await _generated(context, concept, passages, difficulty, order, again=False)
    if generated is not None:
        draft = await _measured(context, generated, passages, "model", earlier)
        if 1 - draft.novelty <= limit:
            return draft, False
        emit("reset", reason="too close to an earlier lesson; taking another angle")
        fresh = _unused_first(passages, earlier)
        again = await _generated(context, concept, fresh, difficulty, order, again=True)
        if again is not None:
            return await _measured(context, again, fresh, "model", earlier), True
    # The extractive lesson is checked for novelty before it is shown, so a rewrite
    # never flashes on screen; the next angle also starts from unused passages.
    angle = len(earlier)
    draft = await _extractive(context, concept, passages, order, angle, earlier)
    rewritten = generated is not None
    if 1 - draft.novelty > limit:
        fresh = _unused_first(passages, earlier)
        draft = await _extractive(context, concept, fresh, order, angle + 1, earlier)
        rewritten = True
    await stream_text(draft.text, context.settings.ready_text_words_per_second)
    return draft, rewritten


async def _generated(
    context: TutorContext,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    difficulty: Difficulty,
    order: str,
    *,
    again: bool,
) -> str | None:
    if not passages:
        return None
    system = load_prompt("lesson").render(
        title=concept.title,
        difficulty=difficulty,
        order=_ORDER.get(order, ""),
        angle=ANOTHER_ANGLE if again else "",
        passages=numbered(passages),
    )
    return await stream_guarded(
        context.chat_model,
        [SystemMessage(system), HumanMessage(f"Teach me {concept.title}.")],
        context.guard,
        concept,
        passages,
        max_tokens=context.settings.lesson_max_tokens,
    )


async def _extractive(
    context: TutorContext,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    order: str,
    angle: int,
    earlier: Sequence[EarlierLesson],
) -> _Draft:
    lesson = extractive_lesson(
        concept,
        passages,
        order="example_first" if order == "example_first" else "explanation_first",
        angle=angle,
        # The retriever chose how much of the section the lesson's difficulty reads.
        max_passages=len(passages),
        parts=await part_titles(context, concept.key),
    )
    return await _measured(context, lesson.text, lesson.cited, "extractive", earlier)


async def _measured(
    context: TutorContext,
    text: str,
    cited: Sequence[Passage],
    source: LessonSource,
    earlier: Sequence[EarlierLesson],
) -> _Draft:
    embedding = await asyncio.to_thread(lesson_embedding, context.embeddings, text)
    return _Draft(text, tuple(cited), source, embedding, novelty(embedding, earlier))


def _unused_first(passages: Sequence[Passage], earlier: Sequence[EarlierLesson]) -> list[Passage]:
    used = {chunk for lesson in earlier for chunk in lesson.chunk_ids}
    return sorted(passages, key=lambda p: p.chunk_id in used)


def numbered(passages: Sequence[Passage]) -> str:
    """Passages as a prompt lists them: ``[n] (heading path)`` then the text.

    The text is what the learner sees (no page markup, no hidden lines); code the notes
    mark as failing says so, since its fence no longer shows the mark.
    """
    return "\n\n".join(
        f"[{n}] ({p.heading_path or p.document_path})\n{_listing_text(p.text)}"
        for n, p in enumerate(passages, start=1)
    )


def _listing_text(text: str) -> str:
    shown = learner_markdown(text)
    failures = dict.fromkeys(fence_failures(text))
    if not failures:
        return shown
    said = " and ".join(_FAILS[failure] for failure in failures)
    return (
        f"{shown}\n(The notes say this code {said}: teach it as failing code, "
        "never as a working example.)"
    )
