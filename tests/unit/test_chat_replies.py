"""What the chat shows when the notes do not cover a question, and how it quotes a passage."""

from __future__ import annotations

from agents.chat_answer import NOT_COVERED, NOT_COVERED_OPENING, best_quote, not_covered
from tutor.ingest.learner_text import markup_leaks
from tutor.teaching.material import Passage
from tutor.teaching.subjects import Subject


def passage(text: str, kind: str = "prose", heading: str = "Control Flow > Loops") -> Passage:
    return Passage(
        chunk_id="c1",
        text=text,
        heading_path=heading,
        document_path="ch03.md",
        concept_key="loops",
        kind=kind,
        score=0.8,
    )


def test_not_covered_names_what_the_notes_lack_and_keeps_its_opening() -> None:
    assert not_covered(()) == NOT_COVERED
    one = not_covered([Subject("Python", "name")])
    assert one.startswith(NOT_COVERED_OPENING) and "about Python answers it" in one
    two = not_covered([Subject("Keynes", "name"), Subject("aggregate demand", "phrase")])
    assert "about Keynes or aggregate demand answers it" in two


def test_a_prose_passage_is_quoted_under_its_heading_and_cited() -> None:
    shown = best_quote(
        passage("Rust has three kinds of loops.\n\nSee [loops][l]<!-- ignore -->.\n\n[l]: x"),
        1,
        opening="From your notes",
    )
    assert shown.startswith("From your notes, under **Control Flow > Loops**:\n\n> Rust has")
    assert shown.endswith("[1]")
    assert "> See loops." in shown
    assert markup_leaks(shown) == []


def test_a_code_passage_stays_a_code_block_and_a_passage_without_heading_has_none() -> None:
    code = '```rust\nfor x in a {\n    println!("{x}");\n}\n```'
    shown = best_quote(passage(code, kind="code", heading=""), 2, opening="Here it is")
    assert shown.startswith("Here it is:\n\n```rust\nfor x in a {")
    assert shown.endswith("```\n\n[2]")
    assert "under" not in shown
