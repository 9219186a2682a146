"""Tests of what the lessons bench judges in a lesson and its exercises."""

from __future__ import annotations

from bench._lesson_metrics import (
    NotesCode,
    broken_code_answer,
    broken_code_shown,
    code_blocks,
    dangling_references,
    exercise_key,
    first_kept_token,
    markup_leaks,
    percentile,
)

NOTES = """# References

Listing 4-6 tries to change what it borrows:

```rust,ignore,does_not_compile
fn main() {
    let s = String::from("hello");
    change(&s);
}

fn change(some_string: &String) {
    some_string.push_str(", world");
}
```

With a mutable reference it works:

```rust
fn main() {
    let mut s = String::from("hello");
    change(&mut s);
}

fn change(some_string: &mut String) {
    some_string.push_str(", world");
}
```
"""
FAILING = """```rust
fn main() {
    let s = String::from("hello");
    change(&s);
}

fn change(some_string: &String) {
    some_string.push_str(", world");
}
```"""


def test_code_blocks_read_language_and_attributes() -> None:
    blocks = code_blocks(NOTES)

    assert [(b.language, sorted(b.attributes)) for b in blocks] == [
        ("rust", ["does_not_compile", "ignore"]),
        ("rust", []),
    ]
    assert blocks[1].code.startswith("fn main() {\n    let mut s")


def test_failing_code_quoted_as_working_is_caught_and_said_to_fail_is_not() -> None:
    notes = NotesCode.of([NOTES])

    assert broken_code_shown(f"Here it is in action:\n\n{FAILING}\n", notes) == ["fn main() {"]
    said = f"This does not compile; here is why:\n\n{FAILING}\n"
    assert broken_code_shown(said, notes) == []
    working = "Here it is:\n\n```rust\n" + code_blocks(NOTES)[1].code + "```\n"
    assert broken_code_shown(working, notes) == []


def test_an_answer_with_a_line_only_failing_code_has_is_broken() -> None:
    notes = NotesCode.of([NOTES])

    assert broken_code_answer("fn change(some_string: &String) {", notes) == [
        "fn change(some_string: &String) {"
    ]
    # Lines the working listing shares ("some_string.push_str") are not evidence.
    assert broken_code_answer('some_string.push_str(", world");', notes) == []
    assert broken_code_answer("fn change(some_string: &mut String) {", notes) == []


def test_a_listing_named_but_never_shown_dangles() -> None:
    shown = (
        "Listing 4-5: Returning ownership\n\n```rust\nfn main() {}\n```\n\nIn Listing 4-5, s1..."
    )
    assert dangling_references(shown) == []
    assert dangling_references("As Listing 4-5 shows, ownership moves.") == ["Listing 4-5"]
    assert dangling_references("See Figure 3-1.") == ["Figure 3-1"]


def test_following_code_must_be_followed_by_code() -> None:
    assert dangling_references("Consider the following code:\n\n```rust\nlet x = 5;\n```") == []
    assert dangling_references("Consider the following code:\n\nIt moves s.") == [
        "the following code"
    ]
    # A list announced by "the following:" is not code that went missing.
    assert dangling_references("To install, do the following:\n\n- open a shell\n") == []


def test_markup_leaks_are_named_by_kind_and_code_is_not_prose() -> None:
    leaks = markup_leaks(
        "See [the guess][comparing-the-guess]<!-- ignore -->.\n\n{{#include ../x.rs}}\n\n"
        '<span class="caption">Listing 1</span>\n\n## Heading {#anchor}\n\n'
        "[ref]: https://example.com\n"
    )
    assert set(leaks) == {
        "html comment",
        "mdbook directive",
        "html tag",
        "link reference",
        "link definition",
        "heading anchor",
    }
    assert markup_leaks("```html\n<div>a</div>\n```\n\n```python\n# a comment\n```") == []
    assert markup_leaks("```rust\n# fn main() {\nlet x = 5;\n# }\n```") == ["hidden rust line"]


def test_first_kept_token_comes_after_the_last_reset() -> None:
    timeline = [
        (0.5, {"type": "token"}),
        (3.0, {"type": "reset"}),
        (3.2, {"type": "token"}),
        (4.0, {"type": "lesson"}),
    ]
    assert first_kept_token(timeline) == 3.2
    assert first_kept_token(timeline[:2] + timeline[3:]) == 4.0
    assert first_kept_token([(0.7, {"type": "token"}), (2.0, {"type": "lesson"})]) == 0.7


def test_exercises_a_learner_would_call_the_same_share_a_key() -> None:
    a = {"question": "Which is  true?", "options": ["A", "B"]}
    b = {"question": "which is true?", "options": ["a", "b"]}
    c = {"question": "Which is true?", "options": ["A", "C"]}
    assert exercise_key(a) == exercise_key(b) != exercise_key(c)


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
