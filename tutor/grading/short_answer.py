"""Short-answer grading: a calibrated logistic regression over answer features.

The coefficients, intercept, feature scaling and verdict thresholds ship with the
package in ``calibration.json`` (fitted by :func:`calibrate`, see
``bench/grading_calibrate.py``), so the grader works on any notes without training.
Earlier graded answers to the same question (:attr:`GradingItem.graded_examples`)
sharpen the grade when a caller has them; the calibration is fitted both with and
without them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.grading.features import (
    FEATURE_NAMES,
    GradingItem,
    VectorCache,
    compute_features,
    sentences,
    without_examples,
)
from tutor.grading.feedback import short_answer_feedback

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")
"""Where the shipped calibration lives."""

Verdict = Literal["correct", "partial", "incorrect"]
Floats = npt.NDArray[np.float64]

CUE_FEATURES = (
    "polarity_conflict",
    "antonym_conflict",
    "quantity_conflict",
    "order_discord",
    "key_term_recall",
    "question_overlap",
)
"""Features computed but not weighed by the shipped calibration.

Fitted on SemEval-2013 train they raised no cross-validated figure beyond noise and
lowered unseen answers; on that data they fire on right answers about as often as on
wrong ones (a polarity conflict at similarity 0.6 or more: 48% incorrect, against 45%
for all such answers). They stay at weight 0, as a model judgement does, until labelled
answers that contradict their reference are there to calibrate them.
"""

WEIGHED_FEATURES = tuple(name for name in FEATURE_NAMES if name not in CUE_FEATURES)
"""Features the shipped calibration weighs."""

KEY_POINT_THRESHOLD = 0.5
"""Cosine similarity from which a key point counts as covered by the answer."""


@dataclass(frozen=True)
class Calibration:
    """Parameters of the grading logistic regression.

    Attributes:
        feature_names: Feature columns the coefficients apply to, in order.
        mean: Per-feature mean subtracted before scaling.
        scale: Per-feature standard deviation divided by.
        coef: One weight per scaled feature.
        intercept: Bias term.
        correct_threshold: Scores from here are ``correct``.
        partial_threshold: Scores from here up to ``correct_threshold`` are ``partial``.
        judgement_weight: Weight of the logit of a caller's model judgement (0 ignores it).
        info: Figures about the fit (training size, cross-validation scores).
    """

    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    correct_threshold: float = 0.6
    partial_threshold: float = 0.4
    judgement_weight: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def probability(self, features: Floats, judgements: Sequence[float | None] = ()) -> Floats:
        """Probability of correct for each row of ``features``.

        Args:
            features: Rows of features in :attr:`feature_names` order.
            judgements: Optional model judgements (probabilities) aligned with the rows.

        Returns:
            One probability per row.
        """
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.coef) + self.intercept
        if self.judgement_weight:
            for row, judgement in enumerate(judgements):
                if judgement is not None:
                    p = min(max(judgement, 1e-3), 1 - 1e-3)
                    logits[row] += self.judgement_weight * math.log(p / (1 - p))
        probabilities: Floats = 1.0 / (1.0 + np.exp(-logits))
        return probabilities

    def verdict(self, score: float) -> Verdict:
        """Verdict of a probability of correct."""
        if score >= self.correct_threshold:
            return "correct"
        if score >= self.partial_threshold:
            return "partial"
        return "incorrect"

    def save(self, path: Path = CALIBRATION_PATH) -> None:
        """Write the calibration as JSON."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        """Read a calibration written by :meth:`save`.

        Raises:
            ValueError: When the file was fitted on other features than
                :data:`FEATURE_NAMES` (an older grader's file), or its columns disagree.
        """
        raw = json.loads(path.read_text(encoding="utf-8"))
        for key in ("feature_names", "mean", "scale", "coef"):
            raw[key] = tuple(raw.get(key, ()))
        calibration = cls(**raw)
        if calibration.feature_names != FEATURE_NAMES:
            missing = [n for n in FEATURE_NAMES if n not in calibration.feature_names]
            raise ValueError(
                f"{path} was fitted on other features: {list(calibration.feature_names)} "
                f"(missing {missing}); refit it with bench/grading_calibrate.py"
            )
        widths = {len(calibration.mean), len(calibration.scale), len(calibration.coef)}
        if widths != {len(FEATURE_NAMES)}:
            raise ValueError(f"{path} has {widths} columns for {len(FEATURE_NAMES)} features")
        return calibration


@functools.cache
def shipped_calibration() -> Calibration:
    """The calibration shipped with the package, read on first use."""
    return Calibration.read(CALIBRATION_PATH)


@dataclass(frozen=True)
class Grade:
    """The grade of one answer.

    Attributes:
        score: Calibrated probability that the answer is correct, both classes weighed
            equally, in [0, 1]; with a calibration from :func:`calibrate`, 0.5 and above
            is ``correct``.
        verdict: ``correct``, ``partial`` or ``incorrect``.
        covered: Key points the answer covers.
        missed: Key points a partial or incorrect answer misses (empty when correct).
        feedback: One to three sentences for the learner.
        extra: Key points a correct answer does not cover: offered as extra, not missing.
    """

    score: float
    verdict: Verdict
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    feedback: str = ""
    extra: tuple[str, ...] = ()


def _default_embeddings() -> Embeddings:
    from tutor.embeddings import SentenceTransformerEmbeddings

    return SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)


class ShortAnswerGrader:
    """Grades short answers against reference answers and key points.

    Args:
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 when None).
        calibration: Regression parameters (the shipped ones when None).
        key_point_threshold: Similarity from which a key point counts as covered.
    """

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        calibration: Calibration | None = None,
        key_point_threshold: float = KEY_POINT_THRESHOLD,
    ) -> None:
        self._embeddings = embeddings or _default_embeddings()
        self._calibration = calibration
        self.key_point_threshold = key_point_threshold

    @property
    def embeddings(self) -> Embeddings:
        """The sentence embeddings features are computed with."""
        return self._embeddings

    @property
    def calibration(self) -> Calibration:
        """The regression parameters in use."""
        if self._calibration is None:
            self._calibration = shipped_calibration()
        return self._calibration

    def grade(self, item: GradingItem) -> Grade:
        """Grade one answer."""
        return self.grade_many([item])[0]

    def grade_many(self, items: Sequence[GradingItem]) -> list[Grade]:
        """Grade answers, embedding every text they need in one batch."""
        if not items:
            return []
        cache = VectorCache(self._embeddings)
        cache.fill(
            text
            for item in items
            if item.key_points
            for text in (*item.key_points, item.answer, *sentences(item.answer))
        )
        features = compute_features(items, self._embeddings, cache)
        scores = self.calibration.probability(features, [i.model_judgement for i in items])
        grades = []
        for item, score in zip(items, scores.tolist(), strict=True):
            covered, uncovered = self._key_points(item, cache)
            verdict = self.calibration.verdict(score)
            reference = (item.best_references or item.references or ("",))[0]
            grades.append(
                Grade(
                    score=score,
                    verdict=verdict,
                    covered=covered,
                    missed=() if verdict == "correct" else uncovered,
                    feedback=short_answer_feedback(verdict, item.answer, reference, uncovered),
                    extra=uncovered if verdict == "correct" else (),
                )
            )
        return grades

    def predict_correct(self, items: Sequence[GradingItem]) -> list[bool]:
        """Whether each answer is judged correct (partial counts as incorrect)."""
        return [grade.verdict == "correct" for grade in self.grade_many(items)]

    def _key_points(
        self, item: GradingItem, cache: VectorCache
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if not item.key_points:
            return (), ()
        answer = cache.matrix([item.answer, *sentences(item.answer)])
        sims = cache.matrix(list(item.key_points)) @ answer.T
        hit = sims.max(axis=1) >= self.key_point_threshold
        covered = tuple(p for p, h in zip(item.key_points, hit, strict=True) if h)
        missed = tuple(p for p, h in zip(item.key_points, hit, strict=True) if not h)
        return covered, missed


def fit_logistic(
    features: Floats, labels: npt.NDArray[np.bool_], l2: float = 1.0, iterations: int = 50
) -> tuple[Floats, Floats, Floats, float]:
    """Fit an L2-regularized logistic regression by Newton's method on scaled features.

    Args:
        features: One row per example.
        labels: True for correct.
        l2: Penalty on the squared weights (not on the intercept).
        iterations: Newton steps (it converges in far fewer).

    Returns:
        The feature means, scales, weights and intercept.
    """
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-9] = 1.0
    design = np.c_[np.ones(len(features)), (features - mean) / scale]
    target = labels.astype(np.float64)
    penalty = l2 * np.eye(design.shape[1])
    penalty[0, 0] = 0.0
    weights = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-design @ weights))
        gradient = design.T @ (p - target) + penalty @ weights
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return mean, scale, weights[1:], float(weights[0])


def macro_f1(labels: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    """Mean F1 of the classes correct and incorrect."""
    f1s = []
    for positive in (True, False):
        tp = int(np.sum((labels == positive) & (predicted == positive)))
        wrong = int(np.sum(labels != predicted))
        f1s.append(2 * tp / (2 * tp + wrong) if tp else 0.0)
    return sum(f1s) / 2


def cross_validated_probabilities(
    features: Floats, labels: npt.NDArray[np.bool_], groups: Sequence[str], folds: int = 5
) -> Floats:
    """Out-of-fold probabilities, folds split by group (question) so none is seen twice."""
    names = sorted(set(groups))
    rng = np.random.default_rng(0)
    fold_of = dict(zip(names, rng.permutation(len(names)) % folds, strict=True))
    fold = np.array([fold_of[g] for g in groups])
    out = np.zeros(len(labels))
    for k in range(folds):
        mean, scale, coef, intercept = fit_logistic(features[fold != k], labels[fold != k])
        z = (features[fold == k] - mean) / scale
        out[fold == k] = 1.0 / (1.0 + np.exp(-(z @ coef + intercept)))
    return out


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def question_key(item: GradingItem) -> str:
    """What identifies the question an item answers when no id is known."""
    return item.question + "\n" + "\n".join(item.references)


def leave_one_out_examples(
    train_items: Sequence[tuple[GradingItem, bool]], groups: Sequence[str]
) -> list[GradingItem]:
    """Each item with the other answers to its question as graded examples.

    Args:
        train_items: Answers with True when correct.
        groups: The question of each item; items of a group answer the same question.

    Returns:
        The items, in order, whose ``graded_examples`` are every other item of their
        group (by position, so never the item itself), with its label.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        members[group].append(index)
    out = []
    for index, ((item, _), group) in enumerate(zip(train_items, groups, strict=True)):
        examples = tuple(
            (train_items[other][0].answer, train_items[other][1])
            for other in members[group]
            if other != index
        )
        out.append(dataclasses.replace(item, graded_examples=examples))
    return out


def calibrate(
    train_items: Sequence[tuple[GradingItem, bool]],
    embeddings: Embeddings | None = None,
    path: Path | None = CALIBRATION_PATH,
    partial_band: float = 0.15,
    groups: Sequence[str] | None = None,
    weighed: Sequence[str] = WEIGHED_FEATURES,
) -> Calibration:
    """Fit the grading regression on labelled answers and write it as JSON.

    Every answer is seen twice: once with the other answers to its question as
    graded examples (:func:`leave_one_out_examples`, as when earlier learners'
    answers are known) and once without (a new question). Any examples the items
    carry are replaced. The ``correct`` threshold maximizes macro-F1 of
    question-grouped 5-fold cross-validation over both; ``partial`` covers the
    ``partial_band`` below it; answers with and without examples each get their own.
    The intercept is then moved so that the threshold is a score of 0.5: scores read as
    the probability of correct with both classes weighed equally, on the verdict's side
    of one half. Model judgements are left out (``judgement_weight`` 0).

    Args:
        train_items: Answers with True when correct.
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 when None).
        path: Where to write the JSON; None writes nothing.
        partial_band: Width of the ``partial`` score band.
        groups: The question of each item (:func:`question_key` when None).
        weighed: The features the regression weighs; the others get weight 0.

    Returns:
        The fitted calibration, with cross-validation figures in ``info``.
    """
    n = len(train_items)
    if groups is None:
        groups = [question_key(item) for item, _ in train_items]
    items = leave_one_out_examples(train_items, groups)
    with_examples = compute_features(items, embeddings or _default_embeddings())
    every = np.vstack([with_examples, without_examples(with_examples)])
    kept = [FEATURE_NAMES.index(name) for name in weighed]
    features = every[:, kept]
    once = np.array([correct for _, correct in train_items], dtype=bool)
    labels = np.concatenate([once, once])
    # Both copies of an answer share its question's fold, so no fold sees its own answers.
    oof = cross_validated_probabilities(features, labels, [*groups, *groups])
    grid = [round(0.3 + 0.01 * i, 2) for i in range(41)]

    def best(gold: npt.NDArray[np.bool_], scores: Floats) -> float:
        return max(grid, key=lambda t: (macro_f1(gold, scores >= t), -abs(t - 0.5)))

    # Answers with graded examples and answers without are told apart by the data
    # (``has_examples``), and each kind gets the threshold its own folds prefer.
    with_t, without_t = best(once, oof[:n]), best(once, oof[n:])
    decided = np.concatenate([oof[:n] >= with_t, oof[n:] >= without_t])
    mean, scale, coef, intercept = fit_logistic(features, labels)
    # Each threshold becomes 0.5 (the intercept and the weight of ``has_examples`` absorb
    # them), so a learner told "correct" always sees a score above one half.
    column = list(weighed).index("has_examples")
    step = _logit(with_t) - _logit(without_t)
    coef[column] -= step * scale[column]
    intercept -= _logit(without_t) + step * mean[column]
    # Features left out weigh nothing: mean 0, scale 1, weight 0.
    full_mean, full_scale, full_coef = (np.full(len(FEATURE_NAMES), v) for v in (0.0, 1.0, 0.0))
    full_mean[kept], full_scale[kept], full_coef[kept] = mean, scale, coef
    mean, scale, coef = full_mean, full_scale, full_coef
    joint = best(labels, oof)
    calibration = Calibration(
        feature_names=FEATURE_NAMES,
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        coef=tuple(coef.tolist()),
        intercept=intercept,
        correct_threshold=0.5,
        partial_threshold=round(
            _sigmoid(_logit(max(joint - partial_band, 0.01)) - _logit(joint)), 2
        ),
        info={
            "n_train": n,
            "fitted_threshold_with_examples": with_t,
            "fitted_threshold_without_examples": without_t,
            "cv_folds": 5,
            "cv_macro_f1": macro_f1(labels, decided),
            "cv_accuracy": float(np.mean(decided == labels)),
            "cv_macro_f1_with_examples": macro_f1(once, decided[:n]),
            "cv_macro_f1_without_examples": macro_f1(once, decided[n:]),
            "cv_macro_f1_one_threshold": macro_f1(labels, oof >= joint),
        },
    )
    if path is not None:
        calibration.save(path)
    return calibration
