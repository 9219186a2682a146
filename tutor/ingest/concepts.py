"""Concept-graph drafts from a parsed document: one concept per titled section, and edges.

Edges (see :mod:`tutor.graph.model` for their direction):

- ``part_of`` from heading nesting, child to parent (origin ``heading``, weight 1.0);
- ``prerequisite`` from the author's order, each section to the sibling after it
  (origin ``order``, weight 0.6);
- ``prerequisite`` from links, the linked section to the linking one (origin ``link``,
  weight 0.8). A link to a later section of the same document is a forward reference
  ("we will see this in ...") and gives no edge. Links to other documents are returned
  for the caller to resolve against them.

Sections whose titles normalise to the same key are one concept: the first one names it,
and the others' sub-sections hang from it, so that a title heading under a root of the
same name (or a repeated "Summary") does not become a concept of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from urllib.parse import unquote, urlsplit

import networkx as nx

from tutor.graph.model import ConceptDraft, EdgeDraft
from tutor.ingest._digest import key_points, summarise
from tutor.ingest._document import ParsedDocument, Section

__all__ = [
    "LINK_WEIGHT",
    "ORDER_WEIGHT",
    "PART_OF_WEIGHT",
    "DocumentGraph",
    "ExternalLink",
    "enforce_dag",
    "extract_concepts",
    "normalise_title",
]

PART_OF_WEIGHT = 1.0
ORDER_WEIGHT = 0.6
LINK_WEIGHT = 0.8
DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})
"""Link targets with these suffixes name other documents (mdBook writes ``.html``)."""

ExternalLink = tuple[str, str, str | None]
"""(linking concept key, target file path as written, target anchor or None)."""

_NUMBERING = re.compile(
    r"""^\s*(?:
        (?:chapter|section|part|lesson|unit|module|appendix|step|week|day)\s+
            (?:\d+(?:\.\d+)*|[ivxlcdm]+|[a-z])\b[.:)\-\u2013\u2014]*
      | \d+(?:\.\d+)+\.?          # 1.2, 1.2.3.
      | \d+[.):]                  # 3.  3)  3:
      | [ivxlcdm]+[.)](?=\s)      # IV.
      | [a-z][.)](?=\s)           # a)  B.
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_APOSTROPHES = re.compile(r"[\u2019'`]")
_NON_WORD = re.compile(r"[\W_]+")
_ARTICLE = re.compile(r"^(?:the|a|an) (?=\S)")


def normalise_title(title: str) -> str:
    """The key of a title: what makes two titles name the same concept.

    Case-folded; numbering such as "1.2", "3." or "Chapter 3:" and a leading article
    removed; apostrophes dropped and other punctuation turned to spaces; spaces
    collapsed. "What Is Ownership?" gives "what is ownership".

    Args:
        title: A heading or document title.

    Returns:
        The key; empty when the title has no letters or digits.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    bare = _words(_APOSTROPHES.sub("", text))
    key = _words(_APOSTROPHES.sub("", _NUMBERING.sub("", text, count=1)))
    key = _ARTICLE.sub("", key, count=1)
    # A title that is only numbering ("1.2") keeps it rather than vanishing.
    return key or bare


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class DocumentGraph:
    """The concept-graph drafts of one document."""

    concepts: list[ConceptDraft]
    """One per distinct section key, the document's own concept first."""
    edges: list[EdgeDraft]
    external_links: list[ExternalLink] = field(default_factory=list)
    """Links to other documents, for the caller to resolve into ``link`` edges."""
    section_keys: dict[int, str] = field(default_factory=dict)
    """Section position to the key of the concept that covers it (its own, or its
    nearest titled ancestor's): the concept of a chunk's section."""
    anchor_keys: dict[str, str] = field(default_factory=dict)
    """Anchor to concept key, for resolving other documents' links; ``""`` gives the
    document's concept."""


def extract_concepts(doc: ParsedDocument, *, position_base: int) -> DocumentGraph:
    """Turn a document's sections into concept and edge drafts.

    Args:
        doc: The parsed document.
        position_base: Where this document starts in the author's order across the
            corpus; each concept's position is this plus its section's position.

    Returns:
        The document's concepts, edges, unresolved cross-document links, and the maps
        from sections and anchors to concept keys.
    """
    keys: dict[int, str] = {}
    ordered = _with_parent_keys(doc.root, keys)
    concepts: list[ConceptDraft] = []
    # Each concept's sub-concepts in the author's order, as the keys of a dict: ordered,
    # and quick to look up in a long run of siblings.
    children: dict[str, dict[str, None]] = {}
    edges: list[EdgeDraft] = []
    for section, parent_key in ordered:
        key = keys[section.position]
        if key not in children:
            children[key] = {}
            concepts.append(
                ConceptDraft(
                    key=key,
                    title=section.title,
                    summary=summarise(section),
                    level=max(section.level, 1),
                    key_points=key_points(section, key=key),
                    position=position_base + section.position,
                )
            )
        if parent_key is not None and parent_key != key and key not in children[parent_key]:
            children[parent_key][key] = None
            edges.append(EdgeDraft(key, parent_key, "part_of", PART_OF_WEIGHT, "heading"))
    for siblings in children.values():
        for before, after in pairwise(siblings.keys()):
            edges.append(EdgeDraft(before, after, "prerequisite", ORDER_WEIGHT, "order"))

    external = _link_edges(doc, keys, edges)
    anchor_keys = {anchor: keys[position] for anchor, position in doc.anchors.items()}
    return DocumentGraph(concepts, _unique(edges), external, keys, anchor_keys)


def _with_parent_keys(root: Section, keys: dict[int, str]) -> list[tuple[Section, str | None]]:
    """Pre-order sections with the key of the nearest ancestor concept; fills ``keys``."""
    ordered: list[tuple[Section, str | None]] = []
    pending: list[tuple[Section, str | None]] = [(root, None)]
    while pending:
        section, parent_key = pending.pop()
        key = normalise_title(section.title) or parent_key or _fallback_key(section)
        keys[section.position] = key
        ordered.append((section, parent_key))
        pending.extend((child, key) for child in reversed(section.children))
    return ordered


def _fallback_key(section: Section) -> str:
    # Only a root whose title has no letters or digits gets here.
    return section.title.strip().casefold() or "untitled"


def _link_edges(
    doc: ParsedDocument, keys: dict[int, str], edges: list[EdgeDraft]
) -> list[ExternalLink]:
    external: dict[ExternalLink, None] = {}  # ordered, without repeats
    for section in doc.root.walk():
        key = keys[section.position]
        for href in (link for block in section.blocks for link in block.links):
            try:
                parts = urlsplit(href)
            except ValueError:  # a malformed address, such as an unclosed "[" host
                continue
            if parts.scheme or parts.netloc:
                continue
            anchor = unquote(parts.fragment) or None
            if parts.path:
                if _suffix(parts.path) in DOCUMENT_SUFFIXES:
                    external[(key, unquote(parts.path), anchor)] = None
                continue
            target = doc.anchors.get(anchor or "")
            if target is None and anchor is not None:
                target = doc.anchors.get(anchor.lower())
            if target is None or target > section.position:
                continue  # unknown anchor, or a forward reference
            if keys[target] != key:
                edges.append(EdgeDraft(keys[target], key, "prerequisite", LINK_WEIGHT, "link"))
    return list(external)


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _unique(edges: list[EdgeDraft]) -> list[EdgeDraft]:
    """Drop repeated (source, target, kind) edges, keeping the strongest of each."""
    best: dict[tuple[str, str, str], EdgeDraft] = {}
    for edge in edges:
        ident = (edge.source, edge.target, edge.kind)
        if ident not in best or edge.weight > best[ident].weight:
            best[ident] = edge
    return list(best.values())


def enforce_dag(edges: Sequence[EdgeDraft]) -> tuple[list[EdgeDraft], list[EdgeDraft]]:
    """Break every prerequisite cycle at its weakest edge.

    ``part_of`` edges are kept as they are. Among prerequisite edges, a cycle is found and
    its lowest-weight edge removed (ties: the lexicographically greatest (source,
    target), so that the same input always loses the same edge), until none is left.
    Several drafts of one (source, target) pair count as one edge of their greatest
    weight and go together.

    Args:
        edges: Edge drafts, for example from several documents.

    Returns:
        The kept edges in their input order, and the removed ones in removal order.
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    for edge in edges:
        if edge.kind != "prerequisite":
            continue
        current = graph.get_edge_data(edge.source, edge.target, {}).get("weight", -1.0)
        graph.add_edge(edge.source, edge.target, weight=max(current, edge.weight))
    broken: list[tuple[str, str]] = []
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            break
        pairs = [(str(edge[0]), str(edge[1])) for edge in cycle]
        lowest = min(graph.edges[pair]["weight"] for pair in pairs)
        weakest = max(pair for pair in pairs if graph.edges[pair]["weight"] == lowest)
        graph.remove_edge(*weakest)
        broken.append(weakest)
    order = {pair: index for index, pair in enumerate(broken)}
    kept = [e for e in edges if e.kind != "prerequisite" or (e.source, e.target) not in order]
    removed = sorted(
        (e for e in edges if e.kind == "prerequisite" and (e.source, e.target) in order),
        key=lambda e: order[(e.source, e.target)],
    )
    return kept, removed
