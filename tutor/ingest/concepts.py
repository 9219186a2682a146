"""Concept-graph drafts from a parsed document: one concept per titled section, and edges.

Edges (see :mod:`tutor.graph.model` for their direction):

- ``part_of`` from heading nesting, child to parent (origin ``heading``, weight 1.0);
- ``prerequisite`` from the author's order, each section to the sibling after it
  (origin ``order``, weight 0.6);
- ``prerequisite`` from links, the linked section to the linking one (origin ``link``,
  weight 0.8). A link to a later section of the same document is a forward reference
  ("we will see this in ...") and gives no edge. Links to other documents are returned
  for the caller to resolve against them.

Each concept also carries the terms its sections introduce (:mod:`tutor.ingest.terms`);
ingestion turns a later concept's use of one into a ``prerequisite`` of origin ``term``.
Its summary and key points are its most central claims (:mod:`tutor.ingest._digest`):
measured on bag-of-words vectors here, and again by :func:`with_central_claims` on the
embedding model's when one is at hand.

Each section is classified first (:mod:`tutor.ingest.roles`): a recap or a section too
thin to teach alone is no concept, and its text joins its parent's; front and back
matter, navigation and chapters are concepts with that role. A generic heading
("Terms", "Overview", or one the corpus repeats under different parents) is named with
its parent (:mod:`tutor.ingest.titles`), so that ten chapters' "Terms" are ten concepts.

Sections whose titles still normalise to the same key are one concept: the first one
names it, and the others' sub-sections hang from it, so that a title heading under a root
of the same name does not become a concept of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from urllib.parse import unquote, urlsplit

import networkx as nx

from tutor.graph.model import ConceptDraft, ConceptRole, EdgeDraft
from tutor.ingest._digest import ConceptClaims, central_claims, concept_claims, lexical_vectors
from tutor.ingest._document import Block, ParsedDocument, Section
from tutor.ingest.keys import normalise_title
from tutor.ingest.roles import (
    FOLDED,
    DocumentContext,
    RoleRules,
    SectionKind,
    classify_sections,
    concept_role,
)
from tutor.ingest.terms import with_terms
from tutor.ingest.titles import is_generic, placed_headings, qualified, repeated_headings

__all__ = [
    "LINK_WEIGHT",
    "ORDER_WEIGHT",
    "PART_OF_WEIGHT",
    "DocumentGraph",
    "ExternalLink",
    "enforce_dag",
    "extract_concepts",
    "normalise_title",
    "with_central_claims",
]

PART_OF_WEIGHT = 1.0
ORDER_WEIGHT = 0.6
LINK_WEIGHT = 0.8
DOCUMENT_SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm"})
"""Link targets with these suffixes name other documents (mdBook writes ``.html``)."""

ExternalLink = tuple[str, str, str | None]
"""(linking concept key, target file path as written, target anchor or None)."""


@dataclass(frozen=True)
class DocumentGraph:
    """The concept-graph drafts of one document."""

    concepts: list[ConceptDraft]
    """One per distinct section key, the document's own concept first."""
    edges: list[EdgeDraft]
    external_links: list[ExternalLink] = field(default_factory=list)
    """Links to other documents, for the caller to resolve into ``link`` edges."""
    section_keys: dict[int, str] = field(default_factory=dict)
    """Section position to the key of the concept that covers it (its own, or, for a
    section folded into its parent, the parent's): the concept of a chunk's section."""
    merged: dict[str, int] = field(default_factory=dict)
    """Sections that became no concept of their own, by kind (``thin``, ``recap``)."""
    qualified_keys: frozenset[str] = frozenset()
    """Keys of concepts named with their parent: generic headings, never merged with a
    namesake of another document."""
    anchor_keys: dict[str, str] = field(default_factory=dict)
    """Anchor to concept key, for resolving other documents' links; ``""`` gives the
    document's concept."""
    claims: dict[str, ConceptClaims] = field(default_factory=dict)
    """Each concept's claims, from which its summary and key points are chosen."""


def extract_concepts(
    doc: ParsedDocument,
    *,
    position_base: int,
    rules: RoleRules | None = None,
    context: DocumentContext | None = None,
    repeated: frozenset[str] = frozenset(),
) -> DocumentGraph:
    """Turn a document's sections into concept and edge drafts.

    Args:
        doc: The parsed document.
        position_base: Where this document starts in the author's order across the
            corpus; each concept's position is this plus its section's position.
        rules: Thresholds of the section classification; the defaults when None.
        context: What the corpus says about the document (its role, its parts).
        repeated: Match keys of headings the corpus repeats under different parents
            (:func:`tutor.ingest.titles.repeated_headings`); they are named with their
            parent like generic ones.

    Returns:
        The document's concepts, edges, unresolved cross-document links, and the maps
        from sections and anchors to concept keys.
    """
    context = context or DocumentContext()
    kinds = classify_sections(doc.root, rules=rules, context=context)
    repeated = repeated | repeated_headings(placed_headings("", doc.root))
    keys: dict[int, str] = {}
    titles: dict[int, str] = {}
    renamed: set[int] = set()
    ordered = _with_parent_keys(doc.root, kinds, repeated, context, keys, titles, renamed)
    merged: dict[str, int] = {}
    for kind in kinds.values():
        if kind in FOLDED:
            merged[kind] = merged.get(kind, 0) + 1
    qualified_keys = {keys[p] for p in titles if p in renamed}
    concepts: list[ConceptDraft] = []
    # Each concept's sub-concepts in the author's order, as the keys of a dict: ordered,
    # and quick to look up in a long run of siblings.
    children: dict[str, dict[str, None]] = {}
    edges: list[EdgeDraft] = []
    roles = _concept_roles(ordered, keys, kinds)
    for section, parent_key in ordered:
        key = keys[section.position]
        if key not in children:
            children[key] = {}
            concepts.append(
                ConceptDraft(
                    key=key,
                    title=titles[section.position],
                    summary="",
                    level=max(section.level, 1),
                    key_points=(),
                    position=position_base + section.position,
                    role=roles[key],
                )
            )
        if parent_key is not None and parent_key != key and key not in children[parent_key]:
            children[parent_key][key] = None
            edges.append(EdgeDraft(key, parent_key, "part_of", PART_OF_WEIGHT, "heading"))
    for siblings in children.values():
        for before, after in pairwise(siblings.keys()):
            edges.append(EdgeDraft(before, after, "prerequisite", ORDER_WEIGHT, "order"))

    concepts = with_terms(doc, keys, concepts)
    claims = _claims_by_concept(doc, keys, kinds)
    concepts = [
        _with_claims(c, claims.get(c.key, ConceptClaims()), lexical_vectors) for c in concepts
    ]
    external = _link_edges(doc, keys, edges)
    anchor_keys = {anchor: keys[position] for anchor, position in doc.anchors.items()}
    return DocumentGraph(
        concepts,
        _unique(edges),
        external,
        section_keys=keys,
        anchor_keys=anchor_keys,
        merged=merged,
        qualified_keys=frozenset(qualified_keys),
        claims=claims,
    )


Embed = Callable[[list[str]], Awaitable[list[list[float]]]]
"""Vectors of texts, in order: an embedding model's ``aembed_documents``."""


async def with_central_claims(graph: DocumentGraph, embed: Embed) -> DocumentGraph:
    """The graph with summaries and key points chosen on the embedding model's vectors.

    Every claim of the document is embedded in one call, in a fixed order, so that the
    same notes give the same vectors and the same choice.

    Args:
        graph: A document's graph from :func:`extract_concepts`.
        embed: Embeds texts.

    Returns:
        The graph, its concepts' summaries and key points chosen again.
    """
    texts = sorted({claim for found in graph.claims.values() for claim in found.claims})
    if not texts:
        return graph
    vectors = dict(zip(texts, await embed(texts), strict=True))
    concepts = [
        _with_claims(c, graph.claims.get(c.key, ConceptClaims()), lambda _: vectors)
        for c in graph.concepts
    ]
    return replace(graph, concepts=concepts)


def _with_claims(
    concept: ConceptDraft,
    found: ConceptClaims,
    vectors: Callable[[Sequence[str]], dict[str, list[float]]],
) -> ConceptDraft:
    summary, points = central_claims(
        found, vectors(found.claims), title=concept.title, terms=concept.terms
    )
    return replace(concept, summary=summary, key_points=points)


def _claims_by_concept(
    doc: ParsedDocument, keys: dict[int, str], kinds: dict[int, SectionKind]
) -> dict[str, ConceptClaims]:
    """Each concept's claims: its sections' and folded parts', a recap's marked."""
    own: dict[str, list[Block]] = {}
    recap: dict[str, list[Block]] = {}
    for section in doc.root.walk():
        into = recap if kinds[section.position] == "recap" else own
        into.setdefault(keys[section.position], []).extend(section.blocks)
    return {
        key: concept_claims(own.get(key, ()), recap.get(key, ()), references=doc.references)
        for key in own.keys() | recap.keys()
    }


_ROLE_RANK: dict[ConceptRole, int] = {
    "teachable": 0,
    "chapter": 1,
    "navigation": 2,
    "front_matter": 3,
    "back_matter": 3,
}


def _concept_roles(
    ordered: list[tuple[Section, str | None]], keys: dict[int, str], kinds: dict[int, SectionKind]
) -> dict[str, ConceptRole]:
    """The role of each concept: of the sections that make it, the one that teaches most.

    A heading that repeats its parent's title ("# Modules" then "## Modules" holding the
    text) is one concept with it: that the outer heading only groups does not make the
    concept a chapter.
    """
    roles: dict[str, ConceptRole] = {}
    for section, _ in ordered:
        key = keys[section.position]
        role = concept_role(kinds[section.position])
        if key not in roles or _ROLE_RANK[role] < _ROLE_RANK[roles[key]]:
            roles[key] = role
    return roles


def _with_parent_keys(
    root: Section,
    kinds: dict[int, SectionKind],
    repeated: frozenset[str],
    context: DocumentContext,
    keys: dict[int, str],
    titles: dict[int, str],
    renamed: set[int],
) -> list[tuple[Section, str | None]]:
    """Pre-order concept sections with the key of the nearest ancestor concept.

    Fills ``keys`` for every section (a folded one gets its parent's), ``titles`` for
    the sections that are concepts, and ``renamed`` with those whose generic heading is
    named with their parent's title.
    """
    ordered: list[tuple[Section, str | None]] = []
    # Each entry: the section, and its nearest concept ancestor's key, title and heading.
    pending: list[tuple[Section, str | None, str | None, str]] = [(root, None, None, "")]
    while pending:
        section, parent_key, parent_title, parent_heading = pending.pop()
        heading = section.title
        if kinds[section.position] in FOLDED and parent_key is not None:
            key, title, heading = parent_key, parent_title, parent_heading
        else:
            title = section.title
            qualifier = parent_title if parent_key is not None else context.qualifier
            # "Notes" under "Notes" is the same heading again, not a part named "Notes".
            again = normalise_title(title) == normalise_title(parent_heading)
            if qualifier and not again and is_generic(title, repeated):
                title = qualified(title, qualifier)
                renamed.add(section.position)
            key = parent_key if again and parent_key else normalise_title(title)
            key = key or parent_key or _fallback_key(section)
            titles[section.position] = title
            ordered.append((section, parent_key))
        keys[section.position] = key
        pending.extend((child, key, title, heading) for child in reversed(section.children))
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
