"""Bayesian Knowledge Tracing: updates, partial credit, mastery, parameters."""

from __future__ import annotations

import pytest

from tutor.learner.bkt import (
    DEFAULT_PARAMS,
    KIND_GUESS,
    VERDICT_BANDS,
    BKTParams,
    Verdict,
    mastered,
    observation,
    params_for,
    params_for_kind,
    predict_correct,
    trace,
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


KINDS = ("multiple_choice", "short_answer", "code", "explain_back", "review")
GRID = [i / 20 for i in range(21)]
PARAM_SETS = [
    DEFAULT_PARAMS,
    PARAMS,
    BKTParams(prior=0.3, learn=0.3, slip=0.25, guess=0.4),
    BKTParams(prior=0.1, learn=0.05, slip=0.6, guess=0.05),
    BKTParams(prior=0.5, learn=0.0, slip=0.0, guess=0.0),
]


@pytest.mark.parametrize("params", PARAM_SETS)
@pytest.mark.parametrize("kind", KINDS)
def test_mastery_moves_only_the_way_the_verdict_says(params: BKTParams, kind: str) -> None:
    for p in GRID:
        for score in GRID:
            assert trace(p, score, "correct", kind, params) >= p, (p, score)
            assert trace(p, score, "incorrect", kind, params) <= p, (p, score)


@pytest.mark.parametrize("kind", KINDS)
def test_a_partial_lies_between_a_wrong_and_a_right_answer(kind: str) -> None:
    for p in GRID[1:-1]:
        for score in GRID:
            right = trace(p, score, "correct", kind, DEFAULT_PARAMS)
            wrong = trace(p, score, "incorrect", kind, DEFAULT_PARAMS)
            assert wrong < trace(p, score, "partial", kind, DEFAULT_PARAMS) < right, (p, score)


def test_a_correct_grade_at_a_middling_score_no_longer_lowers_mastery() -> None:
    # A short answer shown "Correct" at a calibrated 0.59, and an explain-back passed at
    # 0.46: read as their scores, both pulled 78% down.
    assert update(0.78, 0.59, DEFAULT_PARAMS) < 0.78
    assert update(0.78, 0.46, DEFAULT_PARAMS) < 0.78
    assert trace(0.78, 0.59, "correct", "short_answer", DEFAULT_PARAMS) > 0.78
    assert trace(0.78, 0.46, "correct", "explain_back", DEFAULT_PARAMS) > 0.78


def test_a_wrong_answer_cannot_raise_a_low_estimate_through_the_learn_step() -> None:
    assert update(0.05, 0.0, DEFAULT_PARAMS) > 0.05
    assert trace(0.05, 0.0, "incorrect", "code", DEFAULT_PARAMS) == 0.05
    assert trace(0.0, 0.3, "incorrect", "short_answer", DEFAULT_PARAMS) == 0.0


def test_near_certainty_a_correct_at_the_bands_edge_is_clamped() -> None:
    # At 0.99, a right answer read as 0.8 would lower the estimate without the clamp.
    no_learning = BKTParams(prior=0.2, learn=0.0, slip=0.1, guess=0.2)
    assert update(0.99, VERDICT_BANDS["correct"][0], no_learning) < 0.99
    assert trace(0.99, 0.8, "correct", "short_answer", no_learning) == 0.99


def test_a_score_is_moved_into_its_verdicts_band() -> None:
    assert observation("correct", 0.59) == VERDICT_BANDS["correct"][0]
    assert observation("correct", 0.93) == 0.93
    assert observation("incorrect", 0.45) == VERDICT_BANDS["incorrect"][1]
    assert observation("incorrect", 0.0) == 0.0
    assert observation("partial", 0.95) == VERDICT_BANDS["partial"][1]
    assert observation("partial", 0.05) == VERDICT_BANDS["partial"][0]
    assert observation("partial", 0.5) == 0.5
    with pytest.raises(ValueError):
        observation("correct", 1.2)


def _after(kind: str, answers: int, verdict: Verdict = "correct") -> float:
    p = DEFAULT_PARAMS.prior
    for _ in range(answers):
        p = trace(p, 1.0 if verdict == "correct" else 0.0, verdict, kind, DEFAULT_PARAMS)
    return p


def test_a_multiple_choice_answer_is_worth_less_than_a_written_one() -> None:
    assert _after("multiple_choice", 1) < _after("short_answer", 1)
    # Three right choices: well short of mastered, about where moving on starts.
    assert 0.6 < _after("multiple_choice", 3) < 0.8
    assert not mastered(_after("multiple_choice", 5))
    assert mastered(_after("multiple_choice", 6))
    assert mastered(_after("short_answer", 3)) and mastered(_after("code", 3))


def test_a_struggling_learner_never_gains_from_wrong_answers() -> None:
    for kind in KINDS:
        assert _after(kind, 10, "incorrect") <= DEFAULT_PARAMS.prior


def test_the_raised_guess_keeps_a_right_answer_meaningful() -> None:
    assert params_for_kind(DEFAULT_PARAMS, "multiple_choice").guess == KIND_GUESS["multiple_choice"]
    assert params_for_kind(DEFAULT_PARAMS, "code") is DEFAULT_PARAMS
    fitted = BKTParams(guess=0.6, slip=0.1)
    assert params_for_kind(fitted, "multiple_choice") is fitted
    slippery = BKTParams(guess=0.1, slip=0.6)
    raised = params_for_kind(slippery, "multiple_choice")
    assert raised.guess + raised.slip < 1.0
