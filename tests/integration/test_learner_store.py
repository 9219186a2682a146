"""The learner store on the real embedded PostgreSQL: evidence that agrees with the verdict."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from tutor.learner.bkt import DEFAULT_PARAMS, observation
from tutor.learner.store import LearnerStore, NewAttempt, Verdict

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def _learner(pool: asyncpg.Pool, name: str = "ada") -> UUID:
    owner: UUID = await pool.fetchval("INSERT INTO users (name) VALUES ($1) RETURNING id", name)
    return owner


async def _card(pool: asyncpg.Pool, owner: UUID, concept: UUID) -> tuple[str, datetime]:
    row = await pool.fetchrow(
        "SELECT card, due_at FROM mastery WHERE owner_id = $1 AND concept_id = $2", owner, concept
    )
    return json.dumps(json.loads(row["card"]), sort_keys=True), row["due_at"]


async def test_only_the_first_answer_to_an_exercise_moves_mastery(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    first = await store.record(
        owner,
        NewAttempt(concept, "code", 0.0, "k1", verdict="incorrect", exercise_id="ex-1"),
        NOW,
    )
    assert first.created and first.counted and first.attempts == 1
    card = await _card(pool, owner, concept)
    # The same code exercise, retried until it passes: recorded, not counted.
    for n in range(2, 5):
        retry = await store.record(
            owner,
            NewAttempt(concept, "code", 1.0, f"k{n}", verdict="correct", exercise_id="ex-1"),
            NOW + timedelta(minutes=n),
        )
        assert retry.created and not retry.counted
        assert retry.p_known == pytest.approx(first.p_known) and retry.attempts == 1
        assert retry.due_at == first.due_at
    assert await _card(pool, owner, concept) == card
    assert await store.p_known(owner, concept) == pytest.approx(first.p_known)
    stored = await store.attempts(owner)
    assert len(stored) == 4
    assert [a["verdict"] for a in stored] == ["correct", "correct", "correct", "incorrect"]
    assert [a["mastery_after"] for a in stored] == [pytest.approx(first.p_known)] * 4
    [row] = await store.mastery(owner)
    assert row.attempts == 1 and row.last_seen == NOW + timedelta(minutes=4)
    # A new exercise on the same concept is fresh evidence again.
    fresh = await store.record(
        owner, NewAttempt(concept, "code", 1.0, "k9", verdict="correct", exercise_id="ex-2"), NOW
    )
    assert fresh.counted and fresh.p_known > first.p_known and fresh.attempts == 2


async def test_a_repeat_is_per_learner_and_per_exercise(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    ada, bob, concept = await _learner(pool, "ada"), await _learner(pool, "bob"), uuid4()
    attempt = NewAttempt(concept, "short_answer", 1.0, "same", verdict="correct", exercise_id="e")
    assert (await store.record(ada, attempt, NOW)).counted
    # Another learner's first answer to the same exercise counts for them.
    assert (await store.record(bob, attempt, NOW)).counted
    # Without an exercise, every attempt is fresh.
    for n in range(3):
        loose = NewAttempt(concept, "explain_back", 0.9, f"free-{n}", verdict="correct")
        assert (await store.record(ada, loose, NOW)).counted
    assert (await store.mastery(ada))[0].attempts == 4


async def test_a_repeated_idempotency_key_is_neither_stored_nor_counted(
    pool: asyncpg.Pool,
) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    attempt = NewAttempt(concept, "multiple_choice", 1.0, "k", verdict="correct", exercise_id="e")
    first = await store.record(owner, attempt, NOW)
    again = await store.record(owner, attempt, NOW)
    assert not again.created and not again.counted
    assert again.attempt_id == first.attempt_id
    assert again.p_known == pytest.approx(first.p_known)
    assert len(await store.attempts(owner)) == 1


async def test_a_repeated_explain_back_cannot_pass_it(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool, threshold=0.5, require_explain_back=True)
    owner, concept = await _learner(pool), uuid4()
    for n in range(3):
        await store.record(owner, NewAttempt(concept, "code", 1.0, f"c{n}", verdict="correct"), NOW)
    failed = await store.record(
        owner,
        NewAttempt(concept, "explain_back", 0.1, "e1", verdict="incorrect", exercise_id="eb"),
        NOW,
    )
    assert not failed.mastered
    # After the feedback named what was missing, the same explain-back passes: not counted.
    passed = await store.record(
        owner,
        NewAttempt(concept, "explain_back", 0.9, "e2", verdict="correct", exercise_id="eb"),
        NOW,
    )
    assert not passed.counted and not passed.mastered
    [row] = await store.mastery(owner)
    assert row.explained_at is None


async def test_concurrent_answers_to_one_exercise_count_once(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    results = await asyncio.gather(
        *(
            store.record(
                owner,
                NewAttempt(
                    concept, "short_answer", 1.0, f"k{n}", verdict="correct", exercise_id="e"
                ),
                NOW,
            )
            for n in range(5)
        )
    )
    assert sum(r.counted for r in results) == 1
    assert (await store.mastery(owner))[0].attempts == 1
    assert len(await store.attempts(owner)) == 5


async def test_mastery_follows_the_verdict_shown(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    p = DEFAULT_PARAMS.prior
    shown: list[tuple[Verdict, float]] = [
        ("correct", 0.59),
        ("incorrect", 0.45),
        ("correct", 0.8),
        ("partial", 0.95),
    ]
    for n, (verdict, score) in enumerate(shown * 3):
        recorded = await store.record(
            owner,
            NewAttempt(concept, "short_answer", score, f"k{n}", verdict=verdict),
            NOW,
        )
        if verdict == "correct":
            assert recorded.p_known >= p, (n, verdict, score)
        if verdict == "incorrect":
            assert recorded.p_known <= p, (n, verdict, score)
        p = recorded.p_known


async def test_a_struggling_learner_never_climbs(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    seen = []
    for n in range(12):
        recorded = await store.record(
            owner,
            NewAttempt(concept, "multiple_choice", 0.0, f"k{n}", verdict="incorrect"),
            NOW,
        )
        seen.append(recorded.p_known)
    assert seen == sorted(seen, reverse=True)
    assert seen[0] <= DEFAULT_PARAMS.prior


async def test_fitting_reads_counted_evidence_in_its_band(pool: asyncpg.Pool) -> None:
    store = LearnerStore(pool)
    owner, concept = await _learner(pool), uuid4()
    answers: list[tuple[str, float, Verdict, str | None]] = [
        ("a", 0.59, "correct", "e1"),
        ("b", 1.0, "correct", "e1"),  # a retry of e1: left out
        ("c", 0.45, "incorrect", "e2"),
        ("d", 0.5, "partial", None),
    ]
    for n, (key, score, verdict, exercise) in enumerate(answers):
        await store.record(
            owner,
            NewAttempt(concept, "short_answer", score, key, verdict=verdict, exercise_id=exercise),
            NOW + timedelta(seconds=n),
        )
    assert await store.sequences() == [
        [observation("correct", 0.59), observation("incorrect", 0.45), 0.5]
    ]
