"""Graph algorithms over an owner's concepts, in process with NetworkX.

:func:`to_networkx` turns stored concepts and edges into a ``DiGraph`` whose nodes are
concept ids (with the :class:`Concept` under ``"concept"``) and whose edges carry, under
``"kinds"``, the stored :class:`Edge` of each kind that joins the two concepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import networkx as nx

from tutor.graph.model import Concept, Edge, EdgeKind
from tutor.graph.port import EdgeRef


def to_networkx(concepts: Iterable[Concept], edges: Iterable[Edge]) -> nx.DiGraph[UUID]:
    """A directed graph of the concepts; edges between unknown concepts are left out."""
    graph: nx.DiGraph[UUID] = nx.DiGraph()
    for concept in concepts:
        graph.add_node(concept.id, concept=concept)
    for edge in edges:
        if edge.source not in graph or edge.target not in graph:
            continue
        if not graph.has_edge(edge.source, edge.target):
            graph.add_edge(edge.source, edge.target, kinds={})
        graph.edges[edge.source, edge.target]["kinds"][edge.kind] = edge
    return graph


def edges_of_kind(graph: nx.DiGraph[UUID], kind: EdgeKind) -> nx.DiGraph[UUID]:
    """A view of ``graph`` with every node and only the edges of ``kind``."""
    view: nx.DiGraph[UUID] = nx.subgraph_view(
        graph, filter_edge=lambda u, v: kind in graph.edges[u, v]["kinds"]
    )
    return view


def cycle_breaking_edges(graph: nx.DiGraph[UUID], kind: EdgeKind = "prerequisite") -> list[EdgeRef]:
    """Edges of ``kind`` whose removal leaves no cycle: each cycle loses its weakest edge.

    Ties go to the edge whose target comes first in the author's order, which keeps the
    author's own order among equally sure prerequisites.
    """
    remaining = nx.DiGraph(edges_of_kind(graph, kind))
    removed: list[EdgeRef] = []
    while True:
        try:
            cycle = nx.find_cycle(remaining)
        except nx.NetworkXNoCycle:
            return removed
        source, target = min(
            ((u, v) for u, v, *_ in cycle),
            key=lambda uv: (
                graph.edges[uv]["kinds"][kind].weight,
                graph.nodes[uv[1]]["concept"].position,
            ),
        )
        remaining.remove_edge(source, target)
        removed.append((source, target, kind))


def prerequisite_closure(
    graph: nx.DiGraph[UUID], targets: Iterable[UUID], *, with_parts: bool = True
) -> set[UUID]:
    """The targets and everything to learn before them.

    That is every prerequisite, transitively, and with ``with_parts`` the parts of each
    concept in the set (a chapter's sections), with their own prerequisites in turn.
    Targets that are not in the graph are ignored.
    """
    prerequisites = edges_of_kind(graph, "prerequisite")
    parts = edges_of_kind(graph, "part_of")
    closure: set[UUID] = set()
    pending = [t for t in targets if t in graph]
    while pending:
        node = pending.pop()
        if node in closure:
            continue
        closure.add(node)
        pending.extend(prerequisites.predecessors(node))
        if with_parts:
            pending.extend(parts.predecessors(node))
    return closure


def topological_order(graph: nx.DiGraph[UUID], nodes: Iterable[UUID] | None = None) -> list[UUID]:
    """``nodes`` (all by default) with every prerequisite before what it enables.

    Prerequisites count transitively, through concepts left out of ``nodes`` too; among
    concepts free to come next, the author's order (position) decides.

    Raises:
        ValueError: those prerequisites form a cycle (break it first with
            :func:`cycle_breaking_edges`).
    """
    prerequisites = edges_of_kind(graph, "prerequisite")
    chosen = set(graph.nodes if nodes is None else nodes) & set(graph.nodes)
    region = set(chosen)
    for node in chosen:
        region |= nx.ancestors(prerequisites, node)
    try:
        ordered = nx.lexicographical_topological_sort(
            prerequisites.subgraph(region),
            key=lambda n: (graph.nodes[n]["concept"].position, str(n)),
        )
        return [node for node in ordered if node in chosen]
    except nx.NetworkXUnfeasible as error:
        raise ValueError("the prerequisites form a cycle") from error
