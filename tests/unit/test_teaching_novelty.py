"""A lesson's novelty against earlier lessons stays a fraction, as the lessons table requires."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import numpy as np

from tutor.teaching.lessons import EarlierLesson, novelty


def _earlier(vector: np.ndarray) -> EarlierLesson:
    return EarlierLesson(uuid4(), (), vector.astype(np.float32), datetime.now(UTC))


def test_a_repeated_lesson_has_novelty_zero_not_a_rounding_error_below_it() -> None:
    # A normalised float32 vector whose dot product with itself rounds above 1.
    rng = np.random.default_rng(7)
    for _ in range(200):
        vector = rng.normal(size=384).astype(np.float32)
        vector /= np.linalg.norm(vector)
        if float(vector @ vector) > 1.0:
            break
    else:  # pragma: no cover - the seed above finds one
        raise AssertionError("no vector with a self-similarity above 1 was found")
    value = novelty(vector, [_earlier(vector)])
    assert value == 0.0


def test_novelty_is_one_without_earlier_lessons_and_within_bounds_otherwise() -> None:
    rng = np.random.default_rng(3)
    first = rng.normal(size=16).astype(np.float32)
    first /= np.linalg.norm(first)
    assert novelty(first, []) == 1.0
    opposite = -first
    assert 0.0 <= novelty(first, [_earlier(opposite)]) <= 1.0
