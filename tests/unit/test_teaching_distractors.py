"""Wrong statements made from a claim: negated, or with a term swapped."""

from __future__ import annotations

import pytest

from tutor.teaching._distractors import negated, swapped


@pytest.mark.parametrize(
    ("claim", "opposite"),
    [
        # A negation is taken away...
        (
            "Once declared, tuples cannot grow or shrink in size.",
            "Once declared, tuples can grow or shrink in size.",
        ),
        ("References aren't owners of the data.", "References are owners of the data."),
        (
            "The value is not dropped when s stops being used.",
            "The value is dropped when s stops being used.",
        ),
        # ...or the first auxiliary negated...
        (
            "References must be valid for as long as they are used.",
            "References must not be valid for as long as they are used.",
        ),
        (
            "A struct can hold fields of different types.",
            "A struct cannot hold fields of different types.",
        ),
        # ...or, with none, a word turned into its opposite.
        (
            "A higher price reduces the quantity demanded by consumers.",
            "A lower price reduces the quantity demanded by consumers.",
        ),
        (
            "Variables in Rust always need an initial value.",
            "Variables in Rust never need an initial value.",
        ),
    ],
)
def test_a_claim_is_turned_into_its_opposite(claim: str, opposite: str) -> None:
    assert negated(claim) == opposite


@pytest.mark.parametrize(
    "claim",
    [
        # "can only" and "must also" negate badly ("cannot only"): left alone.
        "Vectors can only store values of the same type in one list.",
        # Already negative: a second "not" would say nothing clear.
        "None of these ideas are unique to Rust among languages.",
        "Economists study choices people make under scarcity.",
    ],
)
def test_no_opposite_when_none_reads_safely(claim: str) -> None:
    assert negated(claim) is None


def test_a_term_is_swapped_everywhere_keeping_its_case() -> None:
    claim = "Tuples have a fixed length: once declared, a tuple keeps its size."
    assert swapped(claim, "tuple", "vector") == (
        "Tuples have a fixed length: once declared, a vector keeps its size."
    )
    assert swapped("Ownership rules apply to ownership.", "ownership", "borrowing") == (
        "Borrowing rules apply to borrowing."
    )
    # The article before the new word agrees with it.
    assert swapped("A tuple groups values; a tuple is fixed.", "tuple", "array") == (
        "An array groups values; an array is fixed."
    )
    assert swapped("An array is fixed for a user.", "array", "vector") == (
        "A vector is fixed for a user."
    )
    # Never inside a longer word, and nothing when the term is absent.
    assert swapped("Subtypes are types.", "type", "trait") is None
