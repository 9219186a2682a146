"""The concept graph compiled once for planning: integer indices and adjacency lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import networkx as nx

from tutor.graph.algorithms import cycle_breaking_edges, edges_of_kind, to_networkx
from tutor.graph.model import Concept, Edge


@dataclass(frozen=True, slots=True, eq=False)
class PlanningGraph:
    """An owner's concepts and edges, arranged so that each plan is cheap.

    Concepts are numbered in a topological order of the prerequisites that follows the
    author's order where it is free, so sorting by index puts every prerequisite before
    what it enables. Prerequisite cycles are broken once, here, at their weakest edge.
    Build it with :meth:`build` whenever the graph changes, and reuse it between plans.
    """

    ids: tuple[UUID, ...]
    """Concept ids by index."""
    index: dict[UUID, int]
    """Index of each concept id."""
    titles: tuple[str, ...]
    """Titles by index."""
    positions: tuple[int, ...]
    """Places in the author's order by index."""
    folded_titles: tuple[str, ...]
    """Case-folded titles by index, for keyword interests."""
    by_position: tuple[int, ...]
    """Indices in the author's order (position, then id)."""
    prerequisites: tuple[tuple[int, ...], ...]
    """For each concept, the concepts it needs directly (cycle-breaking edges left out)."""
    parts: tuple[tuple[int, ...], ...]
    """For each concept, its direct parts (a chapter's sections)."""
    wholes: tuple[tuple[int, ...], ...]
    """For each concept, what it is directly part of."""
    broken_edges: tuple[tuple[UUID, UUID], ...]
    """Prerequisite edges ignored because they closed a cycle (before, after)."""

    @classmethod
    def build(cls, concepts: Iterable[Concept], edges: Iterable[Edge]) -> PlanningGraph:
        """Compile concepts and edges; edges naming unknown concepts are left out."""
        graph = to_networkx(concepts, edges)
        prerequisites = nx.DiGraph(edges_of_kind(graph, "prerequisite"))
        broken = _cycle_breaking_edges(graph, prerequisites)
        prerequisites.remove_edges_from(broken)
        # The same order as tutor.graph.algorithms.topological_order, which walks every
        # concept's ancestors and so is too slow for a whole graph of thousands of concepts.
        ids = tuple(
            nx.lexicographical_topological_sort(
                prerequisites,
                key=lambda n: (graph.nodes[n]["concept"].position, str(n)),
            )
        )
        index = {concept_id: i for i, concept_id in enumerate(ids)}
        needs: list[list[int]] = [[] for _ in ids]
        parts: list[list[int]] = [[] for _ in ids]
        wholes: list[list[int]] = [[] for _ in ids]
        for source, target in prerequisites.edges:
            needs[index[target]].append(index[source])
        for source, target in edges_of_kind(graph, "part_of").edges:
            parts[index[target]].append(index[source])
            wholes[index[source]].append(index[target])
        concept_of: list[Concept] = [graph.nodes[concept_id]["concept"] for concept_id in ids]
        return cls(
            ids=ids,
            index=index,
            titles=tuple(concept.title for concept in concept_of),
            positions=tuple(concept.position for concept in concept_of),
            folded_titles=tuple(concept.title.casefold() for concept in concept_of),
            by_position=tuple(
                sorted(range(len(ids)), key=lambda i: (concept_of[i].position, str(ids[i])))
            ),
            prerequisites=_frozen(needs),
            parts=_frozen(parts),
            wholes=_frozen(wholes),
            broken_edges=tuple(broken),
        )

    def __len__(self) -> int:
        return len(self.ids)


def _cycle_breaking_edges(
    graph: nx.DiGraph[UUID], prerequisites: nx.DiGraph[UUID]
) -> list[tuple[UUID, UUID]]:
    """The prerequisite edges to drop so that no cycle is left.

    Every cycle lies within one strongly connected component, so the weakest-edge rule of
    :func:`cycle_breaking_edges` runs on each cyclic component alone: on a whole graph of
    thousands of concepts it would take minutes even when there is no cycle.
    """
    broken: list[tuple[UUID, UUID]] = []
    for component in nx.strongly_connected_components(prerequisites):
        node = next(iter(component))
        if len(component) > 1 or prerequisites.has_edge(node, node):
            subgraph: nx.DiGraph[UUID] = graph.subgraph(component)
            broken.extend((source, target) for source, target, _ in cycle_breaking_edges(subgraph))
    # Sorted so that the result does not depend on the order components are found in.
    return sorted(broken, key=lambda edge: (str(edge[0]), str(edge[1])))


def _frozen(lists: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    # Sorted so that walks over the graph visit concepts in a repeatable order.
    return tuple(tuple(sorted(items)) for items in lists)
