"""Explain-back with the real all-MiniLM-L6-v2 model, on the Rust ownership rules."""

from __future__ import annotations

import pytest

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.teaching.explain import compare_explanation
from tutor.teaching.material import ConceptInfo

pytestmark = pytest.mark.integration

CONCEPT = ConceptInfo(key="ownership", title="ownership")
POINTS = (
    "Each value in Rust has an owner.",
    "There can only be one owner at a time.",
    "When the owner goes out of scope, the value will be dropped.",
)


@pytest.fixture(scope="module")
def embeddings() -> SentenceTransformerEmbeddings:
    model = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    model.load()
    return model


def test_a_good_explanation_passes(embeddings: SentenceTransformerEmbeddings) -> None:
    text = (
        "In Rust every value is owned by a variable, its owner. A value has exactly one "
        "owner at any moment. Once the owner leaves its scope, Rust drops the value and "
        "frees its memory."
    )
    result = compare_explanation(text, CONCEPT, POINTS, embeddings)
    assert result.passed
    assert result.contradicted == ()
    assert result.follow_up.endswith("?")


def test_a_partial_explanation_lists_the_missing_point(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    text = (
        "Every value in Rust belongs to a variable that owns it. When that variable goes "
        "out of scope the value is dropped automatically."
    )
    result = compare_explanation(text, CONCEPT, POINTS, embeddings)
    assert result.missing == (POINTS[1],)
    assert "one owner at a time" in result.follow_up
    assert "one owner at a time" in result.feedback


def test_many_owners_is_not_taken_for_one_owner(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    result = compare_explanation(
        "A value can have many owners at the same time.", CONCEPT, POINTS, embeddings
    )
    assert POINTS[1] not in result.covered
    assert not result.passed


def test_a_negated_rule_is_contradicted(embeddings: SentenceTransformerEmbeddings) -> None:
    text = (
        "Each value has an owner. There can only be one owner at a time. When the owner "
        "goes out of scope, the value is not dropped."
    )
    result = compare_explanation(text, CONCEPT, POINTS, embeddings)
    assert result.contradicted == (POINTS[2],)
    assert not result.passed


def test_an_unrelated_text_fails(embeddings: SentenceTransformerEmbeddings) -> None:
    text = "Photosynthesis turns sunlight, water and carbon dioxide into sugar in plant leaves."
    result = compare_explanation(text, CONCEPT, POINTS, embeddings)
    assert not result.passed
    assert result.covered == ()
    assert result.missing == POINTS
