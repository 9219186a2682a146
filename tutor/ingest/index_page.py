"""The author's order from an index page, for notes without a SUMMARY.md.

Notes kept as a static site (Jekyll, Hugo, MkDocs) list their chapters on an index page
that links each one, often by the permalink in the chapter's front matter
(``/macro/intro1/``) rather than by its file name, so sorting the file names
("advantage.md" before "intro1.md") scrambles the book. A page whose links name most of
the other documents is read as their table of contents instead.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from tutor.ingest._document import ParsedDocument
from tutor.ingest.concepts import DOCUMENT_SUFFIXES
from tutor.ingest.corpus import TocEntry

MIN_LINKED = 3
"""Fewer linked documents than this make a page of links, not a table of contents."""
MIN_SHARE = 0.5
"""The share of the other documents an index page must link to."""


def index_toc(documents: Mapping[str, ParsedDocument]) -> tuple[str, list[TocEntry]] | None:
    """The page that lists the other documents, and its entries in the order it links them.

    Args:
        documents: Parsed documents by path, those of one upload.

    Returns:
        The index page's path and one entry per document it links to (in link order, each
        once), or None when no page links to at least :data:`MIN_LINKED` documents and
        :data:`MIN_SHARE` of the others. Of several such pages, the one linking the most.
    """
    if len(documents) <= MIN_LINKED:
        return None
    permalinks = {
        _site_path(str(link)): path
        for path, doc in documents.items()
        if isinstance(link := doc.front_matter.get("permalink"), str) and _site_path(link)
    }
    best: tuple[str, list[TocEntry]] | None = None
    for path, doc in documents.items():
        linked: dict[str, None] = {}  # ordered, without repeats
        for href in (link for s in doc.root.walk() for block in s.blocks for link in block.links):
            target = _resolve(href, path, documents, permalinks)
            if target is not None and target != path:
                linked[target] = None
        enough = len(linked) >= max(MIN_LINKED, MIN_SHARE * (len(documents) - 1))
        if enough and (best is None or len(linked) > len(best[1])):
            entries = [TocEntry(p, None, documents[p].title) for p in linked]
            best = (path, entries)
    return best


def toc_rows(entries: list[TocEntry]) -> list[dict[str, object]]:
    """Entries as a stored table of contents holds them (see ``toc_entries``)."""
    return [
        {"path": e.path, "parent_path": e.parent, "title": e.title, "placement": e.placement}
        for e in entries
    ]


def _resolve(
    href: str, page: str, documents: Mapping[str, ParsedDocument], permalinks: Mapping[str, str]
) -> str | None:
    try:
        parts = urlsplit(href)
    except ValueError:  # a malformed address
        return None
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = unquote(parts.path)
    if posixpath.splitext(target)[1].lower() in DOCUMENT_SUFFIXES:
        # "/a/b.md" starts from the notes' root, "b.md" from the page's folder.
        start = "" if target.startswith("/") else posixpath.dirname(page)
        joined = posixpath.normpath(posixpath.join(start, target.lstrip("/")))
        base = posixpath.splitext(joined)[0]
        for candidate in (joined, f"{base}.md", f"{base}.markdown"):
            if candidate in documents:
                return candidate
        return None
    return permalinks.get(_site_path(target))


def _site_path(link: str) -> str:
    """A site address as a key: "/Macro/Intro1/" and "/macro/intro1" are one page."""
    return link.strip().strip("/").casefold()
