"""Explain-back plumbing with word-hashing embeddings: coverage, contradiction, follow-up."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.teaching.explain import _follow_up, compare_explanation
from tutor.teaching.material import ConceptInfo

CONCEPT = ConceptInfo(key="ownership", title="ownership")
POINTS = (
    "Each value in Rust has an owner.",
    "There can only be one owner at a time.",
    "When the owner goes out of scope, the value will be dropped.",
)


def test_repeating_every_point_passes_with_a_deeper_question() -> None:
    result = compare_explanation(" ".join(POINTS), CONCEPT, POINTS, FakeEmbeddings())
    assert result.passed
    assert result.score == 1.0
    assert result.covered == POINTS
    assert result.missing == result.contradicted == ()
    assert result.follow_up == "Can you give an example of ownership of your own?"


def test_a_missing_point_is_named_and_asked_about() -> None:
    text = f"{POINTS[0]} {POINTS[2]}"
    result = compare_explanation(text, CONCEPT, POINTS, FakeEmbeddings())
    assert result.missing == (POINTS[1],)
    assert result.score == pytest.approx(2 / 3)
    assert result.passed  # two of three is above the default share
    assert "there can only be one owner at a time" in result.feedback
    assert result.follow_up == "How would you explain that there can only be one owner at a time?"
    strict = compare_explanation(text, CONCEPT, POINTS, FakeEmbeddings(), pass_share=0.9)
    assert not strict.passed


def test_a_negated_sentence_contradicts_its_point() -> None:
    text = (
        "Each value in Rust has an owner. There can only be one owner at a time. "
        "When the owner goes out of scope, the value will not be dropped."
    )
    result = compare_explanation(text, CONCEPT, POINTS, FakeEmbeddings())
    assert result.contradicted == (POINTS[2],)
    assert POINTS[2] not in result.covered
    assert not result.passed
    assert result.follow_up.endswith("?") and result.follow_up.count("?") == 1
    assert "goes out of scope" in result.follow_up


def test_one_against_many_is_a_contradiction() -> None:
    text = "Each value in Rust has an owner. There can be many owners at a time."
    result = compare_explanation(text, CONCEPT, POINTS, FakeEmbeddings())
    assert POINTS[1] in result.contradicted


def test_empty_text_covers_nothing() -> None:
    embeddings = FakeEmbeddings()
    result = compare_explanation("  ", CONCEPT, POINTS, embeddings)
    assert not result.passed
    assert result.score == 0.0
    assert result.missing == POINTS
    assert embeddings.history == []
    assert result.follow_up == "How would you explain that each value in Rust has an owner?"


def test_proper_nouns_keep_their_case_in_the_question() -> None:
    points = ("Rust frees memory without a garbage collector.",)
    result = compare_explanation("Python has classes.", CONCEPT, points, FakeEmbeddings())
    assert result.follow_up == (
        "How would you explain that Rust frees memory without a garbage collector?"
    )


def test_the_concept_supplies_points_when_none_are_given() -> None:
    concept = ConceptInfo(key="k", title="borrowing", key_points=("A reference borrows a value.",))
    result = compare_explanation("A reference borrows a value.", concept, (), FakeEmbeddings())
    assert result.covered == ("A reference borrows a value.",)
    with pytest.raises(ValueError, match="no key points"):
        compare_explanation("text", ConceptInfo(key="k", title="t"), (), FakeEmbeddings())


def test_a_key_point_that_is_only_a_name_is_asked_about_not_explained_that() -> None:
    moves = ConceptInfo(key="moves", title="Moves")
    assert _follow_up(moves, ["Moves"], set(), set()) == "What can you tell me about Moves?"
    point = "Each value in Rust has an owner."
    assert _follow_up(moves, [point], set(), set()).startswith("How would you explain that each")
