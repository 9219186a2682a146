"""Choosing a concept's summary and key points among its claims."""

from __future__ import annotations

from tutor.ingest._digest import (
    CLAIMS_LIMIT,
    ConceptClaims,
    central_claims,
    concept_claims,
    lexical_vectors,
)
from tutor.ingest.markdown import parse_markdown

CLAIMS = (
    "The heap is less organized than the stack in memory.",
    "A reference is an address that points to data owned by another variable.",
    "Pushing to the stack is faster than allocating on the heap.",
)


def axes(claims: tuple[str, ...]) -> dict[str, list[float]]:
    """Orthogonal vectors: every claim equally central."""
    return {c: [1.0 if i == j else 0.0 for j in range(len(claims))] for i, c in enumerate(claims)}


def test_between_equally_central_claims_the_definition_of_the_concept_wins() -> None:
    summary, points = central_claims(
        ConceptClaims(CLAIMS), axes(CLAIMS), title="References and Borrowing"
    )
    assert summary == CLAIMS[1]
    assert points == CLAIMS


def test_the_concepts_terms_count_like_its_title() -> None:
    summary, _ = central_claims(
        ConceptClaims(CLAIMS), axes(CLAIMS), title="Memory", terms=("heap",)
    )
    assert summary == CLAIMS[0]


def test_the_most_central_claim_is_the_summary() -> None:
    vectors = {CLAIMS[0]: [1.0, 0.0], CLAIMS[1]: [0.0, 1.0], CLAIMS[2]: [0.7, 0.7]}
    summary, _ = central_claims(ConceptClaims(CLAIMS), vectors, title="Memory")
    assert summary == CLAIMS[2]


def test_a_recap_claim_is_the_summary_even_when_less_central() -> None:
    vectors = {CLAIMS[0]: [1.0, 0.0], CLAIMS[1]: [0.0, 1.0], CLAIMS[2]: [0.7, 0.7]}
    found = ConceptClaims(CLAIMS, recap=frozenset({CLAIMS[0]}))
    summary, _ = central_claims(found, vectors, title="Memory")
    assert summary == CLAIMS[0]


def test_near_repeats_are_one_key_point() -> None:
    claims = (*CLAIMS, "Pushing onto the stack is faster than allocating on the heap.")
    # The last two say the same: each is the other's only neighbour, so both are central.
    vectors = {**axes(CLAIMS), claims[3]: axes(CLAIMS)[CLAIMS[2]]}
    _, points = central_claims(ConceptClaims(claims), vectors, title="Memory")
    assert len(points) == 3
    assert not {CLAIMS[2], claims[3]} <= set(points)


def test_no_claims_no_summary() -> None:
    assert central_claims(ConceptClaims(), {}, title="Memory") == ("", ())


def test_lexical_vectors_are_the_same_each_time() -> None:
    assert lexical_vectors(CLAIMS) == lexical_vectors(list(reversed(CLAIMS)))


def test_a_huge_section_compares_a_bounded_spread_of_its_claims() -> None:
    blocks = parse_markdown(
        "# Soil\n\n"
        + " ".join(f"Bed number {i} holds {i + 3} litres of loam." for i in range(CLAIMS_LIMIT * 2))
        + "\n",
        name="soil.md",
    ).root.blocks
    found = concept_claims(blocks, ())
    assert len(found.claims) == CLAIMS_LIMIT
    assert found.claims[0] == "Bed number 0 holds 3 litres of loam."
    assert (
        found.claims[-1]
        == f"Bed number {CLAIMS_LIMIT * 2 - 2} holds {CLAIMS_LIMIT * 2 + 1} litres of loam."
    )


def test_a_long_aside_does_not_take_the_summary_from_the_main_text() -> None:
    main = ("Ownership is a set of rules that govern how a program manages memory.", CLAIMS[1])
    asides = tuple(f"The stack stores values in order, case {i}." for i in range(4))
    # The asides agree with each other; each main claim agrees a little with them.
    vectors = {main[0]: [0.6, 0.8, 0.0], main[1]: [0.0, 0.6, 0.8]}
    vectors |= {aside: [1.0, 0.0, 0.0] for aside in asides}
    found = ConceptClaims((*main, *asides), asides=frozenset(asides))
    summary, _ = central_claims(found, vectors, title="What Is Ownership?")
    assert summary == main[0]
    summary, _ = central_claims(ConceptClaims((*main, *asides)), vectors, title="Stack")
    assert summary in asides
