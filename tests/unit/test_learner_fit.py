"""Fitting BKT parameters to an attempts log, and the metrics that score them."""

from __future__ import annotations

import math
import random

import pytest

from tutor.learner._metrics import auc, log_loss
from tutor.learner.bkt import BKTParams
from tutor.learner.fit import evaluate, fit_bkt
from tutor.learner.simulate import simulate_population, simulate_sequence

TRUTH = BKTParams(prior=0.3, learn=0.12, slip=0.08, guess=0.25)
FIELDS = ("prior", "learn", "slip", "guess")


def test_fit_recovers_the_generating_parameters() -> None:
    sequences = simulate_population(
        TRUTH, learners=500, concepts=20, attempts=10, rng=random.Random(11)
    )
    report = fit_bkt(sequences)
    for name in FIELDS:
        assert getattr(report.params, name) == pytest.approx(getattr(TRUTH, name), abs=0.05)
    assert report.n_sequences == 10_000
    assert report.n_observations == 100_000
    assert report.log_loss_after <= report.log_loss_before
    assert report.auc_before is not None and report.auc_after is not None
    assert report.auc_after >= report.auc_before - 1e-3
    assert report.iterations >= 1


def test_fit_improves_on_poor_starting_parameters() -> None:
    sequences = simulate_population(
        TRUTH, learners=50, concepts=4, attempts=8, rng=random.Random(3)
    )
    poor = BKTParams(prior=0.9, learn=0.01, slip=0.4, guess=0.05)
    report = fit_bkt(sequences, initial=poor)
    assert report.log_loss_after < report.log_loss_before


def test_fit_accepts_partial_credit_and_uneven_lengths() -> None:
    rng = random.Random(5)
    sequences = [
        [min(1.0, max(0.0, s * 0.9 + rng.random() * 0.1)) for s in simulate_sequence(TRUTH, n, rng)]
        for n in (rng.randrange(1, 9) for _ in range(300))
    ]
    sequences.append([])
    report = fit_bkt(sequences)
    assert report.n_sequences == 300
    assert 0 < report.params.guess + report.params.slip < 1


def test_fit_of_an_empty_log_is_refused() -> None:
    with pytest.raises(ValueError):
        fit_bkt([[], []])


def test_fit_refuses_scores_outside_unit_interval() -> None:
    with pytest.raises(ValueError):
        fit_bkt([[0.0, 1.2]])


def test_evaluate_scores_one_step_ahead_predictions() -> None:
    params = BKTParams(prior=0.5, learn=0.0, slip=0.1, guess=0.2)
    evaluation = evaluate([[1.0]], params)
    assert evaluation.log_loss == pytest.approx(-math.log(0.55))
    assert evaluation.auc is None


def test_simulation_is_repeatable() -> None:
    first = simulate_population(TRUTH, learners=3, concepts=2, attempts=5, rng=random.Random(1))
    again = simulate_population(TRUTH, learners=3, concepts=2, attempts=5, rng=random.Random(1))
    assert first == again
    assert len(first) == 6 and all(len(s) == 5 for s in first)


@pytest.mark.parametrize(
    "predictions, scores, expected",
    [
        ([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 1.0),
        ([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], 0.0),
        ([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5),
        ([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75),
        ([0.3, 0.3, 0.7], [0, 1, 1], 0.75),
        ([0.2, 0.6, 0.9], [0.4, 0.5, 1.0], 1.0),
    ],
)
def test_auc_known_cases(predictions: list[float], scores: list[float], expected: float) -> None:
    assert auc(predictions, scores) == pytest.approx(expected)


def test_auc_of_one_class_is_undefined() -> None:
    assert auc([0.2, 0.7], [1, 1]) is None


def test_log_loss_known_case_and_clipping() -> None:
    assert log_loss([0.5, 0.5], [1, 0]) == pytest.approx(math.log(2))
    assert log_loss([0.8], [0.5]) == pytest.approx(-(0.5 * math.log(0.8) + 0.5 * math.log(0.2)))
    assert math.isfinite(log_loss([0.0], [1.0]))
    with pytest.raises(ValueError):
        log_loss([0.5], [])
