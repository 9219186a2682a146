"""Tests of the ingestion benchmark metrics and of the Rust book question set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.ingest_metrics import (
    Question,
    Retrieved,
    first_hit_rank,
    load_questions,
    normalize_title,
    order_agreement,
    pair_precision_recall,
    ranking_agreement,
    recall_at_k,
    section_matches,
    summary_order,
    summary_parent_pairs,
)

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "bench" / "data" / "rust_book_questions.jsonl"
RUST_BOOK = REPO.parent / "shared" / "eval" / "rust-book"
ECONOMICS_QUESTIONS = REPO / "bench" / "data" / "macroeconomics_questions.jsonl"
ECONOMICS = REPO / "tests" / "data" / "macroeconomics" / "notes"

# --- pair_precision_recall ----------------------------------------------------------------


def test_pair_precision_recall_partial_overlap() -> None:
    predicted = [("b", "a"), ("c", "a"), ("d", "x")]
    expected = [("b", "a"), ("c", "a"), ("e", "a"), ("f", "a")]
    assert pair_precision_recall(predicted, expected) == pytest.approx((2 / 3, 2 / 4))


def test_pair_precision_recall_counts_repeats_once_and_respects_direction() -> None:
    predicted = [("b", "a"), ("b", "a"), ("a", "b")]
    assert pair_precision_recall(predicted, [("b", "a")]) == (0.5, 1.0)


@pytest.mark.parametrize(
    ("predicted", "expected", "scores"),
    [
        ([], [], (1.0, 1.0)),
        ([], [("b", "a")], (0.0, 0.0)),
        ([("b", "a")], [], (0.0, 1.0)),
        ([("b", "a")], [("b", "a")], (1.0, 1.0)),
        ([("x", "y")], [("b", "a")], (0.0, 0.0)),
    ],
)
def test_pair_precision_recall_edge_cases(
    predicted: list[tuple[str, str]],
    expected: list[tuple[str, str]],
    scores: tuple[float, float],
) -> None:
    assert pair_precision_recall(predicted, expected) == scores


def test_pair_precision_recall_accepts_iterators() -> None:
    assert pair_precision_recall(iter([("b", "a")]), iter([("b", "a")])) == (1.0, 1.0)


# --- order_agreement ---------------------------------------------------------------------


def test_order_agreement_counts_edges_that_follow_the_reference() -> None:
    reference = ["vars", "types", "functions", "ownership"]
    edges = [("vars", "ownership"), ("types", "functions"), ("ownership", "types")]
    assert order_agreement(edges, reference) == pytest.approx(2 / 3)


def test_order_agreement_unknown_items_and_self_loops_count_against() -> None:
    reference = ["a", "b", "c"]
    edges = [("a", "b"), ("a", "zzz"), ("qqq", "c"), ("b", "b")]
    assert order_agreement(edges, reference) == pytest.approx(1 / 4)


def test_order_agreement_edge_cases() -> None:
    assert order_agreement([], ["a", "b"]) == 0.0
    assert order_agreement([("a", "b")], []) == 0.0
    assert order_agreement([("a", "b"), ("a", "b")], ["a", "b"]) == 1.0
    assert order_agreement(iter([("b", "a")]), ("a", "b")) == 0.0


def test_order_agreement_rejects_repeated_reference_items() -> None:
    with pytest.raises(ValueError, match="more than once"):
        order_agreement([("a", "b")], ["a", "b", "a"])


# --- ranking_agreement -------------------------------------------------------------------


def test_ranking_agreement_same_and_reversed() -> None:
    reference = ["a", "b", "c", "d"]
    assert ranking_agreement(reference, reference) == 1.0
    assert ranking_agreement(list(reversed(reference)), reference) == 0.0


def test_ranking_agreement_one_swap() -> None:
    # Of the six pairs of a-d, only (b, c) is discordant.
    assert ranking_agreement(["a", "c", "b", "d"], ["a", "b", "c", "d"]) == pytest.approx(5 / 6)


def test_ranking_agreement_uses_only_shared_items() -> None:
    predicted = ["x", "c", "a", "y", "b"]
    reference = ["a", "b", "c", "z"]
    # Shared: a, b, c; predicted puts c first: (a, b) concordant, (a, c) and (b, c) not.
    assert ranking_agreement(predicted, reference) == pytest.approx(1 / 3)


def test_ranking_agreement_edge_cases() -> None:
    assert ranking_agreement([], []) == 0.0
    assert ranking_agreement(["a"], ["a"]) == 0.0
    assert ranking_agreement(["a", "b"], ["c", "d"]) == 0.0
    with pytest.raises(ValueError, match="predicted_order"):
        ranking_agreement(["a", "a"], ["a", "b"])
    with pytest.raises(ValueError, match="reference_order"):
        ranking_agreement(["a", "b"], ["b", "a", "b"])


# --- normalize_title, section_matches, first_hit_rank, recall_at_k ------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Hello, World!", "hello world"),
        ("  Mutable   References ", "mutable references"),
        ("The `Option<T>` `match` Pattern", "the option t match pattern"),
        ("Flow with `if let` and `let...else`", "flow with if let and let else"),
        ("Only If a Key Isn\u2019t Present", "only if a key isn t present"),
        ("The _tests_ Directory", "the tests directory"),
        ("STRASSE stra\u00dfe", "strasse strasse"),
        ("!!!", ""),
    ],
)
def test_normalize_title(raw: str, normal: str) -> None:
    assert normalize_title(raw) == normal


def test_normalize_title_treats_straight_and_curly_apostrophes_alike() -> None:
    assert normalize_title("Isn't Present") == normalize_title("Isn\u2019t Present")


def test_section_matches_on_any_heading_of_the_path() -> None:
    answer = ("ch04-02-references-and-borrowing.md", "References and Borrowing")
    path = ("References and Borrowing", "Mutable References")
    assert section_matches(("ch04-02-references-and-borrowing.md", path), answer)
    assert section_matches(("ch04-02-references-and-borrowing.md", list(path)), answer)
    assert section_matches(
        ("ch04-02-references-and-borrowing.md", path),
        ("ch04-02-references-and-borrowing.md", "mutable references!"),
    )


def test_section_matches_a_parent_chunk_does_not_answer_a_subsection() -> None:
    answer = ("ch04.md", "Mutable References")
    assert not section_matches(("ch04.md", ("References and Borrowing",)), answer)


def test_section_matches_a_plain_title_and_file_paths() -> None:
    answer = ("ch03.md", "`if` Expressions")
    assert section_matches(("ch03.md", "If Expressions"), answer)
    assert section_matches(("notes/rust/ch03.md", "if expressions"), answer)
    assert section_matches(("notes\\rust\\ch03.md", "if expressions"), answer)
    # A plain string is one title, not a path of one-letter headings.
    assert not section_matches(("ch03.md", "if"), ("ch03.md", "i"))


def test_section_matches_needs_the_same_file_and_a_real_title() -> None:
    assert not section_matches(("ch05.md", ("Methods",)), ("ch06.md", "Methods"))
    assert not section_matches(("ch05.md", ("Methods",)), ("ch05.md", "Method Syntax"))
    assert not section_matches(("ch05.md", ("!!!",)), ("ch05.md", "???"))
    assert not section_matches(("ch05.md", ()), ("ch05.md", "Methods"))


def test_first_hit_rank() -> None:
    answer = ("b.md", "Two")
    retrieved = [("a.md", ("Two",)), ("b.md", ("One",)), ("b.md", ("One", "Two")), ("b.md", "Two")]
    assert first_hit_rank(retrieved, answer) == 3
    assert first_hit_rank(retrieved[:2], answer) is None
    assert first_hit_rank([], answer) is None


def test_recall_at_k_counts_hits_within_the_cutoff() -> None:
    answers = [("a.md", "Alpha"), ("b.md", "Beta"), ("c.md", "Gamma")]
    results: list[list[Retrieved]] = [
        [("a.md", ("Intro", "Alpha"))],
        [("x.md", ("Beta",)), ("y.md", ("Beta",)), ("b.md", ("Beta",))],
        [("c.md", ("Delta",))],
    ]
    assert recall_at_k(results, answers, k=1) == pytest.approx(1 / 3)
    assert recall_at_k(results, answers, k=3) == pytest.approx(2 / 3)
    assert recall_at_k(results, answers) == pytest.approx(2 / 3)


def test_recall_at_k_edge_cases() -> None:
    assert recall_at_k([], []) == 0.0
    assert recall_at_k([[]], [("a.md", "A")]) == 0.0
    with pytest.raises(ValueError, match="k must be at least 1"):
        recall_at_k([[("a.md", "A")]], [("a.md", "A")], k=0)
    with pytest.raises(ValueError, match="2 result lists for 1 answers"):
        recall_at_k([[], []], [("a.md", "A")])


# --- summary_parent_pairs, summary_order --------------------------------------------------

SUMMARY = """\
# The Book

[Title](title.md)
[Foreword](foreword.md)

# Part One

- [Getting Started](ch01.md)
  - [Installation](ch01-01.md)
  - [Hello](ch01-02.md)
      - [Deeper](ch01-02-01.md)
- [Guessing Game](ch02.md)

---

- [Drafts]()
  - [Under a draft](draft-child.md)
  - [Empty child]()
- [Spaced](my%20chapter.md)
    - [Four-space child](spaced-child.md)

[Afterword](afterword.md)
"""


def test_summary_order() -> None:
    assert summary_order(SUMMARY) == [
        "title.md",
        "foreword.md",
        "ch01.md",
        "ch01-01.md",
        "ch01-02.md",
        "ch01-02-01.md",
        "ch02.md",
        "draft-child.md",
        "my chapter.md",
        "spaced-child.md",
        "afterword.md",
    ]


def test_summary_parent_pairs() -> None:
    assert summary_parent_pairs(SUMMARY) == [
        ("ch01-01.md", "ch01.md"),
        ("ch01-02.md", "ch01.md"),
        ("ch01-02-01.md", "ch01-02.md"),
        ("spaced-child.md", "my chapter.md"),
    ]


def test_summary_first_link_of_an_item_names_it_and_repeats_count_once() -> None:
    text = "- [A](a.md) see [B](b.md)\n  - [C](c.md)\n- [A again](a.md)\n  - [C](c.md)\n"
    assert summary_order(text) == ["a.md", "c.md"]
    assert summary_parent_pairs(text) == [("c.md", "a.md")]


def test_summary_edge_cases() -> None:
    assert summary_order("") == []
    assert summary_parent_pairs("") == []
    assert summary_order("# Only a title\n\n- [Draft]()\n") == []
    assert summary_parent_pairs("- [Top](top.md)\n") == []


def test_summary_of_the_rust_book() -> None:
    summary = RUST_BOOK / "SUMMARY.md"
    if not summary.is_file():
        pytest.skip(f"evaluation material not found at {summary}")
    text = summary.read_text(encoding="utf-8")
    order = summary_order(text)
    pairs = summary_parent_pairs(text)
    assert order[:4] == [
        "title-page.md",
        "foreword.md",
        "ch00-00-introduction.md",
        "ch01-00-getting-started.md",
    ]
    assert ("ch04-02-references-and-borrowing.md", "ch04-00-understanding-ownership.md") in pairs
    assert all(parent != "title-page.md" for _child, parent in pairs)
    assert len(order) == len(set(order))
    assert ranking_agreement(order, order) == 1.0


# --- load_questions ------------------------------------------------------------------------


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_load_questions_reads_records_and_skips_blank_lines(tmp_path: Path) -> None:
    one = {"q": "How do slices work?", "file": "ch04-03-slices.md", "section": "String Slices"}
    two = {"q": "What is a tuple?", "file": "ch03-02-data-types.md", "section": "The Tuple Type"}
    path = _write(tmp_path, json.dumps(one), "", "   ", json.dumps(two, ensure_ascii=False))
    questions = load_questions(path)
    assert questions == [Question(**one), Question(**two)]
    assert questions[0].answer == ("ch04-03-slices.md", "String Slices")
    assert {question.kind for question in questions} == {"meaning"}


def test_load_questions_reads_the_kind_of_a_question(tmp_path: Path) -> None:
    lexical = {"q": "What is E0382?", "file": "ch04.md", "section": "Move", "kind": "lexical"}
    path = _write(tmp_path, json.dumps(lexical))
    assert load_questions(path) == [Question(**lexical)]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["q", "file", "section"]', "expected a JSON object"),
        ('{"q": "Why?", "file": "a.md"}', "missing key"),
        ('{"q": "Why?", "file": "a.md", "section": "A", "extra": 1}', "unknown key"),
        ('{"q": "Why?", "file": "a.md", "section": 3}', "'section' must be a non-empty string"),
        ('{"q": "  ", "file": "a.md", "section": "A"}', "'q' must be a non-empty string"),
        ('{"q": "First?", "file": "b.md", "section": "B"}', "repeats line 1"),
        ('{"q": "Why?", "file": "a.md", "section": "A", "kind": "exact"}', "'kind' must be one"),
        ('{"q": "Why?", "file": "a.md", "section": "A", "kind": ""}', "'kind' must be one"),
    ],
)
def test_load_questions_names_the_bad_line(tmp_path: Path, bad_line: str, message: str) -> None:
    good = '{"q": "First?", "file": "a.md", "section": "A"}'
    path = _write(tmp_path, good, "", bad_line)
    with pytest.raises(ValueError, match=rf":3: .*{re.escape(message)}"):
        load_questions(path)


# --- The Rust book question set ------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")


def _headings(markdown: str) -> set[str]:
    """ATX heading texts outside fenced code blocks, without the leading #'s."""
    headings: set[str] = set()
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            headings.add(match.group(2))
    return headings


def test_headings_helper() -> None:
    text = "# Title\n\n```rust\n#[derive(Debug)]\n# hidden\n```\n### Sub `x`  \n#nospace\n"
    assert _headings(text) == {"Title", "Sub `x`"}


def test_rust_book_questions_file_is_well_formed() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 40
    assert len({question.q for question in questions}) == len(questions)
    assert len({question.q.casefold().strip() for question in questions}) == len(questions)
    assert len({question.file for question in questions}) >= 30
    for question in questions:
        # A learner's question, not the heading itself.
        assert normalize_title(question.q) != normalize_title(question.section), question


def test_rust_book_questions_name_existing_sections() -> None:
    if not RUST_BOOK.is_dir():
        pytest.skip(f"evaluation material not found at {RUST_BOOK}; cannot check the sections")
    headings: dict[str, set[str]] = {}
    problems: list[str] = []
    for question in load_questions(QUESTIONS):
        chapter = RUST_BOOK / question.file
        if not chapter.is_file():
            problems.append(f"{question.file}: no such chapter (for {question.q!r})")
            continue
        if question.file not in headings:
            headings[question.file] = _headings(chapter.read_text(encoding="utf-8"))
        if question.section not in headings[question.file]:
            problems.append(f"{question.file}: no heading {question.section!r}")
    assert not problems, "\n".join(problems)


def test_the_question_sets_have_questions_of_both_kinds() -> None:
    for path in (QUESTIONS, ECONOMICS_QUESTIONS):
        kinds = [question.kind for question in load_questions(path)]
        assert kinds.count("lexical") >= 10, path
        assert kinds.count("meaning") >= 10, path


def test_economics_questions_name_existing_sections() -> None:
    files = {path.name: path for path in ECONOMICS.rglob("*.md")}
    problems: list[str] = []
    for question in load_questions(ECONOMICS_QUESTIONS):
        assert normalize_title(question.q) != normalize_title(question.section), question
        notes = files.get(question.file)
        if notes is None:
            problems.append(f"{question.file}: no such notes (for {question.q!r})")
        elif question.section not in _headings(notes.read_text(encoding="utf-8")):
            problems.append(f"{question.file}: no heading {question.section!r}")
    assert not problems, "\n".join(problems)
