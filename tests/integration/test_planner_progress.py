"""Progress through the real stores: at most two lessons in a row, and moving on when practised.

Real PostgreSQL, Chroma and embeddings; the fake model writes the lessons. Three notes
whose sections are plain teachable material follow each other in the author's order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents import build_tutor_graph
from tutor.config import LearnerSettings, PlanSettings, Settings
from tutor.ingest.files import SourceFile
from tutor.learner.next_step import plan_next
from tutor.learner.store import NewAttempt
from tutor.resources import Resources, open_resources
from tutor.sandbox import Limits

pytestmark = pytest.mark.integration

NOTES = {
    "01-rivers.md": b"""# Rivers

A river is a natural stream of fresh water that flows across the land toward an ocean, a
lake or another river. Rivers begin at a source in hills or mountains, often a spring or
melting snow, and end at a mouth. Along the way they collect water from rain that falls on
the land around them, which is called their drainage basin. The steeper the land, the
faster the water runs and the more rock and soil it carries downstream with it.
""",
    "02-deltas.md": b"""# Deltas

A delta forms where a river meets slow or still water and drops the sediment it carries.
The water spreads out, slows down and can no longer hold the sand and silt, so these
settle in layers and build new land. Many deltas are shaped like a triangle, and the
channels of the river split again and again as they cross it. Deltas are fertile and
flat, so farms and cities have grown on them for thousands of years.
""",
    "03-estuaries.md": b"""# Estuaries

An estuary is the wide lower part of a river where its fresh water mixes with salt water
from the sea. Tides push sea water up the estuary twice a day, so the saltiness of the
water changes with the tide and the season. Plants and animals that live there must
cope with these changes. Estuaries shelter young fish and birds, and many ports were
built on them because ships can sail up from the sea.
""",
}


async def _open(settings: Settings, plan: PlanSettings) -> AsyncIterator[tuple[Resources, UUID]]:
    settings = settings.model_copy(
        update={"learner": LearnerSettings(require_explain_back=True), "plan": plan}
    )
    async with open_resources(settings, warm_up=False) as resources:
        owner = await resources.accounts.create_user("ada", "correct horse battery")
        files = [SourceFile(name, body) for name, body in NOTES.items()]
        report = await resources.ingestor.ingest(owner.id, files)
        assert not [f for f in report.files if f.status == "failed"]
        yield resources, owner.id


@pytest.fixture
async def stack(settings: Settings) -> AsyncIterator[tuple[Resources, UUID]]:
    async for opened in _open(settings, PlanSettings()):
        yield opened


async def _titles(resources: Resources, owner: UUID) -> dict[str, UUID]:
    graph = await resources.planning_graphs.get(owner)
    titles = {graph.titles[i]: graph.ids[i] for i in graph.reading_order}
    assert list(titles) == ["Rivers", "Deltas", "Estuaries"], "all three are teachable"
    return titles


class Turns:
    """One learner's thread on the tutor graph, with the real stores and the fake model."""

    def __init__(self, resources: Resources, owner: UUID) -> None:
        self.graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
        self.context = replace(
            resources.tutor_context(owner, "thread-1"),
            sandbox_limits=Limits(cpu_s=1, wall_s=3, memory_mb=128),
        )

    async def planned(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one turn; its plan event."""
        text = request.get("text", "")
        plans = []
        async for event in self.graph.astream(
            {"messages": [HumanMessage(text)] if text else [], "request": request},
            config={"configurable": {"thread_id": "thread-1"}},
            context=self.context,
            stream_mode="custom",
        ):
            if event["event"] == "plan":
                plans.append(event)
        [plan] = plans
        return plan


async def test_no_concept_gets_a_third_lesson_in_a_row_unless_asked(
    stack: tuple[Resources, UUID],
) -> None:
    resources, owner = stack
    titles = await _titles(resources, owner)
    turns = Turns(resources, owner)
    first = await turns.planned({"kind": "start_lesson"})
    second = await turns.planned({"kind": "next"})
    third = await turns.planned({"kind": "next"})
    # Nothing was answered: Rivers is not practised, but it has had its two lessons.
    assert [p["title"] for p in (first, second, third)] == ["Rivers", "Rivers", "Deltas"]
    assert third["reason"] == "Next: Deltas — a change after two lessons on Rivers"
    assert (await turns.planned({"kind": "next"}))["title"] == "Rivers"
    assert (await turns.planned({"kind": "next"}))["title"] == "Rivers"
    asked = await turns.planned({"kind": "start_lesson", "concept_id": str(titles["Rivers"])})
    assert asked["title"] == "Rivers" and asked["reason"] == "You asked: Rivers"
    assert await resources.lessons.recent_concepts(owner, 3) == [titles["Rivers"]] * 3


async def _two_right_answers(resources: Resources, owner: UUID, concept: UUID) -> None:
    for i in range(2):
        recorded = await resources.learner.record(
            owner,
            NewAttempt(concept, "short_answer", 1.0, f"right-{i}", verdict="correct"),
            datetime.now(UTC),
        )
    assert recorded.p_known >= 0.7 and not recorded.mastered, "practised, not mastered"


async def test_the_planner_moves_on_once_practised_without_waiting_for_mastery(
    stack: tuple[Resources, UUID],
) -> None:
    resources, owner = stack
    titles = await _titles(resources, owner)
    await _two_right_answers(resources, owner, titles["Rivers"])
    plan = await _plan(resources, owner)
    assert (plan.concept_id, plan.kind) == (titles["Deltas"], "new")
    assert resources.planning_graphs.rules.move_on_attempts == 2


async def test_the_move_on_setting_reaches_the_planner(settings: Settings) -> None:
    async for resources, owner in _open(settings, PlanSettings(move_on_attempts=3)):
        titles = await _titles(resources, owner)
        await _two_right_answers(resources, owner, titles["Rivers"])
        plan = await _plan(resources, owner)
        assert (plan.concept_id, plan.kind) == (titles["Rivers"], "continue")


async def _plan(resources: Resources, owner: UUID) -> Any:
    return await plan_next(
        resources.learner,
        resources.planning_graphs,
        owner,
        datetime.now(UTC),
        lessons=resources.lessons,
    )


async def _miss(resources: Resources, owner: UUID, concept: UUID, key: str, **kw: Any) -> None:
    attempt = NewAttempt(concept, kw.pop("kind", "short_answer"), 0.0, key, **kw)
    await resources.learner.record(owner, attempt, datetime.now(UTC))


async def test_missed_questions_ease_the_next_lesson_but_retries_and_explanations_do_not(
    stack: tuple[Resources, UUID],
) -> None:
    resources, owner = stack
    rivers = (await _titles(resources, owner))["Rivers"]
    # One question missed, then its retry missed: the retry is not a fresh miss.
    await _miss(resources, owner, rivers, "a", exercise_id="q1")
    await _miss(resources, owner, rivers, "b", exercise_id="q1")
    # An explain-back that falls short says nothing about the questions.
    await _miss(resources, owner, rivers, "c", kind="explain_back", verdict="incorrect")
    plan = await _plan(resources, owner)
    assert plan.concept_id == rivers and not plan.reason.startswith("Easier"), plan
    await _miss(resources, owner, rivers, "d", exercise_id="q2")
    plan = await _plan(resources, owner)
    assert (plan.concept_id, plan.reason) == (
        rivers,
        "Easier: Rivers — you missed the last two questions",
    )
