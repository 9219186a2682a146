"""Graph algorithms over stored concepts and edges (NetworkX, in process)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from tutor.graph.algorithms import (
    cycle_breaking_edges,
    edges_of_kind,
    prerequisite_closure,
    to_networkx,
    topological_order,
)
from tutor.graph.model import Concept, Edge, EdgeKind

OWNER = uuid4()


def _concepts(*keys: str) -> dict[str, Concept]:
    return {
        key: Concept(uuid4(), OWNER, key, key.title(), "", 2, (), position)
        for position, key in enumerate(keys)
    }


def _edge(
    c: dict[str, Concept], source: str, target: str, kind: EdgeKind, weight: float = 1.0
) -> Edge:
    return Edge(c[source].id, c[target].id, kind, weight, "heading")


def test_to_networkx_keeps_both_kinds_between_two_concepts() -> None:
    c = _concepts("a", "b")
    stray = Edge(uuid4(), c["a"].id, "part_of", 1.0, "link")
    graph = to_networkx(
        c.values(),
        [_edge(c, "b", "a", "part_of"), _edge(c, "b", "a", "prerequisite", 0.5), stray],
    )
    assert set(graph.nodes) == {c["a"].id, c["b"].id}
    assert graph.nodes[c["a"].id]["concept"] == c["a"]
    kinds = graph.edges[c["b"].id, c["a"].id]["kinds"]
    assert set(kinds) == {"part_of", "prerequisite"}
    assert kinds["prerequisite"].weight == 0.5
    assert graph.number_of_edges() == 1
    assert list(edges_of_kind(graph, "prerequisite").edges) == [(c["b"].id, c["a"].id)]


def test_each_cycle_loses_its_weakest_edge() -> None:
    c = _concepts("a", "b", "c", "d")
    edges = [
        _edge(c, "a", "b", "prerequisite", 0.9),
        _edge(c, "b", "c", "prerequisite", 0.4),
        _edge(c, "c", "a", "prerequisite", 0.8),
        _edge(c, "c", "d", "prerequisite", 0.7),
        _edge(c, "d", "c", "prerequisite", 0.6),
        _edge(c, "d", "a", "part_of", 0.1),  # not a prerequisite: never removed
    ]
    graph = to_networkx(c.values(), edges)
    removed = cycle_breaking_edges(graph)
    assert sorted(removed) == sorted(
        [(c["b"].id, c["c"].id, "prerequisite"), (c["d"].id, c["c"].id, "prerequisite")]
    )
    graph.remove_edges_from((s, t) for s, t, _ in removed)
    assert cycle_breaking_edges(graph) == []


def test_the_closure_holds_prerequisites_and_parts_transitively() -> None:
    c = _concepts("basics", "algebra", "calculus", "limits", "derivatives", "unrelated")
    edges = [
        _edge(c, "limits", "calculus", "part_of"),
        _edge(c, "derivatives", "calculus", "part_of"),
        _edge(c, "algebra", "limits", "prerequisite"),
        _edge(c, "basics", "algebra", "prerequisite"),
        _edge(c, "calculus", "unrelated", "prerequisite"),
    ]
    graph = to_networkx(c.values(), edges)
    ids = {k: v.id for k, v in c.items()}
    assert prerequisite_closure(graph, [ids["calculus"]]) == {
        ids[k] for k in ("calculus", "limits", "derivatives", "algebra", "basics")
    }
    assert prerequisite_closure(graph, [ids["calculus"]], with_parts=False) == {ids["calculus"]}
    assert prerequisite_closure(graph, [uuid4()]) == set()


def test_topological_order_follows_prerequisites_then_the_authors_order() -> None:
    c = _concepts("intro", "sets", "functions", "limits", "appendix")
    edges = [
        _edge(c, "limits", "sets", "prerequisite"),
        _edge(c, "sets", "functions", "prerequisite"),
        _edge(c, "functions", "intro", "part_of"),
    ]
    graph = to_networkx(c.values(), edges)
    order = [graph.nodes[n]["concept"].key for n in topological_order(graph)]
    assert order == ["intro", "limits", "sets", "functions", "appendix"]
    some: list[UUID] = [c["functions"].id, c["limits"].id]
    assert topological_order(graph, some) == [c["limits"].id, c["functions"].id]


def test_topological_order_refuses_a_cycle() -> None:
    c = _concepts("a", "b")
    graph = to_networkx(
        c.values(), [_edge(c, "a", "b", "prerequisite"), _edge(c, "b", "a", "prerequisite")]
    )
    with pytest.raises(ValueError, match="cycle"):
        topological_order(graph)
