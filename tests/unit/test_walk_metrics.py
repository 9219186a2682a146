"""Tests of what the learner-walk bench judges and counts, and of its label files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench._walk_metrics import (
    Concept,
    Labels,
    Turn,
    figures,
    follow_mastery,
    is_non_teachable,
    rank_concepts,
    reading_order,
    role_disagreements,
)

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "bench" / "data"
RUST_BOOK = REPO.parent / "shared" / "eval" / "rust-book"
MACRO_NOTES = REPO / "tests" / "data" / "macroeconomics" / "notes"


def _concept(concept_id: str, title: str = "", files: tuple[str, ...] = ("a.md",)) -> Concept:
    return Concept(concept_id, title or concept_id, [], "", list(files), "teachable")


def _grade(verdict: str) -> dict[str, Any]:
    return {"type": "grade", "verdict": verdict, "score": 0.5}


def _mastery(before: float, after: float) -> dict[str, Any]:
    return {
        "type": "mastery",
        "concept_id": "a",
        "before": before,
        "p_known": after,
        "mastered": False,
    }


def _lesson(number: int, concept_id: str, *verdicts: str) -> Turn:
    turn = Turn(number, lesson={"concept_id": concept_id})
    turn.grades = [("short_answer", verdict, "0.50") for verdict in verdicts]
    return turn


# --- mastery moves against the verdict ----------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "before", "after", "against"),
    [
        ("correct", 0.78, 0.66, 1),  # "Correct" lowered mastery
        ("incorrect", 0.18, 0.23, 1),  # "Incorrect" raised it
        ("correct", 0.20, 0.60, 0),
        ("incorrect", 0.60, 0.20, 0),
        ("correct", 0.98, 0.98, 0),  # at the ceiling nothing moves: not against
        ("partial", 0.50, 0.40, 0),  # a partial may move either way
        ("partial", 0.50, 0.60, 0),
    ],
)
def test_a_mastery_move_is_against_the_verdict_only_when_it_goes_the_other_way(
    verdict: str, before: float, after: float, against: int
) -> None:
    turn = Turn(1)
    follow_mastery([_grade(verdict), _mastery(before, after)], turn, {"a": _concept("a")})
    assert turn.against == against
    assert ("AGAINST THE VERDICT" in turn.moves[0]) == bool(against)


def test_a_mastery_move_after_an_explain_back_is_judged_by_no_grade() -> None:
    turn = Turn(1)
    events = [
        _grade("correct"),
        {"type": "explain_result", "passed": False, "score": 0.1},
        _mastery(0.9, 0.5),
    ]
    follow_mastery(events, turn, {"a": _concept("a")})
    assert turn.against == 0
    assert turn.moves[0].startswith("explain-back failed")


# --- runs, distinct concepts, non-teachable lessons ---------------------------------------


def test_the_longest_run_counts_lessons_in_a_row_on_one_concept() -> None:
    concepts = {c: _concept(c) for c in "ab"}
    concepts["b"].teachable = False
    turns = [_lesson(1, "a"), _lesson(2, "a"), _lesson(3, "b"), _lesson(4, "a"), Turn(5)]
    result = figures(turns, concepts)
    assert result["longest_run"] == 2  # a, a, b, a: three on "a", but never three in a row
    assert result["distinct_concepts"] == 2
    assert result["lessons"] == 4
    assert result["non_teachable_lessons"] == 1
    assert result["non_teachable_share"] == 0.25


# --- moved past a failed concept ----------------------------------------------------------


def _ranked(*ids: str) -> dict[str, Concept]:
    concepts = {c: _concept(c) for c in ids}
    for rank, concept_id in enumerate(ids, start=1):
        concepts[concept_id].rank = rank
    return concepts


def test_a_later_concept_while_a_failed_one_is_not_passed_is_moving_past_it() -> None:
    turns = [_lesson(1, "a", "incorrect"), _lesson(2, "a", "partial"), _lesson(3, "b")]
    result = figures(turns, _ranked("a", "b"))
    assert result["moved_past_failed"] == 1
    assert result["moved_past_failed_turns"] == [3]
    assert result["order_position"] == 2


def test_a_concept_passed_later_no_longer_holds_the_learner_back() -> None:
    turns = [_lesson(1, "a", "incorrect"), _lesson(2, "a", "correct"), _lesson(3, "b")]
    assert figures(turns, _ranked("a", "b"))["moved_past_failed"] == 0


def test_going_back_to_an_earlier_concept_is_not_moving_past() -> None:
    turns = [_lesson(1, "b", "incorrect"), _lesson(2, "a", "incorrect")]
    result = figures(turns, _ranked("a", "b"))
    assert result["moved_past_failed"] == 0
    assert result["order_position"] == 2


def test_a_failed_explain_back_alone_fails_the_concept() -> None:
    first = _lesson(1, "a")
    first.explained = "failed"
    assert figures([first, _lesson(2, "b")], _ranked("a", "b"))["moved_past_failed"] == 1


# --- labels: non-teachable sections and the reading order ---------------------------------


LABELLED = Labels.parse(
    {"non_teachable_files": ["foreword.md", "README.md"], "non_teachable_titles": ["summary"]}
)


@pytest.mark.parametrize(
    ("title", "files", "non_teachable"),
    [
        ("Foreword", ["foreword.md"], True),
        ("Summary", ["ch04.md"], True),
        ("SUMMARY", ["ch04.md"], True),
        ("Understanding Ownership: Summary", ["ch04.md"], True),  # a generic heading renamed
        ("Summary Statistics", ["ch04.md"], False),  # a title is matched whole
        ("Ownership", ["ch04.md", "foreword.md"], False),  # merged with a teachable file
        ("Ownership", [], False),
    ],
)
def test_a_section_is_non_teachable_by_its_files_or_its_title(
    title: str, files: list[str], non_teachable: bool
) -> None:
    assert is_non_teachable(title, files, LABELLED) is non_teachable


def test_the_reading_order_follows_summary_md_then_numbered_files(tmp_path: Path) -> None:
    (tmp_path / "SUMMARY.md").write_text(
        "# Book\n\n[Intro](intro.md)\n- [Two](ch2.md)\n  - [Part %231](ch2%20part.md)\n"
    )
    names = ["ch10.md", "ch2.md", "ch2 part.md", "intro.md", "ch9.md", "SUMMARY.md"]
    order = reading_order(tmp_path, names, Labels.parse({"reading_order": ["ch10.md"]}))
    assert order == ["intro.md", "ch2.md", "ch2 part.md", "ch9.md", "ch10.md", "SUMMARY.md"]


def test_without_summary_md_the_labels_give_the_reading_order(tmp_path: Path) -> None:
    names = ["b/intro.md", "a/late.md", "c/x2.md", "c/x10.md"]
    labels = Labels.parse({"reading_order": ["b/intro.md", "gone.md", "a/late.md"]})
    assert reading_order(tmp_path, names, labels) == [
        "b/intro.md",
        "a/late.md",
        "c/x2.md",
        "c/x10.md",
    ]


def test_concepts_are_ranked_by_file_order_then_position_and_only_teachable_ones() -> None:
    concepts = {
        "late": _concept("late", files=("ch2.md",)),
        "first": _concept("first", files=("ch1.md",)),
        "second": _concept("second", files=("ch1.md",)),
        "front": _concept("front", files=("foreword.md",)),
        "merged": _concept("merged", files=("ch2.md", "ch1.md")),
    }
    concepts["front"].teachable = False
    positions = {"late": 0, "first": 1, "second": 5, "front": 9, "merged": 3}
    rank_concepts(concepts, positions, ["foreword.md", "ch1.md", "ch2.md"])
    ranks = {c.id: c.rank for c in concepts.values()}
    assert ranks == {"first": 1, "merged": 2, "second": 3, "late": 4, "front": None}


# --- the label files name what is there ---------------------------------------------------


@pytest.mark.parametrize(
    ("label_file", "corpus"),
    [("learner_walk_rust-book.json", RUST_BOOK), ("learner_walk_macroeconomics.json", MACRO_NOTES)],
)
def test_every_file_a_label_file_names_is_in_its_corpus(label_file: str, corpus: Path) -> None:
    if not corpus.is_dir():
        pytest.skip(f"{corpus} is not on this machine")
    raw = json.loads((LABELS / label_file).read_text(encoding="utf-8"))
    labels = Labels.parse(raw)
    named = set(labels.files) | set(labels.order)
    present = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md")}
    assert named, label_file
    assert named <= present, sorted(named - present)
    assert raw.get("target")


def test_roles_that_disagree_with_the_labels_are_named_both_ways() -> None:
    concepts = {
        "fw": Concept("fw", "Foreword", [], "", ["foreword.md"], "teachable", teachable=False),
        "toc": Concept("toc", "Contents", [], "", ["toc.md"], "navigation", teachable=False),
        "own": Concept("own", "Ownership", [], "", ["ch04.md"], "front_matter"),
        "ch": Concept("ch", "Chapter 4", [], "", ["ch04.md"], "chapter"),
        "ok": Concept("ok", "Borrowing", [], "", ["ch04.md"], "teachable"),
    }
    assert role_disagreements(concepts) == {"missed": ["Foreword"], "excluded": ["Ownership"]}
