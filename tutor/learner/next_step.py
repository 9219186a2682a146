"""The learner's next step, from what is stored: mastery, reviews, lessons, paths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from tutor.learner.graph_cache import PlanningGraphs
from tutor.learner.planning import (
    LearnerState,
    Plan,
    PlanRules,
    Preferences,
    learning_path,
    next_concept,
    plan_for,
)
from tutor.learner.store import LearnerStore
from tutor.teaching.lessons import LessonStore

ATTEMPTS_READ = 100
"""Latest attempts read for the scores of the concepts taught lately."""
RECENT_SCORES = 10
"""Latest scores, across concepts, that pitch the difficulty."""


async def learner_state(store: LearnerStore, owner: UUID) -> LearnerState:
    """The learner's mastery, attempts, reviews and latest scores, as planning sees them.

    Explain-backs are left out of the scores per concept: they say whether a concept is
    mastered, not whether the learner keeps missing its questions.

    Args:
        store: The learner model.
        owner: The learner.
    """
    rows = await store.mastery(owner)
    attempts = await store.attempts(owner, ATTEMPTS_READ)
    return LearnerState(
        mastery={r.concept_id: r.p_known for r in rows},
        introduced={r.concept_id for r in rows},
        due={r.concept_id: r.due_at for r in rows},
        recent_scores=[a["score"] for a in reversed(attempts[:RECENT_SCORES])],
        attempts={r.concept_id: r.attempts for r in rows},
        concept_scores=_scores_by_concept(attempts),
    )


async def plan_next(
    store: LearnerStore,
    graphs: PlanningGraphs,
    owner: UUID,
    now: datetime,
    *,
    concept_id: UUID | None = None,
    lessons: LessonStore | None = None,
) -> Plan:
    """The next step; with ``concept_id``, a step on that concept (the learner asked).

    Args:
        store: The learner model.
        graphs: The compiled graphs, and the rules plans follow.
        owner: The learner.
        now: The current time, to tell which reviews are due.
        concept_id: The concept the learner asked for, if any.
        lessons: Where the latest lessons are read from, so that no concept gets more
            than its lessons in a row; without it, the latest lessons are not looked at.

    Raises:
        KeyError: ``concept_id`` is not one of the owner's concepts.
    """
    graph = await graphs.get(owner)
    rules = _rules(store, graphs)
    learner = await learner_state(store, owner)
    if lessons is not None:
        learner = replace(
            learner, recent_lessons=await lessons.recent_concepts(owner, rules.max_run)
        )
    prefs = await store.preferences(owner)
    preferences = Preferences(
        difficulty_bias=prefs["difficulty_bias"], interests=frozenset(prefs["interests"])
    )
    if concept_id is not None:
        return plan_for(graph, learner, concept_id, preferences=preferences, rules=rules)
    paths = await store.paths(owner)
    return next_concept(
        graph,
        learner,
        now=now,
        targets=list(paths[0]["targets"]) if paths else [],
        preferences=preferences,
        rules=rules,
    )


async def path_steps(
    store: LearnerStore, graphs: PlanningGraphs, owner: UUID, targets: Sequence[UUID]
) -> list[UUID]:
    """The teachable concepts still to practise on the way to ``targets``, in order."""
    return learning_path(
        await graphs.get(owner),
        targets,
        await learner_state(store, owner),
        rules=_rules(store, graphs),
    )


def _rules(store: LearnerStore, graphs: PlanningGraphs) -> PlanRules:
    # The mastery threshold is the learner store's, so both agree on what is known.
    return replace(graphs.rules, mastered_from=store.threshold)


def _scores_by_concept(attempts: Sequence[dict[str, Any]]) -> dict[UUID, list[float]]:
    """Exercise scores per concept, oldest first, from attempts newest first.

    Only the first answer to an exercise counts, as in knowledge tracing: a retry after
    the feedback is not a fresh miss.
    """
    scores: dict[UUID, list[float]] = {}
    answered: set[object] = set()
    for attempt in reversed(attempts):
        exercise = attempt["exercise_id"]
        if attempt["kind"] == "explain_back" or (exercise is not None and exercise in answered):
            continue
        answered.add(exercise)
        scores.setdefault(attempt["concept_id"], []).append(attempt["score"])
    return scores
