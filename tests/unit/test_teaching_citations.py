"""Citations [n] in lesson text: parsing, validation, repair and escaping."""

from __future__ import annotations

import pytest

from tutor.teaching.citations import (
    citations_valid,
    cited_numbers,
    escape_citations,
    fenced_blocks,
    mask_code,
)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Ownership is a set of rules [1].", [1]),
        ("First [2], then [1], then [2] again.", [2, 1]),
        ("Both say so [1, 3].", [1, 3]),
        ("Both say so [1,3] and [ 2 ].", [1, 3, 2]),
        ("Adjacent markers [1][2] count.", [1, 2]),
        ("Glued to a word[4] still counts.", [4]),
        ("No citations at all.", []),
    ],
)
def test_cited_numbers_in_order_of_first_appearance(text: str, numbers: list[int]) -> None:
    assert cited_numbers(text) == numbers


@pytest.mark.parametrize(
    "text",
    [
        "See [the book](https://example.org/book) and [1](https://example.org/one).",
        "A reference link [the book][1] and an image ![diagram][2].",
        "Defined below [1]: no, this is prose.",  # not at a line start: a citation
        "Index with `a[1]` or ``v[2]`` in inline code.",
        "```rust\nlet first = v[1];\nlet pair = [1, 2];\n```",
        "~~~\nx[3]\n~~~",
        "> ```python\n> xs[1]\n> ```",
        "An escaped \\[1] bracket.",
        "A footnote[^1] is not a citation.",
        "Text.\n\n[1]: https://example.org/definition",
        "[1][ref] is link text with a label.\n\n[ref]: https://example.org",
    ],
)
def test_markdown_that_is_not_a_citation(text: str) -> None:
    expected = [1] if text.startswith("Defined below") else []
    assert cited_numbers(text) == expected


def test_reference_definition_labels_are_not_citations_anywhere() -> None:
    text = "Read [the guide][2] or just [2].\n\n[2]: https://example.org\n\nOwnership [1]."
    assert cited_numbers(text) == [1]


def test_code_fence_left_open_hides_the_rest() -> None:
    text = "Cited [1].\n```rust\nlet a = b[2];\n"
    assert cited_numbers(text) == [1]
    assert fenced_blocks(text) == [(11, len(text), False)]


def test_mask_code_keeps_offsets() -> None:
    text = "A `b[1]` c [2]\n```\nd[3]\n```\n"
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert masked.count("\n") == text.count("\n")
    assert "b[1]" not in masked and "d[3]" not in masked
    assert masked.index("[2]") == text.index("[2]")


@pytest.mark.parametrize(
    ("text", "passages", "valid"),
    [
        ("Rules [1] and owners [2].", 2, True),
        ("Rules [1] and owners [3].", 2, False),
        ("Rules [0].", 2, False),
        ("Rules [1, 5].", 3, False),
        ("No citation.", 2, False),
        ("No citation.", 0, True),
        ("A citation [1] without passages.", 0, False),
        ("Only in code `x[1]`.", 1, False),
    ],
)
def test_citations_valid(text: str, passages: int, valid: bool) -> None:
    assert citations_valid(text, passages) is valid


def test_escaped_citations_read_the_same_but_do_not_count() -> None:
    text = "Arrays start at zero [1] and [2, 3]; `x[1]` is code."
    escaped = escape_citations(text)
    assert cited_numbers(escaped) == []
    assert escaped.replace("\\[", "[") == text
    assert "`x[1]`" in escaped
