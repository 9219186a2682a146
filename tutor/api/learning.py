"""The learner model over HTTP: evidence, the next step, preferences, progress, paths."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from tutor.api.errors import error_responses
from tutor.api.fields import Integer, Real, Text
from tutor.auth.store import User
from tutor.learner import PlanningGraph
from tutor.learner.next_step import path_steps, plan_next
from tutor.learner.planning import Plan
from tutor.learner.store import AttemptKind, NewAttempt, Verdict
from tutor.resources import Resources


class AttemptIn(BaseModel):
    """A graded answer or explanation."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concept_id": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                    "kind": "short_answer",
                    "score": 0.8,
                    "idempotency_key": "ex-42-try-1",
                    "answer": "The value moves; the old name can no longer be used.",
                    "verdict": "correct",
                    "latency_ms": 18000,
                }
            ]
        }
    )

    concept_id: UUID
    kind: AttemptKind
    score: Real = Field(ge=0, le=1)
    idempotency_key: Text = Field(
        min_length=1, max_length=200, description="The same key again counts once."
    )
    answer: Text = Field(default="", max_length=20_000)
    verdict: Verdict | None = None
    latency_ms: Integer | None = Field(default=None, ge=0, le=86_400_000)
    exercise_id: Text | None = Field(default=None, max_length=200)


class AttemptOut(BaseModel):
    """The recorded attempt and the mastery after it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attempt_id": "2b3c4d5e-6f70-4a81-9c2d-3e4f5a6b7c8d",
                    "created": True,
                    "p_known": 0.74,
                    "mastered": False,
                    "attempts": 3,
                    "due_at": "2026-01-08T09:30:00Z",
                }
            ]
        }
    )

    attempt_id: UUID
    created: bool = Field(description="False when this idempotency key was already counted")
    p_known: float
    mastered: bool
    attempts: int
    due_at: datetime


class PlanOut(BaseModel):
    """The learner's next step."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "review",
                    "concept_id": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                    "difficulty": "practice",
                    "reason": "Review: Ownership is due",
                    "target": None,
                }
            ]
        }
    )

    kind: str = Field(description="`review`, `new`, `continue` or `done`")
    concept_id: UUID | None
    difficulty: str | None
    reason: str
    target: UUID | None = None


class PreferencesIn(BaseModel):
    """How the learner likes to learn."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lesson_length": "concise",
                    "lesson_order": "example_first",
                    "difficulty_bias": 0.2,
                    "interests": ["systems programming"],
                    "daily_goal": 3,
                }
            ]
        }
    )

    lesson_length: Literal["concise", "detailed"] = "concise"
    lesson_order: Literal["example_first", "explanation_first"] = "explanation_first"
    difficulty_bias: Real = Field(default=0.0, ge=-1, le=1)
    interests: list[Text] = Field(default_factory=list, max_length=50)
    daily_goal: Integer = Field(default=3, ge=1, le=100)


class PathIn(BaseModel):
    """A custom learning path toward some concepts."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Before the exam", "targets": ["7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b"]}
            ]
        }
    )

    name: Text = Field(min_length=1, max_length=200)
    targets: list[UUID] = Field(min_length=1, max_length=100)


class PathOut(BaseModel):
    """A learning path: its targets and the concepts still to master, in order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3c4d5e6f-7081-4b92-8d3e-4f5a6b7c8d9e",
                    "name": "Before the exam",
                    "targets": ["8f2b3c4d-5e6f-4a71-9b2c-3d4e5f6a7b8c"],
                    "steps": [
                        "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                        "8f2b3c4d-5e6f-4a71-9b2c-3d4e5f6a7b8c",
                    ],
                    "created_at": "2026-01-05T09:30:00Z",
                }
            ]
        }
    )

    id: UUID
    name: str
    targets: list[UUID]
    steps: list[UUID]
    created_at: datetime


class ConceptProgress(BaseModel):
    """Where the learner stands on one concept."""

    concept_id: UUID
    title: str
    p_known: float = Field(description="Probability the concept is known (0 when never tried)")
    mastered: bool
    attempts: int
    last_seen: datetime | None
    due_at: datetime | None = Field(description="When a review is due; none before a first try")


class Totals(BaseModel):
    """Counts over every concept."""

    concepts: int
    mastered: int
    introduced: int = Field(description="Concepts tried at least once")
    attempts: int
    due_now: int = Field(description="Concepts whose review is due")


class MasteryPoint(BaseModel):
    """A concept's mastery just after one attempt."""

    at: datetime
    concept_id: UUID
    p_known: float


class Progress(BaseModel):
    """Per concept, totals, the daily streak, mastery history and badges."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "concepts": [
                        {
                            "concept_id": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                            "title": "Ownership",
                            "p_known": 0.96,
                            "mastered": True,
                            "attempts": 4,
                            "last_seen": "2026-01-05T09:40:00Z",
                            "due_at": "2026-01-12T09:40:00Z",
                        }
                    ],
                    "totals": {
                        "concepts": 1,
                        "mastered": 1,
                        "introduced": 1,
                        "attempts": 4,
                        "due_now": 0,
                    },
                    "streak_days": 1,
                    "history": [
                        {
                            "at": "2026-01-05T09:40:00Z",
                            "concept_id": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                            "p_known": 0.96,
                        }
                    ],
                    "badges": ["first_mastered"],
                }
            ]
        }
    )

    concepts: list[ConceptProgress]
    totals: Totals
    streak_days: int = Field(description="Consecutive days with an attempt, up to today")
    history: list[MasteryPoint] = Field(description="Oldest first")
    badges: list[Literal["first_mastered", "seven_day_streak", "five_explain_backs"]]


async def _known(resources: Resources, user: User, ids: list[UUID]) -> set[UUID]:
    """Which of ``ids`` are the learner's concepts (another's look just like none)."""
    # The cached planning graph holds every concept id, without reading them all again.
    return set(ids) & set((await _graph(resources, user)).index)


async def _graph(resources: Resources, user: User) -> PlanningGraph:
    return await resources.planning_graphs.get(user.id)


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        kind=plan.kind,
        concept_id=plan.concept_id,
        difficulty=plan.difficulty,
        reason=plan.reason,
        target=plan.target,
    )


def _streak(days: set[date], today: date) -> int:
    """Consecutive days with an attempt, up to today (or yesterday, if none yet today)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


class LearningController(Controller):
    """The learner model."""

    path = "/api/v1"
    tags = ("learning",)

    @post(
        "/attempts",
        summary="Record a graded attempt",
        responses=error_responses(400, 401, 404, 413),
    )
    async def record_attempt(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        data: JSONBody[AttemptIn],
    ) -> AttemptOut:
        """Append it and update mastery and the review schedule; a repeated key counts once."""
        if not await _known(resources, user, [data.concept_id]):
            raise NotFoundException(f"no concept {data.concept_id}")
        recorded = await resources.learner.record(
            user.id, NewAttempt(**data.model_dump()), datetime.now(UTC)
        )
        return AttemptOut.model_validate(recorded, from_attributes=True)

    @get("/plan", summary="The next step", responses=error_responses(401))
    async def plan(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> PlanOut:
        """A due review first, else the next teachable concept not yet practised."""
        plan = await plan_next(
            resources.learner,
            resources.planning_graphs,
            user.id,
            datetime.now(UTC),
            lessons=resources.lessons,
        )
        return _plan_out(plan)

    @get("/preferences", summary="Learning preferences", responses=error_responses(401))
    async def get_preferences(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> PreferencesIn:
        """Defaults until set."""
        return PreferencesIn(**await resources.learner.preferences(user.id))

    @put(
        "/preferences",
        summary="Set learning preferences",
        responses=error_responses(400, 401, 413),
    )
    async def put_preferences(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        data: JSONBody[PreferencesIn],
    ) -> PreferencesIn:
        """Replace them; the planner and the lesson writer read them."""
        await resources.learner.set_preferences(user.id, data.model_dump())
        return data

    @get("/progress", summary="Progress", responses=error_responses(401))
    async def progress(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> Progress:
        """Per concept, totals, the daily streak, mastery history and badges."""
        concepts = await resources.graph_store.concepts(user.id)
        rows = {r.concept_id: r for r in await resources.learner.mastery(user.id)}
        history = await resources.learner.history(user.id)
        now = datetime.now(UTC)
        per_concept = [
            {
                "concept_id": c.id,
                "title": c.title,
                "p_known": rows[c.id].p_known if c.id in rows else 0.0,
                "mastered": bool(c.id in rows and rows[c.id].mastered_at),
                "attempts": rows[c.id].attempts if c.id in rows else 0,
                "last_seen": rows[c.id].last_seen if c.id in rows else None,
                "due_at": rows[c.id].due_at if c.id in rows else None,
            }
            for c in concepts
        ]
        mastered = sum(1 for c in concepts if c.id in rows and rows[c.id].mastered_at)
        streak = _streak({h["created_at"].date() for h in history}, now.date())
        explained = sum(h["kind"] == "explain_back" and h["score"] >= 0.8 for h in history)
        return Progress.model_validate(
            {
                "concepts": per_concept,
                "totals": {
                    "concepts": len(concepts),
                    "mastered": mastered,
                    "introduced": len(rows),
                    "attempts": len(history),
                    "due_now": sum(r.due_at <= now for r in rows.values()),
                },
                "streak_days": streak,
                "history": [
                    {
                        "at": h["created_at"],
                        "concept_id": h["concept_id"],
                        "p_known": h["mastery_after"],
                    }
                    for h in history
                ],
                "badges": [
                    badge
                    for badge, earned in [
                        ("first_mastered", mastered >= 1),
                        ("seven_day_streak", streak >= 7),
                        ("five_explain_backs", explained >= 5),
                    ]
                    if earned
                ],
            }
        )

    @post(
        "/paths",
        summary="Create a learning path",
        responses=error_responses(400, 401, 404, 413),
    )
    async def create_path(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        data: JSONBody[PathIn],
    ) -> PathOut:
        """Toward the targets; the newest path steers the planner."""
        missing = set(data.targets) - await _known(resources, user, data.targets)
        if missing:
            raise NotFoundException(f"no concept {sorted(map(str, missing))[0]}")
        path_id = await resources.learner.create_path(user.id, data.name, data.targets)
        return await self._path(resources, user, path_id)

    @get("/paths", summary="Learning paths", responses=error_responses(401))
    async def list_paths(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> list[PathOut]:
        """Newest first, each with its remaining steps."""
        return [
            await self._path(resources, user, p["id"])
            for p in await resources.learner.paths(user.id)
        ]

    @get("/paths/{path_id:uuid}", summary="One learning path", responses=error_responses(401, 404))
    async def get_path(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        path_id: FromPath[UUID],
    ) -> PathOut:
        """Its targets and the concepts still to master, prerequisites first."""
        return await self._path(resources, user, path_id)

    @delete(
        "/paths/{path_id:uuid}",
        summary="Delete a learning path",
        responses=error_responses(401, 404),
    )
    async def delete_path(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        path_id: FromPath[UUID],
    ) -> None:
        """The planner stops steering toward it."""
        if not await resources.learner.delete_path(user.id, path_id):
            raise NotFoundException(f"no learning path {path_id}")

    async def _path(self, resources: Resources, user: User, path_id: UUID) -> PathOut:
        found = [p for p in await resources.learner.paths(user.id) if p["id"] == path_id]
        if not found:
            raise NotFoundException(f"no learning path {path_id}")
        steps = await path_steps(
            resources.learner, resources.planning_graphs, user.id, found[0]["targets"]
        )
        return PathOut(
            id=path_id,
            name=found[0]["name"],
            targets=found[0]["targets"],
            steps=steps,
            created_at=found[0]["created_at"],
        )
