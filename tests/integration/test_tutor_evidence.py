"""Graded turns on the real stack: mastery events name their concept and count fresh evidence."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.integration import test_tutor_graph as graph_tests
from tests.integration.test_tutor_graph import Stack, Tutor, of, one_question_lesson
from tutor.teaching.exercises import ExplainBackDraft

pytestmark = pytest.mark.integration

stack = graph_tests.stack
"""The real stack with two documents of notes (shared with the tutor graph's tests)."""


async def _title(stack: Stack, concept_id: str) -> str:
    graph = await stack.resources.planning_graphs.get(stack.owner)
    return graph.titles[graph.index[UUID(concept_id)]]


async def _answer(tutor: Tutor, exercise: dict[str, Any], text: str) -> list[dict[str, Any]]:
    return await tutor.turn({"kind": "answer", "exercise_id": exercise["id"], "text": text})


async def test_a_mastery_change_names_its_concept(stack: Stack) -> None:
    tutor = Tutor(stack)
    exercise = await one_question_lesson(tutor)
    [mastery] = of(await _answer(tutor, exercise, "0"), "mastery")
    assert mastery["title"] == await _title(stack, mastery["concept_id"])
    assert mastery["counted"] is True


async def test_a_retried_exercise_shows_its_grade_but_does_not_move_mastery(
    stack: Stack,
) -> None:
    tutor = Tutor(stack)
    exercise = await one_question_lesson(tutor)
    first = await _answer(tutor, exercise, "Any number of owners")
    assert of(first, "grade")[0]["verdict"] == "incorrect"
    [wrong] = of(first, "mastery")
    assert wrong["counted"] is True and wrong["p_known"] <= wrong["before"]
    # The feedback named the right option; choosing it now is graded, not counted.
    again = await _answer(tutor, exercise, "0")
    assert of(again, "grade")[0]["verdict"] == "correct"
    [retry] = of(again, "mastery")
    assert retry["counted"] is False
    assert retry["p_known"] == pytest.approx(wrong["p_known"], abs=1e-4)
    assert retry["before"] == pytest.approx(retry["p_known"], abs=1e-4)
    assert retry["attempts"] == wrong["attempts"] == 1
    assert retry["title"] == wrong["title"]
    assert len(await stack.resources.learner.attempts(stack.owner)) == 2


async def test_a_retried_explain_back_exercise_is_not_counted(stack: Stack) -> None:
    tutor = Tutor(stack)
    graph = await stack.resources.planning_graphs.get(stack.owner)
    concept = graph.ids[0]
    draft = ExplainBackDraft(
        prompt="Explain ownership in your own words.",
        key_points=[
            "Each value in Rust has an owner.",
            "When the owner goes out of scope, the value is dropped.",
        ],
    )
    [exercise] = await stack.resources.lessons.add_exercises(
        stack.owner, concept, None, "intro", [(draft, "generated")]
    )
    ask = {"id": str(exercise.id)}
    first = of(await _answer(tutor, ask, "It is about memory."), "mastery")
    second = of(
        await _answer(
            tutor,
            ask,
            "Each value in Rust has an owner, and when the owner goes out of scope the value "
            "is dropped.",
        ),
        "mastery",
    )
    assert first[0]["counted"] is True and second[0]["counted"] is False
    assert first[0]["title"] == second[0]["title"] == graph.titles[0]
    [row] = await stack.resources.learner.mastery(stack.owner)
    assert row.explained_at is None and row.attempts == 1
