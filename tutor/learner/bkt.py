"""Bayesian Knowledge Tracing: the probability that a learner knows a concept.

Each (learner, concept) is a hidden two-state chain, *unknown* or *known*, observed through
graded answers. A known concept is answered correctly unless the learner slips; an unknown
one only by a guess; after every attempt an unknown concept becomes known with probability
``learn`` (there is no forgetting here: forgetting is the review scheduler's business).

Partial credit: a score in ``[0, 1]`` is read as the grader's confidence that the answer
was correct, and the evidence is applied by Jeffrey's rule: the posterior is the
score-weighted mix of the posterior after a correct answer and the posterior after an
incorrect one. A score of 1 or 0 gives the classic update, and the result grows with the
score whenever ``guess + slip < 1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MASTERY_THRESHOLD = 0.95
"""The probability of knowing a concept from which it counts as mastered."""


@dataclass(frozen=True, slots=True)
class BKTParams:
    """The four parameters of Bayesian Knowledge Tracing, each a probability."""

    prior: float = 0.2
    """P(known) before the first attempt."""
    learn: float = 0.15
    """P(unknown -> known) after each attempt."""
    slip: float = 0.1
    """P(incorrect answer | known)."""
    guess: float = 0.2
    """P(correct answer | unknown)."""

    def __post_init__(self) -> None:
        for name in ("prior", "learn", "slip", "guess"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.guess + self.slip >= 1.0:
            # At or beyond 1 a correct answer no longer speaks for the known state.
            raise ValueError(f"guess + slip must be below 1, got {self.guess + self.slip}")


DEFAULT_PARAMS = BKTParams()
"""The parameters used until some are fitted."""


def predict_correct(p_known: float, params: BKTParams) -> float:
    """The probability that the next answer is correct."""
    return p_known * (1.0 - params.slip) + (1.0 - p_known) * params.guess


def update(p_known: float, score: float, params: BKTParams) -> float:
    """P(known) after one graded attempt (and the chance to learn from it).

    Args:
        p_known: P(known) before the attempt.
        score: The grade in ``[0, 1]``; fractions are partial credit (see the module).
        params: The concept's parameters.

    Returns:
        P(known) before the next attempt.

    Raises:
        ValueError: ``p_known`` or ``score`` is outside ``[0, 1]``.
    """
    if not 0.0 <= p_known <= 1.0:
        raise ValueError(f"p_known must be in [0, 1], got {p_known}")
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score must be in [0, 1], got {score}")
    known_correct = p_known * (1.0 - params.slip)
    known_wrong = p_known * params.slip
    correct = known_correct + (1.0 - p_known) * params.guess
    wrong = known_wrong + (1.0 - p_known) * (1.0 - params.guess)
    # A zero denominator means the observation was impossible under the model (e.g. slip 0
    # and p_known 1 with a wrong answer); keeping the prior is the least surprising answer.
    after_correct = known_correct / correct if correct > 0.0 else p_known
    after_wrong = known_wrong / wrong if wrong > 0.0 else p_known
    posterior = score * after_correct + (1.0 - score) * after_wrong
    return posterior + (1.0 - posterior) * params.learn


def mastered(p_known: float, threshold: float = MASTERY_THRESHOLD) -> bool:
    """Whether ``p_known`` reaches the mastery threshold."""
    return p_known >= threshold


def params_for(
    concept_key: str, overrides: Mapping[str, BKTParams], default: BKTParams = DEFAULT_PARAMS
) -> BKTParams:
    """The concept's own fitted parameters when it has some, else ``default``."""
    return overrides.get(concept_key, default)
