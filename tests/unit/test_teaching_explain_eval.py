"""The labelled explain-back set: reading it, and the figures a judge gets on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.teaching.explain_eval import (
    Judged,
    LabelledExplanation,
    evaluate,
    load_explanations,
    pick_split,
)

SET = Path(__file__).parents[1] / "data" / "explain_back.jsonl"


def _row(**changes: object) -> str:
    row: dict[str, object] = {
        "concept": "Ownership Rules",
        "key_points": ["Each value has an owner.", "One owner at a time.", "Dropped out of scope."],
        "explanation": "Every value has exactly one owner.",
        "verdict": "fail",
        "covers": [0, 1],
        "contradicts": [],
    }
    row.update(changes)
    return json.dumps(row)


def test_the_shipped_set_is_large_balanced_and_split_by_concept() -> None:
    rows = load_explanations(SET)
    assert len(rows) >= 200
    concepts = {row.concept for row in rows}
    assert len(concepts) >= 20
    for concept in concepts:
        assert len({row.split for row in rows if row.concept == concept}) == 1
    assert {row.split for row in rows} == {"calibrate", "report"}
    styles = {row.style.split("-")[0] for row in rows}
    assert {"good", "partial", "wrong", "off", "one", "copy"} <= styles
    assert any(row.passed for row in rows) and any(not row.passed for row in rows)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "1:"),
        (_row(verdict="maybe"), "verdict must be 'pass' or 'fail'"),
        (_row(covers=[3]), "covers must list indices"),
        (_row(key_points=[]), "key_points must be a non-empty list"),
        (json.dumps({"concept": "x"}), "missing key_points, explanation, verdict"),
    ],
)
def test_a_bad_row_is_named_by_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(f"{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_explanations(path)
    assert f"{path}:1:" in str(caught.value)


def test_figures_count_pairs_of_explanation_and_key_point(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(
            [
                _row(verdict="pass", covers=[0, 1, 2]),
                _row(covers=[0], contradicts=[1], style="wrong-reuse"),
                _row(covers=[0], style="copy"),
                _row(covers=[]),
            ]
        ),
        encoding="utf-8",
    )
    rows = load_explanations(path)
    answers = iter(
        [
            Judged(True, frozenset({0, 1}), frozenset()),
            Judged(True, frozenset({0}), frozenset({2})),
            Judged(False, frozenset({0}), frozenset(), copied=True),
            Judged(False, frozenset(), frozenset()),
        ]
    )

    def judge(row: LabelledExplanation) -> Judged:
        return next(answers)

    figures = evaluate(rows, judge)
    assert figures["n"] == 4 and figures["key_points"] == 12
    assert figures["accuracy"] == 0.75
    # Covered: 4 said, all right; 5 labelled.
    assert figures["key_point_precision"] == 1.0
    assert figures["key_point_recall"] == 4 / 5
    # One point judged contradicted that is not, out of 12 key points.
    assert figures["false_contradicted_rate"] == 1 / 12
    assert figures["contradicted_recall"] == 0.0
    assert figures["copies_recognised"] == 1.0


def test_pick_split_keeps_a_set_without_splits_whole(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(_row() + "\n" + _row(verdict="pass"), encoding="utf-8")
    rows = load_explanations(path)
    assert pick_split(rows, "report") == rows
    split = [*rows[:1], LabelledExplanation("c", ("p",), "e", True, frozenset(), frozenset(), "x")]
    with pytest.raises(ValueError, match="no rows in split 'report'"):
        pick_split(split, "report")


def test_eval_explain_reports_a_bad_file_clearly(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(_row(verdict="maybe") + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "explain", str(path), "--json"])
    assert result.exit_code != 0
    assert "verdict must be 'pass' or 'fail'" in result.output
