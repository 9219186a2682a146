"""Sections classified by what they are for, and titles that stand alone, on small notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tutor.ingest.concepts import DocumentGraph, extract_concepts, normalise_title
from tutor.ingest.corpus import (
    TocEntry,
    author_order,
    document_context,
    missing_entries,
    toc_entries,
)
from tutor.ingest.markdown import parse_markdown
from tutor.ingest.roles import DocumentContext, RoleRules, classify_sections, count_words
from tutor.ingest.section_words import section_words
from tutor.ingest.titles import placed_headings, repeated_headings

SENTENCE = "Demand falls as the price rises, other things being equal, for most goods. "
PARAGRAPH = SENTENCE * 4  # about 50 words: enough to teach


def graph_of(text: str, *, name: str = "notes.md", **kwargs: object) -> DocumentGraph:
    return extract_concepts(parse_markdown(text, name=name), position_base=0, **kwargs)  # type: ignore[arg-type]


def roles(graph: DocumentGraph) -> dict[str, str]:
    return {c.title: c.role for c in graph.concepts}


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Summary", "recap"),
        ("Chapter 3 Summary", "recap"),
        ("Key Takeaways", "recap"),
        ("Résumé", "recap"),
        ("Zusammenfassung", "recap"),
        ("Resumen", "recap"),
        ("Riepilogo", "recap"),
        ("Resumo", "recap"),
        ("Περίληψη", "recap"),
        ("ΠΕΡΙΛΗΨΗ", "recap"),
        ("まとめ", "recap"),
        ("小结", "recap"),
        ("Итоги", "recap"),
        ("Foreword", "front_matter"),
        ("Table of Contents", "front_matter"),
        ("Avant-propos", "front_matter"),
        ("Vorwort", "front_matter"),
        ("Πρόλογος", "front_matter"),
        ("目次", "front_matter"),
        ("Предисловие", "front_matter"),
        ("Index", "back_matter"),
        ("Glossar", "back_matter"),
        ("Bibliografía", "back_matter"),
        ("索引", "back_matter"),
        ("See also", "navigation"),
        ("General Notes", "generic"),
        ("Terms", "generic"),
        ("Definitions", "generic"),
        ("Übungen", "generic"),
        ("Ejercicios", "generic"),
        ("Ορισμοί", "generic"),
        ("用語", "generic"),
        ("练习", "generic"),
        ("Примеры", "generic"),
        ("References and Borrowing", None),
        ("What Is Ownership?", None),
        ("Index Funds", None),
        ("Part 1", None),
    ],
)
def test_heading_words_in_many_languages(heading: str, kind: str | None) -> None:
    assert section_words().classify(heading) == kind


def test_words_are_counted_in_any_script() -> None:
    assert count_words("Ownership rules apply to every value.") == 6
    assert count_words("所有権は値を管理します") == 6  # eleven characters, two a word
    assert count_words("Το κράτος ορίζει τους κανόνες") == 5  # noqa: RUF001
    assert count_words("") == 0


BOOK = f"""\
# Economics

{PARAGRAPH}

## Foreword

{PARAGRAPH}

### Who This Is For

{PARAGRAPH}

## Supply and Demand

{PARAGRAPH}

### Elasticity

{PARAGRAPH}

### A Short Aside

Prices move.

### Summary

{PARAGRAPH}

## Markets

### Perfect Competition

{PARAGRAPH}

### Monopoly

{PARAGRAPH}

## Further Links

- [Supply](supply.md)
- [Demand](demand.md)
- [Markets](https://example.org/markets)
- [Glossary](glossary.md)

## Index

{PARAGRAPH}
"""


def test_sections_get_roles_and_folded_ones_join_their_parent() -> None:
    graph = graph_of(BOOK)
    assert roles(graph) == {
        "Economics": "teachable",
        "Foreword": "front_matter",
        "Who This Is For": "front_matter",
        "Supply and Demand": "teachable",
        "Elasticity": "teachable",
        "Markets": "chapter",
        "Perfect Competition": "teachable",
        "Monopoly": "teachable",
        "Further Links": "navigation",
        "Index": "back_matter",
    }
    assert graph.merged == {"thin": 1, "recap": 1}
    doc = parse_markdown(BOOK, name="notes.md")
    by_title = {s.title: s.position for s in doc.sections}
    # The aside and the summary are read with the chapter they belong to.
    assert graph.section_keys[by_title["A Short Aside"]] == "supply and demand"
    assert graph.section_keys[by_title["Summary"]] == "supply and demand"
    keys = {c.key for c in graph.concepts}
    assert not {e.source for e in graph.edges} - keys and not {e.target for e in graph.edges} - keys


def test_thresholds_are_settings() -> None:
    loose = graph_of(BOOK, rules=RoleRules(thin_words=0, chapter_words=0))
    assert roles(loose)["A Short Aside"] == "teachable"
    assert roles(loose)["Markets"] == "teachable"
    assert loose.merged == {"recap": 1}
    strict = graph_of(BOOK, rules=RoleRules(thin_words=60))
    assert "Elasticity" not in roles(strict)  # 52 words: too thin at 60


def test_a_section_of_links_is_navigation_by_its_share_of_link_text() -> None:
    links = "\n".join(f"- [Chapter {i} on markets and prices](ch{i}.md)" for i in range(6))
    text = f"# Contents of the course\n\nThe chapters:\n\n{links}\n"
    assert roles(graph_of(text)) == {"Contents of the course": "navigation"}
    prose = f"# Markets\n\n{PARAGRAPH} See [supply](s.md), [demand](d.md) and [prices](p.md).\n"
    assert roles(graph_of(prose)) == {"Markets": "teachable"}
    assert roles(graph_of(text, rules=RoleRules(navigation_link_share=1.01))) == {
        "Contents of the course": "teachable"
    }


def test_the_corpus_imposes_a_role_on_a_whole_document() -> None:
    text = f"# Introduction\n\n{PARAGRAPH}\n\n## How to Read\n\n{PARAGRAPH}\n"
    graph = graph_of(text, context=DocumentContext(role="front_matter"))
    assert set(roles(graph).values()) == {"front_matter"}
    thin_root = "# Ownership\n\nThis chapter has three parts.\n"
    assert roles(graph_of(thin_root, context=DocumentContext(has_parts=True))) == {
        "Ownership": "chapter"
    }
    assert roles(graph_of(thin_root)) == {"Ownership": "teachable"}


def test_generic_headings_of_ten_chapters_are_ten_concepts() -> None:
    chapters = ["Supply and Demand", "Elasticity", "Consumer Choice", "Production", "Costs"]
    chapters += ["Perfect Competition", "Monopoly", "Oligopoly", "Labour Markets", "Trade"]
    text = "# Microeconomics\n\n" + "".join(
        f"## {name}\n\n{PARAGRAPH}\n\n### General Notes\n\n{PARAGRAPH}\n\n"
        f"### Terms\n\n{PARAGRAPH}\n\n"
        for name in chapters
    )
    graph = graph_of(text)
    titles = [c.title for c in graph.concepts]
    assert len(titles) == 31
    assert "Supply and Demand: General Notes" in titles
    assert "Trade: Terms" in titles
    assert Counter(normalise_title(t) for t in titles).most_common(1)[0][1] == 1
    assert len(graph.qualified_keys) == 20
    # Each chapter's terms belong to it, not to another chapter's notes.
    part_of = {(e.source, e.target) for e in graph.edges if e.kind == "part_of"}
    assert ("monopoly terms", "monopoly") in part_of
    assert all(e.source != e.target for e in graph.edges)


def test_a_heading_repeated_under_different_parents_is_named_with_each() -> None:
    text = (
        f"# Book\n\n## Seeds\n\n{PARAGRAPH}\n\n### Watering Schedule\n\n{PARAGRAPH}\n\n"
        f"## Pots\n\n{PARAGRAPH}\n\n### Watering Schedule\n\n{PARAGRAPH}\n"
    )
    titles = [c.title for c in graph_of(text).concepts]
    assert titles == [
        "Book",
        "Seeds",
        "Seeds: Watering Schedule",
        "Pots",
        "Pots: Watering Schedule",
    ]
    # Across documents: the corpus names the repeats.
    one = parse_markdown(
        f"# Seeds\n\n{PARAGRAPH}\n\n## Watering Schedule\n\n{PARAGRAPH}\n", name="a.md"
    )
    other = parse_markdown(
        f"# Pots\n\n{PARAGRAPH}\n\n## Watering Schedule\n\n{PARAGRAPH}\n", name="b.md"
    )
    repeated = repeated_headings(
        placed_headings("a.md", one.root) + placed_headings("b.md", other.root)
    )
    assert repeated == {"watering schedule"}
    graph = extract_concepts(one, position_base=0, repeated=repeated)
    assert [c.title for c in graph.concepts] == ["Seeds", "Seeds: Watering Schedule"]


# -- bad input -----------------------------------------------------------------------


def test_notes_with_no_headings_are_one_teachable_concept() -> None:
    graph = graph_of(PARAGRAPH, name="week1/demand.md")
    assert [(c.title, c.role) for c in graph.concepts] == [("demand", "teachable")]


def test_a_single_heading_with_little_text_is_still_taught() -> None:
    graph = graph_of("# Opportunity Cost\n\nWhat you give up.\n")
    assert [(c.title, c.role) for c in graph.concepts] == [("Opportunity Cost", "teachable")]
    empty = graph_of("# Opportunity Cost\n")
    assert [c.role for c in empty.concepts] == ["chapter"]


def test_every_heading_called_notes() -> None:
    text = f"# Notes\n\n{PARAGRAPH}\n\n## Notes\n\n{PARAGRAPH}\n\n## Notes\n\n{PARAGRAPH}\n"
    graph = graph_of(text, context=DocumentContext(qualifier="week3"))
    assert [(c.title, c.role) for c in graph.concepts] == [("week3: Notes", "teachable")]
    assert set(graph.section_keys.values()) == {"week3 notes"}
    nested = (
        f"# Notes\n\n## Supply\n\n{PARAGRAPH}\n\n### Notes\n\n{PARAGRAPH}\n\n"
        f"## Demand\n\n{PARAGRAPH}\n\n### Notes\n\n{PARAGRAPH}\n"
    )
    titles = [c.title for c in graph_of(nested).concepts]
    assert titles == ["Notes", "Supply", "Supply: Notes", "Demand", "Demand: Notes"]


def test_two_thousand_sections() -> None:
    text = "# Big Course\n\n" + "".join(
        f"## Topic {i}\n\n{PARAGRAPH}\n\n### Notes\n\n{PARAGRAPH}\n\n" for i in range(1000)
    )
    graph = graph_of(text)
    assert len(graph.concepts) == 2001
    assert len({normalise_title(c.title) for c in graph.concepts}) == 2001
    # The course's own heading has no text: it groups the topics.
    assert Counter(c.role for c in graph.concepts) == {"teachable": 2000, "chapter": 1}


def test_greek_notes() -> None:
    text = (
        f"# Οικονομικά\n\n{PARAGRAPH}\n\n## Προσφορά και Ζήτηση\n\n{PARAGRAPH}\n\n"
        f"### Ορισμοί\n\n{PARAGRAPH}\n\n### Περίληψη\n\n{PARAGRAPH}\n\n"
        f"## Ελαστικότητα\n\n{PARAGRAPH}\n\n### Ορισμοί\n\n{PARAGRAPH}\n\n"
        f"## Ευρετήριο\n\n{PARAGRAPH}\n"
    )
    graph = graph_of(text)
    assert roles(graph) == {
        "Οικονομικά": "teachable",
        "Προσφορά και Ζήτηση": "teachable",
        "Προσφορά και Ζήτηση: Ορισμοί": "teachable",
        "Ελαστικότητα": "teachable",
        "Ελαστικότητα: Ορισμοί": "teachable",
        "Ευρετήριο": "back_matter",
    }
    assert graph.merged == {"recap": 1}


def test_japanese_notes() -> None:
    body = "需要と供給は市場価格を決める基本的な仕組みであり、価格が上がると需要は減少する。" * 2
    text = (
        f"# 経済学ノート\n\n{body}\n\n## 序文\n\n{body}\n\n## 需要と供給\n\n{body}\n\n"
        f"### 用語\n\n{body}\n\n### まとめ\n\n{body}\n\n## 弾力性\n\n{body}\n\n"
        f"### 用語\n\n{body}\n\n### メモ\n\n短い。\n"
    )
    graph = graph_of(text)
    assert roles(graph) == {
        "経済学ノート": "teachable",
        "序文": "front_matter",
        "需要と供給": "teachable",
        "需要と供給: 用語": "teachable",
        "弾力性": "teachable",
        "弾力性: 用語": "teachable",
    }
    assert graph.merged == {"recap": 1, "thin": 1}


# -- the corpus ------------------------------------------------------------------------


def test_document_context_from_the_table_of_contents_and_names() -> None:
    toc = toc_entries(
        [
            {"path": "title-page.md", "parent_path": None, "title": "T", "placement": "prefix"},
            {"path": "ch01.md", "parent_path": None, "title": "One"},
            {"path": "ch01-01.md", "parent_path": "ch01.md", "title": "One.1"},
            {"path": "appendix.md", "parent_path": None, "title": "A", "placement": "suffix"},
        ]
    )
    ordered = ["title-page.md", "ch01.md", "ch01-01.md", "appendix.md", "notes/README.md"]
    assert document_context("title-page.md", toc, ordered).role == "front_matter"
    assert document_context("appendix.md", toc, ordered).role == "back_matter"
    assert document_context("ch01.md", toc, ordered) == DocumentContext(has_parts=True)
    assert document_context("ch01-01.md", toc, ordered).role is None
    readme = document_context("notes/README.md", toc, ordered)
    assert readme == DocumentContext(role="front_matter", qualifier="notes")
    # A README alone is the notes themselves.
    assert document_context("README.md", [], ["README.md"]).role is None
    assert document_context("Vorwort.md", [], ["Vorwort.md", "a.md"]).role == "front_matter"
    assert document_context("glossary.md", [], ["a.md", "glossary.md"]).role == "back_matter"
    assert document_context("index-funds.md", [], ["a.md", "index-funds.md"]).role is None
    appendix = [TocEntry("ch01.md", None, "One"), TocEntry("appendix-00.md", None, "Appendix")]
    appendix += [TocEntry("appendix-01.md", "appendix-00.md", "A - Keywords")]
    names = ["ch01.md", "appendix-00.md", "appendix-01.md"]
    assert document_context("appendix-00.md", appendix, names).role == "back_matter"
    assert document_context("appendix-01.md", appendix, names).role == "back_matter"
    assert document_context("ch01.md", appendix, names).role is None
    # A table stored before placements were recorded: every entry is a numbered chapter.
    assert toc_entries([{"path": "a.md", "title": "A"}])[0].placement == "numbered"


def test_missing_entries_of_the_table_of_contents() -> None:
    toc = [TocEntry("a.md", None, "A"), TocEntry("b.md", None, "B"), TocEntry("c.md", "b.md", "C")]
    assert [e.path for e in missing_entries(toc, ["a.md", "c.md"])] == ["b.md"]


def test_classify_sections_gives_every_section_a_kind() -> None:
    doc = parse_markdown(BOOK, name="notes.md")
    kinds = classify_sections(doc.root)
    assert set(kinds) == {s.position for s in doc.sections}


def test_a_heading_that_repeats_the_document_title_teaches_with_it() -> None:
    # Two headings at the top level: the document's root is untitled, and the first
    # heading, which names it, holds the text.
    text = f"## Modules\n\n{PARAGRAPH}\n\n### Files\n\n{PARAGRAPH}\n\n## Summary\n\n{PARAGRAPH}\n"
    graph = graph_of(text)
    assert roles(graph) == {"Modules": "teachable", "Files": "teachable"}
    assert graph.merged == {"recap": 1}


def test_a_page_of_link_lists_under_headings_is_navigation() -> None:
    parts = "".join(
        f"## Part {n}\n\n" + "".join(f"[Chapter {n}.{i}](/c{n}{i}/)\n\n" for i in range(4))
        for n in range(3)
    )
    graph = graph_of(f"# Course\n\n{parts}")
    assert set(roles(graph).values()) == {"navigation"}
    assert roles(graph_of(f"# Course\n\n{PARAGRAPH}\n\n{parts}"))["Course"] == "teachable"


MACRO = Path(__file__).resolve().parents[1] / "data" / "macroeconomics" / "notes"


@pytest.mark.skipif(not MACRO.is_dir(), reason=f"the macroeconomics notes are absent: {MACRO}")
def test_the_macroeconomics_notes() -> None:
    files = {str(p.relative_to(MACRO)): p for p in MACRO.rglob("*.md")}
    ordered = author_order(files, [])
    docs = {path: parse_markdown(files[path].read_text("utf-8"), name=path) for path in ordered}
    repeated = repeated_headings(
        [placed for path, doc in docs.items() for placed in placed_headings(path, doc.root)]
    )
    concepts = []
    for index, path in enumerate(ordered):
        context = document_context(path, [], ordered)
        graph = extract_concepts(
            docs[path], position_base=index * 10_000, context=context, repeated=repeated
        )
        concepts += graph.concepts
    roles = {c.title: c.role for c in concepts}
    print(f"\nmacroeconomics: {dict(Counter(roles.values()))}")
    assert len(roles) == len(concepts)  # no two concepts share a title
    # The folder's README and the index page of links are not taught.
    assert roles["A Short, Online Principles of Macroeconomics"] == "front_matter"
    assert roles["principles of macro"] == "navigation"
    for title in ("Opportunity cost", "Frictional unemployment", "The budget constraint"):
        assert roles[title] == "teachable", title
    assert Counter(roles.values())["teachable"] >= 80
