"""Review scheduling with FSRS: ratings from grades, and due dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating

from tutor.learner.reviews import new_card, rating_for, review

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "score, latency_s, expected_s, rating",
    [
        (0.0, None, None, Rating.Again),
        (0.49, 3.0, 30.0, Rating.Again),
        (0.5, None, None, Rating.Hard),
        (0.79, 3.0, 30.0, Rating.Hard),
        (0.8, None, None, Rating.Good),
        (1.0, None, None, Rating.Good),
        (1.0, 20.0, None, Rating.Good),
        (1.0, 20.0, 30.0, Rating.Good),
        (1.0, 15.0, 30.0, Rating.Easy),
        (0.95, 10.0, 30.0, Rating.Easy),
        (0.94, 10.0, 30.0, Rating.Good),
        (0.9, 61.0, 30.0, Rating.Hard),
        (1.0, 60.0, 30.0, Rating.Good),
        (1.0, 1.0, 0.0, Rating.Good),
    ],
)
def test_rating_thresholds(
    score: float, latency_s: float | None, expected_s: float | None, rating: Rating
) -> None:
    assert rating_for(score, latency_s, expected_s) == rating


def test_rating_refuses_a_score_outside_unit_interval() -> None:
    with pytest.raises(ValueError):
        rating_for(1.5, None, None)


def test_new_card_is_due_now_and_json_ready() -> None:
    card = new_card(NOW)
    assert datetime.fromisoformat(card["due"]) == NOW
    assert json.loads(json.dumps(card)) == card


def test_a_good_answer_is_due_later_than_a_failed_one() -> None:
    card = new_card(NOW)
    _, failed = review(card, 0.0, None, NOW)
    _, hard = review(card, 0.6, None, NOW)
    _, good = review(card, 0.9, None, NOW)
    _, easy = review(card, 1.0, 5.0, NOW, expected_s=30.0)
    assert NOW < failed <= hard < good < easy
    assert failed - NOW >= timedelta(days=1)


def test_good_reviews_lengthen_the_interval_and_a_lapse_brings_it_back() -> None:
    state, due = review(new_card(NOW), 0.9, None, NOW)
    intervals = [due - NOW]
    for _ in range(3):
        reviewed_at = due
        state, due = review(state, 0.9, None, reviewed_at)
        intervals.append(due - reviewed_at)
    assert intervals == sorted(intervals) and intervals[0] < intervals[-1]
    _, after_lapse = review(state, 0.0, None, due)
    _, after_good = review(state, 0.9, None, due)
    assert after_lapse - due < intervals[-1] < after_good - due


def test_reviews_are_deterministic_and_state_survives_json() -> None:
    card = json.loads(json.dumps(new_card(NOW)))
    first = review(card, 0.85, 12.0, NOW, expected_s=20.0)
    again = review(json.loads(json.dumps(card)), 0.85, 12.0, NOW, expected_s=20.0)
    assert first == again
    state, due = first
    assert json.loads(json.dumps(state)) == state
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_times_in_other_zones_are_taken_as_the_same_instant() -> None:
    paris = NOW.astimezone(timezone(timedelta(hours=1)))
    assert review(new_card(paris), 0.9, None, paris) == review(new_card(NOW), 0.9, None, NOW)


def test_naive_times_and_broken_states_are_refused() -> None:
    with pytest.raises(ValueError):
        new_card(datetime(2025, 3, 1))
    with pytest.raises(ValueError):
        review(new_card(NOW), 1.0, None, datetime(2025, 3, 2))
    with pytest.raises(ValueError):
        review({"due": "soon"}, 1.0, None, NOW)
