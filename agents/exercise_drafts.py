"""Exercises drafted while the lesson streams, so they are set the moment it ends.

The generators' exercises are built from the retrieved passages in a task started with
the lesson. The model is asked too, at the same time, only when its exercises are usually
usable (:class:`tutor.teaching.pass_rates.PassRates`): they count as passing when they
are ready by the time the lesson ends (plus a short grace) and pass the checks. Otherwise
the generated ones are set, so the learner never waits for a model still writing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from contextlib import suppress
from uuid import UUID

from agents.context import TutorContext
from agents.exercise_setter import generated_drafts, model_drafts
from agents.state import PreparedExercise
from tutor.teaching.exercises import Difficulty, ExerciseDraft
from tutor.teaching.material import ConceptInfo, Passage

_log = logging.getLogger(__name__)
_SEED_BITS = 31


class ExerciseDrafting:
    """The exercises of one lesson, being drafted in the background."""

    def __init__(
        self,
        context: TutorContext,
        concept_id: UUID,
        concept: ConceptInfo,
        passages: Sequence[Passage],
        level: Difficulty,
    ) -> None:
        """Get ready to draft; :meth:`start` begins, :meth:`result` waits, :meth:`cancel` ends.

        Args:
            context: The turn's context (its model, guard record and stores).
            concept_id: The lesson's concept.
            concept: Its title, summary and key points.
            passages: The passages the lesson is built from.
            level: The lesson's difficulty.
        """
        self._context = context
        self._where = context.chat_model.where
        self._what = (concept_id, concept, passages, level)
        self._generated: asyncio.Task[list[ExerciseDraft]] | None = None
        self._model: asyncio.Task[list[ExerciseDraft]] | None = None

    def start(self) -> None:
        """Begin drafting in the background (once; later calls do nothing)."""
        if self._generated is not None:
            return
        context = self._context
        concept_id, concept, passages, level = self._what
        seed = random.getrandbits(_SEED_BITS)
        self._generated = asyncio.create_task(
            generated_drafts(context, concept_id, concept, passages, level, seed=seed)
        )
        if passages and context.pass_rates.should_try(self._where, "exercises"):
            self._model = asyncio.create_task(model_drafts(context, concept, passages, level))

    async def result(self, grace_s: float) -> list[PreparedExercise]:
        """The exercises to set: the model's if ready within ``grace_s``, else generated."""
        self.start()
        assert self._generated is not None
        model = self._model
        if model is not None:
            await asyncio.wait({model}, timeout=grace_s)
            # Exercises still being written when the lesson ends are no use either: a
            # model that is too slow for them is, like one that fails, not asked again.
            drafts = _drafts_of(model) if model.done() else []
            self._context.pass_rates.record(self._where, "exercises", passed=bool(drafts))
            if drafts:
                self._generated.cancel()
                return [{"draft": d.model_dump(), "source": "model"} for d in drafts]
            if not model.done():
                _log.info("the model's exercises were not ready when the lesson ended")
                model.cancel()
        return [{"draft": d.model_dump(), "source": "generated"} for d in await self._generated]

    async def cancel(self) -> None:
        """Stop whatever is still running (a turn that ends early, or was interrupted)."""
        tasks = [task for task in (self._generated, self._model) if task and not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task


def _drafts_of(task: asyncio.Task[list[ExerciseDraft]]) -> list[ExerciseDraft]:
    if task.cancelled():
        return []
    error = task.exception()
    if error is not None:
        _log.warning("the model's exercises failed: %s", error)
        return []
    return task.result()
