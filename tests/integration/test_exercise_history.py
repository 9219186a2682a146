"""Exercises on the real stack: never one the learner had before, and checked whoever wrote them.

Real PostgreSQL, Chroma and embeddings, real economics class notes, the scripted fake model.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents import build_tutor_graph
from agents.context import TutorContext
from agents.exercise_setter import exercise_history
from tutor.config import Settings
from tutor.ingest.files import SourceFile
from tutor.learner.store import NewAttempt
from tutor.llm.fake import FakeChatModel
from tutor.resources import Resources, open_resources
from tutor.teaching.exercise_checks import fingerprint
from tutor.teaching.exercises import ExerciseSet, MultipleChoiceDraft, ShortAnswerDraft

pytestmark = pytest.mark.integration

NOTES = Path(__file__).resolve().parents[1] / "data" / "macroeconomics" / "notes" / "pt1a"
FILES = ("intro1.md", "advantage.md")


@pytest.fixture
async def opened(settings: Settings) -> AsyncIterator[tuple[Resources, UUID]]:
    """The real stack with the fake model and a learner who uploaded two files of notes."""
    async with open_resources(settings, warm_up=False) as resources:
        owner = await resources.accounts.create_user("ada", "correct horse battery")
        files = [SourceFile(name, (NOTES / name).read_bytes()) for name in FILES]
        report = await resources.ingestor.ingest(owner.id, files)
        assert not [f for f in report.files if f.status == "failed"]
        yield resources, owner.id


def context_of(resources: Resources, owner: UUID) -> TutorContext:
    return resources.tutor_context(owner, "thread-1")


async def lesson(
    resources: Resources, owner: UUID, concept_id: UUID, graph: Any
) -> list[dict[str, Any]]:
    """One lesson turn on the concept; the exercise events it sent."""
    events = [
        event
        async for event in graph.astream(
            {
                "messages": [HumanMessage("")],
                "request": {"kind": "start_lesson", "concept_id": str(concept_id)},
            },
            config={"configurable": {"thread_id": "thread-1"}},
            context=context_of(resources, owner),
            stream_mode="custom",
        )
    ]
    return [e for e in events if e["event"] == "exercise"]


async def concept_titled(resources: Resources, owner: UUID, title: str) -> UUID:
    graph = await resources.planning_graphs.get(owner)
    return graph.ids[graph.titles.index(title)]


async def test_lessons_on_one_concept_never_set_an_exercise_twice(
    opened: tuple[Resources, UUID],
) -> None:
    resources, owner = opened
    graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
    concept = await concept_titled(resources, owner, "Comparative advantage")
    had: list[str] = []
    for _ in range(3):
        exercises = await lesson(resources, owner, concept, graph)
        assert exercises
        for shown in exercises:
            stored = await resources.lessons.exercise(owner, UUID(shown["id"]))
            assert stored is not None and stored.source == "generated"
            had.append(fingerprint(stored.body))
    assert len(had) == len(set(had)), had
    assert await resources.lessons.exercise_history(owner) == frozenset(had)


async def test_the_models_exercises_pass_the_same_checks(
    opened: tuple[Resources, UUID], caplog: pytest.LogCaptureFixture
) -> None:
    resources, owner = opened
    graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
    concept = await concept_titled(resources, owner, "Comparative advantage")
    model: FakeChatModel = resources.chat_model  # type: ignore[assignment]
    titles = MultipleChoiceDraft(
        question="According to your notes, which of these is about comparative advantage?",
        options=[
            "Students",
            "Foreword",
            "A country has a comparative advantage when its opportunity cost is lower.",
        ],
        answer=2,
    )
    stop_word = ShortAnswerDraft(
        question="Fill in the blank:\n\nSpecialization and trade make _____ countries better off.",
        reference_answer="both",
        key_points=["both"],
    )
    kept = MultipleChoiceDraft(
        question="According to your notes, when does a country have a comparative advantage?",
        options=[
            "When its opportunity cost of producing the good is lower",
            "When its opportunity cost of producing the good is higher",
            "When it produces more of the good per worker",
        ],
        answer=0,
    )
    model.enqueue_json(ExerciseSet(exercises=[titles, stop_word, kept]))
    with caplog.at_level(logging.INFO, logger="agents.exercise_setter"):
        exercises = await lesson(resources, owner, concept, graph)
    shown = [e.get("question") for e in exercises]
    assert shown == [kept.question]
    reasons = [r.getMessage() for r in caplog.records if "exercise rejected" in r.getMessage()]
    assert any("(options_differ_in_kind)" in r and "a sentence" in r for r in reasons), reasons
    assert any("(trivial_answer)" in r and "both" in r for r in reasons), reasons
    # The same exercise from the model a second time is had before: the notes' own come.
    model.enqueue_json(ExerciseSet(exercises=[kept]))
    again = await lesson(resources, owner, concept, graph)
    assert again and kept.question not in [e.get("question") for e in again]


async def test_a_due_review_may_repeat_and_history_is_the_learners_own(
    opened: tuple[Resources, UUID],
) -> None:
    resources, owner = opened
    graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
    concept = await concept_titled(resources, owner, "Comparative advantage")
    [first, *_] = await lesson(resources, owner, concept, graph)
    context = context_of(resources, owner)
    key = (await resources.planning_graphs.concepts(owner))[concept].key
    seen, review = await exercise_history(context, key)
    assert len(seen) >= 1 and not review
    await resources.learner.record(
        owner,
        NewAttempt(concept, "multiple_choice", 1.0, "k1", exercise_id=first["id"]),
        context.clock(),
    )
    # Answered just now: its review is days away. Once due, its exercises may come again.
    assert not (await exercise_history(context, key))[1]
    later = replace(context, clock=lambda: context.clock() + timedelta(days=400))
    assert (await exercise_history(later, key))[1]
    # Another learner has had none of them.
    other = await resources.accounts.create_user("bo", "correct horse battery")
    assert await resources.lessons.exercise_history(other.id) == frozenset()


async def test_term_statistics_follow_the_learners_notes(opened: tuple[Resources, UUID]) -> None:
    resources, owner = opened
    before = await resources.note_terms.statistics(owner)
    assert before.sections >= 2
    assert before is await resources.note_terms.statistics(owner)
    report = await resources.ingestor.ingest(
        owner, [SourceFile("ppf.md", (NOTES / "ppf.md").read_bytes())]
    )
    assert not [f for f in report.files if f.status == "failed"]
    after = await resources.note_terms.statistics(owner)
    assert after.sections > before.sections
    assert after.spread.get("frontier", 0) > before.spread.get("frontier", 0)
    other = await resources.accounts.create_user("bo", "correct horse battery")
    assert (await resources.note_terms.statistics(other.id)).sections == 0
