"""A mastery change always names its concept, even one removed while its exercise was open."""

from __future__ import annotations

from agents.grader import GONE_CONCEPT, title_of
from tutor.teaching.material import ConceptInfo


def test_the_concept_is_named_by_its_title() -> None:
    assert title_of(ConceptInfo(key="ownership", title="What Is Ownership?")) == (
        "What Is Ownership?"
    )


def test_a_removed_or_untitled_concept_still_gets_a_name() -> None:
    assert title_of(None) == GONE_CONCEPT
    assert title_of(ConceptInfo(key="x", title="  ")) == GONE_CONCEPT
    assert GONE_CONCEPT.strip()
