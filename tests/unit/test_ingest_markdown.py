from __future__ import annotations

import pytest

from tutor.errors import TutorError
from tutor.ingest.errors import (
    BinaryContentError,
    EmptyDocumentError,
    FrontMatterError,
    IngestError,
    NestingTooDeepError,
)
from tutor.ingest.markdown import MAX_NESTING, Block, ParsedDocument, Section, parse_markdown

NOTES = """\
---
title: Kitchen Notes
tags: [cooking, basics]
---
Preamble before any heading, see [knives](#knives).

# Knife Skills

Hold the knife firmly. Curl your fingers.

## Knives

- Chef's knife [guide](tools.md#chef)
  - nested point
- Paring knife

| Knife | Use |
|-------|-----|
| Chef  | Chopping |
| Bread | Slicing |

```python,linenos
def sharpen(knife):
    return knife
```

    indented code

> A quoted tip.
> ### Quoted heading

<div class="note"><a href="safety.html">Stay &amp; be safe</a></div>

---

## Cuts
### Dice
"""


def parse(text: str, name: str = "notes/kitchen.md") -> ParsedDocument:
    return parse_markdown(text, name=name)


def section(doc: ParsedDocument, title: str) -> Section:
    return next(s for s in doc.sections if s.title == title)


def kinds(blocks: tuple[Block, ...]) -> list[str]:
    return [b.kind for b in blocks]


def test_front_matter_and_title() -> None:
    doc = parse(NOTES)
    assert doc.front_matter == {"title": "Kitchen Notes", "tags": ["cooking", "basics"]}
    assert doc.title == "Kitchen Notes"
    assert doc.name == "notes/kitchen.md"


def test_heading_tree_levels_anchors_positions() -> None:
    doc = parse(NOTES)
    root = doc.root
    assert (root.title, root.level, root.anchor, root.position) == ("Kitchen Notes", 0, "", 0)
    assert [c.title for c in root.children] == ["Knife Skills"]
    knife = root.children[0]
    assert [c.title for c in knife.children] == ["Knives", "Cuts"]
    assert [c.title for c in knife.children[1].children] == ["Dice"]
    assert [(s.title, s.position) for s in doc.sections] == [
        ("Kitchen Notes", 0),
        ("Knife Skills", 1),
        ("Knives", 2),
        ("Cuts", 3),
        ("Dice", 4),
    ]
    assert [s.anchor for s in doc.sections[1:]] == ["knife-skills", "knives", "cuts", "dice"]
    assert [s.level for s in doc.sections] == [0, 1, 2, 2, 3]
    # Line numbers count in the whole file, front matter included.
    assert knife.line == 6


def test_text_before_first_heading_belongs_to_root() -> None:
    doc = parse(NOTES)
    assert kinds(doc.root.blocks) == ["paragraph"]
    assert doc.root.blocks[0].text == "Preamble before any heading, see knives."
    assert doc.root.blocks[0].links == ("#knives",)


def test_blocks_in_order_with_verbatim_source() -> None:
    knives = section(parse(NOTES), "Knives")
    assert kinds(knives.blocks) == ["list", "table", "code", "code", "blockquote", "html", "rule"]
    listing, table, fenced, indented, quote, _, _ = knives.blocks
    assert listing.source == (
        "- Chef's knife [guide](tools.md#chef)\n  - nested point\n- Paring knife"
    )
    assert listing.text.splitlines() == ["Chef's knife guide", "nested point", "Paring knife"]
    assert [item.kind for item in listing.children] == ["list_item", "list_item"]
    assert table.source.splitlines()[0] == "| Knife | Use |"
    assert table.text.splitlines() == ["Knife | Use", "Chef | Chopping", "Bread | Slicing"]
    assert fenced.language == "python"
    assert fenced.text == "def sharpen(knife):\n    return knife"
    assert fenced.source.startswith("```python,linenos\n") and fenced.source.endswith("```")
    assert indented.language is None and indented.text == "indented code"
    assert quote.text == "A quoted tip.\nQuoted heading"
    assert quote.source == "> A quoted tip.\n> ### Quoted heading"


def test_links_are_collected_from_markdown_and_html() -> None:
    knives = section(parse(NOTES), "Knives")
    assert knives.blocks[0].links == ("tools.md#chef",)
    html = knives.blocks[5]
    assert html.kind == "html"
    assert html.links == ("safety.html",)
    assert html.text == "Stay & be safe"


def test_block_lines_index_the_file() -> None:
    text = "# T\n\npara one\ncontinued\n\n```rust,ignore\nlet x = 1;\n```\n"
    doc = parse(text)
    para, code = doc.root.blocks
    lines = text.split("\n")
    assert "\n".join(lines[para.lines[0] : para.lines[1]]) == para.source
    assert "\n".join(lines[code.lines[0] : code.lines[1]]) == code.source
    assert code.language == "rust"


def test_nested_headings_do_not_open_sections_but_have_anchors() -> None:
    doc = parse(NOTES)
    assert "Quoted heading" not in [s.title for s in doc.sections]
    assert doc.anchors["quoted-heading"] == section(doc, "Knives").position


def test_title_from_first_h1_without_front_matter() -> None:
    doc = parse("Intro.\n\n# First\n\ntext\n\n# Second\n", name="a.md")
    assert doc.title == "First"
    assert doc.root.level == 0
    assert [c.title for c in doc.root.children] == ["First", "Second"]


def test_enclosing_heading_becomes_the_root() -> None:
    doc = parse("Lead paragraph.\n\n## Borrowing\n\nBody.\n\n### Rules\n", name="b.md")
    assert doc.title == "Borrowing"
    assert (doc.root.title, doc.root.level, doc.root.anchor) == ("Borrowing", 2, "borrowing")
    assert [b.text for b in doc.root.blocks] == ["Lead paragraph.", "Body."]
    assert [c.title for c in doc.root.children] == ["Rules"]


def test_title_falls_back_to_first_top_level_heading_then_file_stem() -> None:
    assert parse("## One\n\n## Two\n", name="x/c.md").title == "One"
    assert parse("Only prose here.", name="x/my-notes.md").title == "my-notes"


def test_heading_only_file() -> None:
    doc = parse("# Alpha\n## Beta\n## Gamma\n")
    assert [s.title for s in doc.sections] == ["Alpha", "Beta", "Gamma"]
    assert all(s.blocks == () for s in doc.sections)


def test_duplicate_titles_get_numbered_anchors() -> None:
    doc = parse("# Top\n## Example\n## Example\n### Example\n## Hello, World!\n")
    assert [s.anchor for s in doc.sections] == [
        "top",
        "example",
        "example-1",
        "example-2",
        "hello-world",
    ]
    assert doc.anchors["example-2"] == 3


def test_anchor_slug_rules() -> None:
    doc = parse("# T\n## `Rc<T>`, the *Counted* Pointer\n## Ünïcode Tüpfel\n## Custom {#my-id}\n")
    assert [s.anchor for s in doc.sections[1:]] == [
        "rct-the-counted-pointer",
        "ünïcode-tüpfel",
        "my-id",
    ]
    assert doc.sections[3].title == "Custom"


def test_html_block_kept_with_plain_text() -> None:
    doc = parse("# T\n\n<details>\n<summary>More</summary>\nHidden <b>text</b>\n</details>\n")
    (html,) = doc.root.blocks
    assert html.kind == "html"
    assert html.source.startswith("<details>")
    assert html.text == "More Hidden text"


def test_windows_line_endings_and_bom() -> None:
    doc = parse("\ufeff# Title\r\n\r\nBody line.\r\n")
    assert doc.title == "Title"
    assert doc.root.blocks[0].source == "Body line."


def test_dashes_around_prose_are_not_front_matter() -> None:
    doc = parse("---\nJust a note between rules.\n---\n\n# Title\n")
    assert doc.front_matter == {}
    assert doc.title == "Title"


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(EmptyDocumentError, match=r"^notes/kitchen\.md: the file is empty"):
        parse(text)


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(BinaryContentError, match=r"kitchen\.md: .*NUL bytes"):
        parse("# Title\n\x00\x01\x02")


@pytest.mark.parametrize(
    "text",
    ["---\ntitle: [unclosed\n---\n# T\n", "---\ntitle: ok\n- a list\n---\n"],
)
def test_malformed_front_matter_is_refused(text: str) -> None:
    with pytest.raises(FrontMatterError, match=r"kitchen\.md: front matter"):
        parse(text)


def test_errors_are_value_errors_and_tutor_errors() -> None:
    with pytest.raises(IngestError) as caught:
        parse("")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, TutorError)
    assert caught.value.name == "notes/kitchen.md"


DEEP = 10_000


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text",
    [
        "- " * DEEP + "bottom",
        "1. " * DEEP + "bottom",
        "> " * DEEP + "bottom",
        "> - " * (DEEP // 2) + "bottom",
        "\n".join("  " * depth + "- item" for depth in range(1_000)),
    ],
    ids=["bullets", "ordered", "quotes", "mixed", "indented"],
)
def test_very_deep_nesting_is_refused_quickly(text: str) -> None:
    with pytest.raises(NestingTooDeepError, match=r"kitchen\.md: .*nest more than \d+ levels"):
        parse("# Deep\n\n" + text)


def test_nesting_within_the_limit_is_parsed() -> None:
    depth = MAX_NESTING // 2 - 1  # a list counts two levels
    doc = parse("\n".join("  " * d + "- item" for d in range(depth)))
    (listing,) = doc.root.blocks
    assert listing.text.count("item") == depth


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text",
    ["[" * DEEP + "x" + "]" * DEEP, "*" * DEEP + "x" + "*" * DEEP, "x " + "`" * DEEP],
    ids=["brackets", "emphasis", "backticks"],
)
def test_deep_inline_nesting_stays_text(text: str) -> None:
    doc = parse(text)
    assert "x" in doc.root.blocks[0].text
