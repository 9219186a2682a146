"""A labelled explain-back set, and how well explain-back agrees with its labels.

The set is JSON Lines, one explanation a line::

    {"concept": "Ownership Rules", "key_points": ["Each value in Rust has an owner.", ...],
     "explanation": "Every value belongs to ...", "verdict": "pass",
     "covers": [0, 2], "contradicts": [], "split": "report", "style": "good-plain"}

``covers`` and ``contradicts`` index ``key_points``; ``split`` (``calibrate`` or
``report``) and ``style`` are optional. Rows of one concept share a split, so a
calibration fitted on one half is measured on concepts it has not seen.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from tutor.grading.short_answer import macro_f1
from tutor.teaching.explain import compare_explanation
from tutor.teaching.explain_calibration import ExplainCalibration
from tutor.teaching.material import ConceptInfo

COPY_STYLE = "copy"
"""The style of a row that copies the notes."""


@dataclass(frozen=True)
class LabelledExplanation:
    """One explanation of the set with what a careful reader says of it.

    Attributes:
        concept: The concept's title.
        key_points: The concept's key points.
        explanation: What the learner wrote.
        passed: Whether it should pass.
        covers: Indices of the key points it states.
        contradicts: Indices of the key points it states the opposite of.
        split: ``calibrate``, ``report`` or empty.
        style: How it was written (``good-plain``, ``copy``, ...), or empty.
    """

    concept: str
    key_points: tuple[str, ...]
    explanation: str
    passed: bool
    covers: frozenset[int]
    contradicts: frozenset[int]
    split: str = ""
    style: str = ""


@dataclass(frozen=True)
class Judged:
    """What a judge made of one explanation.

    Attributes:
        passed: Whether it passed.
        covered: Indices of the key points judged covered.
        contradicted: Indices of the key points judged contradicted.
        copied: Whether it was taken for a copy of the notes.
    """

    passed: bool
    covered: frozenset[int]
    contradicted: frozenset[int]
    copied: bool = False


Judge = Callable[[LabelledExplanation], Judged]


def load_explanations(path: Path) -> list[LabelledExplanation]:
    """Read a labelled explain-back set.

    Raises:
        ValueError: When a line is not a JSON object of the expected shape; the message
            names the line.
    """
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(_row(json.loads(line)))
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"{path}:{number}: {error}") from None
    if not rows:
        raise ValueError(f"{path} holds no explanations")
    return rows


def _row(raw: object) -> LabelledExplanation:
    if not isinstance(raw, dict):
        raise ValueError("a row must be a JSON object")
    missing = [k for k in ("concept", "key_points", "explanation", "verdict") if k not in raw]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    points = raw["key_points"]
    if not isinstance(points, list) or not points or not all(isinstance(p, str) for p in points):
        raise ValueError("key_points must be a non-empty list of strings")
    verdict = raw["verdict"]
    if verdict not in ("pass", "fail"):
        raise ValueError(f"verdict must be 'pass' or 'fail', not {verdict!r}")
    indices = {}
    for key in ("covers", "contradicts"):
        values = raw.get(key, [])
        if not isinstance(values, list) or not all(
            isinstance(v, int) and 0 <= v < len(points) for v in values
        ):
            raise ValueError(f"{key} must list indices of key_points (0 to {len(points) - 1})")
        indices[key] = frozenset(values)
    return LabelledExplanation(
        concept=str(raw["concept"]),
        key_points=tuple(points),
        explanation=str(raw["explanation"]),
        passed=verdict == "pass",
        covers=indices["covers"],
        contradicts=indices["contradicts"],
        split=str(raw.get("split", "")),
        style=str(raw.get("style", "")),
    )


def shipped_judge(embeddings: Embeddings, calibration: ExplainCalibration | None = None) -> Judge:
    """A judge that runs :func:`compare_explanation` (the notes are the key points)."""

    def judge(row: LabelledExplanation) -> Judged:
        concept = ConceptInfo(key=row.concept, title=row.concept)
        result = compare_explanation(
            row.explanation, concept, row.key_points, embeddings, calibration=calibration
        )
        return Judged(
            passed=result.passed,
            covered=_indices(row.key_points, result.covered),
            contradicted=_indices(row.key_points, result.contradicted),
            copied=result.copied,
        )

    return judge


def _indices(points: Sequence[str], chosen: Sequence[str]) -> frozenset[int]:
    picked = {p.strip() for p in chosen}
    return frozenset(i for i, p in enumerate(points) if p.strip() in picked)


def evaluate(rows: Sequence[LabelledExplanation], judge: Judge) -> dict[str, float]:
    """How often the judge agrees with the labels.

    Args:
        rows: Labelled explanations.
        judge: What is measured.

    Returns:
        ``n`` explanations and ``key_points`` judged; pass/fail ``accuracy`` and
        ``macro_f1``; ``key_point_precision`` and ``key_point_recall`` of covered points;
        ``false_contradicted_rate`` (key points judged contradicted that are not, over all
        key points), ``contradicted_precision`` and ``contradicted_recall``; and
        ``copies_recognised`` (share of the rows in the copy style judged copied).
    """
    judged = [judge(row) for row in rows]
    labels = np.array([row.passed for row in rows], dtype=bool)
    predicted = np.array([j.passed for j in judged], dtype=bool)
    pairs = sum(len(row.key_points) for row in rows)
    hit = sum(len(j.covered & row.covers) for row, j in zip(rows, judged, strict=True))
    said = sum(len(j.covered) for j in judged)
    truth = sum(len(row.covers) for row in rows)
    wrong_hit = sum(
        len(j.contradicted & row.contradicts) for row, j in zip(rows, judged, strict=True)
    )
    wrong_said = sum(len(j.contradicted) for j in judged)
    wrong_truth = sum(len(row.contradicts) for row in rows)
    copies = [j.copied for row, j in zip(rows, judged, strict=True) if row.style == COPY_STYLE]
    return {
        "n": float(len(rows)),
        "key_points": float(pairs),
        "accuracy": float(np.mean(labels == predicted)) if len(rows) else 0.0,
        "macro_f1": macro_f1(labels, predicted),
        "key_point_precision": hit / said if said else 0.0,
        "key_point_recall": hit / truth if truth else 0.0,
        "false_contradicted_rate": (wrong_said - wrong_hit) / pairs if pairs else 0.0,
        "contradicted_precision": wrong_hit / wrong_said if wrong_said else 0.0,
        "contradicted_recall": wrong_hit / wrong_truth if wrong_truth else 0.0,
        "copies_recognised": sum(copies) / len(copies) if copies else 0.0,
    }


def pick_split(rows: Sequence[LabelledExplanation], split: str) -> list[LabelledExplanation]:
    """The rows of ``split``; ``all`` keeps every row, as does a set without splits.

    Raises:
        ValueError: When the set has splits and none is called ``split``.
    """
    if split == "all" or not any(row.split for row in rows):
        return list(rows)
    chosen = [row for row in rows if row.split == split]
    if not chosen:
        names = sorted({row.split for row in rows})
        raise ValueError(f"no rows in split {split!r} (the set has {', '.join(names)})")
    return chosen
