"""The learner model over HTTP: evidence, the next step, preferences, progress, paths."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field

from tutor.auth.store import User
from tutor.learner import PlanningGraph
from tutor.learner.next_step import path_steps, plan_next
from tutor.learner.planning import Plan
from tutor.learner.store import AttemptKind, NewAttempt, Verdict
from tutor.resources import Resources


class AttemptIn(BaseModel):
    """A graded answer or explanation."""

    concept_id: UUID
    kind: AttemptKind
    score: float = Field(ge=0, le=1)
    idempotency_key: str = Field(min_length=1, max_length=200)
    answer: str = Field(default="", max_length=20_000)
    verdict: Verdict | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=86_400_000)
    exercise_id: str | None = Field(default=None, max_length=200)


class AttemptOut(BaseModel):
    """The recorded attempt and the mastery after it."""

    attempt_id: UUID
    created: bool = Field(description="False when this idempotency key was already counted")
    p_known: float
    mastered: bool
    attempts: int
    due_at: datetime


class PlanOut(BaseModel):
    """The learner's next step."""

    kind: str = Field(description="`review`, `new`, `continue` or `done`")
    concept_id: UUID | None
    difficulty: str | None
    reason: str
    target: UUID | None = None


class PreferencesIn(BaseModel):
    """How the learner likes to learn."""

    lesson_length: Literal["concise", "detailed"] = "concise"
    lesson_order: Literal["example_first", "explanation_first"] = "explanation_first"
    difficulty_bias: float = Field(default=0.0, ge=-1, le=1)
    interests: list[str] = Field(default_factory=list, max_length=50)
    daily_goal: int = Field(default=3, ge=1, le=100)


class PathIn(BaseModel):
    """A custom learning path toward some concepts."""

    name: str = Field(min_length=1, max_length=200)
    targets: list[UUID] = Field(min_length=1, max_length=100)


class PathOut(BaseModel):
    """A learning path: its targets and the concepts still to master, in order."""

    id: UUID
    name: str
    targets: list[UUID]
    steps: list[UUID]
    created_at: datetime


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

    @post("/attempts", summary="Record a graded attempt")
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

    @get("/plan", summary="The next step")
    async def plan(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> PlanOut:
        """A due review first, else the next concept whose prerequisites are mastered."""
        plan = await plan_next(
            resources.learner, resources.planning_graphs, user.id, datetime.now(UTC)
        )
        return _plan_out(plan)

    @get("/preferences", summary="Learning preferences")
    async def get_preferences(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> PreferencesIn:
        """Defaults until set."""
        return PreferencesIn(**await resources.learner.preferences(user.id))

    @put("/preferences", summary="Set learning preferences")
    async def put_preferences(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        data: JSONBody[PreferencesIn],
    ) -> PreferencesIn:
        """Replace them; the planner and the lesson writer read them."""
        await resources.learner.set_preferences(user.id, data.model_dump())
        return data

    @get("/progress", summary="Progress")
    async def progress(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> dict[str, Any]:
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
        return {
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

    @post("/paths", summary="Create a learning path")
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

    @get("/paths", summary="Learning paths")
    async def list_paths(
        self, resources: NamedDependency[Resources], user: NamedDependency[User]
    ) -> list[PathOut]:
        """Newest first, each with its remaining steps."""
        return [
            await self._path(resources, user, p["id"])
            for p in await resources.learner.paths(user.id)
        ]

    @get("/paths/{path_id:uuid}", summary="One learning path")
    async def get_path(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
        path_id: FromPath[UUID],
    ) -> PathOut:
        """Its targets and the concepts still to master, prerequisites first."""
        return await self._path(resources, user, path_id)

    @delete("/paths/{path_id:uuid}", summary="Delete a learning path")
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
