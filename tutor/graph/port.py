"""The concept graph store port: what the tutor asks of any store of concepts and edges.

A concept is supported by the documents it was extracted from; so is an edge. Writing a
document's graph replaces the support that document gives, and whatever is left with no
supporting document is deleted. Every method is scoped to one owner: an owner never
sees or changes another owner's concepts.

The adapters are :class:`tutor.graph.postgres.PostgresGraphStore` (the default: tables
in PostgreSQL) and :class:`tutor.graph.neo4j.Neo4jGraphStore` (Cypher over Bolt);
:func:`tutor.graph.build.build_graph_store` picks one from the settings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol, get_args
from uuid import UUID

from tutor.graph.model import Concept, ConceptDraft, ConceptRole, Edge, EdgeDraft, EdgeKind

EDGE_KINDS: tuple[EdgeKind, ...] = ("part_of", "prerequisite")
CONCEPT_ROLES: tuple[ConceptRole, ...] = get_args(ConceptRole)
"""Every role a concept may have."""
"""Every kind of edge, in the order stores list them."""

EdgeRef = tuple[UUID, UUID, EdgeKind]
"""An edge named by its key: (source concept id, target concept id, kind)."""


class GraphStore(Protocol):
    """Concepts and edges, each owned by one learner and supported by documents."""

    @property
    def where(self) -> str:
        """Where the graph lives, in words, for status pages and logs."""
        ...

    async def setup(self) -> None:
        """Prepare the store (constraints and indexes); safe to call more than once."""
        ...

    async def put_document_graph(
        self,
        owner: UUID,
        document_id: UUID,
        concepts: Sequence[ConceptDraft],
        edges: Sequence[EdgeDraft],
    ) -> dict[str, UUID]:
        """Make the graph this document supports exactly ``concepts`` and ``edges``.

        Concepts merge by (owner, key): one already stored gains this document as a
        supporter and takes the draft's title, summary, level, key points, role and
        terms; its position is the lowest any supporting document gives it. Edges merge
        by (source, target, kind) and take the draft's weight and origin. Support this document gave
        before but gives no longer is withdrawn, and a concept or edge left with no
        supporting document is deleted (with a concept go its edges).

        Among duplicate edge drafts the one with the highest weight counts.

        Returns:
            The id of each of ``concepts``, by key.

        Raises:
            ValueError: two drafts share a key, an edge joins a concept to itself or has
                a weight outside 0..1, or an edge names a key that is neither among
                ``concepts`` nor stored with the support of another document. Nothing
                is written then.
        """
        ...

    async def remove_document(self, owner: UUID, document_id: UUID) -> None:
        """Withdraw all the document's support; delete what is left unsupported."""
        ...

    async def concepts(self, owner: UUID) -> list[Concept]:
        """The owner's concepts, by position (then key)."""
        ...

    async def edges(self, owner: UUID, kind: EdgeKind | None = None) -> list[Edge]:
        """The owner's edges (of one kind, when given), by source then target position."""
        ...

    async def concept_ids(self, owner: UUID, keys: Sequence[str]) -> dict[str, UUID]:
        """The ids of the owner's concepts with these keys; unknown keys are left out."""
        ...

    async def delete_edges(self, owner: UUID, edges: Sequence[EdgeRef]) -> int:
        """Delete these edges of the owner's (to break prerequisite cycles).

        Returns:
            How many edges were deleted; edges not found (or another owner's) are ignored.
        """
        ...

    async def delete_owner(self, owner: UUID) -> None:
        """Delete every concept and edge of the owner (the account is being removed)."""
        ...

    async def ping(self) -> str:
        """Reach the store; return a short description, or raise if it cannot answer."""
        ...

    async def close(self) -> None:
        """Release what the store holds open; it is not used afterwards."""
        ...


def check_drafts(
    concepts: Sequence[ConceptDraft], edges: Sequence[EdgeDraft]
) -> tuple[list[ConceptDraft], list[EdgeDraft]]:
    """Validate a document's drafts; what every adapter writes.

    Returns:
        The concepts sorted by key (a stable lock order for concurrent writers), and the
        edges with duplicates merged (the highest weight wins).

    Raises:
        ValueError: two concepts share a key, a key is empty, an edge joins a concept to
            itself, names an unknown kind, or has a weight outside 0..1.
    """
    seen: set[str] = set()
    for concept in concepts:
        if not concept.key:
            raise ValueError("a concept key must not be empty")
        if concept.key in seen:
            raise ValueError(f"two concepts share the key {concept.key!r}")
        if concept.role not in CONCEPT_ROLES:
            raise ValueError(f"unknown concept role {concept.role!r}")
        seen.add(concept.key)
    merged: dict[tuple[str, str, EdgeKind], EdgeDraft] = {}
    for edge in edges:
        if edge.kind not in EDGE_KINDS:
            raise ValueError(f"unknown edge kind {edge.kind!r}")
        if edge.source == edge.target:
            raise ValueError(f"an edge joins the concept {edge.source!r} to itself")
        if not 0.0 <= edge.weight <= 1.0:
            raise ValueError(f"edge weight {edge.weight} is outside 0..1")
        ref = (edge.source, edge.target, edge.kind)
        if ref not in merged or edge.weight > merged[ref].weight:
            merged[ref] = edge
    return sorted(concepts, key=lambda c: c.key), list(merged.values())


def outside_keys(concepts: Sequence[ConceptDraft], edges: Sequence[EdgeDraft]) -> list[str]:
    """Keys that edges name but ``concepts`` does not hold, sorted."""
    keys = {c.key for c in concepts}
    return sorted({k for e in edges for k in (e.source, e.target)} - keys)


def refuse_unknown_keys(unknown: Collection[str]) -> None:
    """Raise the error for edges that name keys no concept has.

    Raises:
        ValueError: ``unknown`` is not empty; the message names the keys.
    """
    if unknown:
        names = ", ".join(repr(k) for k in sorted(unknown))
        raise ValueError(
            f"edges name unknown concept key(s) {names}: neither among the document's "
            "concepts nor stored with the support of another document"
        )
