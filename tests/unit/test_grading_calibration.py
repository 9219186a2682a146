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
from tutor.grading.features import (
    EXAMPLE_COLUMNS,
    compute_features,
    content_words,
    negated,
    sentences,
    stem,
    without_examples,
    words,
)
from tutor.grading.short_answer import (
    CUE_FEATURES,
    WEIGHED_FEATURES,
    fit_logistic,
    leave_one_out_examples,
    macro_f1,
    question_key,
)


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
    # The fitted threshold is moved to one half: "correct" always shows a score above it.
    assert calibration.correct_threshold == 0.5
    assert 0.0 < calibration.info["fitted_threshold_without_examples"] < 1.0
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


def test_a_calibration_of_the_older_feature_set_is_refused(tmp_path: Path) -> None:
    older = FEATURE_NAMES[: EXAMPLE_COLUMNS.start]
    n = len(older)
    raw = {
        "feature_names": list(older),
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "coef": [0.1] * n,
        "intercept": 0.0,
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match=r"has_examples.*refit"):
        Calibration.read(path)
    raw["feature_names"] = list(FEATURE_NAMES)
    path.write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="columns"):
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
    assert fitted.correct_threshold == 0.5 > fitted.partial_threshold
    # Each regime's fitted threshold is moved to one half and no decision changes: the
    # shipped logits are the plain fit's, less the logit of the regime's threshold.
    groups = [question_key(item) for item, _ in items]
    loo = compute_features(leave_one_out_examples(items, groups), FakeEmbeddings())
    rows = np.vstack([loo, without_examples(loo)])
    labels = np.array([c for _, c in items] * 2)
    weighed = [FEATURE_NAMES.index(name) for name in WEIGHED_FEATURES]
    mean, scale, coef, intercept = fit_logistic(rows[:, weighed], labels)
    plain = ((rows[:, weighed] - mean) / scale) @ coef + intercept
    info = fitted.info
    has = rows[:, FEATURE_NAMES.index("has_examples")] == 1.0
    threshold = np.where(
        has, info["fitted_threshold_with_examples"], info["fitted_threshold_without_examples"]
    )
    shipped = np.log(fitted.probability(rows) / (1 - fitted.probability(rows)))
    assert np.allclose(shipped, plain - np.log(threshold / (1 - threshold)), atol=1e-6)
    # The cues are computed but weigh nothing until calibrated.
    for name in CUE_FEATURES:
        assert fitted.coef[FEATURE_NAMES.index(name)] == 0.0
    for regime in ("with", "without"):
        assert 0.0 <= fitted.info[f"cv_macro_f1_{regime}_examples"] <= 1.0


def column(rows: np.ndarray, row: int, name: str) -> float:
    return float(rows[row, FEATURE_NAMES.index(name)])


def test_leave_one_out_never_gives_an_item_itself() -> None:
    items = [
        (GradingItem("same words", ("r",), "q1"), True),
        (GradingItem("same words", ("r",), "q1"), False),
        (GradingItem("third", ("r",), "q1"), True),
        (GradingItem("elsewhere", ("s",), "q2"), False),
    ]
    groups = [question_key(item) for item, _ in items]
    out = leave_one_out_examples(items, groups)
    assert [item.answer for item in out] == [item.answer for item, _ in items]
    # Positions, not texts, identify an item: a twin answer is another learner's example.
    assert out[0].graded_examples == (("same words", False), ("third", True))
    assert out[1].graded_examples == (("same words", True), ("third", True))
    assert out[2].graded_examples == (("same words", True), ("same words", False))
    assert out[3].graded_examples == ()
    for item, examples in zip(out, (3, 3, 3, 1), strict=True):
        assert len(item.graded_examples) == examples - 1


def test_graded_examples_features_and_their_neutral_values() -> None:
    reference = ("the circuit is closed",)
    examples = (("current flows in a loop", True), ("the bulb is broken", False))
    rows = compute_features(
        [
            GradingItem("current flows in a loop", reference, "why", graded_examples=examples),
            GradingItem("the bulb is broken", reference, "why", graded_examples=examples),
            GradingItem("current flows in a loop", reference, "why"),
            GradingItem("the bulb is broken", reference, "why", graded_examples=examples[:1]),
        ],
        FakeEmbeddings(),
    )
    assert column(rows, 0, "example_correct_sim") == pytest.approx(1.0, abs=1e-5)
    assert column(rows, 0, "example_margin") > 0 > column(rows, 1, "example_margin")
    assert column(rows, 0, "example_vote") > 0 > column(rows, 1, "example_vote")
    assert column(rows, 1, "example_incorrect_sim") == pytest.approx(1.0, abs=1e-5)
    assert [column(rows, i, "has_examples") for i in range(4)] == [1.0, 1.0, 0.0, 1.0]
    # No examples: the reference stands in for the correct side, the incorrect side is 0.
    assert column(rows, 2, "example_correct_sim") == column(rows, 2, "sim_max")
    assert column(rows, 2, "example_incorrect_sim") == column(rows, 2, "example_vote") == 0.0
    assert column(rows, 3, "example_incorrect_sim") == 0.0
    stripped = without_examples(rows[:1])
    assert np.array_equal(stripped[0], rows[2])
    assert column(rows, 0, "has_examples") == 1.0  # the input is left as it was


def test_examples_move_the_score_their_way() -> None:
    weights = dict.fromkeys(FEATURE_NAMES, 0.0)
    weights.update(example_margin=2.0, example_vote=2.0)
    n = len(FEATURE_NAMES)
    calibration = Calibration(
        FEATURE_NAMES, (0.0,) * n, (1.0,) * n, tuple(weights[f] for f in FEATURE_NAMES), 0.0
    )
    grader = ShortAnswerGrader(FakeEmbeddings(), calibration)
    answer = "current flows in a loop"
    plain = GradingItem(answer, ("unrelated reference text",), "why")
    liked = GradingItem(answer, plain.references, "why", graded_examples=((answer, True),))
    disliked = GradingItem(answer, plain.references, "why", graded_examples=((answer, False),))
    low, none, high = (g.score for g in grader.grade_many([disliked, plain, liked]))
    assert low < none < high


def test_text_helpers() -> None:
    assert words("It isn't there's") == ["it", "is", "not", "there"]
    assert content_words("The current doesn't flow") == ["current", "flow"]
    assert stem("flows") == "flow"
    assert stem("is") == "is"
    assert negated("no current") and not negated("current flows")
    assert sentences("One. Two!\nThree") == ["One.", "Two!", "Three"]
