"""The learner model in PostgreSQL: evidence, mastery, review cards, preferences, paths.

An attempt and the mastery it changes are written in one transaction, serialised per
(learner, concept) so concurrent answers each see the other's effect; the same idempotency
key twice is one attempt, counted once.

Only fresh evidence moves knowledge tracing and the review card: the first attempt at an
exercise counts, and a later answer to the same exercise (same ``exercise_id``, same
learner) is recorded with the mastery unchanged. A retry comes after the feedback, which
names the right answer or what was missing, so it shows what the learner just read rather
than what they knew. Such a repeat does not count towards ``attempts`` either and cannot
pass an explain-back; it only marks the concept as seen. Attempts without an exercise (an
explanation offered unasked, or evidence sent through the API without one) are each fresh.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg

from tutor.learner import bkt
from tutor.learner.bkt import DEFAULT_PARAMS, BKTParams
from tutor.learner.bkt import Verdict as Verdict
from tutor.learner.reviews import AGAIN_BELOW, HARD_BELOW, new_card, review

AttemptKind = Literal["multiple_choice", "short_answer", "code", "explain_back", "review"]

_CARD_BANDS: dict[Verdict, tuple[float, float]] = {
    "correct": (HARD_BELOW, 1.0),
    "partial": (AGAIN_BELOW, HARD_BELOW - 0.01),
    "incorrect": (0.0, AGAIN_BELOW - 0.01),
}
"""Scores the review card reads for each verdict, so its rating agrees with the verdict."""


def verdict_for(score: float) -> Verdict:
    """The verdict a score implies when the grader gives none."""
    return "correct" if score >= 0.8 else "partial" if score >= 0.4 else "incorrect"


@dataclass(frozen=True)
class NewAttempt:
    """One graded answer or explanation."""

    concept_id: UUID
    kind: AttemptKind
    score: float
    idempotency_key: str
    answer: str = ""
    verdict: Verdict | None = None
    latency_ms: int | None = None
    exercise_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    """An attempt as stored, with the mastery after it."""

    attempt_id: UUID
    created: bool
    """False when the idempotency key was seen before: nothing was counted again."""
    counted: bool
    """Whether the attempt moved mastery: a new attempt, and the first at its exercise."""
    p_known: float
    mastered: bool
    attempts: int
    due_at: datetime


@dataclass(frozen=True)
class MasteryRow:
    """One concept's state for a learner."""

    concept_id: UUID
    p_known: float
    attempts: int
    last_seen: datetime
    mastered_at: datetime | None
    due_at: datetime
    explained_at: datetime | None = None


class LearnerStore:
    """SQL of the learner model; every query is filtered by owner."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        threshold: float = bkt.MASTERY_THRESHOLD,
        *,
        require_explain_back: bool = False,
    ) -> None:
        self._pool = pool
        self.threshold = threshold
        self.require_explain_back = require_explain_back
        """Whether mastery also needs a passed explain-back on the concept."""

    def is_mastered(self, p_known: float, explained: bool) -> bool:
        """Whether a concept with this P(known) and explain-back evidence is mastered."""
        return p_known >= self.threshold and (explained or not self.require_explain_back)

    async def params(self, concept_id: UUID | None = None) -> BKTParams:
        """The concept's own parameters, else the fitted ones, else the defaults."""
        row = await self._pool.fetchrow(
            """
            SELECT prior, learn, slip, guess FROM bkt_params
            WHERE concept_id = $1 OR concept_id IS NULL
            ORDER BY concept_id IS NULL LIMIT 1
            """,
            concept_id,
        )
        return DEFAULT_PARAMS if row is None else BKTParams(**dict(row))

    async def set_params(self, params: BKTParams, concept_id: UUID | None = None) -> None:
        """Store fitted parameters (for everyone) or one concept's override."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "DELETE FROM bkt_params WHERE concept_id IS NOT DISTINCT FROM $1", concept_id
            )
            await connection.execute(
                "INSERT INTO bkt_params (concept_id, prior, learn, slip, guess) "
                "VALUES ($1, $2, $3, $4, $5)",
                concept_id,
                params.prior,
                params.learn,
                params.slip,
                params.guess,
            )

    async def record(self, owner: UUID, attempt: NewAttempt, now: datetime) -> Recorded:
        """Append the attempt and update mastery and the review card, atomically.

        Mastery moves the way the verdict says (:func:`tutor.learner.bkt.trace`); a repeated
        answer to an exercise is stored but moves nothing (see the module).
        """
        params = await self.params(attempt.concept_id)
        verdict = attempt.verdict or verdict_for(attempt.score)
        async with self._pool.acquire() as connection, connection.transaction():
            # One writer per (learner, concept): concurrent answers queue here.
            await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                f"{owner}:{attempt.concept_id}",
            )
            seen = await connection.fetchrow(
                "SELECT id, concept_id FROM attempts WHERE owner_id = $1 AND idempotency_key = $2",
                owner,
                attempt.idempotency_key,
            )
            state = await connection.fetchrow(
                "SELECT p_known, attempts, card, due_at, explained_at IS NOT NULL AS explained "
                "FROM mastery "
                "WHERE owner_id = $1 AND concept_id = $2",
                owner,
                seen["concept_id"] if seen else attempt.concept_id,
            )
            if seen is not None:
                return Recorded(
                    seen["id"],
                    False,
                    False,
                    state["p_known"],
                    self.is_mastered(state["p_known"], state["explained"]),
                    state["attempts"],
                    state["due_at"],
                )
            repeat = state is not None and await self._answered_before(connection, owner, attempt)
            if repeat:
                after = float(state["p_known"])
                explained_now = False
                mastered = self.is_mastered(after, state["explained"])
            else:
                before = state["p_known"] if state else params.prior
                after = bkt.trace(before, attempt.score, verdict, attempt.kind, params)
                explained_now = attempt.kind == "explain_back" and verdict == "correct"
                explained = explained_now or bool(state and state["explained"])
                mastered = self.is_mastered(after, explained)
            attempt_id: UUID = await connection.fetchval(
                """
                INSERT INTO attempts (owner_id, concept_id, exercise_id, kind, answer, score,
                                      verdict, latency_ms, mastery_after, idempotency_key,
                                      created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
                """,
                owner,
                attempt.concept_id,
                attempt.exercise_id,
                attempt.kind,
                attempt.answer,
                attempt.score,
                verdict,
                attempt.latency_ms,
                after,
                attempt.idempotency_key,
                now,
            )
            if repeat:
                count: int = await connection.fetchval(
                    "UPDATE mastery SET last_seen = greatest(last_seen, $3) "
                    "WHERE owner_id = $1 AND concept_id = $2 RETURNING attempts",
                    owner,
                    attempt.concept_id,
                    now,
                )
                return Recorded(attempt_id, True, False, after, mastered, count, state["due_at"])
            card = json.loads(state["card"]) if state else new_card(now)
            latency = attempt.latency_ms / 1000 if attempt.latency_ms is not None else None
            low, high = _CARD_BANDS[verdict]
            card, due = review(card, min(max(attempt.score, low), high), latency, now)
            # $7 says whether the concept is mastered after this attempt (decided above).
            count = await connection.fetchval(
                """
                INSERT INTO mastery (owner_id, concept_id, p_known, attempts, last_seen,
                                     mastered_at, card, due_at, explained_at)
                VALUES ($1, $2, $3::real, 1, $4::timestamptz,
                        CASE WHEN $7::boolean THEN $4::timestamptz END, $5::jsonb, $6,
                        CASE WHEN $8::boolean THEN $4::timestamptz END)
                ON CONFLICT (owner_id, concept_id) DO UPDATE SET
                    p_known = EXCLUDED.p_known, attempts = mastery.attempts + 1,
                    last_seen = EXCLUDED.last_seen, card = EXCLUDED.card,
                    due_at = EXCLUDED.due_at,
                    explained_at = coalesce(EXCLUDED.explained_at, mastery.explained_at),
                    mastered_at = CASE WHEN $7::boolean
                                       THEN coalesce(mastery.mastered_at, EXCLUDED.last_seen)
                                  END
                RETURNING attempts
                """,
                owner,
                attempt.concept_id,
                after,
                now,
                json.dumps(card, default=str),
                due,
                mastered,
                explained_now,
            )
        return Recorded(attempt_id, True, True, after, mastered, count, due)

    @staticmethod
    async def _answered_before(
        connection: asyncpg.Connection, owner: UUID, attempt: NewAttempt
    ) -> bool:
        """Whether the learner already answered this attempt's exercise."""
        if attempt.exercise_id is None:
            return False
        found = await connection.fetchval(
            "SELECT EXISTS (SELECT 1 FROM attempts WHERE owner_id = $1 AND concept_id = $2 "
            "AND exercise_id = $3)",
            owner,
            attempt.concept_id,
            attempt.exercise_id,
        )
        return bool(found)

    async def p_known(self, owner: UUID, concept_id: UUID) -> float:
        """P(known) of one concept; the prior when the learner has not met it."""
        value = await self._pool.fetchval(
            "SELECT p_known FROM mastery WHERE owner_id = $1 AND concept_id = $2",
            owner,
            concept_id,
        )
        return float(value) if value is not None else (await self.params(concept_id)).prior

    async def mastery(self, owner: UUID) -> list[MasteryRow]:
        """Every concept the learner has met."""
        rows = await self._pool.fetch(
            "SELECT concept_id, p_known, attempts, last_seen, mastered_at, due_at, explained_at "
            "FROM mastery WHERE owner_id = $1",
            owner,
        )
        return [MasteryRow(**dict(row)) for row in rows]

    async def recent_scores(self, owner: UUID, limit: int = 10) -> list[float]:
        """The latest scores, oldest first."""
        rows = await self._pool.fetch(
            "SELECT score FROM attempts WHERE owner_id = $1 ORDER BY created_at DESC LIMIT $2",
            owner,
            limit,
        )
        return [row["score"] for row in reversed(rows)]

    async def attempts(self, owner: UUID, limit: int = 100) -> list[dict[str, Any]]:
        """The latest attempts, newest first."""
        rows = await self._pool.fetch(
            "SELECT id, concept_id, exercise_id, kind, score, verdict, latency_ms, "
            "mastery_after, created_at FROM attempts WHERE owner_id = $1 "
            "ORDER BY created_at DESC LIMIT $2",
            owner,
            limit,
        )
        return [dict(row) for row in rows]

    async def history(self, owner: UUID) -> list[dict[str, Any]]:
        """Mastery after each attempt and the kind of each, oldest first (for charts)."""
        rows = await self._pool.fetch(
            "SELECT concept_id, kind, score, mastery_after, created_at FROM attempts "
            "WHERE owner_id = $1 ORDER BY created_at",
            owner,
        )
        return [dict(row) for row in rows]

    async def sequences(self) -> list[list[float]]:
        """Every (learner, concept) evidence sequence in time order, to fit BKT from.

        Each item is what tracing read from a counted attempt (its score in its verdict's
        band); repeated answers to an exercise are left out, as they were when recorded.
        """
        rows = await self._pool.fetch(
            """
            SELECT array_agg(score ORDER BY created_at, id) AS scores,
                   array_agg(verdict ORDER BY created_at, id) AS verdicts
            FROM (
                SELECT DISTINCT ON (owner_id, concept_id, coalesce(exercise_id, id::text))
                       owner_id, concept_id, score, verdict, created_at, id
                FROM attempts
                ORDER BY owner_id, concept_id, coalesce(exercise_id, id::text), created_at, id
            ) AS first_attempts
            GROUP BY owner_id, concept_id
            """
        )
        return [
            [bkt.observation(v, s) for s, v in zip(row["scores"], row["verdicts"], strict=True)]
            for row in rows
        ]

    async def preferences(self, owner: UUID) -> dict[str, Any]:
        """The learner's preferences (defaults until set)."""
        row = await self._pool.fetchrow(
            "SELECT lesson_length, lesson_order, difficulty_bias, interests, daily_goal "
            "FROM preferences WHERE owner_id = $1",
            owner,
        )
        if row is None:
            return {
                "lesson_length": "concise",
                "lesson_order": "explanation_first",
                "difficulty_bias": 0.0,
                "interests": [],
                "daily_goal": 3,
            }
        return dict(row)

    async def set_preferences(self, owner: UUID, values: dict[str, Any]) -> None:
        """Replace the learner's preferences."""
        await self._pool.execute(
            """
            INSERT INTO preferences (owner_id, lesson_length, lesson_order, difficulty_bias,
                                     interests, daily_goal)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (owner_id) DO UPDATE SET
                lesson_length = EXCLUDED.lesson_length, lesson_order = EXCLUDED.lesson_order,
                difficulty_bias = EXCLUDED.difficulty_bias, interests = EXCLUDED.interests,
                daily_goal = EXCLUDED.daily_goal, updated_at = now()
            """,
            owner,
            values["lesson_length"],
            values["lesson_order"],
            values["difficulty_bias"],
            list(values["interests"]),
            values["daily_goal"],
        )

    async def create_path(self, owner: UUID, name: str, targets: Sequence[UUID]) -> UUID:
        """A new learning path; the newest is the active one."""
        path_id: UUID = await self._pool.fetchval(
            "INSERT INTO learning_paths (owner_id, name, targets) VALUES ($1, $2, $3) RETURNING id",
            owner,
            name,
            list(targets),
        )
        return path_id

    async def paths(self, owner: UUID) -> list[dict[str, Any]]:
        """The learner's paths, newest first."""
        rows = await self._pool.fetch(
            "SELECT id, name, targets, created_at FROM learning_paths WHERE owner_id = $1 "
            "ORDER BY created_at DESC",
            owner,
        )
        return [dict(row) for row in rows]

    async def delete_path(self, owner: UUID, path_id: UUID) -> bool:
        """Delete one of the learner's paths; False if they have no such path."""
        status: str = await self._pool.execute(
            "DELETE FROM learning_paths WHERE owner_id = $1 AND id = $2", owner, path_id
        )
        return status != "DELETE 0"
