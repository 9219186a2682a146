"""What ties documents together: the author's order, the table of contents, and links.

A document's own sections give its part of the graph; these functions add the edges that
cross documents, from an mdBook SUMMARY.md (nesting and order) or, without one, from the
numbered order of the files, and from links into other documents; and what a document
is as a whole (:func:`document_context`): front or back matter by its place in the
table of contents or by its name, and a chapter whose sections are other documents.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tutor.graph.model import EdgeDraft
from tutor.ingest.roles import DocumentContext
from tutor.ingest.section_words import SectionWords, section_words
from tutor.ingest.summary import Placement, natural_order

_PLACEMENTS: dict[str, Placement] = {"prefix": "prefix", "numbered": "numbered", "suffix": "suffix"}

TOC_NAME = "SUMMARY.md"
"""An mdBook's table of contents: the author's order and nesting of the chapters."""


@dataclass(frozen=True)
class TocEntry:
    """One linked entry of a table of contents."""

    path: str
    parent: str | None
    title: str
    placement: Placement = "numbered"


def toc_entries(raw: Iterable[Mapping[str, Any]]) -> list[TocEntry]:
    """Entries as stored (``path``, ``parent_path``, ``title``) to :class:`TocEntry`."""
    return [
        TocEntry(
            path=str(e["path"]),
            parent=e.get("parent_path"),
            title=str(e.get("title", "")),
            # Tables stored before placements were recorded read as numbered chapters.
            placement=_PLACEMENTS.get(str(e.get("placement")), "numbered"),
        )
        for e in raw
    ]


def document_context(
    path: str, toc: Sequence[TocEntry], ordered: Sequence[str], words: SectionWords | None = None
) -> DocumentContext:
    """What the corpus says about one document as a whole.

    Front matter: an mdBook prefix chapter, a file named so ("foreword.md",
    "title-page.md", "LICENSE.md", in any language of the word list), or a folder's
    README or index page when other files stand beside it. Back matter: a suffix chapter,
    or a file named so ("glossary.md"). Either, when the table of contents puts the
    document under an entry titled so (the parts of an "Appendix"). Its parts: the table
    of contents nests other entries under it. Its qualifier: its folder's name, for a
    generic title ("Notes").

    Args:
        path: The document's path.
        toc: The table of contents (empty without one).
        ordered: Every document's path in the author's order.
        words: The heading word list; the package's when None.

    Returns:
        The document's context for :func:`tutor.ingest.concepts.extract_concepts`.
    """
    words = words or section_words()
    entry = next((e for e in toc if e.path == path), None)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    folder = posixpath.basename(posixpath.dirname(path)) or None
    role: Literal["front_matter", "back_matter"] | None = None
    if entry is not None and entry.placement != "numbered":
        role = "front_matter" if entry.placement == "prefix" else "back_matter"
    elif (named := words.classify(stem)) in ("front_matter", "back_matter"):
        role = named
    elif (above := _matter_above(entry, toc, words)) is not None:
        role = above
    elif words.is_landing(stem) and any(p != path for p in ordered):
        role = "front_matter"
    has_parts = any(e.parent == path for e in toc)
    return DocumentContext(role=role, has_parts=has_parts, qualifier=folder)


def _matter_above(
    entry: TocEntry | None, toc: Sequence[TocEntry], words: SectionWords
) -> Literal["front_matter", "back_matter"] | None:
    """Front or back matter when an enclosing entry is ("Appendix" and its parts)."""
    by_path = {e.path: e for e in toc}
    seen: set[str] = set()
    while entry is not None and entry.parent and entry.parent not in seen:
        seen.add(entry.parent)
        entry = by_path.get(entry.parent)
        if entry is None:
            break
        named = words.classify(entry.title)
        if named == "front_matter" or named == "back_matter":
            return named
    return None


def missing_entries(toc: Sequence[TocEntry], paths: Iterable[str]) -> list[TocEntry]:
    """Entries of the table of contents whose file is not among ``paths``."""
    present = set(paths)
    return [e for e in toc if e.path not in present]


def author_order(paths: Iterable[str], toc: Sequence[TocEntry]) -> list[str]:
    """``paths`` in the author's order: the table of contents first, then numbered order."""
    listed = {entry.path: index for index, entry in enumerate(toc)}
    known = [p for p in paths if p in listed]
    rest = [p for p in paths if p not in listed]
    return sorted(known, key=listed.__getitem__) + natural_order(rest)


def document_edges(
    path: str,
    root_key: str,
    ordered: Sequence[str],
    toc: Sequence[TocEntry],
    root_keys: Mapping[str, str],
) -> list[EdgeDraft]:
    """Edges from other documents' title concepts to this one's.

    With a table of contents: ``part_of`` its parent entry, and the previous sibling is a
    prerequisite. Without one, the previous document in numbered order is.
    """
    edges: list[EdgeDraft] = []
    entry = next((e for e in toc if e.path == path), None)
    if entry is not None:
        if entry.parent and entry.parent in root_keys:
            edges.append(EdgeDraft(root_key, root_keys[entry.parent], "part_of", 1.0, "summary"))
        siblings = [e.path for e in toc if e.parent == entry.parent and e.path in root_keys]
        before = [p for p in siblings[: siblings.index(path)]] if path in siblings else []
        if before:
            edges.append(EdgeDraft(root_keys[before[-1]], root_key, "prerequisite", 0.5, "order"))
        elif entry.parent and entry.parent in root_keys:
            # A first sub-chapter follows its chapter's own introduction.
            edges.append(EdgeDraft(root_keys[entry.parent], root_key, "prerequisite", 0.5, "order"))
    elif path in ordered:
        index = ordered.index(path)
        earlier = [p for p in ordered[:index] if p in root_keys and p not in _toc_paths(toc)]
        if earlier:
            edges.append(EdgeDraft(root_keys[earlier[-1]], root_key, "prerequisite", 0.4, "order"))
    return [e for e in edges if e.source != e.target]


def _toc_paths(toc: Sequence[TocEntry]) -> set[str]:
    return {e.path for e in toc}


def link_edges(
    path: str,
    links: Iterable[tuple[str, str, str | None]],
    sections: Mapping[str, Sequence[Mapping[str, Any]]],
    ordered: Sequence[str],
) -> list[EdgeDraft]:
    """Prerequisite edges from links into other documents that come earlier.

    A link to a later document is a preview ("we will see this in chapter 8"), not a
    prerequisite; a link to a document not stored yet is one of those, or dangling.
    """
    position = {p: i for i, p in enumerate(ordered)}
    edges = []
    for source_key, target, anchor in links:
        target_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if target_path.endswith(".html"):  # mdBook links chapters by their rendered pages
            target_path = target_path.removesuffix(".html") + ".md"
        document = sections.get(target_path)
        if not document or position.get(target_path, len(ordered)) >= position.get(path, -1):
            continue
        key = next((s["key"] for s in document if anchor and s.get("anchor") == anchor), None)
        key = str(key or document[0]["key"])
        if key != source_key:
            edges.append(EdgeDraft(key, source_key, "prerequisite", 0.8, "link"))
    return edges
