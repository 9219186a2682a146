"""Key terms by keyness on real notes: frequent in the concept's section, rare elsewhere."""

from __future__ import annotations

import pytest

from tests.unit.exercise_corpus import BOOK, MACRO, Notes, load
from tutor.teaching.keyness import MIN_SECTIONS, TermStatistics


@pytest.fixture(scope="module")
def macro() -> Notes:
    return load(MACRO)


@pytest.fixture(scope="module")
def book() -> Notes:
    if BOOK is None:
        pytest.skip("the Rust book is not available")
    return load(BOOK)


def top_terms(notes: Notes, title: str, count: int) -> list[str]:
    [concept] = [c for c in notes.concepts if c.title == title]
    texts = [p.text for p in notes.passages[concept.key]]
    keyness = notes.statistics().keyness(texts)
    return sorted(keyness, key=lambda s: -keyness[s])[:count]


def test_words_every_section_uses_are_common_in_the_rust_book(book: Notes) -> None:
    statistics = book.statistics()
    assert statistics.informative
    for word in ("Rust", "rust", "value", "code", "program"):
        assert statistics.common(word), word
    for word in ("borrowing", "shadowing", "slice", "years", "community"):
        assert not statistics.common(word), word
    assert (
        statistics.rarity("shadowing") > statistics.rarity("reference") > statistics.rarity("Rust")
    )


def test_a_sections_key_terms_are_its_subject_not_the_books(book: Notes) -> None:
    assert {"referenc", "borrow"} <= set(top_terms(book, "References and Borrowing", 10))
    assert "shadow" in top_terms(book, "Shadowing", 3)
    for title in ("References and Borrowing", "Shadowing", "The Slice Type"):
        assert "rust" not in top_terms(book, title, 50)


def test_economics_notes_have_their_own_common_words(macro: Notes) -> None:
    statistics = macro.statistics()
    assert statistics.informative
    assert statistics.common("good") and statistics.common("economics")
    assert not statistics.common("scarcity") and not statistics.common("utility")
    keys = top_terms(macro, "Marginal benefit, marginal analysis, and marginal utility", 5)
    assert "utility" in keys or "marginal" in keys, keys


def test_few_sections_say_nothing_about_spread() -> None:
    statistics = TermStatistics.of([["Ownership moves values."]] * (MIN_SECTIONS - 1))
    assert not statistics.informative
    assert not statistics.common("ownership") and statistics.rarity("ownership") == 1.0
    # Frequency in the concept's own text alone then ranks its words.
    keyness = statistics.keyness(["Ownership moves values. Ownership frees memory."])
    assert keyness["ownership"] == 2.0 and keyness["memory"] == 1.0
