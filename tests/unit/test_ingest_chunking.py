from __future__ import annotations

import hashlib

import pytest

from tutor.ingest._text import estimate_tokens, sentences
from tutor.ingest.chunking import ChunkDraft, chunk_document
from tutor.ingest.markdown import parse_markdown


def words(text: str) -> int:
    return len(text.split())


def chunk(text: str, **options: int) -> list[ChunkDraft]:
    doc = parse_markdown(text, name="notes.md")
    return chunk_document(doc, count_tokens=words, **options)


def sentence(index: int) -> str:
    return f"Sentence number {index} talks about sharpening knives carefully."


def paragraph(count: int, start: int = 0) -> str:
    return " ".join(sentence(i) for i in range(start, start + count))


def test_chunks_never_cross_sections() -> None:
    text = "\n\n".join(
        f"{'#' * level} Heading {n}\n\n{paragraph(2, n * 10)}\n\n{paragraph(1, n * 10 + 5)}"
        for n, level in enumerate([1, 2, 3, 2, 3, 3], start=1)
    )
    doc = parse_markdown(text, name="notes.md")
    chunks = chunk_document(doc, count_tokens=words, max_tokens=1000)
    by_position = {s.position: s for s in doc.sections}
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.section_position for c in chunks}) == 6
    for piece in chunks:
        section = by_position[piece.section_position]
        sources = "\n\n".join(block.source for block in section.blocks)
        assert piece.text in sources
        assert piece.section_anchor == section.anchor


def test_code_block_is_one_chunk_even_when_long() -> None:
    code = "\n".join(f"let value_{i} = compute({i});" for i in range(300))
    text = f"# Code\n\n{paragraph(4)}\n\n```rust,ignore\n{code}\n```\n\n{paragraph(4, 10)}\n"
    chunks = chunk(text, max_tokens=40, min_tokens=5)
    code_chunks = [c for c in chunks if c.kind == "code"]
    assert len(code_chunks) == 1
    assert code_chunks[0].text == f"```rust,ignore\n{code}\n```"
    assert code_chunks[0].language == "rust"
    assert code_chunks[0].token_count > 40
    assert [c.kind for c in chunks] == ["prose", "code", "prose"]


def test_long_paragraph_is_split_at_sentences() -> None:
    text = f"# Long\n\n{paragraph(30)}\n"
    chunks = chunk(text, max_tokens=40, min_tokens=5)
    assert len(chunks) > 5
    assert all(c.token_count <= 40 for c in chunks)
    assert all(c.text.endswith("carefully.") for c in chunks)
    assert sum(len(sentences(c.text)) for c in chunks) == 30


def test_sentence_without_breaks_is_split_at_words() -> None:
    chunks = chunk("# Run on\n\n" + " ".join(["word"] * 100), max_tokens=30, min_tokens=1)
    assert [c.token_count for c in chunks] == [30, 30, 30, 10]


def test_paragraphs_pack_up_to_the_limit() -> None:
    text = "# Pack\n\n" + "\n\n".join(paragraph(1, i) for i in range(6))
    chunks = chunk(text, max_tokens=24, min_tokens=1)  # each paragraph is 8 words
    assert [c.token_count for c in chunks] == [24, 24]
    assert chunks[0].text.count("\n\n") == 2


def test_tiny_prose_joins_the_prose_before_it() -> None:
    text = f"# Tiny\n\n{paragraph(3)}\n\nShort aside here.\n\n```\ncode()\n```\n"
    chunks = chunk(text, max_tokens=26, min_tokens=5)
    assert [c.kind for c in chunks] == ["prose", "code"]
    assert chunks[0].text.endswith("Short aside here.")


def test_tiny_prose_between_code_blocks_leads_into_the_next() -> None:
    text = "# Tiny\n\n```\nfirst()\n```\n\nThen this one.\n\n```sh\nsecond\n```\n"
    chunks = chunk(text, min_tokens=5)
    assert [c.kind for c in chunks] == ["code", "code"]
    assert chunks[1].text == "Then this one.\n\n```sh\nsecond\n```"
    assert chunks[1].language == "sh"
    assert chunks[0].text == "```\nfirst()\n```"


def test_lead_in_ending_with_colon_joins_its_code() -> None:
    text = f"# Run\n\n{paragraph(3)}\n\nRunning it prints:\n\n```text\nok\n```\n"
    chunks = chunk(text, min_tokens=5)
    assert [c.text for c in chunks] == [paragraph(3), "Running it prints:\n\n```text\nok\n```"]
    assert [c.kind for c in chunks] == ["prose", "code"]


def test_tiny_fragment_at_end_joins_the_code_before_it() -> None:
    chunks = chunk("# End\n\n```\nx\n```\n\nDone now.\n", min_tokens=5)
    assert len(chunks) == 1
    assert chunks[0].text == "```\nx\n```\n\nDone now."


def test_a_lone_tiny_paragraph_is_kept() -> None:
    chunks = chunk("# Alone\n\nJust this.\n", min_tokens=24)
    assert [c.text for c in chunks] == ["Just this."]


def test_heading_only_sections_and_markup_yield_no_chunks() -> None:
    text = (
        '# Top\n## Empty\n## Markup\n\n<Listing number="1">\n\n---\n\n## Text\n\nReal words here.\n'
    )
    chunks = chunk(text)
    assert [c.heading_path for c in chunks] == [("Top", "Text")]


def test_heading_paths_start_at_the_document_title() -> None:
    text = "---\ntitle: Cooking\n---\n# Cooking\n\nIntro.\n\n## Knives\n### Dicing\n\nDice it.\n"
    chunks = chunk(text)
    assert [c.heading_path for c in chunks] == [("Cooking",), ("Cooking", "Knives", "Dicing")]
    assert [c.section_anchor for c in chunks] == ["cooking", "dicing"]


def test_hashes_are_sha256_of_text_and_stable() -> None:
    text = f"# Hash\n\n{paragraph(2)}\n\n```\ncode\n```\n"
    first, second = chunk(text), chunk(text)
    assert [c.content_hash for c in first] == [c.content_hash for c in second]
    for piece in first:
        assert piece.content_hash == hashlib.sha256(piece.text.encode()).hexdigest()


def test_long_list_is_split_between_items() -> None:
    items = "\n".join(f"- {sentence(i)}" for i in range(10))
    chunks = chunk(f"# List\n\n{items}\n", max_tokens=24, min_tokens=1)  # 9 words an item
    assert [c.token_count for c in chunks] == [18] * 5
    assert all(line.startswith("- ") for c in chunks for line in c.text.split("\n") if line)


def test_long_table_is_split_with_its_header_repeated() -> None:
    rows = "\n".join(f"| knife {i} | cuts {i} |" for i in range(20))
    chunks = chunk(f"# Table\n\n| Name | Use |\n|---|---|\n{rows}\n", max_tokens=40, min_tokens=1)
    assert len(chunks) > 1
    for piece in chunks:
        assert piece.text.startswith("| Name | Use |\n|---|---|\n| knife")
        assert piece.token_count <= 40


def test_long_quote_keeps_its_markers_when_split() -> None:
    quoted = "\n".join(f"> {sentence(i)}" for i in range(12))
    chunks = chunk(f"# Quote\n\n{quoted}\n", max_tokens=20, min_tokens=1)
    assert len(chunks) > 1
    assert all(line.startswith(">") for c in chunks for line in c.text.split("\n"))


def test_default_counter_estimates_wordpieces() -> None:
    assert estimate_tokens("Hello, world!") == 4
    assert estimate_tokens("") == 0
    doc = parse_markdown(f"# Default\n\n{paragraph(3)}\n", name="notes.md")
    (piece,) = chunk_document(doc)
    assert piece.token_count == estimate_tokens(piece.text)


@pytest.mark.parametrize(("max_tokens", "min_tokens"), [(0, 0), (10, 11), (10, -1)])
def test_bad_limits_are_refused(max_tokens: int, min_tokens: int) -> None:
    doc = parse_markdown("# T\n\ntext\n", name="notes.md")
    with pytest.raises(ValueError, match="min_tokens"):
        chunk_document(doc, max_tokens=max_tokens, min_tokens=min_tokens)
