"""QualityGuard's relevance threshold against the real embedding model (all-MiniLM-L6-v2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.test_teaching_extractive import OWNERSHIP as LESSON_CONCEPT
from tests.unit.test_teaching_extractive import notes as lesson_notes
from tests.unit.test_teaching_guard import (
    BASE_MODEL_REPLIES,
    COOKING,
    ENGLISH_NOTES,
    FRENCH_LESSON,
    FRENCH_NOTES,
    GOOD_LESSON,
    OWNERSHIP,
    passages,
)
from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.teaching.extractive import extractive_lesson
from tutor.teaching.guard import LOW_RELEVANCE, GuardResult, QualityGuard

pytestmark = pytest.mark.integration

SHORT_ANSWER = (
    "A move hands ownership to the new variable: after `let b = a;` only `b` may be used "
    "and `a` is invalid [3]. Rust does this so that two variables never free the same "
    "memory twice."
)

DRIFT = (
    GOOD_LESSON.split("For example")[0]
    + """
My grandmother always made bread on Sundays. She kneaded the dough by hand for twenty
minutes, left it to rise near the warm stove, and baked two loaves in the old oven. The
kitchen smelled of yeast and flour all afternoon, and we ate the first slices with butter
and honey while they were still warm. Later she taught me how to bake cakes with apples
and cinnamon, and how to make jam from the plums in the garden every autumn.

In the summer we picked strawberries in the field behind the house, and she turned them
into tarts with a thin golden crust. We sold some at the village market on Saturdays,
next to the baker who made croissants and the farmer who sold eggs and fresh cheese.
"""
)


@pytest.fixture(scope="module")
def guard() -> Iterator[QualityGuard]:
    embeddings = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    embeddings.load()
    yield QualityGuard(embeddings)


def test_on_topic_texts_pass(guard: QualityGuard) -> None:
    english = passages(ENGLISH_NOTES)
    assert guard.check(GOOD_LESSON, OWNERSHIP, english) == GuardResult(True, "")
    assert guard.check(SHORT_ANSWER, OWNERSHIP, english) == GuardResult(True, "")
    assert guard.check(FRENCH_LESSON, OWNERSHIP, passages(FRENCH_NOTES)).ok


def test_extractive_lesson_passes(guard: QualityGuard) -> None:
    for angle in range(3):
        lesson = extractive_lesson(LESSON_CONCEPT, lesson_notes(), angle=angle)
        assert guard.check(lesson.text, LESSON_CONCEPT, lesson_notes()).ok, lesson.text


def test_off_topic_and_drifting_texts_fail(guard: QualityGuard) -> None:
    english = passages(ENGLISH_NOTES)
    assert guard.check(COOKING, OWNERSHIP, english) == GuardResult(False, LOW_RELEVANCE)
    assert guard.check(DRIFT, OWNERSHIP, english) == GuardResult(False, LOW_RELEVANCE)


def test_threshold_sits_well_between_on_and_off_topic(guard: QualityGuard) -> None:
    english = passages(ENGLISH_NOTES)
    good = guard.relevance(GOOD_LESSON, OWNERSHIP, english).score
    short = guard.relevance(SHORT_ANSWER, OWNERSHIP, english).score
    cooking = guard.relevance(COOKING, OWNERSHIP, english).score
    # Measured: about 0.87 and 0.6 on topic, about 0.0 for the recipe; the default
    # threshold of 0.3 leaves a wide margin on both sides.
    assert min(good, short) - guard.min_relevance > 0.15
    assert guard.min_relevance - cooking > 0.15


def test_base_model_replies_still_fail(guard: QualityGuard) -> None:
    english = passages(ENGLISH_NOTES)
    for reply in BASE_MODEL_REPLIES:
        assert not guard.check(reply, OWNERSHIP, english).ok
