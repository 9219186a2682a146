"""Learner text: page markup removed, links read as their text, code left as written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tutor.ingest.chunking import chunk_document
from tutor.ingest.learner_text import (
    clean_markdown,
    defined_labels,
    learner_markdown,
    markup_leaks,
    shown_code,
)
from tutor.ingest.markdown import parse_markdown
from tutor.teaching.extractive import extractive_lesson
from tutor.teaching.material import ConceptInfo, Passage

BOOK = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "rust-book"


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        # The leak a learner saw: a reference link followed by mdBook's "ignore" comment.
        (
            "see [“Comparing the Guess to the Secret Number”][comparing-the-guess]<!-- ignore"
            " --> in Chapter 2.",
            "see “Comparing the Guess to the Secret Number” in Chapter 2.",
        ),
        ("Read [the book][] now.", "Read the book now."),
        ('A [link](https://example.com/x "title") here.', "A link here."),
        ("An ![a crab](img/ferris.svg) picture.", "An a crab picture."),
        ("Before <!-- a\nlong comment --> after.", "Before  after."),
        ('<a id="the-stack"></a>The stack is fast.', "The stack is fast."),
        ('<span id="x">Marked</span> text.', "Marked text."),
        ('<span class="filename">Filename: src/main.rs</span>', "Filename: src/main.rs"),
        ("Press <kbd>ctrl</kbd>-<kbd>C</kbd>.", "Press ctrl-C."),
        ("{{#include ../listings/ch01/main.rs}}\n\nText.", "Text."),
        ("Run {{#playground example.rs}} here.", "Run  here."),
        ("### Heading {#custom-id}\n\nBody.", "### Heading\n\nBody."),
        (
            '<Listing number="4-6" file-name="src/main.rs" caption="Borrowing">',
            "*Listing 4-6: Borrowing (src/main.rs)*",
        ),
        ("SipHash[^siphash] is used.\n\n[^siphash]: https://x.org", "SipHash is used."),
        # Other site generators and note apps.
        ('A graph:\n\n{% responsive_image path: a.png class: "x" %}\n\nEnd.', "A graph:\n\nEnd."),
        ("Title: {{ page.title }} here.", "Title:  here."),
        ('{{< figure src="a.png" >}}\n\nText.', "Text."),
        (
            "See [[Supply and Demand]] and [[elasticity#price|price elasticity]].",
            "See Supply and Demand and price elasticity.",
        ),
        ("A chart ![[chart.png]] here.", "A chart  here."),
        (":::note Remember\nPrices signal scarcity.\n:::", "Remember\nPrices signal scarcity."),
        ("Key idea.\n{: .notice}\n\nMore.", "Key idea.\n\nMore."),
        ('<p align="center"><iframe src="https://video" title="t"></iframe></p>\n\nText.', "Text."),
        ('<link rel="stylesheet" href="/a.css">\n\nText.', "Text."),
        ('<script>alert("x")</script>Text.', "Text."),
    ],
)
def test_page_markup_is_removed_and_links_read_as_text(source: str, shown: str) -> None:
    assert clean_markdown(source) == shown
    assert markup_leaks(source, references=defined_labels(source))
    assert markup_leaks(shown) == []


def test_an_html_table_becomes_a_markdown_table() -> None:
    html = (
        "<table>\n<thead><tr><th>burritos ($5)</th><th>pizza | slice</th></tr></thead>\n"
        "<tbody>\n<tr><td>20</td><td>0</td></tr>\n<tr><td><strong>18</strong></td><td>1</td>"
        "</tr>\n</tbody>\n<caption>Table 1</caption>\n</table>"
    )
    assert clean_markdown(f"Options:\n\n{html}\n\nAfter.") == (
        "Options:\n\n| burritos ($5) | pizza \\| slice |\n| --- | --- |\n| 20 | 0 |\n"
        "| 18 | 1 |\n\n*Table 1*\n\nAfter."
    )


def test_a_long_html_table_is_cut_between_rows_with_its_header() -> None:
    rows = "".join(f"<tr><td>row {i}</td><td>{i * 5} dollars</td></tr>" for i in range(60))
    text = f"# Costs\n\n<table><tr><th>Item</th><th>Cost</th></tr>{rows}</table>\n"
    chunks = chunk_document(parse_markdown(text, name="costs.md"), max_tokens=60, min_tokens=5)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("| Item | Cost |\n| --- | --- |\n| row "), chunk.text
        assert markup_leaks(chunk.text) == []


def test_an_autolink_reads_as_its_address() -> None:
    assert clean_markdown("See <https://www.rust-lang.org>.") == "See https://www.rust-lang.org."


def test_shortcut_links_need_a_definition_in_the_file() -> None:
    text = "Use [the prelude] and [1] and [an aside]."
    references = defined_labels("[the prelude]: https://doc.rust-lang.org/std/prelude\n")
    # Citation-shaped and undefined brackets are not links: they stay.
    assert clean_markdown(text, references=references) == "Use the prelude and [1] and [an aside]."


def test_definitions_go_also_inside_quotes_and_with_titles() -> None:
    text = 'Text [here][h].\n\n[h]: https://x.org "A title"\n> [q]: https://y.org\n\nEnd.'
    assert clean_markdown(text) == "Text here.\n\nEnd."


def test_code_is_left_as_written() -> None:
    code = (
        "```rust,ignore,does_not_compile\n"
        "let v: Vec<T> = a[1]; // <!-- not a comment --> [x][y]\n"
        "\n\n\n"
        "# let hidden = 1;\n"
        "```"
    )
    text = f"Look at `a[1][2]` and `<span>`:\n\n{code}"
    assert clean_markdown(text) == text


def test_tex_math_is_left_as_written_but_prices_are_prose() -> None:
    math = "Growth is $\\frac{{\\Delta Y}}{Y}$ and $$x^{{2}}$$;"
    prices = "a pizza costs $5 and a burrito $10"
    assert clean_markdown(f"{math} {prices}<!-- x -->.") == f"{math} {prices}."
    assert clean_markdown(f"{prices} {{{{ page.title }}}}.") == f"{prices} ."


def test_a_fence_of_directives_only_disappears_and_one_with_code_keeps_it() -> None:
    only = "Intro.\n\n```rust\n{{#rustdoc_include ../listings/main.rs:here}}\n```\n\nOutro."
    assert clean_markdown(only) == "Intro.\n\nOutro."
    mixed = "```rust\n{{#include a.rs}}\nfn main() {}\n```"
    assert clean_markdown(mixed) == "```rust\nfn main() {}\n```"


def test_learner_view_hides_rustdoc_hidden_lines_and_fence_attributes() -> None:
    text = (
        "```rust,ignore\n"
        "# struct Point { x: f64 }\n"
        "#\n"
        "#[derive(Debug)]\n"
        "##[cfg(test)]\n"
        "let p = Point { x: 1.0 };\n"
        "```"
    )
    shown = learner_markdown(text)
    assert shown == "```rust\n#[derive(Debug)]\n#[cfg(test)]\nlet p = Point { x: 1.0 };\n```"
    assert markup_leaks(shown) == []
    assert any(leak.startswith("hidden line") for leak in markup_leaks(text))
    # Python has no hidden lines: a comment is code.
    assert shown_code("# a comment\nx = 1", "python") == "# a comment\nx = 1"


def test_hidden_lines_inside_a_quote_are_hidden_too() -> None:
    text = "> ```rust\n> # use std::fmt;\n> let x = 1;\n> ```"
    assert learner_markdown(text) == "> ```rust\n> let x = 1;\n> ```"


def test_cleaning_is_idempotent() -> None:
    text = "A [b][c]<!-- x --> d.\n\n[c]: https://e\n\n```rust\n# hidden\nlet a = 1;\n```"
    once = learner_markdown(text)
    assert learner_markdown(once) == once
    assert clean_markdown(clean_markdown(text)) == clean_markdown(text)


def test_chunks_are_cut_clean_with_links_defined_elsewhere_in_the_file() -> None:
    text = (
        "# Notes\n\n## Part\n\nSee [the guide][guide]<!-- ignore --> and [Cargo].\n\n"
        "## Later\n\nMore words on another subject entirely, in a section of their own.\n\n"
        "[guide]: https://example.com/guide\n[cargo]: https://doc.rust-lang.org/cargo\n"
    )
    doc = parse_markdown(text, name="notes.md")
    chunks = chunk_document(doc, min_tokens=0)
    assert [c.text for c in chunks][:1] == ["See the guide and Cargo."]
    assert all(markup_leaks(c.text, references=doc.references) == [] for c in chunks)


def test_hostile_markup_is_cleaned_in_linear_time() -> None:
    # Unclosed comments, brackets and tags by the thousand must not hang the cleaner.
    openers = [
        "[",
        "<a ",
        "](",
        "{{#",
        "{{<",
        "[[",
        "![[",
        "{:",
        "<td>",
        "[x][",
        "<tr><td>|",
        "$$a",
        "$x ",
    ]
    text = "".join(opener * 3000 for opener in openers) + "<!--" + "{%" + "<iframe" + "<table>"
    cleaned = clean_markdown(text)
    assert "<!--" not in cleaned and "{%" not in cleaned and "<iframe" not in cleaned


MACRO = Path(__file__).resolve().parents[1] / "data" / "macroeconomics" / "notes"


@pytest.mark.skipif(
    not MACRO.is_dir(), reason=f"the economics notes are absent from {MACRO}: nothing to walk"
)
def test_economics_notes_built_with_jekyll_show_a_learner_no_markup() -> None:
    files = sorted(MACRO.rglob("*.md"))
    raw = shown = 0
    leaks: list[str] = []
    for path in files:
        doc = parse_markdown(path.read_text(encoding="utf-8"), name=path.name)
        raw += sum(len(markup_leaks(s.source)) for sec in doc.sections for s in sec.blocks)
        for chunk in chunk_document(doc):
            shown += 1
            leaks += [f"{path.name} {leak}" for leak in markup_leaks(learner_markdown(chunk.text))]
    assert len(files) > 5 and shown > 100
    assert raw > 100  # tables, figures and videos written in HTML and Liquid
    assert leaks == []


def _book_chapters() -> list[Path]:
    return sorted(p for p in BOOK.glob("*.md") if p.name != "SUMMARY.md" and p.stem.islower())


@pytest.mark.skipif(
    not (BOOK / "SUMMARY.md").is_file(),
    reason=f"the Rust book evaluation copy is absent from {BOOK}: nothing to walk",
)
def test_the_rust_book_shows_a_learner_no_markup() -> None:
    raw_leaks: Counter[str] = Counter()
    shown_leaks: list[str] = []
    for path in _book_chapters():
        text = path.read_text(encoding="utf-8")
        doc = parse_markdown(text, name=path.name)
        for section in doc.sections:
            for block in section.blocks:
                raw_leaks.update(
                    leak.split(":")[0]
                    for leak in markup_leaks(block.source, references=doc.references)
                )
        chunks = chunk_document(doc)
        by_section: dict[int, list[Passage]] = {}
        for chunk in chunks:
            # What citations and chat quotes show, and what lessons quote.
            shown_leaks += [
                f"{path.name}#{chunk.position} {leak}"
                for leak in markup_leaks(learner_markdown(chunk.text), references=doc.references)
            ]
            by_section.setdefault(chunk.section_position, []).append(
                Passage(
                    chunk_id=f"{path.name}-{chunk.position}",
                    text=chunk.text,
                    heading_path=" > ".join(chunk.heading_path),
                    document_path=path.name,
                    concept_key="",
                    kind=chunk.kind,
                    score=1.0 - chunk.position / 1000,
                )
            )
        for passages in by_section.values():
            title = passages[0].heading_path.rsplit(" > ", 1)[-1]
            lesson = extractive_lesson(
                ConceptInfo(key=title.casefold(), title=title), passages, max_passages=8
            )
            shown_leaks += [
                f"{path.name} lesson {title!r} {leak}"
                for leak in markup_leaks(lesson.text, references=doc.references)
            ]
    # The book is full of page markup: the walk would catch any that got through.
    for kind in ("HTML comment", "reference link", "HTML tag", "hidden line"):
        assert raw_leaks[kind] > 10, (kind, raw_leaks)
    assert shown_leaks == []
