"""Scores of probabilistic predictions against graded answers."""

from __future__ import annotations

import math
from collections.abc import Sequence

_EPSILON = 1e-9
"""Predictions are clipped this far from 0 and 1 so that one confident miss stays finite."""


def log_loss(predictions: Sequence[float], scores: Sequence[float]) -> float:
    """Mean cross-entropy of the predictions against scores in ``[0, 1]``.

    Raises:
        ValueError: The sequences are empty or of different lengths.
    """
    _check(predictions, scores)
    total = 0.0
    for prediction, score in zip(predictions, scores, strict=True):
        p = min(max(prediction, _EPSILON), 1.0 - _EPSILON)
        total -= score * math.log(p) + (1.0 - score) * math.log(1.0 - p)
    return total / len(scores)


def auc(predictions: Sequence[float], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve, with a score of at least 0.5 counting as correct.

    It is the probability that a correct answer was predicted higher than an incorrect
    one, ties counting half (the Mann-Whitney statistic over average ranks).

    Returns:
        The area, or None when every answer is correct or every one is incorrect.

    Raises:
        ValueError: The sequences are empty or of different lengths.
    """
    _check(predictions, scores)
    order = sorted(range(len(predictions)), key=predictions.__getitem__)
    positives = 0
    positive_rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and predictions[order[end + 1]] == predictions[order[start]]:
            end += 1
        average_rank = (start + end) / 2.0 + 1.0
        for i in order[start : end + 1]:
            if scores[i] >= 0.5:
                positives += 1
                positive_rank_sum += average_rank
        start = end + 1
    negatives = len(order) - positives
    if positives == 0 or negatives == 0:
        return None
    return (positive_rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def _check(predictions: Sequence[float], scores: Sequence[float]) -> None:
    if not scores or len(predictions) != len(scores):
        raise ValueError("predictions and scores must be non-empty and of the same length")
