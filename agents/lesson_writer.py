"""The lesson writer node: a lesson grounded in the passages, streamed, cited, never repeated.

The model writes first when its lessons usually pass the quality guard; its text reaches
the learner sentence by sentence, each sentence once checked, so nothing shown is ever
taken back. When the model is not asked, or stops before writing anything fit to show,
the extractive lesson is the lesson: the passages themselves in a teaching order, quoted
and cited; when it stops half way, the extractive lesson follows what was shown. A lesson
on a concept the learner has had before takes another angle from the start.

The lesson's exercises are drafted while it streams (:mod:`agents.exercise_drafts`), so
they are set as soon as it ends.
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
from agents.exercise_drafts import ExerciseDrafting
from agents.prompt_passages import numbered
from agents.prompts import load_prompt
from agents.state import TutorState
from agents.writing import Opening, Streamed, stream_checked
from tutor.teaching.citations import citation_matches, cited_numbers
from tutor.teaching.exercises import Difficulty
from tutor.teaching.extractive import ExtractiveLesson, extractive_lesson
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
ANOTHER_ANGLE = (
    "The learner has had a lesson on this before: take another angle, starting from the "
    "passages it did not use."
)
FROM_THE_NOTES = "Here is what your notes say about it:"
"""Opens the extractive lesson when it follows model text that stopped half way."""

__all__ = ["numbered", "write_lesson"]


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
    drafting = ExerciseDrafting(context, concept_id, concept, passages, state.difficulty)
    try:
        update = await _lesson(context, state, concept_id, concept, passages, drafting)
        prepared = await drafting.result(context.settings.exercises_grace_s)
    finally:
        await drafting.cancel()
    return {**update, "prepared_exercises": prepared}


async def _lesson(
    context: TutorContext,
    state: TutorState,
    concept_id: UUID,
    concept: ConceptInfo,
    passages: list[Passage],
    drafting: ExerciseDrafting,
) -> dict[str, Any]:
    assert state.difficulty is not None
    earlier = await context.lessons.earlier(
        context.owner, concept_id, context.settings.recent_lessons
    )
    order = (await context.learner.preferences(context.owner))["lesson_order"]
    draft, rewritten = await _compose(
        context, concept, passages, earlier, state.difficulty, order, drafting
    )
    # Entries for what the text cites: a model's lesson may leave passages it was given
    # uncited, and one continued from the notes numbers theirs after all of those.
    used = set(cited_numbers(draft.text))
    citations = tuple(Citation.of(n, p) for n, p in enumerate(draft.cited, start=1) if n in used)
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
    drafting: ExerciseDrafting,
) -> tuple[_Draft, bool]:
    """The lesson to keep, and whether it had to be rewritten for novelty.

    Exercises start drafting before a model writes (it takes a while), and once the
    first word of a lesson from the notes is out (so they do not hold that word back).
    """
    limit = context.settings.novelty_threshold
    pace = context.settings.ready_text_words_per_second
    again = bool(earlier)
    # Text once shown is never taken back, so a repeat lesson takes another angle from
    # the start rather than after the learner has read one too close to the last.
    fresh = _unused_first(passages, earlier) if again else passages
    written = await _generated(
        context, concept, fresh, difficulty, order, earlier, drafting, again=again
    )
    if written is not None and written.complete:
        return await _measured(context, written.shown, fresh, "model", earlier), False
    rewritten = written is not None and written.reason == _TOO_CLOSE
    angle = len(earlier)
    if not earlier and (written is None or not written.shown):
        # A first lesson is new by definition: it goes out at once, measured meanwhile.
        lesson = await _extractive_lesson(context, concept, passages, order, angle)
        measuring = asyncio.create_task(
            _measured(context, lesson.text, lesson.cited, "extractive", earlier)
        )
        try:
            await stream_text(lesson.text, pace, on_first=drafting.start)
            return await measuring, rewritten
        finally:
            measuring.cancel()
    draft = await _extractive(context, concept, passages, order, angle, earlier)
    # The extractive lesson is checked for novelty before it is shown, so a rewrite
    # never flashes on screen; the next angle also starts from unused passages.
    if 1 - draft.novelty > limit:
        draft = await _extractive(context, concept, fresh, order, angle + 1, earlier)
        rewritten = True
    if written is None or not written.shown:
        await stream_text(draft.text, pace, on_first=drafting.start)
        return draft, rewritten
    return await _continued(context, written.shown, fresh, draft, earlier), rewritten


_TOO_CLOSE = "opening refused"


async def _generated(
    context: TutorContext,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    difficulty: Difficulty,
    order: str,
    earlier: Sequence[EarlierLesson],
    drafting: ExerciseDrafting,
    *,
    again: bool,
) -> Streamed | None:
    """The model's lesson as streamed; None when the model was not asked."""
    where = context.chat_model.where
    if not passages or not context.pass_rates.should_try(where, "lesson"):
        return None
    drafting.start()
    system = load_prompt("lesson").render(
        title=concept.title,
        difficulty=difficulty,
        order=_ORDER.get(order, ""),
        angle=ANOTHER_ANGLE if again else "",
        passages=numbered(passages),
    )
    written = await stream_checked(
        context.chat_model,
        [SystemMessage(system), HumanMessage(f"Teach me {concept.title}.")],
        context.guard,
        concept,
        passages,
        max_tokens=context.settings.lesson_max_tokens,
        opening=_novel_opening(context, earlier) if earlier else None,
    )
    # Refused for being too close to an earlier lesson is no failure of the guard.
    if written.reason != _TOO_CLOSE:
        context.pass_rates.record(where, "lesson", passed=written.complete)
    return written


def _novel_opening(context: TutorContext, earlier: Sequence[EarlierLesson]) -> Opening:
    """Refuses an opening too close to an earlier lesson, before the learner sees it."""

    async def novel(opening: str) -> bool:
        embedding = await asyncio.to_thread(lesson_embedding, context.embeddings, opening)
        return 1 - novelty(embedding, earlier) <= context.settings.novelty_threshold

    return novel


async def _continued(
    context: TutorContext,
    shown: str,
    passages: Sequence[Passage],
    notes: _Draft,
    earlier: Sequence[EarlierLesson],
) -> _Draft:
    """The model's text that stopped half way, followed by the extractive lesson.

    The extractive lesson's citations are renumbered after the model's, whose numbers
    point at ``passages``: the lesson cites ``passages`` then the extractive ones.
    """
    follow = f"\n\n{FROM_THE_NOTES}\n\n{_offset_citations(notes.text, len(passages))}"
    await stream_text(follow, context.settings.ready_text_words_per_second)
    cited = (*passages, *notes.cited)
    return await _measured(context, shown + follow, cited, "model", earlier)


def _offset_citations(text: str, offset: int) -> str:
    """``text`` with each citation's numbers raised by ``offset`` (code left alone)."""
    parts: list[str] = []
    last = 0
    for match in citation_matches(text):
        numbers = [int(n) + offset for n in match.group(1).split(",")]
        parts += [text[last : match.start()], f"[{', '.join(map(str, numbers))}]"]
        last = match.end()
    return "".join([*parts, text[last:]])


async def _extractive(
    context: TutorContext,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    order: str,
    angle: int,
    earlier: Sequence[EarlierLesson],
) -> _Draft:
    lesson = await _extractive_lesson(context, concept, passages, order, angle)
    return await _measured(context, lesson.text, lesson.cited, "extractive", earlier)


async def _extractive_lesson(
    context: TutorContext,
    concept: ConceptInfo,
    passages: Sequence[Passage],
    order: str,
    angle: int,
) -> ExtractiveLesson:
    return extractive_lesson(
        concept,
        passages,
        order="example_first" if order == "example_first" else "explanation_first",
        angle=angle,
        # The retriever chose how much of the section the lesson's difficulty reads.
        max_passages=len(passages),
        parts=await part_titles(context, concept.key),
    )


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
