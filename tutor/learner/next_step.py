"""The learner's next step, from what is stored: mastery, reviews, preferences, paths."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tutor.learner._planning_graph import PlanningGraph
from tutor.learner.graph_cache import PlanningGraphs
from tutor.learner.planning import (
    LearnerState,
    Plan,
    PlanKind,
    Preferences,
    difficulty,
    learning_path,
    next_concept,
)
from tutor.learner.store import LearnerStore, MasteryRow

_SHORT_OF_MASTERY = 1e-3
"""How far below the threshold a concept waiting only for its explain-back is put."""


def effective_mastery(store: LearnerStore, rows: Sequence[MasteryRow]) -> dict[UUID, float]:
    """P(known) per concept as planning should see it.

    When mastery needs a passed explain-back, a concept known well enough but never
    explained back is shown just short of the threshold, so the planner keeps it in view.
    """
    mastery: dict[UUID, float] = {}
    for row in rows:
        p = row.p_known
        if not store.is_mastered(p, row.explained_at is not None) and p >= store.threshold:
            p = store.threshold - _SHORT_OF_MASTERY
        mastery[row.concept_id] = p
    return mastery


async def plan_next(
    store: LearnerStore,
    graphs: PlanningGraphs,
    owner: UUID,
    now: datetime,
    *,
    concept_id: UUID | None = None,
) -> Plan:
    """The next step; with ``concept_id``, a step on that concept at the right difficulty.

    Raises:
        KeyError: ``concept_id`` is not one of the owner's concepts.
    """
    graph = await graphs.get(owner)
    rows = await store.mastery(owner)
    prefs = await store.preferences(owner)
    learner = LearnerState(
        mastery=effective_mastery(store, rows),
        introduced={r.concept_id for r in rows},
        due={r.concept_id: r.due_at for r in rows},
        recent_scores=await store.recent_scores(owner),
    )
    if concept_id is not None:
        return _chosen(graph, learner, concept_id, prefs["difficulty_bias"])
    paths = await store.paths(owner)
    return next_concept(
        graph,
        learner,
        now=now,
        targets=list(paths[0]["targets"]) if paths else [],
        preferences=Preferences(
            difficulty_bias=prefs["difficulty_bias"], interests=frozenset(prefs["interests"])
        ),
        threshold=store.threshold,
    )


async def path_steps(
    store: LearnerStore, graphs: PlanningGraphs, owner: UUID, targets: Sequence[UUID]
) -> list[UUID]:
    """The concepts still to master on the way to ``targets``, prerequisites first."""
    rows = await store.mastery(owner)
    return learning_path(
        await graphs.get(owner),
        targets,
        effective_mastery(store, rows),
        threshold=store.threshold,
    )


def _chosen(graph: PlanningGraph, learner: LearnerState, concept_id: UUID, bias: float) -> Plan:
    if concept_id not in graph.index:
        raise KeyError(concept_id)
    title = graph.titles[graph.index[concept_id]]
    p_known = learner.mastery.get(concept_id, 0.0)
    level = difficulty(p_known, learner.recent_scores, bias)
    kind: PlanKind = "continue" if concept_id in learner.introduced else "new"
    return Plan(kind, concept_id, level, f"You asked: {title}")
