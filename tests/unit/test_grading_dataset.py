"""Loading the SemEval-2013 2-way format and scoring a grader on it."""

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tutor.grading import GradingItem
from tutor.grading.dataset import (
    ANSWERS_FILE,
    QUESTIONS_FILE,
    evaluate,
    load,
    scores,
    with_train_examples,
)

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
    def __init__(self) -> None:
        self.seen: list[GradingItem] = []

    def predict_correct(self, items: Sequence[GradingItem]) -> list[bool]:
        self.seen.extend(items)
        return ["closed" in item.answer for item in items]


def write_split_folder(folder: Path) -> None:
    """Q1 in train and unseen answers, Q2 only in unseen questions (same id in another corpus)."""
    reference = [{"id": "r", "category": "BEST", "text": "closed"}]
    questions = [
        {
            "corpus": c,
            "split": s,
            "question_id": q,
            "question": f"{q}?",
            "reference_answers": reference,
        }
        for c, s, q in (
            ("beetle", "train", "Q1"),
            ("beetle", "test-unseen-answers", "Q1"),
            ("beetle", "test-unseen-questions", "Q2"),
            ("sciEntsBank", "test-unseen-answers", "Q1"),
        )
    ]
    (folder / QUESTIONS_FILE).write_text("".join(json.dumps(q) + "\n" for q in questions))
    rows = [
        "corpus\tsplit\tquestion_id\tanswer_id\tlabel\tstudent_answer",
        "beetle\ttrain\tQ1\tt1\tcorrect\tthe switch is closed",
        "beetle\ttrain\tQ1\tt2\tincorrect\tthe bulb is off",
        "beetle\ttest-unseen-answers\tQ1\tu1\tcorrect\tclosed switch",
        "beetle\ttest-unseen-questions\tQ2\tv1\tincorrect\topen",
        "sciEntsBank\ttest-unseen-answers\tQ1\tw1\tincorrect\tno",
    ]
    (folder / ANSWERS_FILE).write_text("\n".join(rows) + "\n")


def test_load_a_folder_with_one_split(tmp_path: Path) -> None:
    write_folder(tmp_path)
    data = load(tmp_path)
    assert list(data) == ["test-unseen-answers"]
    first = data["test-unseen-answers"][0]
    assert first.correct
    assert first.item.references == ("Because it is closed", "closed")
    assert first.item.best_references == ("Because it is closed",)
    assert first.item.question == "Why?"
    echo = Echo()
    result = evaluate(echo, tmp_path)
    assert result == {"test-unseen-answers": {"accuracy": 1.0, "macro_f1": 1.0, "n": 2}}
    # Without a train split there are no earlier answers: references only.
    assert [item.graded_examples for item in echo.seen] == [(), ()]


def test_answers_to_train_questions_get_the_train_answers_as_examples(tmp_path: Path) -> None:
    write_split_folder(tmp_path)
    data = with_train_examples(load(tmp_path))
    train_answers = (("the switch is closed", True), ("the bulb is off", False))
    seen = data["test-unseen-answers"]
    assert [a.answer_id for a in seen] == ["u1", "w1"]
    assert seen[0].item.graded_examples == train_answers
    assert seen[0].item.answer == "closed switch" and seen[0].correct
    # Same question id, other corpus: a different question, so no examples.
    assert seen[1].item.graded_examples == ()
    assert data["test-unseen-questions"][0].item.graded_examples == ()
    assert all(a.item.graded_examples == () for a in data["train"])

    echo = Echo()
    result = evaluate(echo, tmp_path)
    assert set(result) == {"test-unseen-answers", "test-unseen-questions"}
    assert [item.graded_examples for item in echo.seen] == [train_answers, (), ()]


def test_answers_are_read_with_csv_quoting(tmp_path: Path) -> None:
    write_folder(tmp_path)
    rows = [
        "corpus\tsplit\tquestion_id\tanswer_id\tlabel\tstudent_answer",
        'beetle\ttest-unseen-answers\tQ1\tq1\tincorrect\t"i don""t know."',
        'beetle\ttest-unseen-answers\tQ1\tq2\tcorrect\t"it is closed, so ""current"" flows"',
        'beetle\ttest-unseen-answers\tQ1\tq3\tcorrect\tclosed, and a 5" gap',
    ]
    (tmp_path / ANSWERS_FILE).write_text("\n".join(rows) + "\n")
    answers = [a.item.answer for a in load(tmp_path)["test-unseen-answers"]]
    assert answers == ['i don"t know.', 'it is closed, so "current" flows', 'closed, and a 5" gap']


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
    # Quoted fields lose their quoting: no answer keeps a quote at both ends or a doubled one.
    answers = [a.item.answer for split in load(ASAG).values() for a in split]
    assert not [a for a in answers if (a.startswith('"') and a.endswith('"')) or '""' in a]
    assert all(a.item.references for a in train)
