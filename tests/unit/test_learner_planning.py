"""Planning: the next concept, learning paths, difficulty, and the compiled graph."""

from __future__ import annotations

import random
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from tutor.graph.algorithms import prerequisite_closure, to_networkx, topological_order
from tutor.graph.model import Concept, Edge, EdgeKind
from tutor.learner.planning import (
    LearnerState,
    PlanningGraph,
    Preferences,
    difficulty,
    learning_path,
    next_concept,
)

OWNER = UUID(int=0)
NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
KNOWN = 0.99
"""A mastered concept's P(known)."""


class Notes:
    """A small concept graph named by keys, in the author's order of the keys."""

    def __init__(
        self,
        keys: str,
        prerequisites: str = "",
        parts: str = "",
        positions: dict[str, int] | None = None,
    ) -> None:
        self.concepts = {
            key: Concept(
                UUID(int=i + 1), OWNER, key, key.title(), "", 2, (), (positions or {}).get(key, i)
            )
            for i, key in enumerate(keys.split())
        }
        self.edges = [self.edge(pair, "prerequisite") for pair in prerequisites.split()] + [
            self.edge(pair, "part_of") for pair in parts.split()
        ]
        self.graph = PlanningGraph.build(self.concepts.values(), self.edges)

    def edge(self, pair: str, kind: EdgeKind, weight: float = 1.0) -> Edge:
        source, target = pair.split(">")
        return Edge(self.id(source), self.id(target), kind, weight, "order")

    def id(self, key: str) -> UUID:
        return self.concepts[key].id

    def ids(self, keys: str) -> list[UUID]:
        return [self.id(key) for key in keys.split()]

    def keys(self, ids: list[UUID]) -> str:
        by_id = {c.id: key for key, c in self.concepts.items()}
        return " ".join(by_id[i] for i in ids)

    def learner(
        self,
        mastered: str = "",
        *,
        mastery: dict[UUID, float] | None = None,
        introduced: AbstractSet[UUID] = frozenset(),
        due: dict[UUID, datetime] | None = None,
        recent_scores: tuple[float, ...] = (),
    ) -> LearnerState:
        """A learner who has mastered the ``mastered`` keys, plus ``mastery``."""
        return LearnerState(
            mastery={self.id(key): KNOWN for key in mastered.split()} | (mastery or {}),
            introduced=introduced,
            due=due or {},
            recent_scores=recent_scores,
        )


RUST = Notes(
    "intro closures ownership borrowing lifetimes slices",
    prerequisites="intro>ownership ownership>borrowing borrowing>lifetimes ownership>slices",
)


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


# --- the frontier ------------------------------------------------------------------------


def test_the_first_concept_of_the_notes_comes_first() -> None:
    plan = next_concept(RUST.graph, RUST.learner(), now=NOW)
    assert (plan.kind, plan.concept_id) == ("new", RUST.id("intro"))
    assert plan.reason == "Next: Intro — next in your notes"
    assert plan.target is None


def test_the_frontier_respects_prerequisites() -> None:
    learner = RUST.learner("intro closures", mastery={RUST.id("ownership"): 0.6})
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.concept_id == RUST.id("ownership")
    assert plan.reason == "Next: Ownership — its prerequisites are mastered"
    # Lifetimes needs borrowing, which is not mastered, even though it was attempted.
    learner = RUST.learner("intro closures ownership slices", mastery={RUST.id("lifetimes"): 0.5})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("borrowing")


def test_an_attempted_concept_is_continued() -> None:
    learner = RUST.learner("intro closures", introduced={RUST.id("ownership")})
    plan = next_concept(RUST.graph, learner, now=NOW)
    assert plan.kind == "continue"
    assert plan.reason == "Continue: Ownership — its prerequisites are mastered"


def test_everything_mastered_is_done() -> None:
    plan = next_concept(RUST.graph, RUST.learner(" ".join(RUST.concepts)), now=NOW)
    assert plan.kind == "done"
    assert plan.concept_id is None and plan.difficulty is None
    assert "mastered" in plan.reason


def test_the_mastery_threshold_is_the_callers() -> None:
    learner = RUST.learner(mastery={RUST.id("intro"): 0.85})
    assert next_concept(RUST.graph, learner, now=NOW).concept_id == RUST.id("intro")
    plan = next_concept(RUST.graph, learner, now=NOW, threshold=0.8)
    assert plan.concept_id == RUST.id("closures")


def test_ties_in_the_authors_order_go_to_the_smaller_id_every_time() -> None:
    notes = Notes("b a c", positions={"a": 0, "b": 0, "c": 1})
    plans = {next_concept(notes.graph, notes.learner(), now=NOW) for _ in range(3)}
    assert len(plans) == 1
    assert plans.pop().concept_id == min(notes.id("a"), notes.id("b"), key=str)


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


def test_a_target_whose_prerequisites_are_mastered_is_next() -> None:
    learner = RUST.learner("intro ownership borrowing")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=RUST.ids("lifetimes slices"))
    assert plan.concept_id == RUST.id("lifetimes")
    assert plan.reason == "Your target Lifetimes: its prerequisites are mastered"


def test_mastered_targets_are_done() -> None:
    learner = RUST.learner("intro ownership slices")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=RUST.ids("slices"))
    assert plan.kind == "done"
    assert plan.reason == "Done: your targets are mastered (Slices)"


def test_unknown_targets_are_ignored() -> None:
    learner = RUST.learner("intro")
    plan = next_concept(RUST.graph, learner, now=NOW, targets=[UUID(int=999)])
    assert plan.concept_id == RUST.id("closures")


# --- learning paths ----------------------------------------------------------------------


def test_learning_path_is_topological_and_leaves_out_what_is_mastered() -> None:
    mastery = {RUST.id("ownership"): KNOWN}
    path = learning_path(RUST.graph, RUST.ids("lifetimes slices"), mastery)
    assert RUST.keys(path) == "intro borrowing lifetimes slices"
    assert (
        learning_path(RUST.graph, RUST.ids("slices"), {RUST.id(k): KNOWN for k in RUST.concepts})
        == []
    )


def test_learning_path_puts_prerequisites_before_the_authors_order() -> None:
    notes = Notes("late early later", prerequisites="early>late")
    assert notes.keys(learning_path(notes.graph, notes.ids("late later"), {})) == "early late later"


def test_learning_path_includes_the_parts_of_a_whole() -> None:
    notes = Notes(
        "chapter section1 section2 basics",
        prerequisites="basics>section2",
        parts="section1>chapter section2>chapter",
        positions={"basics": -1},
    )
    path = learning_path(notes.graph, notes.ids("chapter"), {notes.id("section1"): KNOWN})
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
    open_targets = [t for t in targets if mastery[t] < 0.95]

    graph = to_networkx(notes.concepts.values(), notes.edges)
    expected = [
        c
        for c in topological_order(graph, prerequisite_closure(graph, open_targets))
        if mastery[c] < 0.95
    ]
    assert learning_path(notes.graph, targets, mastery) == expected


def test_prerequisite_cycles_are_broken_at_the_weakest_edge() -> None:
    notes = Notes("a b c")
    edges = [
        notes.edge("a>b", "prerequisite", 0.9),
        notes.edge("b>a", "prerequisite", 0.3),
        notes.edge("b>c", "prerequisite", 0.8),
    ]
    graph = PlanningGraph.build(notes.concepts.values(), edges)
    assert graph.broken_edges == ((notes.id("b"), notes.id("a")),)
    assert notes.keys(learning_path(graph, notes.ids("c"), {})) == "a b c"


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


def test_a_target_with_no_prerequisites_says_so() -> None:
    plan = next_concept(RUST.graph, RUST.learner(), now=NOW, targets=RUST.ids("closures"))
    assert plan.reason == "Your target Closures: nothing comes before it"
    assert plan.target == RUST.id("closures")
