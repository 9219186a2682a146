"""Bayesian Knowledge Tracing: updates, partial credit, mastery, parameters."""

from __future__ import annotations

import pytest

from tutor.learner.bkt import (
    DEFAULT_PARAMS,
    BKTParams,
    mastered,
    params_for,
    predict_correct,
    update,
)

PARAMS = BKTParams(prior=0.2, learn=0.15, slip=0.1, guess=0.2)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_a_correct_answer_raises_and_a_wrong_one_lowers_the_evidence(p: float) -> None:
    no_learning = BKTParams(prior=0.2, learn=0.0, slip=0.1, guess=0.2)
    assert update(p, 1.0, no_learning) >= p
    assert update(p, 0.0, no_learning) <= p
    if 0.0 < p < 1.0:
        assert update(p, 1.0, no_learning) > p > update(p, 0.0, no_learning)


def test_the_classic_update_by_hand() -> None:
    posterior = 0.2 * 0.9 / (0.2 * 0.9 + 0.8 * 0.2)
    assert update(0.2, 1.0, PARAMS) == pytest.approx(posterior + (1 - posterior) * 0.15)
    posterior = 0.2 * 0.1 / (0.2 * 0.1 + 0.8 * 0.8)
    assert update(0.2, 0.0, PARAMS) == pytest.approx(posterior + (1 - posterior) * 0.15)


def test_partial_credit_is_the_score_weighted_mix_and_grows_with_the_score() -> None:
    full, none = update(0.4, 1.0, PARAMS), update(0.4, 0.0, PARAMS)
    assert update(0.4, 0.25, PARAMS) == pytest.approx(0.25 * full + 0.75 * none)
    values = [update(0.4, score / 10, PARAMS) for score in range(11)]
    assert values == sorted(values)
    assert len(set(values)) == len(values)


def test_learning_happens_even_after_a_wrong_answer() -> None:
    assert update(0.0, 0.0, PARAMS) == pytest.approx(PARAMS.learn)


def test_repeated_correct_answers_reach_mastery() -> None:
    p = PARAMS.prior
    for _ in range(6):
        p = update(p, 1.0, PARAMS)
    assert mastered(p)


def test_an_impossible_observation_keeps_the_estimate() -> None:
    certain = BKTParams(prior=0.5, learn=0.0, slip=0.0, guess=0.2)
    assert update(1.0, 0.0, certain) == 1.0


def test_predict_correct() -> None:
    assert predict_correct(0.0, PARAMS) == pytest.approx(PARAMS.guess)
    assert predict_correct(1.0, PARAMS) == pytest.approx(1 - PARAMS.slip)
    assert predict_correct(0.5, PARAMS) == pytest.approx(0.55)


def test_mastered_threshold() -> None:
    assert mastered(0.95)
    assert not mastered(0.9499)
    assert mastered(0.8, threshold=0.8)
    assert not mastered(0.79, threshold=0.8)


@pytest.mark.parametrize(
    "fields",
    [
        {"prior": -0.1},
        {"learn": 1.5},
        {"slip": 0.6, "guess": 0.4},
        {"slip": 0.5, "guess": 0.6},
    ],
)
def test_invalid_params_are_refused(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BKTParams(**fields)


@pytest.mark.parametrize("p, score", [(1.2, 1.0), (0.5, -0.1), (0.5, 1.5)])
def test_update_refuses_values_outside_unit_interval(p: float, score: float) -> None:
    with pytest.raises(ValueError):
        update(p, score, PARAMS)


def test_params_for_prefers_the_concepts_own() -> None:
    own = BKTParams(prior=0.5)
    assert params_for("ownership", {"ownership": own}, PARAMS) is own
    assert params_for("borrowing", {"ownership": own}, PARAMS) is PARAMS
    assert params_for("borrowing", {}) is DEFAULT_PARAMS
