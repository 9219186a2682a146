"""Sanity of the whole pipeline on a real book, when the evaluation copy is present."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tutor.ingest.chunking import chunk_document
from tutor.ingest.concepts import enforce_dag, extract_concepts, normalise_title
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

        # No chunk crosses a section: each of its lines lies within its section's blocks
        # (a cut may start mid-line, and a split quote gets its marker back).
        sections = {section.position: section for section in doc.sections}
        for chunk in chunks:
            section = sections[chunk.section_position]
            assert chunk.section_anchor == section.anchor
            assert chunk.heading_path[0] == doc.title
            sources = "\n".join(block.source for block in section.blocks)
            for line in chunk.text.split("\n"):
                assert line.lstrip("> ") in sources, (path.name, chunk.position, line)

        # Every code block at a section's top level is whole in a code chunk of its own
        # section, one chunk per block (the same code may be shown twice).
        code_blocks = [
            (section.position, block)
            for section in doc.sections
            for block in section.blocks
            if block.kind == "code" and block.text.strip()
        ]
        for position, block in code_blocks:
            holders = [c for c in chunks if block.source in c.text]
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
