"""Simulated learners whose answers follow known BKT parameters (for tests and benches)."""

from __future__ import annotations

import random

from tutor.learner.bkt import BKTParams


def simulate_sequence(params: BKTParams, attempts: int, rng: random.Random) -> list[float]:
    """One learner's scores (1.0 or 0.0) on one concept over ``attempts`` attempts."""
    known = rng.random() < params.prior
    scores: list[float] = []
    for _ in range(attempts):
        p_correct = 1.0 - params.slip if known else params.guess
        scores.append(1.0 if rng.random() < p_correct else 0.0)
        # Learning happens after the attempt, as in the tracing update.
        if not known:
            known = rng.random() < params.learn
    return scores


def simulate_population(
    params: BKTParams, *, learners: int, concepts: int, attempts: int, rng: random.Random
) -> list[list[float]]:
    """Score sequences for every (learner, concept), learner by learner.

    Args:
        params: The parameters every concept follows.
        learners: How many learners.
        concepts: How many concepts each learner attempts.
        attempts: How many attempts each learner makes on each concept.
        rng: The source of randomness; seed it for repeatable populations.

    Returns:
        ``learners * concepts`` sequences of ``attempts`` scores each.
    """
    return [
        simulate_sequence(params, attempts, rng) for _ in range(learners) for _ in range(concepts)
    ]
