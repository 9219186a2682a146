"""What a learner should study next, and the path to the concepts they aim for.

Everything here is a pure function of a :class:`PlanningGraph` (built once per version of
an owner's concept graph) and the learner's state, fast enough to run on every message.

Only ``teachable`` concepts are planned: front and back matter, navigation and chapters
never are (a chapter stands for its teachable parts). A concept is *practised* once the
learner has shown enough to move on (:class:`PlanRules`: P(known) at least
``move_on_p_known`` after at least ``move_on_attempts`` graded attempts, or P(known) at
the mastery threshold). Mastery may ask for more, a passed explain-back, but planning
never waits for it. Hard prerequisites (:attr:`PlanningGraph.needs`) must be practised
first; the author's order only orders.

:func:`next_concept` decides, in this order:

1. a due review, the most overdue first;
2. else the *frontier* concept: the first concept on the :func:`learning_path` to the
   targets (or, without targets, in the author's order) not yet practised whose hard
   prerequisites are practised.

   - A learner who keeps missing it (the last ``misses_to_ease`` graded answers on it
     below :data:`MISS_BELOW`) gets it again one level easier; after ``max_run`` lessons
     of it in a row, the concept it builds on (its closest hard prerequisite, else the
     nearest earlier concept in the author's order that is ready), then it again. A
     concept the learner keeps missing is never left for later material; when nothing
     comes before it, the plan is a pause (``"done"``) that invites questions instead.
   - Otherwise interests break near-ties: among the first :data:`INTEREST_LOOKAHEAD`
     frontier concepts, the first that matches an interest wins;
3. else nothing is left: a plan of kind ``"done"``.

No concept is served more than ``max_run`` lessons in a row (the concepts of the latest
lessons are in :attr:`LearnerState.recent_lessons`), unless the learner asks for it:
:func:`plan_for` plans the concept asked for.

:func:`learning_path` is the hard-prerequisite closure of the targets: each target, its
teachable parts, and the author's order leading to it within its own chapter (its
earlier siblings and the chapter's own text), then their hard prerequisites,
transitively; less what is practised, in the graph's topological order. Nothing before
the target's chapter comes in unless a hard prerequisite brings it.
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
    "PlanRules",
    "PlanningGraph",
    "Preferences",
    "difficulty",
    "learning_path",
    "next_concept",
    "plan_for",
]

Difficulty = Literal["intro", "practice", "challenge"]
PlanKind = Literal["review", "new", "continue", "done"]
"""``new``: never attempted; ``continue``: attempted, not yet practised (or asked for);
``review``: due, or a step back to what a missed concept builds on; ``done``: no lesson
now (everything is practised, or a pause the reason explains)."""

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
_ROLE_NAMES = {
    "chapter": "a chapter heading",
    "front_matter": "front matter",
    "back_matter": "back matter",
    "navigation": "a list of links",
}
_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True, slots=True)
class PlanRules:
    """When the planner moves on from a concept, and how it keeps from going in circles."""

    mastered_from: float = MASTERY_THRESHOLD
    """P(known) from which a concept is known, however few the attempts."""
    move_on_p_known: float = 0.7
    """P(known) from which a concept is practised, given enough attempts."""
    move_on_attempts: int = 2
    """Graded attempts a concept needs before P(known) alone moves the learner on."""
    max_run: int = 2
    """Lessons in a row on one concept, unless the learner asks for it."""
    misses_to_ease: int = 2
    """Misses in a row on a concept from which the learner is taken more gently."""

    def __post_init__(self) -> None:
        if not 0.0 < self.mastered_from <= 1.0:
            raise ValueError(f"mastered_from must be in (0, 1], got {self.mastered_from}")
        if not 0.0 <= self.move_on_p_known <= 1.0:
            raise ValueError(f"move_on_p_known must be in [0, 1], got {self.move_on_p_known}")
        if self.move_on_attempts < 0:
            raise ValueError(f"move_on_attempts must be >= 0, got {self.move_on_attempts}")
        if self.max_run < 1 or self.misses_to_ease < 1:
            raise ValueError("max_run and misses_to_ease must be at least 1")


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
    attempts: Mapping[UUID, int] = field(default_factory=dict)
    """Graded attempts per concept; a concept missing here has none."""
    concept_scores: Mapping[UUID, Sequence[float]] = field(default_factory=dict)
    """The latest exercise scores on each concept, oldest first."""
    recent_lessons: Sequence[UUID] = ()
    """The concepts of the latest lessons, oldest first."""


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
    learner: LearnerState,
    *,
    rules: PlanRules = PlanRules(),
) -> list[UUID]:
    """The teachable concepts still to practise on the way to ``targets``, in order.

    Targets that are not in the graph, or already practised, are ignored.
    """
    practised = _practised(graph, learner, rules)
    known = [graph.index[t] for t in targets if t in graph.index]
    return [graph.ids[i] for i in sorted(_closure(graph, known, practised))]


def next_concept(
    graph: PlanningGraph,
    learner: LearnerState,
    *,
    now: datetime,
    targets: Sequence[UUID] = (),
    preferences: Preferences = Preferences(),
    rules: PlanRules = PlanRules(),
) -> Plan:
    """The learner's next step: a due review, a frontier concept, or ``"done"``.

    Args:
        graph: The owner's compiled concept graph.
        learner: The learner's mastery, attempts, reviews, scores and latest lessons.
        now: The current time, to tell which reviews are due.
        targets: Concepts the learner aims for; unknown ones are ignored, and with none
            left the whole graph is the aim.
        preferences: Difficulty bias and interests.
        rules: When a concept is practised, and how many lessons in a row it may have.
    """
    step = _Step(graph, learner, preferences, rules)
    review = _most_overdue(graph, learner.due, now, step.tired)
    if review is not None:
        return step.plan(review, "review", f"Review: {graph.titles[review]} is due")
    known = [graph.index[t] for t in targets if t in graph.index]
    if not known:
        frontier = _frontier(graph, graph.reading_order, step.practised)
        return step.from_frontier(frontier, None) or Plan(
            "done", None, None, "Done: you have practised every concept in your notes"
        )
    owners = _closure(graph, known, step.practised)
    frontier = _frontier(graph, sorted(owners), step.practised)
    plan = step.from_frontier(frontier, (owners, set(known)))
    if plan is not None:
        return plan
    titles = ", ".join(dict.fromkeys(graph.titles[i] for i in known))
    return Plan("done", None, None, f"Done: you have practised your targets ({titles})")


def plan_for(
    graph: PlanningGraph,
    learner: LearnerState,
    concept_id: UUID,
    *,
    preferences: Preferences = Preferences(),
    rules: PlanRules = PlanRules(),
) -> Plan:
    """A step on the concept the learner asked for, however many lessons it just had.

    A chapter is taught through its first teachable part not yet practised; a concept
    with nothing to teach (front matter, a list of links) gives a ``"done"`` plan that
    says so.

    Raises:
        KeyError: ``concept_id`` is not in the graph.
    """
    asked = graph.index[concept_id]
    step = _Step(graph, learner, preferences, rules)
    title = graph.titles[asked]
    if graph.teachable[asked]:
        return step.plan(asked, step.kind(asked), f"You asked: {title}", eased=step.failing(asked))
    parts = graph.teachable_parts(asked)
    if not parts:
        role = _ROLE_NAMES.get(graph.roles[asked], "not teachable")
        reason = f"{title} is {role} in your notes, not a lesson: ask me about it instead"
        return Plan("done", None, None, reason)
    chosen = next((p for p in parts if p not in step.practised), parts[0])
    reason = f"You asked: {title}, starting with {graph.titles[chosen]}"
    return step.plan(chosen, step.kind(chosen), reason, eased=step.failing(chosen))


class _Step:
    """One planning decision: the learner's state read once, and the plans it can give."""

    def __init__(
        self,
        graph: PlanningGraph,
        learner: LearnerState,
        preferences: Preferences,
        rules: PlanRules,
    ) -> None:
        self.graph = graph
        self.learner = learner
        self.preferences = preferences
        self.rules = rules
        self.practised = _practised(graph, learner, rules)
        self.tired = _tired(graph, learner.recent_lessons, rules.max_run)
        """The concept that just had ``max_run`` lessons in a row, if any."""

    def from_frontier(
        self, frontier: Iterator[int], toward: tuple[dict[int, int], set[int]] | None
    ) -> Plan | None:
        """The step the frontier gives; None when it is empty.

        Args:
            frontier: Ready concepts, in order.
            toward: With targets, each path concept's target, and the targets.
        """
        graph = self.graph
        first = next(frontier, None)
        if first is None:
            return None
        if self.failing(first):
            return self.struggle(first)
        window = list(
            islice(
                (i for i in _chain_one(first, frontier) if i != self.tired),
                INTEREST_LOOKAHEAD if self.preferences.interests else 1,
            )
        )
        if not window:
            return self.instead_of_tired(first)
        chosen, interesting = _pick(graph, window, self.preferences)
        if self.failing(chosen):
            return self.struggle(chosen)
        kind = self.kind(chosen)
        title = graph.titles[chosen]
        if first == self.tired and chosen != first:
            why = f"a change after {self.run_words} lessons on {graph.titles[first]}"
        elif toward is None and kind == "continue":
            why = "not practised enough yet to move on"
        elif toward is None:
            why = self.readiness(chosen, "next in your notes")
        else:
            owners, targets = toward
            if chosen in targets:
                reason = f"Your target {title}: {self.readiness(chosen, 'you are ready for it')}"
                return self.plan(chosen, kind, reason, target=chosen)
            left = len(owners)
            target = owners[chosen]
            reason = (
                f"Toward your target {graph.titles[target]}: {title} "
                f"({left} concept{'s' if left > 1 else ''} left)"
            )
            return self.plan(chosen, kind, reason, target=target)
        if interesting:
            why += ", and it matches your interests"
        lead = "Continue" if kind == "continue" else "Next"
        target_of = None if toward is None else toward[0].get(chosen)
        return self.plan(chosen, kind, f"{lead}: {title} — {why}", target=target_of)

    def struggle(self, missed: int) -> Plan:
        """A step for a concept the learner keeps missing: gentler, or what it builds on."""
        graph = self.graph
        title = graph.titles[missed]
        missed_words = f"you missed the last {self.misses_words(missed)} questions"
        if missed != self.tired:
            return self.plan(missed, "continue", f"Easier: {title} — {missed_words}", eased=True)
        back = self.builds_on(missed)
        if back is None:
            # Nothing comes before it, and a third lesson in a row would only repeat: the
            # learner is asked to say what is unclear, or to ask for it again.
            reason = (
                f"Pause on {title}: {missed_words} and nothing in your notes comes before it; "
                "ask me about it, or ask for it by name to go over it again"
            )
            return Plan("done", None, None, reason)
        before, hard = back
        why = f"which {title} builds on" if hard else f"just before {title} in your notes"
        kind: PlanKind = "review" if before in self.practised else self.kind(before)
        return self.plan(before, kind, f"Back to {graph.titles[before]}, {why}")

    def builds_on(self, missed: int) -> tuple[int, bool] | None:
        """What to step back to from a missed concept, and whether it is a prerequisite.

        Its closest hard prerequisite; else the nearest earlier concept in the author's
        order whose own prerequisites are practised.
        """
        needs = [n for n in self.graph.needs[missed] if n != self.tired]
        if needs:
            return max(needs), True
        graph = self.graph
        for rank in range(graph.reading_rank[missed] - 1, -1, -1):
            before = graph.reading_order[rank]
            if before != self.tired and all(n in self.practised for n in graph.needs[before]):
                return before, False
        return None

    def instead_of_tired(self, tired: int) -> Plan:
        """A step when the only ready concept just had its lessons in a row."""
        graph = self.graph
        change = f"a change after {self.run_words} lessons on {graph.titles[tired]}"
        due = self.learner.due
        earliest = min(
            (i for i in self.practised if i != tired),
            key=lambda i: (due.get(graph.ids[i]) is None, due.get(graph.ids[i]), i),
            default=None,
        )
        if earliest is not None:
            return self.plan(earliest, "review", f"Review: {graph.titles[earliest]} — {change}")
        reason = f"{graph.titles[tired]} again — nothing else in your notes is ready yet"
        return self.plan(tired, self.kind(tired), reason)

    def failing(self, i: int) -> bool:
        """Whether the learner's last few graded answers on ``i`` were all misses."""
        return _missing(self.learner.concept_scores.get(self.graph.ids[i], ()), self.rules)

    def misses_words(self, i: int) -> str:
        count = 0
        for score in reversed(self.learner.concept_scores.get(self.graph.ids[i], ())):
            if score >= MISS_BELOW:
                break
            count += 1
        return _COUNTS[count] if count < len(_COUNTS) else str(count)

    @property
    def run_words(self) -> str:
        run = self.rules.max_run
        return _COUNTS[run] if run < len(_COUNTS) else str(run)

    def readiness(self, i: int, otherwise: str) -> str:
        if self.graph.needs[i]:
            return "you have practised what it builds on"
        return otherwise

    def kind(self, i: int) -> PlanKind:
        return "continue" if self.graph.ids[i] in self.learner.introduced else "new"

    def plan(
        self,
        chosen: int,
        kind: PlanKind,
        reason: str,
        *,
        target: int | None = None,
        eased: bool = False,
    ) -> Plan:
        concept_id = self.graph.ids[chosen]
        level = difficulty(
            self.learner.mastery.get(concept_id, 0.0),
            self.learner.recent_scores,
            self.preferences.difficulty_bias,
        )
        if eased:
            level = _LEVELS[max(_LEVELS.index(level) - 1, 0)]
        return Plan(
            kind, concept_id, level, reason, None if target is None else self.graph.ids[target]
        )


def _chain_one(first: int, rest: Iterator[int]) -> Iterator[int]:
    yield first
    yield from rest


def _practised(graph: PlanningGraph, learner: LearnerState, rules: PlanRules) -> set[int]:
    """The teachable concepts the learner has shown enough on to move on from.

    A concept whose latest answers were all missed is not, whatever P(known) says: the
    learner is never moved past a concept they keep missing.
    """
    # Integer indices: UUID hashing is slow, and the scans below test membership a lot.
    practised = set()
    for concept_id, p_known in learner.mastery.items():
        if p_known < rules.move_on_p_known and p_known < rules.mastered_from:
            continue
        i = graph.index.get(concept_id)
        if i is None or not graph.teachable[i]:
            continue
        if (
            p_known >= rules.mastered_from
            or learner.attempts.get(concept_id, 0) >= rules.move_on_attempts
        ):
            practised.add(i)
    # Few concepts have recent scores: checking them afterwards spares a look-up per concept.
    for concept_id, scores in learner.concept_scores.items():
        if _missing(scores, rules):
            practised.discard(graph.index.get(concept_id, -1))
    return practised


def _missing(scores: Sequence[float], rules: PlanRules) -> bool:
    """Whether the latest ``misses_to_ease`` scores are all misses."""
    latest = scores[-rules.misses_to_ease :]
    return len(latest) >= rules.misses_to_ease and all(s < MISS_BELOW for s in latest)


def _tired(graph: PlanningGraph, recent: Sequence[UUID], max_run: int) -> int | None:
    """The concept of the last ``max_run`` lessons when they were all on it."""
    latest = recent[-max_run:]
    if len(latest) < max_run or any(c != latest[-1] for c in latest):
        return None
    return graph.index.get(latest[-1])


def _most_overdue(
    graph: PlanningGraph, due: Mapping[UUID, datetime], now: datetime, tired: int | None
) -> int | None:
    """The teachable concept whose review was due first; ties go to the author's order."""
    best: tuple[datetime, int, str] | None = None
    chosen: int | None = None
    for concept_id, when in due.items():
        i = graph.index.get(concept_id)
        if i is None or when > now or i == tired or not graph.teachable[i]:
            continue
        key = (when, graph.positions[i], str(concept_id))
        if best is None or key < best:
            best, chosen = key, i
    return chosen


def _closure(graph: PlanningGraph, targets: Sequence[int], practised: set[int]) -> dict[int, int]:
    """Each teachable concept still to practise for the targets, and its target.

    A concept's target is the first one (in order) that needs it.
    """
    owners: dict[int, int] = {}
    for target in sorted(set(targets)):
        if target in practised:
            continue
        seeds = [target] if graph.teachable[target] else []
        seeds += graph.teachable_parts(target)
        seeds += _chapter_lead(graph, target)
        pending = []
        for seed in seeds:
            if seed not in practised and seed not in owners:
                owners[seed] = target
                pending.append(seed)
        while pending:
            node = pending.pop()
            for needed in graph.needs[node]:
                if needed not in practised and needed not in owners:
                    owners[needed] = target
                    pending.append(needed)
    return owners


def _chapter_lead(graph: PlanningGraph, target: int) -> list[int]:
    """What leads to ``target`` within its chapter.

    That is the chapter's own text, when it is teachable, and the siblings the author put
    before the target, through soft edges.
    """
    chapter = set(graph.wholes[target])
    lead = [whole for whole in chapter if graph.teachable[whole]]
    seen = {target}
    pending = list(graph.follows[target])
    while pending:
        before = pending.pop()
        if before in seen or before in chapter:
            continue  # what the chapter itself follows lies before the chapter
        seen.add(before)
        if chapter.intersection(graph.wholes[before]):
            if graph.teachable[before]:
                lead.append(before)
            pending.extend(graph.follows[before])
    return lead


def _frontier(graph: PlanningGraph, order: Iterable[int], practised: set[int]) -> Iterator[int]:
    """The teachable concepts of ``order``, in order, not practised but ready to learn."""
    for i in order:
        if (
            i not in practised
            and graph.teachable[i]
            and all(n in practised for n in graph.needs[i])
        ):
            yield i


def _pick(graph: PlanningGraph, window: list[int], preferences: Preferences) -> tuple[int, bool]:
    """The first concept of the window, or an interesting one just after it.

    Returns:
        The chosen concept and whether it matches an interest.
    """
    if preferences.interests:
        ids = {
            graph.index[i]
            for i in preferences.interests
            if isinstance(i, UUID) and i in graph.index
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
