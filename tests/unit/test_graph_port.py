"""Draft validation shared by every graph store adapter."""

from __future__ import annotations

import pytest

from tutor.graph.model import ConceptDraft, EdgeDraft
from tutor.graph.port import check_drafts, outside_keys, refuse_unknown_keys


def _concept(key: str, position: int = 0) -> ConceptDraft:
    return ConceptDraft(key, key.title(), "", 1, (), position)


def test_concepts_come_back_sorted_by_key() -> None:
    concepts, edges = check_drafts([_concept("b"), _concept("a"), _concept("c")], [])
    assert [c.key for c in concepts] == ["a", "b", "c"]
    assert edges == []


def test_duplicate_edges_keep_the_highest_weight_first_on_ties() -> None:
    drafts = [
        EdgeDraft("a", "b", "prerequisite", 0.5, "order"),
        EdgeDraft("a", "b", "prerequisite", 0.9, "link"),
        EdgeDraft("a", "b", "prerequisite", 0.9, "model"),
        EdgeDraft("a", "b", "part_of", 0.2, "heading"),
    ]
    _, edges = check_drafts([_concept("a"), _concept("b")], drafts)
    assert edges == [drafts[1], drafts[3]]


@pytest.mark.parametrize(
    ("concepts", "edges", "message"),
    [
        ([_concept("a"), _concept("a", 1)], [], "two concepts share the key 'a'"),
        ([_concept("")], [], "must not be empty"),
        ([_concept("a")], [EdgeDraft("a", "a", "part_of")], "joins the concept 'a' to itself"),
        ([], [EdgeDraft("a", "b", "part_of", -0.1)], "outside 0..1"),
        ([], [EdgeDraft("a", "b", "part_of", 1.01)], "outside 0..1"),
        ([], [EdgeDraft("a", "b", "requires")], "unknown edge kind 'requires'"),  # type: ignore[arg-type]
    ],
)
def test_malformed_drafts_are_refused(
    concepts: list[ConceptDraft], edges: list[EdgeDraft], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_drafts(concepts, edges)


def test_outside_keys_are_the_edge_ends_the_document_does_not_hold() -> None:
    edges = [EdgeDraft("x", "a", "part_of"), EdgeDraft("a", "y", "prerequisite")]
    assert outside_keys([_concept("a")], edges) == ["x", "y"]
    assert outside_keys([_concept("a")], []) == []


def test_unknown_keys_are_named_in_the_error() -> None:
    refuse_unknown_keys(set())
    with pytest.raises(ValueError) as refused:
        refuse_unknown_keys({"it's", "ghost"})
    assert "unknown concept key(s) 'ghost', \"it's\":" in str(refused.value)
