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

Evidence follows the verdict the learner is shown (:func:`trace`): the score is first moved
into the verdict's band (:data:`VERDICT_BANDS`: a "correct" counts as at least 0.8, an
"incorrect" as at most 0.2, a "partial" between 0.3 and 0.7), so a grade shown "Correct"
at a calibrated 0.59 is not read as a near coin toss. Then a "correct" never lowers P(known)
and an "incorrect" never raises it: near certainty a band's edge can still pull the
posterior the other way, and after a wrong answer the learn step alone lifts a low P(known)
(from 0.05 to about 0.11 with the defaults), so both are clamped at the value before.

What an answer is worth depends on how it could be guessed (:data:`KIND_GUESS`): a
multiple-choice question is answered right by a learner who does not know the concept far
more often than a written answer or a program, because options can be tried and implausible
distractors ruled out. Its guess is at least 0.5 (chance on two options, and about what
ruling out two of four leaves). With the defaults (prior 0.2, learn 0.1, slip 0.1, guess
0.2), three right multiple-choice answers take a concept from 20% to about 73% and it
takes six to reach the 95% mastery threshold; three right short or code answers reach
about 97%. Learn is 0.1 rather than 0.15, so that practice alone is not worth as much as
a right answer from a learner who does not know the concept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

MASTERY_THRESHOLD = 0.95
"""The probability of knowing a concept from which it counts as mastered."""


@dataclass(frozen=True, slots=True)
class BKTParams:
    """The four parameters of Bayesian Knowledge Tracing, each a probability."""

    prior: float = 0.2
    """P(known) before the first attempt."""
    learn: float = 0.1
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

Verdict = Literal["correct", "partial", "incorrect"]
"""What the learner is told about an answer."""

VERDICT_BANDS: Mapping[Verdict, tuple[float, float]] = {
    "correct": (0.8, 1.0),
    "partial": (0.3, 0.7),
    "incorrect": (0.0, 0.2),
}
"""The range of evidence each verdict stands for; a score is clipped into its verdict's."""

KIND_GUESS: Mapping[str, float] = {"multiple_choice": 0.5}
"""The least P(correct | unknown) of an exercise kind; kinds not named use ``guess``."""


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


def observation(verdict: Verdict, score: float) -> float:
    """The evidence an answer gives: its score moved into its verdict's band.

    Raises:
        ValueError: ``score`` is outside ``[0, 1]``.
    """
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score must be in [0, 1], got {score}")
    low, high = VERDICT_BANDS[verdict]
    return min(max(score, low), high)


def params_for_kind(params: BKTParams, kind: str) -> BKTParams:
    """``params`` with the guess the kind of exercise allows (see :data:`KIND_GUESS`).

    The raised guess stays below ``1 - slip``, where a right answer would stop speaking for
    the known state.
    """
    floor = KIND_GUESS.get(kind)
    if floor is None or params.guess >= floor:
        return params
    return replace(params, guess=min(floor, 0.99 - params.slip))


def trace(p_known: float, score: float, verdict: Verdict, kind: str, params: BKTParams) -> float:
    """P(known) after an attempt, moving only the way its verdict says.

    Args:
        p_known: P(known) before the attempt.
        score: The grade in ``[0, 1]``.
        verdict: The verdict shown to the learner.
        kind: The kind of exercise (``multiple_choice``, ``short_answer``, ...).
        params: The concept's parameters.

    Returns:
        P(known) before the next attempt: at least ``p_known`` after a "correct", at most
        ``p_known`` after an "incorrect".
    """
    after = update(p_known, observation(verdict, score), params_for_kind(params, kind))
    if verdict == "correct":
        return max(after, p_known)
    if verdict == "incorrect":
        return min(after, p_known)
    return after


def mastered(p_known: float, threshold: float = MASTERY_THRESHOLD) -> bool:
    """Whether ``p_known`` reaches the mastery threshold."""
    return p_known >= threshold


def params_for(
    concept_key: str, overrides: Mapping[str, BKTParams], default: BKTParams = DEFAULT_PARAMS
) -> BKTParams:
    """The concept's own fitted parameters when it has some, else ``default``."""
    return overrides.get(concept_key, default)
