"""What a learner should study next, and the path to the concepts they aim for.

Everything here is a pure function of a :class:`PlanningGraph` (built once per version of
an owner's concept graph) and the learner's state, fast enough to run on every message.

:func:`next_concept` decides, in this order:

1. a due review, the most overdue first;
2. else a concept on the *frontier* (not mastered, every prerequisite mastered): with
   targets, the first such concept on the :func:`learning_path` to them; without, the
   first in the author's order. Interests break near-ties: among the first
   :data:`INTEREST_LOOKAHEAD` frontier concepts, the first that matches an interest wins;
3. else nothing is left: a plan of kind ``"done"``.

:func:`learning_path` is the prerequisite closure of the unmastered targets (their
prerequisites, transitively, and the parts of every concept in it, as in
:func:`tutor.graph.algorithms.prerequisite_closure`), less what is mastered, in the graph's
topological order, which follows the author's order where it is free.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Literal
from uuid import UUID

from tutor.learner._planning_graph import PlanningGraph
from tutor.learner.bkt import MASTERY_THRESHOLD

__all__ = [
    "Difficulty",
    "LearnerState",
    "Plan",
    "PlanKind",
    "PlanningGraph",
    "Preferences",
    "difficulty",
    "learning_path",
    "next_concept",
]

Difficulty = Literal["intro", "practice", "challenge"]
PlanKind = Literal["review", "new", "continue", "done"]
"""``new``: never attempted; ``continue``: attempted, not yet mastered."""

INTEREST_LOOKAHEAD = 3
"""How many frontier concepts an interest may jump over, counting the one it picks."""
CORRECT_FROM = 0.8
"""Scores from this up count as correct in a streak."""
MISS_BELOW = 0.5
"""Scores below this count as misses in a streak."""
_LEVELS: tuple[Difficulty, ...] = ("intro", "practice", "challenge")
_PRACTICE_FROM = 0.35
"""P(known) from which practice replaces the introduction (before the bias)."""
_CHALLENGE_FROM = 0.7
"""P(known) from which challenges replace practice (before the bias)."""
_BIAS_SPAN = 0.3
"""How far a bias of +1 (or -1) lowers (or raises) both mastery thresholds."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the learner asked for."""

    difficulty_bias: float = 0.0
    """From -1 (gentler) to +1 (harder)."""
    interests: frozenset[UUID | str] = frozenset()
    """Concept ids, or keywords matched (case-insensitively) in titles; a concept also
    matches when something it is part of does."""

    def __post_init__(self) -> None:
        if not -1.0 <= self.difficulty_bias <= 1.0:
            raise ValueError(f"difficulty_bias must be in [-1, 1], got {self.difficulty_bias}")


@dataclass(frozen=True, slots=True)
class LearnerState:
    """What the planner needs to know about one learner."""

    mastery: Mapping[UUID, float] = field(default_factory=dict)
    """P(known) per concept; a concept missing here is taken as 0."""
    introduced: AbstractSet[UUID] = frozenset()
    """Concepts attempted at least once."""
    due: Mapping[UUID, datetime] = field(default_factory=dict)
    """When each concept's review is due (timezone-aware, like ``now``)."""
    recent_scores: Sequence[float] = ()
    """The latest scores across concepts, oldest first."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The next step for a learner."""

    kind: PlanKind
    concept_id: UUID | None
    """None only when ``kind`` is ``"done"``."""
    difficulty: Difficulty | None
    """None only when ``kind`` is ``"done"``."""
    reason: str
    """One line for the learner, e.g. ``"Review: Ownership is due"``."""
    target: UUID | None = None
    """The target this step leads toward, when targets were set."""


def difficulty(p_known: float, recent_scores: Sequence[float], bias: float = 0.0) -> Difficulty:
    """The level to pitch the next exercise at.

    Mastery picks a level: intro below 0.35, practice below 0.7, challenge above, both
    thresholds lowered by ``0.3 * bias`` (a harder bias reaches challenges sooner). Then
    the latest scores move it one level: three correct in a row (each at least 0.8) up,
    two misses in a row (each below 0.5) down.

    Args:
        p_known: P(known) of the concept.
        recent_scores: The latest scores, oldest first.
        bias: The learner's preference, from -1 (gentler) to +1 (harder).
    """
    shift = _BIAS_SPAN * min(max(bias, -1.0), 1.0)
    level = (p_known >= _PRACTICE_FROM - shift) + (p_known >= _CHALLENGE_FROM - shift)
    if len(recent_scores) >= 3 and all(s >= CORRECT_FROM for s in recent_scores[-3:]):
        level += 1
    elif len(recent_scores) >= 2 and all(s < MISS_BELOW for s in recent_scores[-2:]):
        level -= 1
    return _LEVELS[min(max(level, 0), len(_LEVELS) - 1)]


def learning_path(
    graph: PlanningGraph,
    targets: Iterable[UUID],
    mastery: Mapping[UUID, float],
    *,
    threshold: float = MASTERY_THRESHOLD,
) -> list[UUID]:
    """The concepts still to master on the way to ``targets``, prerequisites first.

    Targets that are not in the graph, or already mastered, are ignored.
    """
    mastered = _mastered(graph, mastery, threshold)
    path = _path(_closure(graph, _open_targets(graph, targets, mastered)), mastered)
    return [graph.ids[i] for i in path]


def next_concept(
    graph: PlanningGraph,
    learner: LearnerState,
    *,
    now: datetime,
    targets: Sequence[UUID] = (),
    preferences: Preferences = Preferences(),
    threshold: float = MASTERY_THRESHOLD,
) -> Plan:
    """The learner's next step: a due review, a frontier concept, or ``"done"``.

    Args:
        graph: The owner's compiled concept graph.
        learner: The learner's mastery, attempts, reviews and latest scores.
        now: The current time, to tell which reviews are due.
        targets: Concepts the learner aims for; unknown ones are ignored, and with none
            left the whole graph is the aim.
        preferences: Difficulty bias and interests.
        threshold: P(known) from which a concept counts as mastered.
    """
    review = _most_overdue(graph, learner.due, now)
    if review is not None:
        reason = f"Review: {graph.titles[review]} is due"
        return _plan(graph, learner, preferences, review, "review", reason)
    mastered = _mastered(graph, learner.mastery, threshold)
    known_targets = [t for t in targets if t in graph.index]
    if known_targets:
        return _toward(graph, learner, preferences, known_targets, mastered)
    picked = _pick(graph, _frontier(graph, graph.by_position, mastered), preferences)
    if picked is None:
        return Plan("done", None, None, "Done: every concept in your notes is mastered")
    chosen, interesting = picked
    kind = _kind(graph, learner, chosen)
    lead = "Continue" if kind == "continue" else "Next"
    why = _readiness(graph, chosen, "next in your notes")
    if interesting:
        why += ", and it matches your interests"
    return _plan(
        graph, learner, preferences, chosen, kind, f"{lead}: {graph.titles[chosen]} — {why}"
    )


def _toward(
    graph: PlanningGraph,
    learner: LearnerState,
    preferences: Preferences,
    targets: Sequence[UUID],
    mastered: set[int],
) -> Plan:
    """The next step on the learning path to ``targets`` (all in the graph)."""
    owners = _closure(graph, _open_targets(graph, targets, mastered))
    path = _path(owners, mastered)
    picked = _pick(graph, _frontier(graph, path, mastered), preferences)
    if picked is None:
        titles = ", ".join(dict.fromkeys(graph.titles[graph.index[t]] for t in targets))
        return Plan("done", None, None, f"Done: your targets are mastered ({titles})")
    chosen, _ = picked
    target = owners[chosen]
    title = graph.titles[chosen]
    if chosen in {graph.index[t] for t in targets}:
        reason = f"Your target {title}: {_readiness(graph, chosen, 'nothing comes before it')}"
        target = chosen
    else:
        left = f"{len(path)} concept{'s' if len(path) > 1 else ''} left"
        reason = f"Toward your target {graph.titles[target]}: {title} ({left})"
    return _plan(graph, learner, preferences, chosen, _kind(graph, learner, chosen), reason, target)


def _plan(
    graph: PlanningGraph,
    learner: LearnerState,
    preferences: Preferences,
    chosen: int,
    kind: PlanKind,
    reason: str,
    target: int | None = None,
) -> Plan:
    concept_id = graph.ids[chosen]
    level = difficulty(
        learner.mastery.get(concept_id, 0.0), learner.recent_scores, preferences.difficulty_bias
    )
    return Plan(kind, concept_id, level, reason, None if target is None else graph.ids[target])


def _readiness(graph: PlanningGraph, chosen: int, otherwise: str) -> str:
    return "its prerequisites are mastered" if graph.prerequisites[chosen] else otherwise


def _kind(graph: PlanningGraph, learner: LearnerState, chosen: int) -> PlanKind:
    return "continue" if graph.ids[chosen] in learner.introduced else "new"


def _most_overdue(graph: PlanningGraph, due: Mapping[UUID, datetime], now: datetime) -> int | None:
    """The concept whose review was due first; ties go to the author's order."""
    best: tuple[datetime, int, str] | None = None
    chosen: int | None = None
    for concept_id, when in due.items():
        i = graph.index.get(concept_id)
        if i is None or when > now:
            continue
        key = (when, graph.positions[i], str(concept_id))
        if best is None or key < best:
            best, chosen = key, i
    return chosen


def _mastered(graph: PlanningGraph, mastery: Mapping[UUID, float], threshold: float) -> set[int]:
    # Integer indices: UUID hashing is slow, and the scans below test membership a lot.
    return {
        graph.index[concept_id]
        for concept_id, p_known in mastery.items()
        if p_known >= threshold and concept_id in graph.index
    }


def _open_targets(graph: PlanningGraph, targets: Iterable[UUID], mastered: set[int]) -> list[int]:
    """Targets in the graph and not yet mastered, prerequisites first."""
    return sorted({graph.index[t] for t in targets if t in graph.index} - mastered)


def _closure(graph: PlanningGraph, targets: Sequence[int]) -> dict[int, int]:
    """Each concept of the targets' closure, with the first target (in order) that needs it."""
    owners: dict[int, int] = {}
    for target in targets:
        if target in owners:
            continue
        owners[target] = target
        pending = [target]
        while pending:
            node = pending.pop()
            for needed in graph.prerequisites[node]:
                if needed not in owners:
                    owners[needed] = target
                    pending.append(needed)
            for part in graph.parts[node]:
                if part not in owners:
                    owners[part] = target
                    pending.append(part)
    return owners


def _path(owners: Mapping[int, int], mastered: set[int]) -> list[int]:
    # Indices are a topological order, so sorting them orders the path.
    return sorted(i for i in owners if i not in mastered)


def _frontier(graph: PlanningGraph, order: Iterable[int], mastered: set[int]) -> Iterator[int]:
    """The concepts of ``order``, in order, that are not mastered but ready to learn."""
    for i in order:
        if i not in mastered and all(p in mastered for p in graph.prerequisites[i]):
            yield i


def _pick(
    graph: PlanningGraph, frontier: Iterator[int], preferences: Preferences
) -> tuple[int, bool] | None:
    """The first frontier concept, or an interesting one just after it.

    Returns:
        The chosen concept and whether it matches an interest; None for an empty frontier.
    """
    window = list(islice(frontier, INTEREST_LOOKAHEAD if preferences.interests else 1))
    if not window:
        return None
    ids = {
        graph.index[i] for i in preferences.interests if isinstance(i, UUID) and i in graph.index
    }
    keywords = tuple(
        k.casefold() for k in preferences.interests if isinstance(k, str) and k.strip()
    )
    for i in window:
        if _interesting(graph, i, ids, keywords):
            return i, True
    return window[0], False


def _interesting(graph: PlanningGraph, i: int, ids: set[int], keywords: tuple[str, ...]) -> bool:
    """Whether the concept, or anything it is part of, matches an interest."""
    pending, seen = [i], {i}
    while pending:
        node = pending.pop()
        if node in ids or any(k in graph.folded_titles[node] for k in keywords):
            return True
        for whole in graph.wholes[node]:
            if whole not in seen:
                seen.add(whole)
                pending.append(whole)
    return False
