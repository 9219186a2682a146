"""Benchmark of the learner planner on a large synthetic concept graph.

Builds a seeded graph the way ingestion makes one: front matter, then chapters (not taught
themselves) of sections joined by ``part_of``; the author's order as soft ``order`` edges
(each section after the one before, each chapter after the last); and local hard
``prerequisite`` edges (terms a later section uses), mostly recent. A learner works through
the notes (attempts simulated with BKT until each concept is mastered or given up on, the
last concept taught twice in a row), and ``next_concept`` and ``learning_path`` are timed.
Prints figures, then one JSON line.

    .venv/bin/python bench/planner.py [--concepts 10000] [--edges 30000] [--runs 200]
    .venv/bin/python bench/planner.py --smoke    # 200 concepts, 3 runs: about a second
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tutor.graph.model import HARD_ORIGINS, Concept, ConceptRole, Edge, EdgeKind, EdgeOrigin
from tutor.learner import (
    DEFAULT_PARAMS,
    BKTParams,
    LearnerState,
    PlanningGraph,
    Preferences,
    learning_path,
    mastered,
    next_concept,
    update,
)
from tutor.learner.simulate import simulate_sequence

OWNER = UUID(int=1)
FRONT_MATTER = 3
"""Concepts before the first chapter (title page, foreword, ...): never taught."""
SECTIONS_PER_CHAPTER = 25
"""A chapter concept and its 24 sections."""
MEAN_PREREQUISITE_SPAN = 40.0
"""Prerequisites are mostly recent: the distance back is exponential with this mean."""
MAX_ATTEMPTS_PER_CONCEPT = 8
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def synthetic_graph(
    n_concepts: int, n_edges: int, rng: random.Random
) -> tuple[list[Concept], list[Edge]]:
    def role(i: int) -> ConceptRole:
        if i < FRONT_MATTER:
            return "front_matter"
        return "chapter" if (i - FRONT_MATTER) % SECTIONS_PER_CHAPTER == 0 else "teachable"

    concepts = [
        Concept(
            UUID(int=rng.getrandbits(128)),
            OWNER,
            f"c{i}",
            f"Concept {i}",
            "",
            2,
            (),
            i,
            role=role(i),
        )
        for i in range(n_concepts)
    ]
    pairs: dict[tuple[int, int, EdgeKind], EdgeOrigin] = {}
    last_chapter = None
    for i in range(1, n_concepts):
        if len(pairs) >= n_edges:
            break
        chapter = i - (i - FRONT_MATTER) % SECTIONS_PER_CHAPTER if i >= FRONT_MATTER else None
        if chapter is None or chapter == i:
            # Front matter, then each chapter, after the one before.
            pairs[(last_chapter if last_chapter is not None else i - 1, i, "prerequisite")] = (
                "order"
            )
            last_chapter = i if chapter == i else last_chapter
            continue
        pairs[(i, chapter, "part_of")] = "heading"
        pairs[(i - 1, i, "prerequisite")] = "order"
    while len(pairs) < n_edges:
        after = rng.randrange(FRONT_MATTER + 1, n_concepts)
        span = 1 + int(rng.expovariate(1.0 / MEAN_PREREQUISITE_SPAN))
        pairs.setdefault((max(FRONT_MATTER, after - span), after, "prerequisite"), "term")
    edges = [
        Edge(concepts[a].id, concepts[b].id, kind, 1.0 if origin == "term" else 0.6, origin)
        for (a, b, kind), origin in sorted(pairs.items())
        if a != b
    ]
    return concepts, edges


def simulated_learner(
    concepts: list[Concept], attempts: int, truth: BKTParams, rng: random.Random
) -> LearnerState:
    """A learner who goes through the notes in order, tracing mastery with BKT."""
    mastery: dict[UUID, float] = {}
    counts: dict[UUID, int] = {}
    scores: dict[UUID, list[float]] = {}
    due: dict[UUID, datetime] = {}
    recent: list[float] = []
    left = attempts
    last = concepts[0].id
    for concept in concepts:
        if left <= 0:
            break
        if concept.role != "teachable":
            continue
        p_known = DEFAULT_PARAMS.prior
        for score in simulate_sequence(truth, min(MAX_ATTEMPTS_PER_CONCEPT, left), rng):
            p_known = update(p_known, score, DEFAULT_PARAMS)
            recent.append(score)
            scores.setdefault(concept.id, []).append(score)
            counts[concept.id] = counts.get(concept.id, 0) + 1
            left -= 1
            if mastered(p_known):
                break
        mastery[concept.id] = p_known
        last = concept.id
        # Reviews scheduled in the future: the planner must scan them, then plan ahead.
        due[concept.id] = NOW + timedelta(hours=rng.randrange(1, 24 * 30))
    return LearnerState(
        mastery=mastery,
        introduced=frozenset(mastery),
        due=due,
        recent_scores=recent[-10:],
        attempts=counts,
        concept_scores={c: s[-10:] for c, s in scores.items()},
        recent_lessons=(last, last),
    )


def timed_ms(call: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concepts", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=30_000)
    parser.add_argument("--attempts", type=int, default=5_000)
    parser.add_argument("--targets", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20250601)
    parser.add_argument("--smoke", action="store_true", help="200 concepts, 500 edges, 3 runs")
    args = parser.parse_args()
    if args.smoke:
        args.concepts, args.edges, args.attempts, args.runs = 200, 500, 100, 3
    rng = random.Random(args.seed)

    concepts, edges = synthetic_graph(args.concepts, args.edges, rng)
    start = time.perf_counter()
    graph = PlanningGraph.build(concepts, edges)
    build_ms = (time.perf_counter() - start) * 1e3
    truth = BKTParams(prior=0.2, learn=0.25, slip=0.1, guess=0.2)
    learner = simulated_learner(concepts, args.attempts, truth, rng)
    n_mastered = sum(mastered(p) for p in learner.mastery.values())
    tail = [c for c in concepts[len(concepts) * 9 // 10 :] if c.role == "teachable"]
    targets = [c.id for c in rng.sample(tail, min(args.targets, len(tail)))]
    # The far frontier: all mastered but the last concept, so every check scans the graph.
    veteran = LearnerState(mastery={c.id: 0.99 for c in concepts[:-1]})
    interests = Preferences(interests=frozenset({"concept 7", concepts[-1].id}))

    figures: dict[str, float | int | str] = {
        "concepts": len(graph),
        "teachable": len(graph.reading_order),
        "edges": len(edges),
        "prerequisite_edges": sum(e.kind == "prerequisite" for e in edges),
        "hard_prerequisite_edges": sum(
            e.kind == "prerequisite" and e.origin in HARD_ORIGINS for e in edges
        ),
        "attempts": args.attempts,
        "introduced": len(learner.introduced),
        "mastered": n_mastered,
        "runs": args.runs,
        "build_ms": round(build_ms, 1),
    }
    plan = next_concept(graph, learner, now=NOW)
    path = learning_path(graph, targets, learner)
    print(f"graph: {len(graph)} concepts, {len(edges)} edges, built in {build_ms:.0f} ms")
    print(f"learner: {args.attempts} attempts, {len(learner.introduced)} concepts introduced,")
    print(f"         {n_mastered} mastered; next: {plan.kind} {plan.reason!r}")
    print(f"learning path to {len(targets)} targets: {len(path)} concepts")

    cases: dict[str, Callable[[], object]] = {
        "next_concept": lambda: next_concept(graph, learner, now=NOW),
        "next_concept_interests": lambda: next_concept(
            graph, learner, now=NOW, preferences=interests
        ),
        "next_concept_far_frontier": lambda: next_concept(graph, veteran, now=NOW),
        "next_concept_targets": lambda: next_concept(graph, learner, now=NOW, targets=targets),
        "learning_path": lambda: learning_path(graph, targets, learner),
    }
    for name, call in cases.items():
        times = timed_ms(call, args.runs)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        figures[f"{name}_ms_p50"] = round(p50, 3)
        figures[f"{name}_ms_p95"] = round(p95, 3)
        print(f"{name:>26}: p50 {p50:7.3f} ms   p95 {p95:7.3f} ms")
    figures["learning_path_len"] = len(path)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
