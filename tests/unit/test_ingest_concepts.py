from __future__ import annotations

import pytest

from tutor.graph.model import EdgeDraft
from tutor.ingest.concepts import (
    LINK_WEIGHT,
    ORDER_WEIGHT,
    DocumentGraph,
    enforce_dag,
    extract_concepts,
    normalise_title,
    with_central_claims,
)
from tutor.ingest.markdown import parse_markdown
from tutor.ingest.roles import RoleRules

GARDEN = """\
# Gardening Basics

Gardening is the practice of growing plants. It rewards patience.

## Soil

Soil is the foundation of every garden. Good soil must drain well.

- Loam holds water and air in balance.
- Clay soil drains slowly.

### Testing Soil

Read [the soil overview](#soil) first. Compost is covered [later](#compost).

## Watering

Water in the morning. See [pruning](pruning.md#tools) and [pests](pests.md).
Also [the web](https://example.org/soil.md) and [a picture](img/plot.png).

```sh
water --morning
```

## Compost

Compost feeds the soil, as [testing](#testing-soil) shows.
"""


STRUCTURE_ONLY = RoleRules(thin_words=0, chapter_words=0)
"""No section is too thin to stand alone: the tests of structure use tiny sections."""


def graph_of(
    text: str, *, name: str = "garden.md", base: int = 0, rules: RoleRules = STRUCTURE_ONLY
) -> DocumentGraph:
    return extract_concepts(parse_markdown(text, name=name), position_base=base, rules=rules)


def pairs(graph: DocumentGraph, kind: str, origin: str | None = None) -> set[tuple[str, str]]:
    return {
        (e.source, e.target)
        for e in graph.edges
        if e.kind == kind and (origin is None or e.origin == origin)
    }


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("What Is Ownership?", "what is ownership"),
        ("1.2 Getting Started", "getting started"),
        ("3. Variables", "variables"),
        ("Chapter 3: The Slice Type", "slice type"),
        ("Appendix B - Operators", "operators"),
        ("  The   `Rc<T>`  Type  ", "rc t type"),
        ("Rust\u2019s Ownership", "rusts ownership"),
        ("Hello, World!", "hello world"),
        ("ÉCOLE Straße", "école strasse"),
        ("A", "a"),
        ("2D Graphics", "2d graphics"),
        ("1.2", "1 2"),
        ("???", ""),
    ],
)
def test_normalise_title(title: str, key: str) -> None:
    assert normalise_title(title) == key


def test_one_concept_per_titled_section() -> None:
    graph = graph_of(GARDEN, base=1000)
    assert [(c.key, c.level, c.position) for c in graph.concepts] == [
        ("gardening basics", 1, 1000),
        ("soil", 2, 1001),
        ("testing soil", 3, 1002),
        ("watering", 2, 1003),
        ("compost", 2, 1004),
    ]
    assert graph.concepts[0].title == "Gardening Basics"


def test_part_of_follows_heading_nesting() -> None:
    graph = graph_of(GARDEN)
    assert pairs(graph, "part_of", "heading") == {
        ("soil", "gardening basics"),
        ("testing soil", "soil"),
        ("watering", "gardening basics"),
        ("compost", "gardening basics"),
    }
    assert {e.weight for e in graph.edges if e.kind == "part_of"} == {1.0}


def test_sibling_order_gives_prerequisites() -> None:
    graph = graph_of(GARDEN)
    assert pairs(graph, "prerequisite", "order") == {("soil", "watering"), ("watering", "compost")}
    assert {e.weight for e in graph.edges if e.origin == "order"} == {ORDER_WEIGHT}


def test_links_between_sections_give_prerequisites() -> None:
    graph = graph_of(GARDEN)
    # "Testing Soil" links back to "Soil"; "Compost" links back to "Testing Soil". The
    # link from "Testing Soil" forward to "Compost" is a forward reference: no edge.
    assert pairs(graph, "prerequisite", "link") == {
        ("soil", "testing soil"),
        ("testing soil", "compost"),
    }
    assert {e.weight for e in graph.edges if e.origin == "link"} == {LINK_WEIGHT}


def test_cross_document_links_are_returned() -> None:
    graph = graph_of(GARDEN)
    assert graph.external_links == [
        ("watering", "pruning.md", "tools"),
        ("watering", "pests.md", None),
    ]


def test_section_and_anchor_keys() -> None:
    graph = graph_of(GARDEN)
    assert graph.section_keys == {
        0: "gardening basics",
        1: "soil",
        2: "testing soil",
        3: "watering",
        4: "compost",
    }
    assert graph.anchor_keys["testing-soil"] == "testing soil"
    assert graph.anchor_keys[""] == "gardening basics"


def test_summary_and_key_points_are_claims_of_the_section() -> None:
    graph = graph_of(GARDEN)
    concepts = {c.key: c for c in graph.concepts}
    # "It rewards patience." leans on the sentence before: no claim.
    assert concepts["gardening basics"].summary == "Gardening is the practice of growing plants."
    soil = concepts["soil"]
    claims = [
        "Soil is the foundation of every garden.",
        "Good soil must drain well.",
        "Loam holds water and air in balance.",
        "Clay soil drains slowly.",
    ]
    assert graph.claims["soil"].claims == tuple(claims)
    assert soil.summary in claims
    assert len(soil.key_points) == 3
    assert list(soil.key_points) == [c for c in claims if c in soil.key_points]
    # An instruction, links and code are no claims: nothing to say about watering.
    assert concepts["watering"].summary == ""
    assert concepts["watering"].key_points == ()


def test_a_run_on_sentence_is_no_summary() -> None:
    long_sentence = "Roots " + "grow deeper every single season " * 20 + "."
    graph = graph_of(f"# Roots\n\n{long_sentence}\n")
    assert graph.concepts[0].summary == ""
    graph = graph_of(f"# Roots\n\n{long_sentence}\n\nRoots take up water from the soil.\n")
    assert graph.concepts[0].summary == "Roots take up water from the soil."


def _claims(count: int) -> str:
    plants = ["tomatoes", "beans", "carrots", "leeks", "onions", "peas", "kale", "chard"]
    months = ["March", "April", "May", "June", "July"]
    return " ".join(
        f"Mulch keeps the soil around {plants[i % 8]} moist in {months[i % 5]} for {i + 2} weeks."
        for i in range(count)
    )


@pytest.mark.parametrize(("claims", "points"), [(2, 2), (3, 3), (9, 3), (12, 4), (30, 7)])
def test_three_to_seven_key_points_in_the_authors_order(claims: int, points: int) -> None:
    graph = graph_of(f"# Mulch\n\n{_claims(claims)}\n")
    found = graph.claims["mulch"].claims
    assert len(found) == claims
    chosen = graph.concepts[0].key_points
    assert len(chosen) == points
    assert list(chosen) == [c for c in found if c in chosen]
    assert graph_of(f"# Mulch\n\n{_claims(claims)}\n").concepts[0] == graph.concepts[0]


def test_a_recap_section_gives_the_summary() -> None:
    text = (
        "# Ownership\n\n"
        "Each value in Rust has a variable that is called its owner. "
        "There can only be one owner of a value at a time. "
        "When the owner goes out of scope, the value will be dropped. "
        "Memory is returned to the allocator once its owner is gone.\n\n"
        "## Summary\n\n"
        "Ownership, borrowing and slices ensure memory safety in Rust programs at compile "
        "time.\n"
    )
    graph = extract_concepts(parse_markdown(text, name="ownership.md"), position_base=0)
    assert [c.key for c in graph.concepts] == ["ownership"]
    assert graph.concepts[0].summary == (
        "Ownership, borrowing and slices ensure memory safety in Rust programs at compile time."
    )


def test_a_byline_is_never_the_summary_of_a_foreword() -> None:
    text = (
        "# Foreword\n\n"
        "by Steve Klabnik, Carol Nichols, and Chris Krycho, with contributions from the Rust "
        "Community\n\n"
        "The Rust programming language has come a long way in a few short years. "
        "The Rust language combines years of research in systems programming with the "
        "practical wisdom of a community.\n"
    )
    graph = extract_concepts(parse_markdown(text, name="foreword.md"), position_base=0)
    foreword = graph.concepts[0]
    assert foreword.summary.startswith("The Rust")
    assert all("Klabnik" not in point for point in (foreword.summary, *foreword.key_points))


async def test_embedded_claims_choose_again() -> None:
    text = (
        "# Borrowing\n\n"
        "A reference lets a function use a value without owning it. "
        "References are immutable by default in every Rust program. "
        "Mutable references allow a function to change a borrowed value.\n"
    )
    graph = graph_of(text)
    axes = {claim: index for index, claim in enumerate(graph.claims["borrowing"].claims)}

    async def embed(texts: list[str]) -> list[list[float]]:
        # The last claim lies between the other two: it is the most central.
        vectors = {0: [1.0, 0.0], 1: [0.0, 1.0], 2: [1.0, 1.0]}
        return [vectors[axes[t]] for t in texts]

    chosen = await with_central_claims(graph, embed)
    assert chosen.concepts[0].summary == (
        "Mutable references allow a function to change a borrowed value."
    )
    assert chosen.concepts[0].key_points == graph.claims["borrowing"].claims


def test_title_heading_repeating_the_root_is_one_concept() -> None:
    text = "---\ntitle: Pruning\n---\n# Pruning\n\nCut back.\n\n## Tools\n## Timing\n"
    graph = graph_of(text)
    assert [c.key for c in graph.concepts] == ["pruning", "tools", "timing"]
    assert pairs(graph, "part_of") == {("tools", "pruning"), ("timing", "pruning")}
    assert pairs(graph, "prerequisite") == {("tools", "timing")}


def test_siblings_of_a_merged_title_heading_keep_the_authors_order() -> None:
    # The first heading names the document but does not enclose "Summary".
    graph = graph_of("## Cargo\n\nIntro.\n\n### Build\n### Run\n## Deploy\n\nDone.\n")
    assert [c.key for c in graph.concepts] == ["cargo", "build", "run", "deploy"]
    assert pairs(graph, "prerequisite", "order") == {("build", "run"), ("run", "deploy")}


def test_a_generic_title_under_two_parents_is_two_concepts_named_with_them() -> None:
    graph = graph_of("# Book\n## Seeds\n### Examples\n## Pots\n### Examples\n")
    titles = [c.title for c in graph.concepts]
    assert titles == ["Book", "Seeds", "Seeds: Examples", "Pots", "Pots: Examples"]
    assert ("seeds examples", "seeds") in pairs(graph, "part_of")
    assert ("pots examples", "pots") in pairs(graph, "part_of")
    assert graph.qualified_keys == {"seeds examples", "pots examples"}


def test_untitled_section_folds_into_its_parent() -> None:
    graph = graph_of("# Book\n## 1.2.\n\nText.\n\n### Child\n")
    assert [c.key for c in graph.concepts] == ["book", "1 2", "child"]
    graph = graph_of("# Book\n## ???\n\nText.\n\n### Child\n")
    assert [c.key for c in graph.concepts] == ["book", "child"]
    assert pairs(graph, "part_of") == {("child", "book")}
    assert graph.section_keys[1] == "book"


def edge(source: str, target: str, weight: float, origin: str = "order") -> EdgeDraft:
    return EdgeDraft(source, target, "prerequisite", weight, origin)  # type: ignore[arg-type]


def test_enforce_dag_breaks_a_cycle_at_its_weakest_edge() -> None:
    part = EdgeDraft("b", "a", "part_of", 1.0, "heading")
    edges = [edge("a", "b", 0.8, "link"), edge("b", "c", 0.6), edge("c", "a", 0.5), part]
    kept, removed = enforce_dag(edges)
    assert removed == [edge("c", "a", 0.5)]
    assert kept == [edge("a", "b", 0.8, "link"), edge("b", "c", 0.6), part]


def test_enforce_dag_ties_are_broken_the_same_way_every_time() -> None:
    edges = [edge("x", "y", 0.6), edge("y", "z", 0.6), edge("z", "x", 0.6)]
    results = {
        tuple(enforce_dag(order)[1]) for order in (edges, edges[::-1], edges[1:] + edges[:1])
    }
    assert results == {(edge("z", "x", 0.6),)}


def test_enforce_dag_handles_many_cycles_and_self_loops() -> None:
    edges = [
        edge("a", "a", 0.9),
        edge("a", "b", 0.6),
        edge("b", "a", 0.8, "link"),
        edge("c", "d", 0.4),
        edge("d", "c", 0.6),
        edge("d", "c", 0.3, "link"),
    ]
    kept, removed = enforce_dag(edges)
    assert {(e.source, e.target) for e in removed} == {("a", "a"), ("a", "b"), ("c", "d")}
    assert {(e.source, e.target) for e in kept} == {("b", "a"), ("d", "c")}
    assert len(kept) + len(removed) == len(edges)


def test_enforce_dag_leaves_an_acyclic_graph_alone() -> None:
    edges = graph_of(GARDEN).edges
    kept, removed = enforce_dag(edges)
    assert kept == edges and removed == []
