"""`tutor eval grading`: any folder in the SemEval 2-way layout, any split name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main

pytestmark = pytest.mark.integration

QUESTIONS = [
    {
        "corpus": "mine",
        "split": "test-new",
        "question_id": "q1",
        "module": "m",
        "question": "Why does ice float on water?",
        "reference_answers": [
            {"id": "r1", "category": "BEST", "text": "Ice is less dense than liquid water."}
        ],
    },
]
ANSWERS = [
    ("a1", "correct", "Because ice is less dense than the water."),
    ("a2", "incorrect", "Ice is heavier than water."),
    ("a3", "incorrect", "I do not know."),
]


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "semeval2013_2way_questions.jsonl").write_text(
        "\n".join(json.dumps(q) for q in QUESTIONS) + "\n"
    )
    rows = ["corpus\tsplit\tquestion_id\tanswer_id\tlabel\tstudent_answer"]
    rows += [f"mine\ttest-new\tq1\t{a}\t{label}\t{text}" for a, label, text in ANSWERS]
    (tmp_path / "semeval2013_2way_answers.tsv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_grades_an_unseen_split_with_the_shipped_calibration(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "grading", str(_folder(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert list(figures) == ["test-new"]
    assert figures["test-new"]["n"] == 3
    assert 0.0 <= figures["test-new"]["macro_f1"] <= 1.0
    assert figures["test-new"]["accuracy"] >= 2 / 3  # the paraphrase and the blank are easy


def test_train_answers_become_graded_examples_and_train_is_not_graded(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    train_question = {**QUESTIONS[0], "split": "train"}
    with (folder / "semeval2013_2way_questions.jsonl").open("a") as questions:
        questions.write(json.dumps(train_question) + "\n")
    # Learners' own wordings, graded before: the references alone do not cover them.
    train = [
        ("t1", "correct", "Frozen water takes more room for the same mass."),
        ("t2", "incorrect", "It has air bubbles that make it light."),
    ]
    test = [
        ("a4", "correct", "Frozen water takes more room for its mass."),
        ("a5", "incorrect", "It has air bubbles that make it light enough."),
    ]
    with (folder / "semeval2013_2way_answers.tsv").open("a") as answers:
        answers.writelines(f"mine\ttrain\tq1\t{a}\t{label}\t{text}\n" for a, label, text in train)
        answers.writelines(f"mine\ttest-new\tq1\t{a}\t{label}\t{text}\n" for a, label, text in test)
    result = CliRunner().invoke(main, ["eval", "grading", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    assert list(figures) == ["test-new"]
    assert figures["test-new"]["n"] == 5
    assert figures["test-new"]["accuracy"] >= 4 / 5


def test_a_folder_without_the_files_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "grading", str(tmp_path)])
    assert result.exit_code == 1
    assert "has no semeval2013_2way_questions.jsonl" in result.output
