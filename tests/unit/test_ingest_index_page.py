"""An index page that links the other notes gives their order, by file name or permalink."""

from __future__ import annotations

from tutor.ingest._document import ParsedDocument
from tutor.ingest.corpus import author_order
from tutor.ingest.index_page import index_toc
from tutor.ingest.markdown import parse_markdown

CHAPTERS = {
    "part1/intro.md": ("/course/intro/", "Getting Started"),
    "part1/choice.md": ("/course/choice/", "Choice and Scarcity"),
    "part1/advantage.md": ("/course/advantage/", "Comparative Advantage"),
    "part2/demand.md": ("/course/demand/", "Demand"),
    "part2/supply.md": ("/course/supply/", "Supply"),
}


def _chapter(permalink: str, title: str) -> str:
    return (
        f"---\npermalink: {permalink}\ntitle: {title}\n---\n\n# {title}\n\n"
        f"{title} is a chapter of the course with enough words to be read as notes.\n"
    )


def _documents(index: str, *, permalinks: bool = True) -> dict[str, ParsedDocument]:
    texts = {
        path: _chapter(link, title) if permalinks else f"# {title}\n\nAbout {title}.\n"
        for path, (link, title) in CHAPTERS.items()
    }
    texts["index.md"] = index
    return {path: parse_markdown(text, name=path) for path, text in texts.items()}


INDEX = """# Principles

1. [Getting started](/course/intro/)
2. [Choice](/course/choice)
3. [Comparative advantage](/course/advantage/)
4. [International trade](/course/trade/)
5. [Demand](/course/demand/)
6. [Supply](/course/supply/)
"""


def test_permalinks_on_an_index_page_give_the_book_order_not_the_file_names() -> None:
    found = index_toc(_documents(INDEX))
    assert found is not None
    page, entries = found
    assert page == "index.md"
    # The trade chapter was not uploaded; "/course/choice" lacks its slash and still counts.
    wanted = ["part1/intro.md", "part1/choice.md", "part1/advantage.md"]
    wanted += ["part2/demand.md", "part2/supply.md"]
    assert [e.path for e in entries] == wanted
    assert entries[0].title == "Getting Started"
    # File names alone put "advantage" first; the index puts the introduction first.
    assert author_order(list(CHAPTERS), [])[0] == "part1/advantage.md"
    assert author_order([*CHAPTERS, "index.md"], entries)[:5] == wanted


def test_relative_file_links_count_too() -> None:
    index = "# Contents\n\n" + "".join(
        f"- [{title}]({path.split('/')[-1] if path.startswith('part1') else '../' + path})\n"
        for path, (_, title) in reversed(CHAPTERS.items())
    )
    docs = _documents(index, permalinks=False)
    docs = {("part1/index.md" if p == "index.md" else p): d for p, d in docs.items()}
    found = index_toc(docs)
    assert found is not None
    assert [e.path for e in found[1]] == list(reversed(CHAPTERS))


def test_a_page_linking_a_few_notes_is_no_table_of_contents() -> None:
    see_also = "# Index\n\nSee [Demand](/course/demand/) and [Supply](/course/supply/).\n"
    assert index_toc(_documents(see_also)) is None
    many = {f"n{i}.md": parse_markdown(f"# N{i}\n\nText.\n", name=f"n{i}.md") for i in range(10)}
    many["hub.md"] = parse_markdown(
        "# Hub\n\n" + "".join(f"- [N{i}](n{i}.md)\n" for i in range(4)), name="hub.md"
    )
    # Four of ten notes is a page of links, not the book's contents.
    assert index_toc(many) is None
