"""Stored lessons and exercises: what was taught, from which passages, and how novel it was."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings
from pydantic import TypeAdapter

from tutor.ingest.learner_text import learner_markdown
from tutor.teaching.exercise_checks import fingerprint
from tutor.teaching.exercises import Difficulty, Exercise, ExerciseDraft, ExerciseSource
from tutor.teaching.material import Passage

LessonSource = Literal["model", "extractive"]
_DRAFT: TypeAdapter[ExerciseDraft] = TypeAdapter(ExerciseDraft)
DISLIKED_AT_MOST = 2
"""Ratings from which down a lesson's passages are avoided in later lessons on the concept."""
_PARAGRAPHS_EMBEDDED = 12
"""Paragraphs of a lesson that count toward its embedding (the rest add little)."""


@dataclass(frozen=True)
class Citation:
    """What citation number ``number`` of a lesson points at."""

    number: int
    chunk_id: str
    heading_path: str
    document_path: str
    text: str
    """The passage as the learner sees it, for clients that show the source on hover."""
    see_also: bool = False
    """The passage comes from outside the concept's own section."""

    @classmethod
    def of(cls, number: int, passage: Passage) -> Citation:
        """Citation ``number`` of ``passage``."""
        shown = learner_markdown(passage.text)
        return cls(
            number,
            passage.chunk_id,
            passage.heading_path,
            passage.document_path,
            shown,
            passage.see_also,
        )


@dataclass(frozen=True)
class EarlierLesson:
    """A lesson the learner already had on a concept."""

    id: UUID
    chunk_ids: tuple[str, ...]
    embedding: npt.NDArray[np.float32]
    created_at: datetime


@dataclass(frozen=True)
class NewLesson:
    """A lesson to store."""

    owner: UUID
    concept_id: UUID
    thread_id: str
    source: LessonSource
    difficulty: Difficulty
    text: str
    citations: tuple[Citation, ...]
    embedding: npt.NDArray[np.float32]
    novelty: float
    rewritten: bool


def lesson_embedding(embeddings: Embeddings, text: str) -> npt.NDArray[np.float32]:
    """A unit vector for a whole lesson: the mean of its paragraphs' embeddings.

    The embedding model reads only the first 128 word pieces of a text, and every lesson
    on a concept opens alike, so the text as one input would make all lessons look the
    same; paragraphs each get their own say.
    """
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 20]
    vectors = np.asarray(
        embeddings.embed_documents(paragraphs[:_PARAGRAPHS_EMBEDDED] or [text]), dtype=np.float32
    )
    mean: npt.NDArray[np.float32] = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / np.float32(norm) if norm > 0 else mean


def novelty(embedding: npt.NDArray[np.float32], earlier: Sequence[EarlierLesson]) -> float:
    """1 minus the highest cosine to an earlier lesson (1 when there is none)."""
    if not earlier:
        return 1.0
    closest = max(float(embedding @ lesson.embedding) for lesson in earlier)
    # Rounding in float32 puts the cosine of a lesson with itself a hair above 1; the
    # stored novelty must stay within [0, 1].
    return min(max(1.0 - closest, 0.0), 1.0)


class LessonStore:
    """SQL of lessons and exercises; every query is filtered by owner."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def earlier(self, owner: UUID, concept_id: UUID, limit: int) -> list[EarlierLesson]:
        """The learner's latest lessons on the concept, newest first."""
        rows = await self._pool.fetch(
            "SELECT id, chunk_ids, embedding, created_at FROM lessons "
            "WHERE owner_id = $1 AND concept_id = $2 ORDER BY created_at DESC LIMIT $3",
            owner,
            concept_id,
            limit,
        )
        return [
            EarlierLesson(
                row["id"],
                tuple(row["chunk_ids"]),
                np.asarray(row["embedding"], dtype=np.float32),
                row["created_at"],
            )
            for row in rows
        ]

    async def recent_concepts(self, owner: UUID, limit: int) -> list[UUID]:
        """The concepts of the learner's latest ``limit`` lessons, oldest first."""
        rows = await self._pool.fetch(
            "SELECT concept_id FROM lessons WHERE owner_id = $1 "
            "ORDER BY created_at DESC, id DESC LIMIT $2",
            owner,
            limit,
        )
        return [row["concept_id"] for row in reversed(rows)]

    async def save(self, lesson: NewLesson) -> UUID:
        """Store a lesson; its id."""
        lesson_id: UUID = await self._pool.fetchval(
            """
            INSERT INTO lessons (owner_id, concept_id, thread_id, source, difficulty, text,
                                 citations, chunk_ids, embedding, novelty, rewritten)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11) RETURNING id
            """,
            lesson.owner,
            lesson.concept_id,
            lesson.thread_id,
            lesson.source,
            lesson.difficulty,
            lesson.text,
            json.dumps([asdict(c) for c in lesson.citations]),
            [c.chunk_id for c in lesson.citations],
            lesson.embedding.tolist(),
            lesson.novelty,
            lesson.rewritten,
        )
        return lesson_id

    async def add_exercises(
        self,
        owner: UUID,
        concept_id: UUID,
        lesson_id: UUID | None,
        difficulty: Difficulty,
        exercises: Sequence[tuple[ExerciseDraft, ExerciseSource]],
    ) -> list[Exercise]:
        """Store exercises (each with who wrote it) in one transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            rows = [
                await connection.fetchrow(
                    """
                    INSERT INTO exercises (owner_id, concept_id, lesson_id, difficulty, source,
                                           body)
                    VALUES ($1, $2, $3, $4, $5, $6::jsonb)
                    RETURNING id, concept_id, lesson_id, difficulty, source, body
                    """,
                    owner,
                    concept_id,
                    lesson_id,
                    difficulty,
                    source,
                    draft.model_dump_json(),
                )
                for draft, source in exercises
            ]
        return [_exercise(row) for row in rows]

    async def exercise_history(self, owner: UUID) -> frozenset[str]:
        """Fingerprints of every exercise the learner was ever set, on any concept.

        Two lessons on different concepts can draw on the same passage, so an exercise
        is "had before" whatever concept it was set on (see
        :func:`tutor.teaching.exercise_checks.fingerprint`).
        """
        rows = await self._pool.fetch("SELECT body FROM exercises WHERE owner_id = $1", owner)
        return frozenset(fingerprint(_DRAFT.validate_json(row["body"])) for row in rows)

    async def disliked_chunks(self, owner: UUID, concept_id: UUID) -> set[str]:
        """Passages of the learner's lessons on the concept that they rated 2 or less."""
        rows = await self._pool.fetch(
            "SELECT DISTINCT unnest(l.chunk_ids) AS chunk FROM lessons l "
            "JOIN lesson_feedback f ON f.lesson_id = l.id AND f.owner_id = l.owner_id "
            "WHERE l.owner_id = $1 AND l.concept_id = $2 AND f.rating <= $3",
            owner,
            concept_id,
            DISLIKED_AT_MOST,
        )
        return {row["chunk"] for row in rows}

    async def feedback_summary(self) -> dict[str, Any]:
        """Ratings of lessons across learners, for evaluation: overall, by source, by level."""
        overall = await self._pool.fetchrow(
            "SELECT count(*) AS ratings, avg(rating)::float AS mean, "
            "avg((rating <= $1)::int)::float AS low_share FROM lesson_feedback",
            DISLIKED_AT_MOST,
        )
        groups: dict[str, Any] = {}
        for column in ("source", "difficulty"):
            rows = await self._pool.fetch(
                f"SELECT l.{column} AS key, count(*) AS ratings, avg(f.rating)::float AS mean "
                "FROM lesson_feedback f JOIN lessons l ON l.id = f.lesson_id "
                "GROUP BY 1 ORDER BY 1"
            )
            groups[f"by_{column}"] = {
                row["key"]: {"ratings": row["ratings"], "mean": round(row["mean"], 3)}
                for row in rows
            }
        comments = await self._pool.fetch(
            "SELECT f.rating, f.comment, l.source FROM lesson_feedback f "
            "JOIN lessons l ON l.id = f.lesson_id WHERE f.comment <> '' "
            "ORDER BY f.updated_at DESC LIMIT 20"
        )
        return {
            "ratings": overall["ratings"],
            "mean": None if overall["mean"] is None else round(overall["mean"], 3),
            "low_share": None if overall["low_share"] is None else round(overall["low_share"], 3),
            **groups,
            "recent_comments": [dict(row) for row in comments],
        }

    async def exercise(self, owner: UUID, exercise_id: UUID) -> Exercise | None:
        """One of the learner's exercises; another learner's looks just like none."""
        row = await self._pool.fetchrow(
            "SELECT id, concept_id, lesson_id, difficulty, source, body FROM exercises "
            "WHERE owner_id = $1 AND id = $2",
            owner,
            exercise_id,
        )
        return None if row is None else _exercise(row)


def _exercise(row: asyncpg.Record) -> Exercise:
    return Exercise(
        id=row["id"],
        concept_id=row["concept_id"],
        lesson_id=row["lesson_id"],
        difficulty=row["difficulty"],
        source=row["source"],
        body=_DRAFT.validate_json(row["body"]),
    )
