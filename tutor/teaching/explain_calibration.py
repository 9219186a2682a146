"""The calibration of explain-back: when a key point is covered, contradicted or copied.

Two logistic regressions and two thresholds ship with the package in
``tutor/grading/explain_calibration.json`` (fitted on the ``calibrate`` half of a labelled
explain-back set by ``bench/explain_calibrate.py``):

- ``cover`` weighs :data:`~tutor.teaching.explain_evidence.COVER_COLUMNS` into the
  probability that the explanation states the key point;
- ``contradict`` weighs :data:`CONTRADICT_MODEL_COLUMNS` of the pairs where a
  contradiction cue fired into the probability that the explanation states the opposite;
  its threshold is set high, so that a cue alone (a negation word) is not enough;
- ``pass_share`` is the share of the key points, weighted by centrality, that a passing
  explanation covers, and ``copy_share`` the share of its four-word runs found word for word
  in the notes from which it reads as copied.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from tutor.teaching.explain_evidence import CONTRADICT_COLUMNS, COVER_COLUMNS

CONTRADICT_MODEL_COLUMNS: tuple[str, ...] = ("cover_probability", *CONTRADICT_COLUMNS)
"""Columns of the contradicted model: how likely the point is stated at all, then the
evidence that it is turned around."""

EXPLAIN_CALIBRATION_PATH = Path(__file__).parents[1] / "grading" / "explain_calibration.json"
"""Where the shipped explain-back calibration lives."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PointModel:
    """A logistic regression over named columns, with the threshold of a yes.

    Attributes:
        columns: Names of the columns the weights apply to, in order.
        mean: Per-column mean subtracted before scaling.
        scale: Per-column standard deviation divided by.
        coef: One weight per scaled column.
        intercept: Bias term.
        threshold: Probabilities from here are a yes.
    """

    columns: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, rows: Floats) -> Floats:
        """Probability of a yes for each row (columns as :attr:`columns`)."""
        if rows.size == 0:
            return np.zeros(len(rows))
        z = (rows - np.asarray(self.mean)) / np.asarray(self.scale)
        out: Floats = 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))
        return out


@dataclass(frozen=True)
class ExplainCalibration:
    """Everything explain-back needs to turn evidence into a verdict.

    Attributes:
        cover: Whether a key point is covered.
        contradict: Whether a cued key point is contradicted.
        pass_share: Weighted share of covered key points from which an explanation passes.
        copy_share: Share of copied four-word runs from which an explanation is a copy.
        info: Figures about the fit.
    """

    cover: PointModel
    contradict: PointModel
    pass_share: float
    copy_share: float
    info: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path = EXPLAIN_CALIBRATION_PATH) -> None:
        """Write the calibration as JSON."""
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path = EXPLAIN_CALIBRATION_PATH) -> ExplainCalibration:
        """Read a calibration written by :meth:`save`.

        Raises:
            ValueError: When the file's columns are not the ones the evidence has today.
        """
        raw = json.loads(path.read_text(encoding="utf-8"))
        models = {}
        for name, expected in (("cover", COVER_COLUMNS), ("contradict", CONTRADICT_MODEL_COLUMNS)):
            part = raw[name]
            for key in ("columns", "mean", "scale", "coef"):
                part[key] = tuple(part[key])
            model = PointModel(**part)
            if model.columns != expected:
                raise ValueError(
                    f"{path}: the {name} model was fitted on {list(model.columns)}, the "
                    f"evidence now has {list(expected)}; refit it with bench/explain_calibrate.py"
                )
            if {len(model.mean), len(model.scale), len(model.coef)} != {len(expected)}:
                raise ValueError(f"{path}: the {name} model's columns disagree in width")
            models[name] = model
        return cls(
            cover=models["cover"],
            contradict=models["contradict"],
            pass_share=float(raw["pass_share"]),
            copy_share=float(raw["copy_share"]),
            info=dict(raw.get("info", {})),
        )


@functools.cache
def shipped_explain_calibration() -> ExplainCalibration:
    """The explain-back calibration shipped with the package, read on first use."""
    return ExplainCalibration.read(EXPLAIN_CALIBRATION_PATH)


def fit_point_model(
    rows: Floats, labels: npt.NDArray[np.bool_], columns: Sequence[str], threshold: float
) -> PointModel:
    """Fit a :class:`PointModel` on labelled rows.

    Args:
        rows: One row per example, columns as ``columns``.
        labels: True for a yes.
        columns: Column names, kept with the weights.
        threshold: The probability from which the model says yes.

    Returns:
        The fitted model.
    """
    from tutor.grading.short_answer import fit_logistic

    mean, scale, coef, intercept = fit_logistic(rows, labels)
    return PointModel(
        columns=tuple(columns),
        mean=tuple(mean.tolist()),
        scale=tuple(scale.tolist()),
        coef=tuple(coef.tolist()),
        intercept=intercept,
        threshold=threshold,
    )
