"""Fitting BKT parameters to an attempts log, and scoring them.

The log is a list of score sequences, one per (learner, concept), each in time order. The
fit is Baum-Welch EM on the two-state chain (see :mod:`tutor.learner._baum_welch` for how
partial credit enters), run from a few starting points, keeping the most likely result:
EM only finds a local optimum and BKT's likelihood has several.

Both the starting and the fitted parameters are scored on one-step-ahead predictions made
by the tracing itself (:func:`tutor.learner.bkt.predict_correct` before each attempt,
:func:`tutor.learner.bkt.update` after it): log-loss, and AUC with a score of at least 0.5
counting as correct.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.learner._baum_welch import fit_em, make_batch
from tutor.learner._metrics import auc, log_loss
from tutor.learner.bkt import DEFAULT_PARAMS, BKTParams, predict_correct, update

_OTHER_STARTS = (
    BKTParams(prior=0.5, learn=0.1, slip=0.05, guess=0.3),
    BKTParams(prior=0.1, learn=0.3, slip=0.2, guess=0.1),
    BKTParams(prior=0.3, learn=0.05, slip=0.15, guess=0.25),
)
"""Starting points tried besides the caller's, spread over the plausible region."""


@dataclass(frozen=True, slots=True)
class FitReport:
    """Fitted parameters and how well they predict the log, before and after."""

    params: BKTParams
    """The fitted parameters."""
    log_loss_before: float
    """Mean cross-entropy of one-step-ahead predictions with the starting parameters."""
    log_loss_after: float
    """The same with the fitted parameters."""
    auc_before: float | None
    """AUC of one-step-ahead predictions with the starting parameters (None: one class)."""
    auc_after: float | None
    """The same with the fitted parameters."""
    n_sequences: int
    """Non-empty sequences in the log."""
    n_observations: int
    """Scores in the log."""
    iterations: int
    """EM iterations of the run that was kept."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """How well some parameters predict a log, one attempt ahead."""

    log_loss: float
    auc: float | None


def evaluate(sequences: Sequence[Sequence[float]], params: BKTParams) -> Evaluation:
    """Score one-step-ahead predictions of ``params`` on the log.

    Raises:
        ValueError: The log has no scores, or a score is outside ``[0, 1]``.
    """
    predictions: list[float] = []
    scores: list[float] = []
    for sequence in sequences:
        p_known = params.prior
        for score in sequence:
            predictions.append(predict_correct(p_known, params))
            scores.append(score)
            p_known = update(p_known, score, params)
    if not scores:
        raise ValueError("the log has no scores")
    return Evaluation(log_loss(predictions, scores), auc(predictions, scores))


def fit_bkt(
    sequences: Sequence[Sequence[float]],
    *,
    initial: BKTParams = DEFAULT_PARAMS,
    max_iterations: int = 300,
    tolerance: float = 1e-8,
) -> FitReport:
    """Fit BKT parameters to score sequences by EM.

    Args:
        sequences: One sequence of scores in ``[0, 1]`` per (learner, concept), oldest first.
        initial: The parameters in use so far: the first starting point, and the
            "before" of the report.
        max_iterations: The most EM iterations per starting point.
        tolerance: Stop when the log-likelihood gains less than this, relatively.

    Returns:
        The fitted parameters and their scores.

    Raises:
        ValueError: The log has no scores, or a score is outside ``[0, 1]``.
    """
    before = evaluate(sequences, initial)
    batch = make_batch(sequences)
    runs = [
        fit_em(batch, start, max_iterations=max_iterations, tolerance=tolerance)
        for start in (initial, *_OTHER_STARTS)
    ]
    params, _, iterations = max(runs, key=lambda run: run[1])
    after = evaluate(sequences, params)
    return FitReport(
        params=params,
        log_loss_before=before.log_loss,
        log_loss_after=after.log_loss,
        auc_before=before.auc,
        auc_after=after.auc,
        n_sequences=sum(1 for sequence in sequences if sequence),
        n_observations=sum(len(sequence) for sequence in sequences),
        iterations=iterations,
    )
