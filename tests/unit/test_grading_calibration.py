"""The shipped calibration, verdict thresholds and the hand-written regression."""

import json
from pathlib import Path

import numpy as np
import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.grading import (
    CALIBRATION_PATH,
    FEATURE_NAMES,
    Calibration,
    GradingItem,
    ShortAnswerGrader,
    calibrate,
    shipped_calibration,
)
from tutor.grading.features import content_words, negated, sentences, stem, words
from tutor.grading.short_answer import fit_logistic, macro_f1


def flat(weight: float = 0.0, intercept: float = 0.0, **thresholds: float) -> Calibration:
    n = len(FEATURE_NAMES)
    return Calibration(
        FEATURE_NAMES, (0.0,) * n, (1.0,) * n, (weight,) * n, intercept, **thresholds
    )


def test_shipped_calibration_loads_and_scores_in_unit_interval() -> None:
    calibration = shipped_calibration()
    assert CALIBRATION_PATH.is_file()
    assert calibration.feature_names == FEATURE_NAMES
    assert len(calibration.coef) == len(calibration.mean) == len(FEATURE_NAMES)
    assert 0.0 < calibration.partial_threshold < calibration.correct_threshold < 1.0
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(50, len(FEATURE_NAMES))) * 5
    scores = calibration.probability(rows)
    assert scores.shape == (50,)
    assert np.all((scores >= 0.0) & (scores <= 1.0))


def test_calibration_round_trips(tmp_path: Path) -> None:
    calibration = flat(0.5, -1.0, correct_threshold=0.55, partial_threshold=0.35)
    path = tmp_path / "calibration.json"
    calibration.save(path)
    assert Calibration.read(path) == calibration
    raw = json.loads(path.read_text())
    raw["feature_names"] = ["other"]
    path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="other features"):
        Calibration.read(path)


def test_verdict_thresholds() -> None:
    calibration = flat(correct_threshold=0.6, partial_threshold=0.4)
    assert calibration.verdict(0.6) == "correct"
    assert calibration.verdict(0.99) == "correct"
    assert calibration.verdict(0.59) == "partial"
    assert calibration.verdict(0.4) == "partial"
    assert calibration.verdict(0.39) == "incorrect"


def test_model_judgement_counts_only_with_a_weight() -> None:
    rows = np.zeros((2, len(FEATURE_NAMES)))
    ignored = flat().probability(rows, [0.9, None])
    assert ignored.tolist() == [0.5, 0.5]
    weighed = Calibration(**{**flat().__dict__, "judgement_weight": 1.0}).probability(
        rows, [0.9, None]
    )
    assert weighed[0] == pytest.approx(0.9)
    assert weighed[1] == 0.5


def test_grader_with_fake_embeddings_and_flat_calibration() -> None:
    grader = ShortAnswerGrader(FakeEmbeddings(), flat(intercept=3.0))
    grade = grader.grade(GradingItem("anything", ("a reference",), "a question?"))
    assert grade.verdict == "correct"
    assert grade.score == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert grade.covered == grade.missed == ()
    assert grader.predict_correct([GradingItem("x", ("y",))]) == [True]


def test_fit_logistic_separates_and_calibrate_writes(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2))
    y = x[:, 0] + 0.1 * rng.normal(size=400) > 0
    mean, scale, coef, _ = fit_logistic(x, y)
    assert coef[0] > 2 * abs(coef[1])
    assert mean.shape == scale.shape == (2,)
    assert macro_f1(y, y) == 1.0
    assert macro_f1(y, ~y) == 0.0

    items = [
        (GradingItem(f"answer {i}", (f"reference {i % 3}",), f"question {i % 7}"), i % 2 == 0)
        for i in range(40)
    ]
    path = tmp_path / "fit.json"
    fitted = calibrate(items, FakeEmbeddings(), path)
    assert Calibration.read(path) == fitted
    assert fitted.info["n_train"] == 40


def test_text_helpers() -> None:
    assert words("It isn't there's") == ["it", "is", "not", "there"]
    assert content_words("The current doesn't flow") == ["current", "flow"]
    assert stem("flows") == "flow"
    assert stem("is") == "is"
    assert negated("no current") and not negated("current flows")
    assert sentences("One. Two!\nThree") == ["One.", "Two!", "Three"]
