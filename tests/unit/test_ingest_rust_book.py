"""Sanity of the whole pipeline on a real book, when the evaluation copy is present."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tutor.graph.model import ConceptRole
from tutor.ingest.chunking import chunk_document
from tutor.ingest.concepts import enforce_dag, extract_concepts, normalise_title
from tutor.ingest.learner_text import clean_markdown
from tutor.ingest.markdown import parse_markdown
from tutor.ingest.summary import parse_summary

BOOK = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "rust-book"

pytestmark = pytest.mark.skipif(
    not (BOOK / "SUMMARY.md").is_file(), reason=f"the Rust book evaluation copy is absent: {BOOK}"
)


def chapter_files() -> list[Path]:
    return sorted(p for p in BOOK.glob("*.md") if p.name != "SUMMARY.md" and p.stem.islower())


def test_every_chapter_parses_chunks_and_extracts() -> None:
    chapters = chapter_files()
    assert len(chapters) >= 40
    started = time.perf_counter()
    edges = []
    total_bytes = total_chunks = total_concepts = 0
    for index, path in enumerate(chapters):
        text = path.read_text(encoding="utf-8")
        total_bytes += len(text.encode())
        doc = parse_markdown(text, name=path.name)
        chunks = chunk_document(doc)
        graph = extract_concepts(doc, position_base=index * 1000)
        total_chunks += len(chunks)
        total_concepts += len(graph.concepts)
        edges.extend(graph.edges)

        # The document's own concept comes first and carries its title.
        assert graph.concepts[0].key == normalise_title(doc.title), path.name
        assert graph.concepts[0].title == doc.title

        # No chunk crosses a section: each of its lines lies within its section's blocks,
        # as cleaned of page markup (a cut may start mid-line, and a split quote gets its
        # marker back).
        sections = {section.position: section for section in doc.sections}
        for chunk in chunks:
            section = sections[chunk.section_position]
            assert chunk.section_anchor == section.anchor
            assert chunk.heading_path[0] == doc.title
            sources = "\n".join(
                clean_markdown(block.source, references=doc.references) for block in section.blocks
            )
            for line in chunk.text.split("\n"):
                line = line.lstrip("> ")
                if line.startswith(("```", "~~~")):
                    # A fence may gain an attribute: the prose said the code fails.
                    line = line.split(",")[0]
                assert line in sources, (path.name, chunk.position, line)

        # Every code block at a section's top level is whole in a code chunk of its own
        # section, one chunk per block (the same code may be shown twice).
        code_blocks = [
            (section.position, block)
            for section in doc.sections
            for block in section.blocks
            if block.kind == "code" and block.text.strip()
        ]
        for position, block in code_blocks:
            # The fence line may gain an attribute; the code itself is as written.
            code = block.source.split("\n", 1)[1]
            holders = [c for c in chunks if code in c.text]
            assert holders, (path.name, block.lines)
            assert all(c.kind == "code" for c in holders), (path.name, block.lines)
            assert any(c.section_position == position for c in holders), (path.name, block.lines)
        assert len([c for c in chunks if c.kind == "code"]) >= len(code_blocks)
    kept, removed = enforce_dag(edges)
    elapsed = time.perf_counter() - started
    print(
        f"\nRust book: {len(chapters)} chapters, {total_bytes / 1e6:.2f} MB, "
        f"{total_chunks} chunks, {total_concepts} concepts, {len(kept)} edges kept, "
        f"{len(removed)} removed, {elapsed:.2f} s"
    )
    assert total_chunks > 500


def test_summary_entries_and_parents() -> None:
    entries = parse_summary((BOOK / "SUMMARY.md").read_text(encoding="utf-8"))
    assert len(entries) >= 40
    with_parents = [entry for entry in entries if entry.parent_path is not None]
    assert len(with_parents) >= 30
    paths = {entry.path for entry in entries}
    assert all(entry.parent_path in paths for entry in with_parents)
    assert all(entry.depth == 1 for entry in with_parents)
    assert {path.name for path in chapter_files()} <= paths


def book_curriculum() -> list[tuple[str, ConceptRole, int]]:
    """(title, role, level) of every concept, as ingestion extracts them from the book."""
    from tutor.ingest.corpus import author_order, document_context, toc_entries
    from tutor.ingest.titles import placed_headings, repeated_headings

    entries = parse_summary((BOOK / "SUMMARY.md").read_text(encoding="utf-8"))
    toc = toc_entries(
        {"path": e.path, "parent_path": e.parent_path, "title": e.title, "placement": e.placement}
        for e in entries
    )
    # Every Markdown file, as `tutor ingest` of the folder reads it, the README included.
    files = {p.name: p for p in BOOK.glob("*.md") if p.name != "SUMMARY.md"}
    ordered = author_order(files, toc)
    docs = {name: parse_markdown(files[name].read_text("utf-8"), name=name) for name in ordered}
    repeated = repeated_headings(
        [placed for name, doc in docs.items() for placed in placed_headings(name, doc.root)]
    )
    curriculum: list[tuple[str, ConceptRole, int]] = []
    merged: Counter[str] = Counter()
    for index, name in enumerate(ordered):
        graph = extract_concepts(
            docs[name],
            position_base=index * 10_000,
            context=document_context(name, toc, ordered),
            repeated=repeated,
        )
        merged.update(graph.merged)
        curriculum += [(c.title, c.role, c.level) for c in graph.concepts]
    roles = Counter(role for _, role, _ in curriculum)
    titles = Counter(normalise_title(title) for title, _, _ in curriculum)
    duplicates = sorted(title for title, count in titles.items() if count > 1)
    print(
        f"\nRust book: {dict(roles)}; merged sections: {dict(merged)}; "
        f"duplicate titles: {duplicates}"
    )
    for title, role, level in curriculum:
        print(f"  {role:<12} {'  ' * (level - 1)}{title}")
    assert not duplicates
    return curriculum


def test_front_matter_and_summaries_are_not_taught_and_real_sections_are() -> None:
    curriculum = book_curriculum()
    roles = {title: role for title, role, _ in curriculum}
    # The prefix chapters (title page, foreword, introduction) and what is in them.
    for title in ("The Rust Programming Language", "Foreword", "Introduction", "Students"):
        assert roles[title] == "front_matter", title
    assert roles["corpus_rust_book_expanded"] == "front_matter"  # README_EVALDATA.md
    # Every chapter's "Summary" joins its chapter: none is a concept.
    assert not [t for t in roles if normalise_title(t).endswith("summary")]
    for title in (
        "What Is Ownership?",
        "Ownership Rules",
        "References and Borrowing",
        "Shadowing",
        "Mutable References",
        "Defining an Enum",
        "The match Control Flow Construct",
    ):
        assert roles[title] == "teachable", title
    # A chapter whose sections are the next files opens with a short preview.
    assert roles["Understanding Ownership"] == "chapter"
    # The heading both chapter 4 and chapter 10 use is two concepts, named with each.
    assert "References and Borrowing: Dangling References" in roles
    assert "Validating References with Lifetimes: Dangling References" in roles
    teachable = [title for title, role, _ in curriculum if role == "teachable"]
    assert len(teachable) >= 150
