"""Verdict, score and mastery agree: real grader, real embeddings, real PostgreSQL.

Each answer is graded as the tutor grades it and recorded as the grader node records it
(its score and its verdict), for a learner who knows the concept well and for one who
is new to it. A "correct" never lowers mastery and shows a score of at least one half;
an "incorrect" never raises it and shows less than one half.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest
from langchain_core.embeddings import Embeddings

from tutor.grading import FEATURE_NAMES, Calibration, ShortAnswerGrader
from tutor.learner.store import LearnerStore, NewAttempt
from tutor.teaching.answers import AnswerGrade, grade_answer
from tutor.teaching.exercises import ShortAnswerDraft

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

BORROW = ShortAnswerDraft(
    question="What happens to the String when s goes out of scope at the end of calculate_length?",
    reference_answer=(
        "Because s does not have ownership of what it refers to, the String is not dropped "
        "when s goes out of scope."
    ),
    key_points=["s does not have ownership of the String", "The String is not dropped"],
)
BUDGET = ShortAnswerDraft(
    question="When will Sam's budget constraint shift to the right?",
    reference_answer=(
        "Sam's budget constraint will shift to the right if either Sam's income increases or "
        "the price of either or both goods decreases."
    ),
    key_points=["Sam's income increases", "the price of the goods decreases"],
)
ANSWERS = [
    (BORROW, "Nothing: s only borrows the String and never owns it, so it is not dropped."),
    (BORROW, "s takes ownership of the String, so when s goes out of scope the value is dropped."),
    (BORROW, "It is a reference."),
    (BORROW, "I don't know."),
    (BUDGET, "When Sam's income rises, or when the goods get cheaper because prices decrease."),
    (BUDGET, "When Sam's income decreases or the price of the goods increases."),
    (BUDGET, "When his income goes up."),
]


async def _learner(pool: asyncpg.Pool) -> UUID:
    owner: UUID = await pool.fetchval("INSERT INTO users (name) VALUES ($1) RETURNING id", "ada")
    return owner


async def _knows_well(store: LearnerStore, owner: UUID, concept: UUID) -> None:
    for n in range(4):
        await store.record(
            owner,
            NewAttempt(concept, "short_answer", 1.0, f"warm-{concept}-{n}", verdict="correct"),
            NOW,
        )


async def _record(
    store: LearnerStore, owner: UUID, concept: UUID, graded: AnswerGrade
) -> tuple[float, float]:
    before = await store.p_known(owner, concept)
    recorded = await store.record(
        owner,
        NewAttempt(
            concept,
            "short_answer",
            graded.score,
            str(uuid4()),
            verdict=graded.verdict,
            exercise_id=str(uuid4()),
        ),
        NOW,
    )
    return before, recorded.p_known


def _agree(graded: AnswerGrade, before: float, after: float) -> None:
    if graded.verdict == "correct":
        assert graded.score >= 0.5, graded
        assert after >= before, graded
    else:
        assert graded.score < 0.5, graded
    if graded.verdict == "incorrect":
        assert after <= before, graded


@pytest.mark.parametrize("well_known", [True, False])
async def test_every_verdict_moves_mastery_its_own_way(
    pool: asyncpg.Pool, embeddings: Embeddings, well_known: bool
) -> None:
    store, owner = LearnerStore(pool), await _learner(pool)
    grader = ShortAnswerGrader(embeddings)
    verdicts = set()
    for draft, answer in ANSWERS:
        concept = uuid4()
        if well_known:
            await _knows_well(store, owner, concept)
        graded = await grade_answer(draft, answer, grader=grader)
        verdicts.add(graded.verdict)
        before, after = await _record(store, owner, concept, graded)
        _agree(graded, before, after)
    assert {"correct", "incorrect"} <= verdicts


@pytest.mark.parametrize("intercept", [0.0, 0.05, -0.05])
async def test_a_grade_on_the_edge_of_correct_still_agrees(
    pool: asyncpg.Pool, embeddings: Embeddings, intercept: float
) -> None:
    # Scores of about one half: the calibrated probability alone would barely move P(known).
    n = len(FEATURE_NAMES)
    edge = Calibration(FEATURE_NAMES, (0.0,) * n, (1.0,) * n, (0.0,) * n, intercept, 0.5, 0.35)
    store, owner = LearnerStore(pool), await _learner(pool)
    concept = uuid4()
    await _knows_well(store, owner, concept)
    graded = await grade_answer(BORROW, ANSWERS[0][1], grader=ShortAnswerGrader(embeddings, edge))
    before, after = await _record(store, owner, concept, graded)
    assert graded.verdict == ("correct" if intercept >= 0 else "partial")
    _agree(graded, before, after)
