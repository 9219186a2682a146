"""What the model, citations and chat quotes show of the notes' passages and listings."""

from __future__ import annotations

from agents.chat_answer import quoted_answer
from agents.lesson_writer import numbered
from tutor.ingest.learner_text import markup_leaks
from tutor.teaching.lessons import Citation
from tutor.teaching.material import Passage


def passage(text: str) -> Passage:
    return Passage(
        chunk_id="c1",
        text=text,
        heading_path="Ownership > References",
        document_path="ch04.md",
        concept_key="references",
        kind="code",
        score=0.9,
    )


def test_failing_listings_say_so_and_hidden_lines_stay_hidden() -> None:
    text = (
        "Spoiler alert: it doesn't work!\n\n"
        "```rust,ignore,does_not_compile\n# fn main() {\nchange(&s);\n# }\n```"
    )
    shown = numbered([passage(text)])
    assert shown.startswith("[1] (Ownership > References)\n")
    assert "```rust\nchange(&s);\n```" in shown
    assert "The notes say this code does not compile" in shown
    assert markup_leaks(shown) == []


def test_working_listings_and_prose_carry_no_note() -> None:
    text = (
        "See [the rules][rules]<!-- ignore -->.\n\n[rules]: https://x.org\n\n"
        "```rust\nlet s = String::new();\n```"
    )
    shown = numbered([passage(text)])
    assert "The notes say" not in shown
    assert "See the rules." in shown
    assert markup_leaks(shown) == []


STORED = (
    "Methods take [`self`][self]<!-- ignore --> first.\n\n"
    "```rust,ignore\n# struct Point;\nimpl Point {\n    fn x(&self) {}\n}\n```"
)


def test_citations_carry_the_passage_as_the_learner_sees_it() -> None:
    citation = Citation.of(1, passage(STORED))
    assert (
        citation.text
        == "Methods take `self` first.\n\n```rust\nimpl Point {\n    fn x(&self) {}\n}\n```"
    )


def test_chat_quotes_are_clean() -> None:
    quoted = quoted_answer([passage(STORED)])
    assert markup_leaks(quoted) == []
    assert "Methods take `self` first." in quoted and "struct Point" not in quoted
