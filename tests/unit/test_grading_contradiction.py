"""Cues that an answer contradicts a reference it shares words with."""

import pytest

from tutor.grading.contradiction import (
    antonym_conflicts,
    opposite,
    order_discord,
    polarities,
    polarity_conflicts,
    quantity_conflicts,
)
from tutor.grading.text import words

# From the Rust book, "References and Borrowing".
NOT_DROPPED = (
    "Because s does not have ownership of what it refers to, the String is not dropped "
    "when s goes out of scope."
)


def test_a_negation_covers_the_words_after_it_in_its_clause_only() -> None:
    marks = polarities(NOT_DROPPED)
    assert marks["ownership"] == {False}
    assert marks["dropp"] == {False}
    # "refers" is in another clause than the first "not"; "scope" is past its reach.
    assert marks["refer"] == {True}
    assert marks["scope"] == {True}
    assert polarities("It works without a garbage collector.")["garbage"] == {False}


def test_asserting_what_the_reference_denies_is_a_polarity_conflict() -> None:
    wrong = "s takes ownership of the String, so when s goes out of scope the value is dropped."
    assert polarity_conflicts(wrong, NOT_DROPPED) == ["dropp", "ownership"]
    right = "s only borrows the String and doesn't own it, so it isn't dropped at the end."
    assert polarity_conflicts(right, NOT_DROPPED) == []
    # The conflict is found both ways: the answer denies what the reference asserts.
    assert polarity_conflicts("The bulb is not in a closed path.", "The bulb is in a closed path.")


def test_a_word_used_both_ways_is_no_conflict() -> None:
    both = "s has no ownership of it; the caller keeps ownership."
    assert polarities(both)["ownership"] == {False, True}
    assert "ownership" not in polarity_conflicts(both, NOT_DROPPED)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("increases", "decreases"),
        ("series", "parallel"),
        ("immutable", "mutable"),
        ("invalid", "valid"),
        ("disconnected", "connected"),
        ("supply", "demand"),
        ("heap", "stack"),
        ("surplus", "shortage"),
    ],
)
def test_opposites(first: str, second: str) -> None:
    assert opposite(first, second)
    assert opposite(second, first)


@pytest.mark.parametrize(
    ("first", "second"), [("inform", "form"), ("display", "play"), ("valid", "valid")]
)
def test_not_opposites(first: str, second: str) -> None:
    assert not opposite(first, second)


def test_antonym_conflicts_need_each_side_to_lack_the_other() -> None:
    reference = "Variables are immutable by default."
    assert antonym_conflicts("Variables are mutable by default.", reference) == [
        ("mutable", "immutable")
    ]
    assert antonym_conflicts("Variables are immutable unless marked mutable.", reference) == []
    assert antonym_conflicts("The price rises.", "When supply falls the price rises.") == []


# From the economics notes, "Budget constraints".
BUDGET = (
    "Sam's budget constraint will shift to the right if either Sam's income increases or "
    "the price of either or both goods decreases."
)


def test_opposites_tied_to_the_other_word_are_swapped_roles() -> None:
    swapped = "It shifts right when Sam's income decreases or the prices of the goods increase."
    assert antonym_conflicts(swapped, BUDGET) == [
        ("decreases", "increases"),
        ("increase", "decreases"),
    ]
    right = "When his income goes up or goods get cheaper, because their prices decrease."
    assert antonym_conflicts(right, BUDGET) == []
    assert antonym_conflicts("Sam's income increases or prices decrease.", BUDGET) == []


def test_quantity_conflicts() -> None:
    assert quantity_conflicts("decades", "years") == [0]
    assert quantity_conflicts("for a few decades", "in a few short years") == [0]
    assert quantity_conflicts("two years", "2 years") == []
    assert quantity_conflicts("3 bulbs", "two bulbs") != []
    assert quantity_conflicts("some variables", "all variables") != []
    assert quantity_conflicts("years of research", "the research") == []


def test_swapped_roles_put_shared_words_in_the_other_order() -> None:
    reference = "A buyer pays the seller."
    assert order_discord("A seller pays the buyer.", reference) > 0.5
    assert order_discord("The buyer pays a seller money.", reference) == 0.0
    assert order_discord("Nothing in common.", reference) == 0.0


def test_a_double_quote_between_letters_reads_as_an_apostrophe() -> None:
    assert words('i don"t know') == ["i", "do", "not", "know"]
    assert words('"quoted"') == ["quoted"]
