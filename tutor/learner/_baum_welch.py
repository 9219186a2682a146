"""Baum-Welch (EM) for the two-state BKT chain, vectorised over sequences with NumPy.

Partial credit enters the likelihood as a fractional Bernoulli observation: a score ``x``
has weight ``(1 - slip)**x * slip**(1 - x)`` in the known state and
``guess**x * (1 - guess)**(1 - x)`` in the unknown one. For scores of 0 and 1 this is the
exact BKT likelihood; for fractions it is the cross-entropy that the fit report scores, and
it keeps every M-step in closed form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tutor.learner.bkt import BKTParams

Array = NDArray[np.float64]

_LOW = 1e-4
"""No parameter is fitted to exactly 0 or 1: that would make some answer impossible."""
GUESS_SLIP_MAX = 0.45
"""Upper bound of fitted guess and slip: beyond 0.5 the two states would swap meanings."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Distinct score sequences, padded to one length, with how often each occurs."""

    scores: Array
    """(sequences, attempts) scores, 0 after a sequence's end."""
    mask: NDArray[np.bool_]
    """Where ``scores`` holds a real attempt."""
    weights: Array
    """How many times each distinct sequence occurs."""


def make_batch(sequences: Sequence[Sequence[float]]) -> Batch:
    """Pack non-empty sequences; identical ones are counted once, with a weight."""
    counts = Counter(tuple(float(s) for s in sequence) for sequence in sequences if sequence)
    longest = max((len(sequence) for sequence in counts), default=0)
    scores = np.zeros((len(counts), longest))
    mask = np.zeros((len(counts), longest), dtype=bool)
    for row, sequence in enumerate(counts):
        scores[row, : len(sequence)] = sequence
        mask[row, : len(sequence)] = True
    return Batch(scores, mask, np.array(list(counts.values()), dtype=np.float64))


def fit_em(
    batch: Batch, start: BKTParams, *, max_iterations: int, tolerance: float
) -> tuple[BKTParams, float, int]:
    """Run EM from ``start`` until the log-likelihood gains less than ``tolerance`` (relative).

    Returns:
        The fitted parameters, their log-likelihood, and the number of iterations run.
    """
    params = _bounded(start.prior, start.learn, start.slip, start.guess)
    previous = -np.inf
    iterations = 0
    while True:
        iterations += 1
        log_likelihood, params_next = _step(batch, params)
        converged = log_likelihood - previous <= tolerance * abs(log_likelihood)
        if converged or iterations >= max_iterations:
            return params, log_likelihood, iterations
        previous = log_likelihood
        params = params_next


def _step(batch: Batch, params: BKTParams) -> tuple[float, BKTParams]:
    """One E-step at ``params`` (its log-likelihood) and the M-step that follows it."""
    x, mask, w = batch.scores, batch.mask, batch.weights
    learn = params.learn
    emit_known = np.where(mask, (1 - params.slip) ** x * params.slip ** (1 - x), 1.0)
    emit_unknown = np.where(mask, params.guess**x * (1 - params.guess) ** (1 - x), 1.0)
    attempts = x.shape[1]

    # Scaled forward pass: alpha_* are P(state_t | answers up to t), scale = P(x_t | before).
    alpha_known = np.empty_like(x)
    alpha_unknown = np.empty_like(x)
    scale = np.empty_like(x)
    known = np.full(x.shape[0], params.prior)
    for t in range(attempts):
        if t > 0:
            known = alpha_known[:, t - 1] + alpha_unknown[:, t - 1] * learn
        forward_known = known * emit_known[:, t]
        forward_unknown = (1 - known) * emit_unknown[:, t]
        scale[:, t] = forward_known + forward_unknown
        alpha_known[:, t] = forward_known / scale[:, t]
        alpha_unknown[:, t] = forward_unknown / scale[:, t]
    # Padding has weight 1 in both states, so its scale is 1 and adds nothing here.
    log_likelihood = float(w @ np.log(scale).sum(axis=1))

    beta_known = np.ones_like(x)
    beta_unknown = np.ones_like(x)
    for t in range(attempts - 2, -1, -1):
        next_known = emit_known[:, t + 1] * beta_known[:, t + 1] / scale[:, t + 1]
        next_unknown = emit_unknown[:, t + 1] * beta_unknown[:, t + 1] / scale[:, t + 1]
        beta_known[:, t] = next_known
        beta_unknown[:, t] = learn * next_known + (1 - learn) * next_unknown

    gamma_known = alpha_known * beta_known * mask
    gamma_unknown = alpha_unknown * beta_unknown * mask
    followed = mask[:, 1:]
    learned = (
        alpha_unknown[:, :-1]
        * learn
        * emit_known[:, 1:]
        * beta_known[:, 1:]
        / scale[:, 1:]
        * followed
    )
    weights = w[:, None]
    return log_likelihood, _bounded(
        prior=float(w @ gamma_known[:, 0]) / float(w.sum()),
        learn=_ratio(weights * learned, weights * gamma_unknown[:, :-1] * followed, learn),
        slip=_ratio(weights * gamma_known * (1 - x), weights * gamma_known, params.slip),
        guess=_ratio(weights * gamma_unknown * x, weights * gamma_unknown, params.guess),
    )


def _ratio(numerator: Array, denominator: Array, fallback: float) -> float:
    """Sum over sum, or ``fallback`` when the data say nothing (an empty denominator)."""
    total = float(denominator.sum())
    return float(numerator.sum()) / total if total > 0.0 else fallback


def _bounded(prior: float, learn: float, slip: float, guess: float) -> BKTParams:
    def clip(value: float, high: float) -> float:
        return min(max(value, _LOW), high)

    return BKTParams(
        prior=clip(prior, 1 - _LOW),
        learn=clip(learn, 1 - _LOW),
        slip=clip(slip, GUESS_SLIP_MAX),
        guess=clip(guess, GUESS_SLIP_MAX),
    )
