"""Planning: the next concept, learning paths, difficulty, and the compiled graph."""

from __future__ import annotations

import random
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import networkx as nx
import pytest

from tutor.graph.algorithms import edges_of_kind, to_networkx, topological_order
from tutor.graph.model import Concept, ConceptRole, Edge, EdgeKind, EdgeOrigin
from tutor.learner.planning import (
    LearnerState,
    Plan,
    PlanningGraph,
    PlanRules,
    Preferences,
    difficulty,
    learning_path,
    next_concept,
    plan_for,
)
from tutor.learner.reviews import new_card, review

OWNER = UUID(int=0)
NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
KNOWN = 0.99
"""A mastered concept's P(known)."""


class Notes:
    """A small concept graph named by keys, in the author's order of the keys.

    ``prerequisites`` are hard edges (a term the later concept uses), ``order`` the
    author's reading order (soft edges), ``parts`` part-of edges, all as ``a>b`` pairs.
    """

    def __init__(
        self,
        keys: str,
        prerequisites: str = "",
        parts: str = "",
        positions: dict[str, int] | None = None,
        *,
        order: str = "",
        roles: dict[str, ConceptRole] | None = None,
    ) -> None:
        self.concepts = {
            key: Concept(
                UUID(int=i + 1),
                OWNER,
                key,
                key.title(),
                "",
                2,
                (),
                (positions or {}).get(key, i),
                role=(roles or {}).get(key, "teachable"),
            )
            for i, key in enumerate(keys.split())
        }
        self.edges = (
            [self.edge(pair, "prerequisite", origin="term") for pair in prerequisites.split()]
            + [self.edge(pair, "prerequisite", origin="order") for pair in order.split()]
            + [self.edge(pair, "part_of", origin="heading") for pair in parts.split()]
        )
        self.graph = PlanningGraph.build(self.concepts.values(), self.edges)

    def edge(
        self, pair: str, kind: EdgeKind, weight: float = 1.0, origin: EdgeOrigin = "term"
    ) -> Edge:
        source, target = pair.split(">")
        return Edge(self.id(source), self.id(target), kind, weight, origin)

    def id(self, key: str) -> UUID:
        return self.concepts[key].id

    def ids(self, keys: str) -> list[UUID]:
        return [self.id(key) for key in keys.split()]

    def keys(self, ids: list[UUID]) -> str:
        by_id = {c.id: key for key, c in self.concepts.items()}
        return " ".join(by_id[i] for i in ids)

    def key(self, plan: Plan) -> str | None:
        return None if plan.concept_id is None else self.keys([plan.concept_id])

    def learner(
        self,
        mastered: str = "",
        *,
        mastery: dict[UUID, float] | None = None,
        attempts: dict[UUID, int] | None = None,
        introduced: AbstractSet[UUID] = frozenset(),
        due: dict[UUID, datetime] | None = None,
        recent_scores: tuple[float, ...] = (),
        scores: dict[str, tuple[float, ...]] | None = None,
        lessons: str = "",
    ) -> LearnerState:
        """A learner who has mastered the ``mastered`` keys, plus ``mastery``.

        ``scores`` are the latest exercise scores per key; ``lessons`` the keys of the
        latest lessons, oldest first.
        """
        known = {self.id(key): KNOWN for key in mastered.split()}
        return LearnerState(
            mastery=known | (mastery or {}),
            introduced=introduced,
            due=due or {},
            recent_scores=recent_scores,
            attempts={i: 3 for i in known} | (attempts or {}),
            concept_scores={self.id(k): s for k, s in (scores or {}).items()},
            recent_lessons=self.ids(lessons),
        )


RUST = Notes(
    "intro closures ownership borrowing lifetimes slices",
    prerequisites="intro>ownership ownership>borrowing borrowing>lifetimes ownership>slices",
)


def book(chapters: int, sections: int, front: int = 3) -> Notes:
    """A book as ingestion makes it: front matter, then chapters whose sections each
    follow the one before, chapters following each other, all in the author's order."""
    keys = [f"front{f}" for f in range(front)]
    order = [f"front{f}>front{f + 1}" for f in range(front - 1)]
    parts = []
    for c in range(chapters):
        keys.append(f"ch{c}")
        order.append(f"ch{c - 1}>ch{c}" if c else f"front{front - 1}>ch0")
        for s in range(sections):
            keys.append(f"ch{c}s{s}")
            parts.append(f"ch{c}s{s}>ch{c}")
            order.append(f"ch{c}s{s - 1}>ch{c}s{s}" if s else f"ch{c}>ch{c}s0")
    roles: dict[str, ConceptRole] = {f"front{f}": "front_matter" for f in range(front)}
    return Notes(" ".join(keys), order=" ".join(order), parts=" ".join(parts), roles=roles)


def walk(
    notes: Notes,
    turns: int,
    answer: float | None,
    *,
    targets: str = "",
    gain: float = 0.45,
) -> list[Plan]:
    """Plans a learner gets pressing Next ``turns`` times, answering one question a lesson.

    ``answer`` is the score of every answer (None: never answers); a right one raises
    P(known) by ``gain``, a wrong one leaves it.
    """
    mastery: dict[UUID, float] = {}
    attempts: dict[UUID, int] = {}
    scores: dict[UUID, list[float]] = {}
    lessons: list[UUID] = []
    plans = []
    for _ in range(turns):
        learner = LearnerState(
            mastery=mastery,
            introduced=set(attempts),
            attempts=attempts,
            concept_scores=scores,
            recent_lessons=lessons,
        )
        plan = next_concept(notes.graph, learner, now=NOW, targets=notes.ids(targets))
        plans.append(plan)
        if plan.concept_id is None:
            break
        lessons.append(plan.concept_id)
        if answer is not None:
            concept = plan.concept_id
            attempts[concept] = attempts.get(concept, 0) + 1
            scores.setdefault(concept, []).append(answer)
            mastery[concept] = min(1.0, mastery.get(concept, 0.0) + gain * (answer >= 0.8))
    return plans


def longest_run(plans: list[Plan]) -> int:
    longest = run = 0
    for before, plan in zip([None, *plans], plans, strict=False):
        run = run + 1 if before is not None and before.concept_id == plan.concept_id else 1
        longest = max(longest, run)
    return longest


# --- reviews -----------------------------------------------------------------------------


def test_a_due_review_comes_first_most_overdue_first() -> None:
    learner = RUST.learner(
        "intro ownership",
        due={
            RUST.id("intro"): NOW - timedelta(hours=1),
            RUST.id("ownership"): NOW - timedelta(days=2),
            RUST.id("closures"): NOW + timedelta(minutes=1),
            UUID(int=999): NOW - timedelta(days=30),
        },
    )
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert (plan.kind, plan.concept_id) == ("review", RUST.id("ownership"))
    assert plan.reason == "Review: Ownership is due"
    assert plan.difficulty == "challenge"


def test_reviews_due_at_the_same_time_follow_the_authors_order() -> None:
    due = {RUST.id(key): NOW for key in ("slices", "ownership", "intro")}
    plan = next_concept(RUST.graph, RUST.learner("intro ownership slices", due=due), now=NOW)
    assert plan.concept_id == RUST.id("intro")


def test_reviews_not_yet_due_wait() -> None:
    learner = RUST.learner("intro", due={RUST.id("intro"): NOW + timedelta(seconds=1)})
    assert next_concept(RUST.graph, learner, now=NOW).kind == "new"


@pytest.mark.parametrize("score", [0.0, 0.3, 0.6, 0.9, 1.0])
def test_a_first_attempt_is_not_due_for_review_the_same_day(score: float) -> None:
    _, due = review(new_card(NOW), score, 5.0, NOW)
    assert due >= NOW + timedelta(days=1)
    learner = RUST.learner(
        mastery={RUST.id("intro"): 0.3},
        attempts={RUST.id("intro"): 1},
        due={RUST.id("intro"): due},
        lessons="intro",
    )
    later = next_concept(RUST.graph, learner, now=NOW + timedelta(hours=6))
    assert later.kind != "review"


# --- teachable concepts --------------------------------------------------------------------


def test_only_teachable_concepts_are_ever_planned() -> None:
    notes = book(chapters=3, sections=2)
    roles = {c.id: c.role for c in notes.concepts.values()}
    due = {notes.id("front0"): NOW - timedelta(days=1)}
    first = next_concept(notes.graph, LearnerState(due=due), now=NOW)
    assert first.kind == "new" and notes.key(first) == "ch0"
    plans = walk(notes, 60, 1.0)
    taught = [p.concept_id for p in plans if p.concept_id is not None]
    assert {roles[c] for c in taught} == {"teachable"}
    assert set(taught) == {c.id for c in notes.concepts.values() if c.role == "teachable"}
    assert plans[-1].kind == "done"


def test_a_chapter_is_taught_through_its_teachable_parts() -> None:
    notes = Notes(
        "basics chapter s1 s2 recap",
        order="basics>chapter chapter>s1 s1>s2 s2>recap",
        parts="s1>chapter s2>chapter recap>chapter",
        roles={"chapter": "chapter", "recap": "navigation"},
    )
    target = notes.ids("chapter")
    assert notes.keys(learning_path(notes.graph, target, LearnerState())) == "s1 s2"
    plan = next_concept(notes.graph, LearnerState(), now=NOW, targets=target)
    assert notes.key(plan) == "s1" and plan.target == notes.id("chapter")
    assert plan.reason == "Toward your target Chapter: S1 (2 concepts left)"
    learner = notes.learner("s1 s2")
    assert next_concept(notes.graph, learner, now=NOW, targets=target).kind == "done"
    assert learning_path(notes.graph, target, learner) == []


def test_a_hard_edge_from_a_chapter_needs_its_parts() -> None:
    notes = Notes(
        "chapter s1 s2 later",
        prerequisites="chapter>later",
        parts="s1>chapter s2>chapter",
        roles={"chapter": "chapter"},
    )
    assert notes.keys(learning_path(notes.graph, notes.ids("later"), LearnerState())) == (
        "s1 s2 later"
    )
    learner = notes.learner("s1", lessons="s2 s2")
    # s2 just had two lessons; later is not ready without it, so s1 comes back as a review.
    plan = next_concept(notes.graph, learner, now=NOW)
    assert (notes.key(plan), plan.kind) == ("s1", "review")


def test_asking_for_a_chapter_teaches_its_first_part_not_yet_practised() -> None:
    notes = Notes(
        "title chapter s1 s2",
        parts="s1>chapter s2>chapter",
        roles={"title": "front_matter", "chapter": "chapter"},
    )
    plan = plan_for(notes.graph, notes.learner("s1"), notes.id("chapter"))
    assert notes.key(plan) == "s2" and plan.reason == "You asked: Chapter, starting with S2"
    plan = plan_for(notes.graph, LearnerState(), notes.id("title"))
    assert plan.kind == "done" and plan.concept_id is None
    assert (
        plan.reason == "Title is front matter in your notes, not a lesson: ask me about it instead"
    )
    with pytest.raises(KeyError):
        plan_for(notes.graph, LearnerState(), UUID(int=999))


# --- the frontier ------------------------------------------------------------------------


def test_the_first_concept_of_the_notes_comes_first() -> None:
    plan = next_concept(RUST.graph, RUST.learner(), now=NOW)
    assert (plan.kind, plan.concept_id) == ("new", RUST.id("intro"))
    assert plan.reason == "Next: Intro — next in your notes"
    assert plan.target is None


def test_the_frontier_respects_hard_prerequisites() -> None:
    learner = RUST.learner("intro closures", mastery={RUST.id("ownership"): 0.6})
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.concept_id == RUST.id("ownership")
    assert plan.reason == "Next: Ownership — you have practised what it builds on"
    # Lifetimes needs borrowing, which is not practised, even though it was attempted.
    learner = RUST.learner("intro closures ownership slices", mastery={RUST.id("lifetimes"): 0.5})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("borrowing")


def test_an_attempted_concept_is_continued() -> None:
    learner = RUST.learner("intro closures", introduced={RUST.id("ownership")})
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.kind == "continue"
    assert plan.reason == "Continue: Ownership — not practised enough yet to move on"


def test_everything_practised_is_done() -> None:
    plan = next_concept(RUST.graph, RUST.learner(" ".join(RUST.concepts)), now=NOW)
    assert plan.kind == "done"
    assert plan.concept_id is None and plan.difficulty is None
    assert plan.reason == "Done: you have practised every concept in your notes"


def test_the_mastery_threshold_is_the_callers() -> None:
    learner = RUST.learner(mastery={RUST.id("intro"): 0.85})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("intro")
    rules = PlanRules(mastered_from=0.8)
    assert next_concept(RUST.graph, learner, now=NOW, rules=rules).concept_id == RUST.id("closures")


def test_ties_in_the_authors_order_go_to_the_smaller_id_every_time() -> None:
    notes = Notes("b a c", positions={"a": 0, "b": 0, "c": 1})
    plans = {next_concept(notes.graph, notes.learner(), now=NOW) for _ in range(3)}
    assert len(plans) == 1
    assert plans.pop().concept_id == min(notes.id("a"), notes.id("b"), key=str)


# --- progress that moves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p_known", "attempts", "moved_on"),
    [(0.75, 2, True), (0.7, 5, True), (0.75, 1, False), (0.65, 6, False), (0.96, 1, True)],
)
def test_the_planner_moves_on_once_a_concept_is_practised(
    p_known: float, attempts: int, moved_on: bool
) -> None:
    intro = RUST.id("intro")
    learner = RUST.learner(mastery={intro: p_known}, attempts={intro: attempts})
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert (plan.concept_id != intro) is moved_on


def test_moving_on_is_the_callers_setting() -> None:
    intro = RUST.id("intro")
    learner = RUST.learner(mastery={intro: 0.6}, attempts={intro: 2})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == intro
    rules = PlanRules(move_on_p_known=0.5, move_on_attempts=2)
    assert next_concept(RUST.graph, learner, now=NOW, rules=rules).concept_id != intro
    stricter = PlanRules(move_on_p_known=0.5, move_on_attempts=3)
    assert next_concept(RUST.graph, learner, now=NOW, rules=stricter).concept_id == intro


def test_a_concept_known_but_not_explained_back_does_not_hold_the_learner() -> None:
    # Known well past moving on but short of mastery (which may also want an explain-back):
    # the next concept comes, and the learning path no longer counts it.
    intro = RUST.id("intro")
    learner = RUST.learner(mastery={intro: 0.9}, attempts={intro: 4})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("closures")
    assert RUST.keys(learning_path(RUST.graph, RUST.ids("ownership"), learner)) == "ownership"


def test_a_learner_who_answers_well_moves_through_the_notes() -> None:
    notes = book(chapters=4, sections=4)
    plans = walk(notes, 30, 1.0)
    taught = [p.concept_id for p in plans if p.concept_id is not None]
    assert longest_run(plans) <= 2
    assert len(set(taught)) >= 12
    positions = [notes.graph.positions[notes.graph.index[c]] for c in dict.fromkeys(taught)]
    assert positions == sorted(positions), "new concepts come in the author's order"


# --- never more than two in a row ----------------------------------------------------------


def test_no_concept_gets_a_third_lesson_in_a_row() -> None:
    intro = RUST.id("intro")
    learner = RUST.learner(mastery={intro: 0.4}, attempts={intro: 2}, lessons="intro intro")
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.concept_id == RUST.id("closures")
    assert plan.reason == "Next: Closures — a change after two lessons on Intro"
    once = RUST.learner(mastery={intro: 0.4}, attempts={intro: 2}, lessons="closures intro")
    assert next_concept(RUST.graph, once, now=NOW).concept_id == intro


def test_a_concept_asked_for_is_taught_however_many_lessons_it_had() -> None:
    learner = RUST.learner(lessons="intro intro intro")
    plan = plan_for(RUST.graph, learner, RUST.id("intro"))
    assert plan.concept_id == RUST.id("intro") and plan.reason == "You asked: Intro"


def test_a_due_review_waits_after_two_lessons_in_a_row_on_its_concept() -> None:
    due = {RUST.id("intro"): NOW - timedelta(days=1), RUST.id("closures"): NOW}
    learner = RUST.learner("intro closures", due=due, lessons="intro intro")
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert (plan.kind, plan.concept_id) == ("review", RUST.id("closures"))


def test_a_learner_who_never_answers_is_not_kept_on_one_concept() -> None:
    plans = walk(book(chapters=2, sections=3), 12, None)
    assert longest_run(plans) <= 2
    assert len({p.concept_id for p in plans}) >= 2


def test_with_one_concept_left_a_practised_one_is_reviewed_between_its_lessons() -> None:
    notes = Notes("a b", prerequisites="a>b")
    learner = notes.learner("a", mastery={notes.id("b"): 0.3}, lessons="b b")
    plan = next_concept(notes.graph, learner, now=NOW)
    assert (notes.key(plan), plan.kind) == ("a", "review")
    assert plan.reason == "Review: A — a change after two lessons on B"
    alone = Notes("only")
    plan = next_concept(alone.graph, alone.learner(lessons="only only"), now=NOW)
    assert alone.key(plan) == "only"
    assert plan.reason == "Only again — nothing else in your notes is ready yet"


# --- a learner who keeps missing ------------------------------------------------------------


def test_a_missed_concept_comes_again_one_level_easier() -> None:
    ownership = RUST.id("ownership")
    learner = RUST.learner(
        "intro closures",
        mastery={ownership: 0.8},
        attempts={ownership: 3},
        scores={"ownership": (1.0, 0.2, 0.1)},
        lessons="ownership",
    )
    normal = next_concept(
        RUST.graph, RUST.learner("intro closures", mastery={ownership: 0.8}), now=NOW
    )
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert (plan.concept_id, plan.kind) == (ownership, "continue")
    assert plan.reason == "Easier: Ownership — you missed the last two questions"
    assert (normal.difficulty, plan.difficulty) == ("challenge", "practice")


def test_after_two_missed_lessons_the_learner_goes_back_to_what_it_builds_on() -> None:
    learner = RUST.learner(
        "intro closures ownership",
        scores={"borrowing": (0.0, 0.1, 0.0)},
        attempts={RUST.id("borrowing"): 3},
        lessons="borrowing borrowing",
    )
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert (plan.concept_id, plan.kind) == (RUST.id("ownership"), "review")
    assert plan.reason == "Back to Ownership, which Borrowing builds on"


def test_without_a_prerequisite_the_learner_goes_back_one_step_in_the_notes() -> None:
    notes = Notes("one two three", order="one>two two>three")
    learner = notes.learner("one", scores={"two": (0.2, 0.0)}, lessons="two two")
    plan = next_concept(notes.graph, learner, now=NOW)
    assert (notes.key(plan), plan.kind) == ("one", "review")
    assert plan.reason == "Back to One, just before Two in your notes"


def struggle(notes: Notes, practised: str, turns: int, *, misses_reviews: bool) -> list[Plan]:
    """Plans for a learner who misses every question from the first concept not practised
    on (and, with ``misses_reviews``, on the practised ones too)."""
    mastery = {notes.id(k): KNOWN for k in practised.split()}
    attempts = {i: 3 for i in mastery}
    scores: dict[UUID, list[float]] = {}
    lessons: list[UUID] = []
    plans = []
    for _ in range(turns):
        learner = LearnerState(
            mastery=mastery,
            attempts=attempts,
            concept_scores=scores,
            recent_lessons=lessons,
            introduced=set(attempts),
        )
        plan = next_concept(notes.graph, learner, now=NOW)
        assert plan.concept_id is not None
        plans.append(plan)
        lessons.append(plan.concept_id)
        missed = misses_reviews or plan.concept_id not in mastery
        scores.setdefault(plan.concept_id, []).append(0.0 if missed else 1.0)
        attempts[plan.concept_id] = attempts.get(plan.concept_id, 0) + 1
    return plans


def test_a_struggling_learner_is_never_moved_past_a_missed_concept() -> None:
    notes = book(chapters=3, sections=4)
    missed = notes.graph.index[notes.id("ch0s2")]
    plans = struggle(notes, "ch0 ch0s0 ch0s1", 30, misses_reviews=False)
    taught = [notes.graph.index[p.concept_id] for p in plans if p.concept_id is not None]
    assert max(notes.graph.positions[i] for i in taught) == notes.graph.positions[missed]
    assert longest_run(plans) <= 2
    assert taught.count(missed) == 20, "two lessons on it for each step back"
    reasons = {p.reason for p in plans}
    assert reasons >= {
        "Easier: Ch0S2 — you missed the last two questions",
        "Back to Ch0S1, just before Ch0S2 in your notes",
    }


def test_a_learner_who_misses_everything_goes_back_not_forward() -> None:
    notes = book(chapters=3, sections=4)
    start = notes.graph.positions[notes.graph.index[notes.id("ch1s1")]]
    plans = struggle(notes, "ch0 ch0s0 ch0s1 ch0s2 ch0s3 ch1 ch1s0", 30, misses_reviews=True)
    places = [notes.graph.positions[notes.graph.index[p.concept_id]] for p in plans if p.concept_id]
    assert max(places) == start
    assert min(places) < start, "what it builds on, missed too, is learned again"


def test_a_missed_first_concept_is_paused_not_repeated_or_passed() -> None:
    notes = Notes("first second", order="first>second")
    once = notes.learner(scores={"first": (0.0, 0.0)}, lessons="second first")
    assert next_concept(notes.graph, once, now=NOW).reason.startswith("Easier: First")
    learner = notes.learner(scores={"first": (0.0, 0.0)}, lessons="first first")
    plan = next_concept(notes.graph, learner, now=NOW)
    assert (plan.kind, plan.concept_id) == ("done", None)
    assert plan.reason == (
        "Pause on First: you missed the last two questions and nothing in your notes comes "
        "before it; ask me about it, or ask for it by name to go over it again"
    )
    assert plan_for(notes.graph, learner, notes.id("first")).concept_id == notes.id("first")


def test_an_interest_never_jumps_over_a_missed_concept() -> None:
    notes = Notes("one two three")
    learner = notes.learner(scores={"one": (0.1, 0.1)}, lessons="one")
    interests = Preferences(interests=frozenset({"two"}))
    plan = next_concept(notes.graph, learner, now=NOW, preferences=interests)
    assert notes.key(plan) == "one"


def test_a_retry_that_is_right_ends_the_struggle() -> None:
    learner = RUST.learner(scores={"intro": (0.0, 0.0, 0.9)}, lessons="intro")
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.concept_id == RUST.id("intro") and not plan.reason.startswith("Easier")


# --- interests ---------------------------------------------------------------------------


def test_an_interest_jumps_a_little_ahead_of_the_authors_order() -> None:
    notes = Notes("one two three four five")
    plan = next_concept(
        notes.graph,
        notes.learner(),
        now=NOW,
        preferences=Preferences(interests=frozenset({"THREE"})),
    )
    assert plan.concept_id == notes.id("three")
    assert plan.reason.endswith("and it matches your interests")
    far = Preferences(interests=frozenset({notes.id("four")}))
    assert next_concept(notes.graph, notes.learner(), now=NOW, preferences=far).concept_id == (
        notes.id("one")
    )


def test_an_interest_in_a_whole_covers_its_parts() -> None:
    notes = Notes("basics traits generics", parts="generics>traits")
    interests = Preferences(interests=frozenset({notes.id("traits")}))
    plan = next_concept(notes.graph, notes.learner("basics traits"), now=NOW)
    assert plan.concept_id == notes.id("generics")
    plan = next_concept(notes.graph, notes.learner(), now=NOW, preferences=interests)
    assert plan.concept_id == notes.id("traits")
    keyword = Preferences(interests=frozenset({"trait"}))
    plan = next_concept(notes.graph, notes.learner("traits"), now=NOW, preferences=keyword)
    assert plan.concept_id == notes.id("generics")


# --- targets -----------------------------------------------------------------------------


def test_targets_restrict_the_plan_to_their_closure() -> None:
    learner = RUST.learner("intro")
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("closures")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=RUST.ids("lifetimes"))
    assert plan.concept_id == RUST.id("ownership")
    assert plan.target == RUST.id("lifetimes")
    assert plan.reason == "Toward your target Lifetimes: Ownership (3 concepts left)"


def test_a_target_whose_prerequisites_are_practised_is_next() -> None:
    learner = RUST.learner("intro ownership borrowing")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=RUST.ids("lifetimes slices"))
    assert plan.concept_id == RUST.id("lifetimes")
    assert plan.reason == "Your target Lifetimes: you have practised what it builds on"


def test_practised_targets_are_done() -> None:
    learner = RUST.learner("intro ownership slices")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=RUST.ids("slices"))
    assert plan.kind == "done"
    assert plan.reason == "Done: you have practised your targets (Slices)"


def test_unknown_targets_are_ignored() -> None:
    learner = RUST.learner("intro")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=[UUID(int=999)])
    assert plan.concept_id == RUST.id("closures")


def test_a_target_with_no_prerequisites_says_so() -> None:
    plan = next_concept(RUST.graph, RUST.learner(), now=NOW, targets=RUST.ids("closures"))
    assert plan.reason == "Your target Closures: you are ready for it"
    assert plan.target == RUST.id("closures")


# --- learning paths ----------------------------------------------------------------------


def test_a_path_through_the_reading_order_is_not_the_whole_book_before_it() -> None:
    notes = book(chapters=10, sections=10)
    path = learning_path(notes.graph, notes.ids("ch5s0"), LearnerState())
    assert notes.keys(path) == "ch5 ch5s0"
    path = learning_path(notes.graph, notes.ids("ch5s3"), LearnerState())
    assert notes.keys(path) == "ch5 ch5s0 ch5s1 ch5s2 ch5s3"
    plan = next_concept(notes.graph, LearnerState(), now=NOW, targets=notes.ids("ch5s3"))
    assert notes.key(plan) == "ch5"


def test_a_path_holds_what_terms_bring_in_and_what_those_need() -> None:
    notes = book(chapters=6, sections=4)
    terms = [
        notes.edge("ch2s3>ch5s0", "prerequisite"),
        notes.edge("ch1s1>ch2s3", "prerequisite"),
        notes.edge("ch0s2>ch4s1", "prerequisite"),  # for another concept: stays out
    ]
    graph = PlanningGraph.build(notes.concepts.values(), notes.edges + terms)
    path = learning_path(graph, notes.ids("ch5s0"), LearnerState())
    assert notes.keys(path) == "ch1s1 ch2s3 ch5 ch5s0"
    learner = notes.learner("ch1s1")
    assert notes.keys(learning_path(graph, notes.ids("ch5s0"), learner)) == "ch2s3 ch5 ch5s0"
    plan = next_concept(graph, learner, now=NOW, targets=notes.ids("ch5s0"))
    assert notes.key(plan) == "ch2s3"
    assert plan.reason == "Toward your target Ch5S0: Ch2S3 (3 concepts left)"


def test_learning_path_is_topological_and_leaves_out_what_is_practised() -> None:
    learner = RUST.learner("ownership")
    path = learning_path(RUST.graph, RUST.ids("lifetimes slices"), learner)
    # Ownership is practised, so what it builds on is not needed again.
    assert RUST.keys(path) == "borrowing lifetimes slices"
    assert (
        learning_path(RUST.graph, RUST.ids("slices"), RUST.learner(" ".join(RUST.concepts))) == []
    )


def test_learning_path_puts_prerequisites_before_the_authors_order() -> None:
    notes = Notes("late early later", prerequisites="early>late")
    path = learning_path(notes.graph, notes.ids("late later"), LearnerState())
    assert notes.keys(path) == "early late later"


def test_learning_path_includes_the_parts_of_a_whole() -> None:
    notes = Notes(
        "chapter section1 section2 basics",
        prerequisites="basics>section2",
        parts="section1>chapter section2>chapter",
        positions={"basics": -1},
    )
    path = learning_path(notes.graph, notes.ids("chapter"), notes.learner("section1"))
    assert notes.keys(path) == "basics chapter section2"


@pytest.mark.parametrize("seed", range(5))
def test_learning_path_agrees_with_the_graph_algorithms(seed: int) -> None:
    rng = random.Random(seed)
    n = 40
    keys = " ".join(f"k{i}" for i in range(n))
    order = list(range(n))
    rng.shuffle(order)
    pairs = {(rng.randrange(n), rng.randrange(n)) for _ in range(60)}
    edges = " ".join(f"k{min(a, b)}>k{max(a, b)}" for a, b in pairs if a != b)
    notes = Notes(keys, prerequisites=edges, positions={f"k{i}": order[i] for i in range(n)})
    mastery = {notes.id(f"k{i}"): rng.choice([0.1, KNOWN]) for i in range(n)}
    targets = notes.ids(" ".join(f"k{rng.randrange(n)}" for _ in range(3)))
    open_targets = {t for t in targets if mastery[t] < 0.95}

    graph = to_networkx(notes.concepts.values(), notes.edges)
    # What is still to learn: the open targets and what they need, back to what is known.
    unknown = edges_of_kind(graph, "prerequisite").subgraph([c for c in graph if mastery[c] < 0.95])
    needed = set(open_targets).union(*(nx.ancestors(unknown, t) for t in open_targets))
    expected = topological_order(graph, needed)
    assert learning_path(notes.graph, targets, LearnerState(mastery=mastery)) == expected


# --- the compiled graph ----------------------------------------------------------------------


def test_prerequisite_cycles_are_broken_at_the_weakest_edge() -> None:
    notes = Notes("a b c")
    edges = [
        notes.edge("a>b", "prerequisite", 0.9),
        notes.edge("b>a", "prerequisite", 0.3),
        notes.edge("b>c", "prerequisite", 0.8),
    ]
    graph = PlanningGraph.build(notes.concepts.values(), edges)
    assert graph.broken_edges == ((notes.id("b"), notes.id("a")),)
    assert notes.keys(learning_path(graph, notes.ids("c"), LearnerState())) == "a b c"


def test_the_authors_order_gives_way_to_a_hard_edge_against_it() -> None:
    notes = Notes("a b c")
    edges = [
        notes.edge("a>b", "prerequisite", 0.9, origin="order"),
        notes.edge("b>c", "prerequisite", 0.9, origin="order"),
        notes.edge("c>a", "prerequisite", 0.5, origin="link"),
    ]
    graph = PlanningGraph.build(notes.concepts.values(), edges)
    assert graph.broken_edges == ((notes.id("a"), notes.id("b")),)
    assert [notes.keys([graph.ids[i]]) for i in range(3)] == ["b", "c", "a"]
    assert notes.keys(learning_path(graph, notes.ids("a"), LearnerState())) == "c a"


def test_a_section_linking_to_its_own_chapter_is_not_held_back_by_it() -> None:
    notes = Notes(
        "chapter s1 s2",
        prerequisites="chapter>s1",
        parts="s1>chapter s2>chapter",
        roles={"chapter": "chapter"},
    )
    assert notes.graph.needs[notes.graph.index[notes.id("s1")]] == ()
    plans = walk(notes, 6, 1.0)
    assert [notes.key(p) for p in plans[:4]] == ["s1", "s1", "s2", "s2"]


# --- difficulty --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p_known, recent, bias, expected",
    [
        (0.1, [], 0.0, "intro"),
        (0.5, [], 0.0, "practice"),
        (0.8, [], 0.0, "challenge"),
        (0.1, [1.0, 1.0, 1.0], 0.0, "practice"),
        (0.1, [0.0, 1.0, 0.9, 0.8], 0.0, "practice"),
        (0.1, [1.0, 0.7, 1.0], 0.0, "intro"),
        (0.5, [1.0, 1.0, 1.0], 0.0, "challenge"),
        (0.8, [1.0, 1.0, 1.0], 0.0, "challenge"),
        (0.5, [0.2, 0.4], 0.0, "intro"),
        (0.8, [1.0, 0.0, 0.3], 0.0, "practice"),
        (0.8, [0.0, 0.4, 0.6], 0.0, "challenge"),
        (0.1, [0.0, 0.0], 0.0, "intro"),
        (0.3, [], 0.5, "practice"),
        (0.45, [], 1.0, "challenge"),
        (0.75, [], -1.0, "practice"),
        (0.4, [], -1.0, "intro"),
        (0.5, [1.0, 1.0, 1.0], -1.0, "practice"),
    ],
)
def test_difficulty_transitions(
    p_known: float, recent: list[float], bias: float, expected: str
) -> None:
    assert difficulty(p_known, recent, bias) == expected


def test_a_plan_is_pitched_from_mastery_streak_and_bias() -> None:
    learner = RUST.learner(mastery={RUST.id("intro"): 0.5}, recent_scores=(1.0, 1.0, 1.0))
    assert next_concept(RUST.graph, learner, now=NOW).difficulty == "challenge"
    gentle = Preferences(difficulty_bias=-1.0)
    assert next_concept(RUST.graph, learner, now=NOW, preferences=gentle).difficulty == "practice"


def test_a_bias_outside_its_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Preferences(difficulty_bias=1.5)


@pytest.mark.parametrize(
    "values",
    [
        {"move_on_p_known": 1.5},
        {"move_on_attempts": -1},
        {"mastered_from": 0.0},
        {"max_run": 0},
        {"misses_to_ease": 0},
    ],
)
def test_rules_outside_their_range_are_refused(values: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PlanRules(**values)
