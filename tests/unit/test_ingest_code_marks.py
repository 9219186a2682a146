"""Code the notes mark as failing: fence attributes, and prose or output that says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.ingest.chunking import chunk_document
from tutor.ingest.code_marks import (
    code_marks,
    output_failure,
    prose_failure,
    with_failure,
)
from tutor.ingest.learner_text import fence_failures, fenced_blocks
from tutor.ingest.markdown import parse_markdown

BOOK = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "rust-book"


@pytest.mark.parametrize(
    ("info", "language", "failure", "checked"),
    [
        ("rust", "rust", None, True),
        ("rust,ignore,does_not_compile", "rust", "compile", False),
        ("rust compile_fail", "rust", "compile", False),
        ("Rust, Should_Panic", "rust", "panic", False),
        ("rust,panics,noplayground", "rust", "panic", False),
        ("rust,not_desired_behavior", "rust", "misbehaves", False),
        ("rust,ignore", "rust", None, False),
        ("rust,no_run", "rust", None, False),
        ("{.python .ignore}", "python", None, False),
        ("python", "python", None, True),
        ("", "", None, True),
    ],
)
def test_fence_attributes_are_read(
    info: str, language: str, failure: str | None, checked: bool
) -> None:
    marks = code_marks(info)
    assert (marks.language, marks.failure, marks.checked) == (language, failure, checked)


@pytest.mark.parametrize(
    ("text", "nearest", "failure"),
    [
        ("Try the code in Listing 4-6. Spoiler alert: It doesn't work!", "last", "compile"),
        ("This code does not compile!", "last", "compile"),
        ("The following won't compile:", "last", "compile"),
        ("Running it produces an error.", "first", "compile"),
        ("When we compile this code, we get this error:", "first", "compile"),
        ("This program will panic when it reaches the index.", "last", "panic"),
        ("Calling it raises a ValueError.", "first", "panic"),
        ("Run it and you get a ZeroDivisionError.", "first", "panic"),
        (
            "Python refuses it with an IndentationError, since it gives an IndentationError.",
            "first",
            "compile",
        ),
        ("This fails with a TypeError: strings and numbers do not add.", "last", "panic"),
        # Not failures: fixed code, a changed program, nothing said.
        ("We can fix the error with a mutable reference:", "last", None),
        ("Now the code compiles without errors.", "first", None),
        ("If we tried to use s after the call, Rust would throw an error.", "first", None),
        ("If we don't add the annotation, Rust will display the following error:", "first", None),
        ("Here is a function that adds two numbers:", "last", None),
        # Only the sentences next to the listing count.
        ("That code does not compile. We fixed it. Here it is, working now:", "last", None),
    ],
)
def test_prose_next_to_a_listing_says_whether_it_fails(
    text: str, nearest: str, failure: str | None
) -> None:
    assert prose_failure(text, nearest=nearest) == failure  # type: ignore[arg-type]


def test_error_output_names_the_failure() -> None:
    compile_error = "$ cargo run\nerror[E0596]: cannot borrow `*s` as mutable\n"
    panic = "thread 'main' panicked at src/main.rs:4:6:\nindex out of bounds\n"
    traceback = 'Traceback (most recent call last):\n  File "x.py"\nZeroDivisionError: x\n'
    assert output_failure(compile_error) == "compile"
    assert output_failure(panic) == "panic"
    assert output_failure(traceback) == "panic"
    syntax = '  File "x.py", line 1\n    print "hi"\nSyntaxError: Missing parentheses\n'
    assert output_failure(syntax) == "compile"
    assert output_failure("$ cargo run\nHello, world!\n") is None


def test_a_failure_is_added_to_the_fence_once() -> None:
    assert with_failure("```rust\nfn main() {}\n```", "compile") == (
        "```rust,does_not_compile\nfn main() {}\n```"
    )
    assert (
        with_failure("> ~~~python x\n> 1/0\n> ~~~", "panic") == "> ~~~python,x,panics\n> 1/0\n> ~~~"
    )
    marked = "```rust,should_panic\npanic!()\n```"
    assert with_failure(marked, "compile") == marked


def chunks_of(text: str) -> list[str]:
    return [c.text for c in chunk_document(parse_markdown(text, name="notes.md"))]


def failures(text: str) -> list[str]:
    return [f for chunk in chunks_of(text) for f in fence_failures(chunk)]


def test_prose_before_a_listing_marks_it_failing_in_the_chunk() -> None:
    text = (
        "# Borrowing\n\nWhat if we change a borrowed value? This code does not compile:\n\n"
        "```rust\nfn main() {\n    let s = String::new();\n    change(&s);\n}\n```\n\n"
        "A mutable reference is the fix, as the next part shows in more detail.\n"
    )
    assert failures(text) == ["compile"]


def test_error_output_after_a_listing_marks_it_failing() -> None:
    text = (
        "# Division\n\nHere is a division by zero in a small program of ours.\n\n"
        "```python\nprint(1 / 0)\n```\n\nRunning it prints:\n\n"
        '```text\nTraceback (most recent call last):\n  File "a.py", line 1\n'
        "ZeroDivisionError: division by zero\n```\n"
    )
    assert failures(text) == ["panic"]


def test_output_of_a_changed_program_does_not_mark_the_listing() -> None:
    text = (
        "# Types\n\nWe must add a type annotation, like this:\n\n"
        '```rust\nlet guess: u32 = "42".parse().expect("Not a number!");\n```\n\n'
        "If we don't add the annotation, Rust will display the following error:\n\n"
        "```console\nerror[E0284]: type annotations needed\n```\n"
    )
    assert failures(text) == []


def test_working_code_and_its_output_stay_unmarked() -> None:
    text = (
        "# Hello\n\nThis program greets the world:\n\n"
        '```rust\nfn main() {\n    println!("Hello, world!");\n}\n```\n\n'
        "Run it and you should see:\n\n```console\n$ cargo run\nHello, world!\n```\n"
    )
    texts = chunks_of(text)
    assert failures(text) == []
    assert any("```rust\nfn main()" in t for t in texts)


@pytest.mark.skipif(
    not (BOOK / "ch04-02-references-and-borrowing.md").is_file(),
    reason=f"the Rust book evaluation copy is absent from {BOOK}",
)
def test_listing_4_6_keeps_its_marks_and_caption() -> None:
    text = (BOOK / "ch04-02-references-and-borrowing.md").read_text(encoding="utf-8")
    listing = next(t for t in chunks_of(text) if "Listing 4-6:" in t)
    start, end, _closed = fenced_blocks(listing)[0]
    assert listing[start:end].startswith("```rust,ignore,does_not_compile\n")
    assert fence_failures(listing) == ["compile"]
    assert listing.startswith("*Listing 4-6: Attempting to modify a borrowed value")
