"""Spaced reviews of learned concepts, scheduled by FSRS (the ``fsrs`` package).

A concept's review state is an FSRS card kept as a JSON-ready dict (``fsrs.Card.to_dict``).
The scheduler has no learning or relearning steps: intervals are whole days from the
first review on. Practice within a session is knowledge tracing's business; FSRS decides
when a concept should come back to be remembered. Fuzzing is off, so the same history
always gives the same due date.

Grades become FSRS ratings by :func:`rating_for`:

======================================================  ======
score < 0.5                                             Again
score < 0.8, or a correct answer more than twice as
slow as expected                                        Hard
score >= 0.95 in at most half the expected time         Easy
otherwise                                               Good
======================================================  ======
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from fsrs import Card, Rating, Scheduler
from fsrs.card import CardDict

CardState = CardDict
"""A card as a JSON-ready dict: what the service stores per (learner, concept)."""

AGAIN_BELOW = 0.5
"""Scores below this are a failed recall."""
HARD_BELOW = 0.8
"""Scores below this (and at least :data:`AGAIN_BELOW`) are a recall with difficulty."""
EASY_FROM = 0.95
"""Scores from this up can be Easy, when the answer also came fast."""
FAST_RATIO = 0.5
"""An answer within this fraction of the expected time is fast."""
SLOW_RATIO = 2.0
"""An answer beyond this multiple of the expected time is slow: Good becomes Hard."""


def _scheduler(desired_retention: float) -> Scheduler:
    return Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def new_card(now: datetime) -> CardState:
    """The review state of a concept nobody has reviewed yet, due at ``now``.

    Raises:
        ValueError: ``now`` is naive (it must carry a time zone).
    """
    now = _utc(now)
    # An explicit id: fsrs would otherwise read the clock and sleep a millisecond.
    return Card(card_id=int(now.timestamp() * 1000), due=now).to_dict()


def rating_for(score: float, latency_s: float | None, expected_s: float | None) -> Rating:
    """The FSRS rating of a graded answer (thresholds in the module's table).

    Args:
        score: The grade in ``[0, 1]``.
        latency_s: Seconds the learner took to answer, if known.
        expected_s: Seconds an answer is expected to take, if known. Without both
            times an answer is neither fast nor slow, so it is never Easy.

    Raises:
        ValueError: ``score`` is outside ``[0, 1]``.
    """
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score must be in [0, 1], got {score}")
    if score < AGAIN_BELOW:
        return Rating.Again
    if score < HARD_BELOW:
        return Rating.Hard
    ratio = None
    if latency_s is not None and expected_s is not None and expected_s > 0:
        ratio = latency_s / expected_s
    if ratio is not None and ratio > SLOW_RATIO:
        return Rating.Hard
    if ratio is not None and ratio <= FAST_RATIO and score >= EASY_FROM:
        return Rating.Easy
    return Rating.Good


def review(
    card_state: Mapping[str, Any],
    score: float,
    latency_s: float | None,
    now: datetime,
    *,
    expected_s: float | None = None,
    desired_retention: float = 0.9,
) -> tuple[CardState, datetime]:
    """Record one graded review and schedule the next.

    Args:
        card_state: The card as stored (from :func:`new_card` or an earlier review).
        score: The grade in ``[0, 1]``.
        latency_s: Seconds the learner took to answer, if known.
        now: When the review happened (timezone-aware).
        expected_s: Seconds an answer is expected to take, if known.
        desired_retention: The recall probability FSRS aims for at the due date.

    Returns:
        The new card state and its due date (UTC).

    Raises:
        ValueError: ``card_state`` is not a card, ``score`` is outside ``[0, 1]``, or
            ``now`` is naive.
    """
    try:
        card = Card.from_dict(cast(CardDict, dict(card_state)))
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a card state: {card_state!r}") from error
    rating = rating_for(score, latency_s, expected_s)
    reviewed, _ = _scheduler(desired_retention).review_card(card, rating, _utc(now))
    return reviewed.to_dict(), reviewed.due
