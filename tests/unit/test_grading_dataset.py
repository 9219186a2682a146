"""Loading the SemEval-2013 2-way format and scoring a grader on it."""

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tutor.grading import GradingItem
from tutor.grading.dataset import ANSWERS_FILE, QUESTIONS_FILE, evaluate, load, scores

ASAG = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "asag"


def write_folder(folder: Path) -> None:
    question = {
        "corpus": "beetle",
        "split": "test-unseen-answers",
        "question_id": "Q1",
        "module": "M",
        "question": "Why?",
        "reference_answers": [
            {"id": "a", "category": "BEST", "text": "Because it is closed"},
            {"id": "b", "category": "MINIMAL", "text": "closed"},
            {"id": "c", "category": "KEYWORD", "text": "closed"},
        ],
    }
    (folder / QUESTIONS_FILE).write_text(json.dumps(question) + "\n")
    rows = [
        "corpus\tsplit\tquestion_id\tanswer_id\tlabel\tstudent_answer",
        "beetle\ttest-unseen-answers\tQ1\tx1\tcorrect\tit is closed",
        "beetle\ttest-unseen-answers\tQ1\tx2\tincorrect\tno idea",
    ]
    (folder / ANSWERS_FILE).write_text("\n".join(rows) + "\n")


class Echo:
    def predict_correct(self, items: Sequence[GradingItem]) -> list[bool]:
        return ["closed" in item.answer for item in items]


def test_load_a_folder_with_one_split(tmp_path: Path) -> None:
    write_folder(tmp_path)
    data = load(tmp_path)
    assert list(data) == ["test-unseen-answers"]
    first = data["test-unseen-answers"][0]
    assert first.correct
    assert first.item.references == ("Because it is closed", "closed")
    assert first.item.best_references == ("Because it is closed",)
    assert first.item.question == "Why?"
    result = evaluate(Echo(), tmp_path)
    assert result == {"test-unseen-answers": {"accuracy": 1.0, "macro_f1": 1.0, "n": 2}}


def test_scores() -> None:
    gold = [True, True, False, False]
    result = scores(gold, [True, False, False, False])
    assert result["accuracy"] == 0.75
    assert result["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert scores([], [])["n"] == 0


def test_real_dataset_counts() -> None:
    if not (ASAG / ANSWERS_FILE).is_file():
        pytest.skip(f"SemEval-2013 data not found at {ASAG}")
    counts = {split: len(answers) for split, answers in load(ASAG).items()}
    assert counts == {"train": 8910, "test-unseen-answers": 979, "test-unseen-questions": 1552}
    train = load(ASAG)["train"]
    assert sum(a.correct for a in train) == 3673
    assert all(a.item.references for a in train)
