"""SemEval-2013 Task 7 (2-way) data in its flattened form, and evaluation on it.

A folder holds ``semeval2013_2way_questions.jsonl`` (one question a line, with its
reference answers) and ``semeval2013_2way_answers.tsv`` (labelled student answers);
answers join their question on (corpus, split, question_id). Any subset of the
splits may be present.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tutor.grading.features import GradingItem

QUESTIONS_FILE = "semeval2013_2way_questions.jsonl"
ANSWERS_FILE = "semeval2013_2way_answers.tsv"
TRAIN_SPLIT = "train"
PREFERRED_CATEGORIES = frozenset({"BEST"})
"""Reference categories used as :attr:`GradingItem.best_references`."""
IGNORED_CATEGORIES = frozenset({"KEYWORD"})
"""Reference categories that are not whole answers."""


@dataclass(frozen=True)
class LabelledAnswer:
    """A student answer with its gold label.

    Attributes:
        corpus: ``beetle`` or ``sciEntsBank``.
        split: ``train``, ``test-unseen-answers`` or ``test-unseen-questions``.
        question_id: The question answered.
        answer_id: The answer's id in the corpus.
        correct: Whether the gold label is ``correct``.
        item: The answer with its question and references, ready to grade.
    """

    corpus: str
    split: str
    question_id: str
    answer_id: str
    correct: bool
    item: GradingItem


class Grader(Protocol):
    """Anything that scores answers: :class:`tutor.grading.ShortAnswerGrader`."""

    def predict_correct(self, items: Sequence[GradingItem]) -> list[bool]:
        """Whether each answer is judged correct."""
        ...


def load(folder: Path) -> dict[str, list[LabelledAnswer]]:
    """Load every split found in ``folder``, answers in file order.

    Args:
        folder: Folder with the questions JSONL and the answers TSV.

    Returns:
        The answers of each split present.

    Raises:
        FileNotFoundError: When either file is missing.
        KeyError: When an answer's question is not in the questions file.
    """
    questions: dict[tuple[str, str, str], dict[str, object]] = {}
    with (folder / QUESTIONS_FILE).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                questions[(row["corpus"], row["split"], row["question_id"])] = row
    splits: dict[str, list[LabelledAnswer]] = defaultdict(list)
    with (folder / ANSWERS_FILE).open(encoding="utf-8", newline="") as table:
        # Fields are quoted as CSV does (``"i don""t know."``), not written raw.
        for row in csv.DictReader(table, delimiter="\t"):
            key = (row["corpus"], row["split"], row["question_id"])
            question = questions[key]
            splits[row["split"]].append(
                LabelledAnswer(
                    corpus=row["corpus"],
                    split=row["split"],
                    question_id=row["question_id"],
                    answer_id=row["answer_id"],
                    correct=row["label"] == "correct",
                    item=_item(question, row["student_answer"]),
                )
            )
    return dict(splits)


def _item(question: dict[str, object], answer: str) -> GradingItem:
    references = question.get("reference_answers") or []
    assert isinstance(references, list)
    whole = [r for r in references if r.get("category") not in IGNORED_CATEGORIES] or references
    return GradingItem(
        answer=answer,
        references=tuple(str(r["text"]) for r in whole),
        question=str(question.get("question") or ""),
        best_references=tuple(
            str(r["text"]) for r in whole if r.get("category") in PREFERRED_CATEGORIES
        ),
    )


def scores(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float]:
    """Accuracy and macro-F1 over the classes correct and incorrect.

    Args:
        gold: Gold labels (True is correct).
        predicted: Predicted labels, aligned with ``gold``.

    Returns:
        ``accuracy``, ``macro_f1`` and ``n``.
    """
    n = len(gold)
    if n == 0:
        return {"accuracy": 0.0, "macro_f1": 0.0, "n": 0}
    f1s = []
    for positive in (True, False):
        tp = sum(g == positive and p == positive for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != positive and p == positive for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == positive and p != positive for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / n
    return {"accuracy": accuracy, "macro_f1": sum(f1s) / 2, "n": n}


def with_train_examples(
    splits: dict[str, list[LabelledAnswer]],
) -> dict[str, list[LabelledAnswer]]:
    """Give answers to questions that train also holds that question's train answers.

    Answers of every split but train whose (corpus, question_id) has train answers
    get them as :attr:`GradingItem.graded_examples`, as a learner's answer gets the
    earlier graded answers to the same exercise; other answers stay as they are.

    Args:
        splits: Splits as :func:`load` returns them.

    Returns:
        The same splits, with graded examples where train has them.
    """
    examples: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)
    for answer in splits.get(TRAIN_SPLIT, []):
        examples[(answer.corpus, answer.question_id)].append((answer.item.answer, answer.correct))
    out: dict[str, list[LabelledAnswer]] = {}
    for split, answers in splits.items():
        if split == TRAIN_SPLIT:
            out[split] = answers
            continue
        out[split] = [
            dataclasses.replace(
                a,
                item=dataclasses.replace(
                    a.item, graded_examples=tuple(examples[(a.corpus, a.question_id)])
                ),
            )
            if (a.corpus, a.question_id) in examples
            else a
            for a in answers
        ]
    return out


def evaluate(grader: Grader, folder: Path) -> dict[str, dict[str, float]]:
    """Score ``grader`` on every split of ``folder`` except train, both corpora together.

    Answers to questions that train holds are graded with that question's train
    answers as graded examples (:func:`with_train_examples`); the others, such as
    unseen questions or a folder with no train split, on references only.

    Args:
        grader: Grader to measure.
        folder: Dataset folder (see :func:`load`).

    Returns:
        ``accuracy``, ``macro_f1`` and ``n`` for each test split present.
    """
    results: dict[str, dict[str, float]] = {}
    for split, answers in sorted(with_train_examples(load(folder)).items()):
        if split == TRAIN_SPLIT:
            continue
        predicted = grader.predict_correct([a.item for a in answers])
        results[split] = scores([a.correct for a in answers], predicted)
    return results
