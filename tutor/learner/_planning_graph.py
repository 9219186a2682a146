"""The concept graph compiled once for planning: integer indices and adjacency lists.

Two kinds of prerequisite edge are told apart here. *Hard* ones (origins in
:data:`~tutor.graph.model.HARD_ORIGINS`: a link, a term used before it is introduced, the
model's judgement) say what a concept cannot be learned without. *Soft* ones (``order``,
``summary``) are the author's reading order: they order concepts but require nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

import networkx as nx

from tutor.graph.model import HARD_ORIGINS, Concept, ConceptRole, Edge


@dataclass(frozen=True, slots=True, eq=False)
class PlanningGraph:
    """An owner's concepts and edges, arranged so that each plan is cheap.

    Concepts are numbered in a topological order of all prerequisites that follows the
    author's order where it is free, so sorting by index puts every prerequisite before
    what it enables. Prerequisite cycles are broken once, here: at their weakest soft edge
    when they have one, else at their weakest edge. Build it with :meth:`build` whenever
    the graph changes, and reuse it between plans. Ties among cycle edges go to the one
    whose target comes first in the author's order, as in
    :func:`tutor.graph.algorithms.cycle_breaking_edges`.
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
    roles: tuple[ConceptRole, ...]
    """What each concept is for; only ``teachable`` ones are planned."""
    teachable: tuple[bool, ...]
    """Whether each concept is teachable."""
    by_position: tuple[int, ...]
    """Indices in the author's order (position, then id)."""
    reading_order: tuple[int, ...]
    """The teachable indices in the author's order."""
    reading_rank: tuple[int, ...]
    """Each concept's place in :attr:`reading_order` (-1 for one that is not teachable)."""
    prerequisites: tuple[tuple[int, ...], ...]
    """For each concept, the concepts it needs directly by hard edges (cycle-breaking
    edges left out), whatever their role."""
    needs: tuple[tuple[int, ...], ...]
    """For each concept, the teachable concepts it needs: its hard prerequisites, each
    one that is not teachable (a chapter) standing for its teachable parts. Only earlier
    indices, so that the first concept not yet learned is always ready."""
    follows: tuple[tuple[int, ...], ...]
    """For each concept, the concepts it follows in the author's order (soft edges)."""
    parts: tuple[tuple[int, ...], ...]
    """For each concept, its direct parts (a chapter's sections)."""
    wholes: tuple[tuple[int, ...], ...]
    """For each concept, what it is directly part of."""
    broken_edges: tuple[tuple[UUID, UUID], ...]
    """Prerequisite edges ignored because they closed a cycle (before, after)."""

    @classmethod
    def build(cls, concepts: Iterable[Concept], edges: Iterable[Edge]) -> PlanningGraph:
        """Compile concepts and edges; edges naming unknown concepts are left out.

        Of two concepts with one id the later wins, and so does the later of two edges of
        one kind between the same concepts.
        """
        # Integers from the start: UUID hashing is slow, and a graph of thousands of
        # concepts would hash them millions of times in NetworkX.
        by_id = {concept.id: concept for concept in concepts}
        nodes = list(by_id.values())
        number = {concept.id: k for k, concept in enumerate(nodes)}
        names = [str(concept.id) for concept in nodes]
        prerequisites: dict[tuple[int, int], Edge] = {}
        part_of: set[tuple[int, int]] = set()
        for edge in edges:
            source, target = number.get(edge.source), number.get(edge.target)
            if source is None or target is None:
                continue
            if edge.kind == "prerequisite":
                prerequisites[source, target] = edge
            elif source != target:
                part_of.add((source, target))

        def weakest(pair: tuple[int, int]) -> tuple[float, int, str, str]:
            # Ties go to the edge whose target comes first in the author's order.
            source, target = pair
            weight = prerequisites[pair].weight
            return (weight, nodes[target].position, names[source], names[target])

        hard: nx.DiGraph[int] = nx.DiGraph()
        hard.add_nodes_from(range(len(nodes)))
        soft: list[tuple[int, int]] = []
        for pair, edge in prerequisites.items():
            if edge.origin in HARD_ORIGINS:
                hard.add_edge(*pair)
            else:
                soft.append(pair)
        broken = _break_cycles(hard, weakest, breakable=lambda pair: True)
        ordering = nx.DiGraph(hard)
        ordering.add_edges_from(soft)
        soft_set = set(soft)
        # The hard edges alone have no cycle left, so each cycle has a soft edge: the
        # author's order gives way to what the notes show.
        broken += _break_cycles(ordering, weakest, breakable=soft_set.__contains__)
        soft_set.difference_update(broken)
        # The same order as tutor.graph.algorithms.topological_order, which walks every
        # concept's ancestors and so is too slow for a whole graph of thousands of concepts.
        order = list(
            nx.lexicographical_topological_sort(
                ordering, key=lambda k: (nodes[k].position, names[k])
            )
        )
        place = [0] * len(nodes)
        for i, k in enumerate(order):
            place[k] = i
        concept_of = [nodes[k] for k in order]
        ids = tuple(concept.id for concept in concept_of)
        hard_needs: list[list[int]] = [[] for _ in ids]
        follows: list[list[int]] = [[] for _ in ids]
        parts: list[list[int]] = [[] for _ in ids]
        wholes: list[list[int]] = [[] for _ in ids]
        for source, target in hard.edges:
            hard_needs[place[target]].append(place[source])
        for source, target in soft_set:
            follows[place[target]].append(place[source])
        for source, target in part_of:
            parts[place[target]].append(place[source])
            wholes[place[source]].append(place[target])
        teachable = tuple(concept.role == "teachable" for concept in concept_of)
        by_position = tuple(
            sorted(range(len(ids)), key=lambda i: (concept_of[i].position, names[order[i]]))
        )
        reading_order = tuple(i for i in by_position if teachable[i])
        reading_rank = [-1] * len(ids)
        for rank, i in enumerate(reading_order):
            reading_rank[i] = rank
        frozen_parts = _frozen(parts)
        return cls(
            ids=ids,
            index={concept_id: i for i, concept_id in enumerate(ids)},
            titles=tuple(concept.title for concept in concept_of),
            positions=tuple(concept.position for concept in concept_of),
            folded_titles=tuple(concept.title.casefold() for concept in concept_of),
            roles=tuple(concept.role for concept in concept_of),
            teachable=teachable,
            by_position=by_position,
            reading_order=reading_order,
            reading_rank=tuple(reading_rank),
            prerequisites=_frozen(hard_needs),
            needs=_teachable_needs(hard_needs, frozen_parts, teachable),
            follows=_frozen(follows),
            parts=frozen_parts,
            wholes=_frozen(wholes),
            broken_edges=tuple(
                sorted(
                    ((nodes[a].id, nodes[b].id) for a, b in broken),
                    key=lambda edge: (str(edge[0]), str(edge[1])),
                )
            ),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def teachable_parts(self, i: int) -> list[int]:
        """Every teachable concept among the parts of ``i``, at any depth, in index order."""
        return _teachable_parts(self.parts, self.teachable, i)


def _break_cycles(
    graph: nx.DiGraph[int],
    weakest: Callable[[tuple[int, int]], tuple[float, int, str, str]],
    *,
    breakable: Callable[[tuple[int, int]], bool],
) -> list[tuple[int, int]]:
    """Remove, from ``graph``, the weakest breakable edge of each cycle until none is left.

    Every cycle lies within one strongly connected component, so each cyclic component
    is searched alone: on a whole graph of thousands of concepts, searching it all for
    each cycle would take minutes even when there is none.
    """
    broken: list[tuple[int, int]] = []
    cyclic = [c for c in nx.strongly_connected_components(graph) if _is_cycle(graph, c)]
    for component in cyclic:
        remaining = nx.DiGraph(graph.subgraph(component))
        while True:
            try:
                cycle = nx.find_cycle(remaining)
            except nx.NetworkXNoCycle:
                break
            pair = min(((u, v) for u, v, *_ in cycle if breakable((u, v))), key=weakest)
            remaining.remove_edge(*pair)
            graph.remove_edge(*pair)
            broken.append(pair)
    return broken


def _is_cycle(graph: nx.DiGraph[int], component: set[int]) -> bool:
    node = next(iter(component))
    return len(component) > 1 or graph.has_edge(node, node)


def _teachable_needs(
    hard_needs: list[list[int]], parts: tuple[tuple[int, ...], ...], teachable: tuple[bool, ...]
) -> tuple[tuple[int, ...], ...]:
    """Each concept's hard prerequisites as teachable concepts, earlier ones only."""
    stand_ins: dict[int, list[int]] = {}

    def stand_in(i: int) -> list[int]:
        if teachable[i]:
            return [i]
        if i not in stand_ins:
            stand_ins[i] = _teachable_parts(parts, teachable, i)
        return stand_ins[i]

    # Only earlier indices: a concept that links to its own chapter would otherwise need
    # itself, or a section after it, and never be ready.
    return tuple(
        tuple(sorted({n for p in needs for n in stand_in(p) if n < i}))
        for i, needs in enumerate(hard_needs)
    )


def _teachable_parts(
    parts: tuple[tuple[int, ...], ...], teachable: tuple[bool, ...], i: int
) -> list[int]:
    found: set[int] = set()
    seen = {i}
    pending = list(parts[i])
    while pending:
        part = pending.pop()
        if part not in seen:
            seen.add(part)
            if teachable[part]:
                found.add(part)
            pending.extend(parts[part])
    return sorted(found)


def _frozen(lists: list[list[int]]) -> tuple[tuple[int, ...], ...]:
    # Sorted so that walks over the graph visit concepts in a repeatable order.
    return tuple(tuple(sorted(items)) for items in lists)
