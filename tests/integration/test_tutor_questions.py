"""Free text on the real stack: questions and chit-chat are answered, never turned into lessons."""

from __future__ import annotations

import pytest

from tests.integration import test_tutor_graph as graph_tests
from tests.integration.test_tutor_graph import Stack, Tutor, of, one_question_lesson, streamed

pytestmark = pytest.mark.integration

stack = graph_tests.stack
"""The real stack with two documents of notes (shared with the tutor graph's tests)."""


@pytest.mark.parametrize(
    "text",
    [
        "Can I have two mutable references to the same variable at the same time?",
        "can i have two mutable refs at once",
        "whats the rule for mutable references",
    ],
)
async def test_a_question_is_answered_from_the_notes_not_taught(stack: Stack, text: str) -> None:
    tutor = Tutor(stack)
    events = await tutor.turn({"kind": "chat", "text": text})
    assert not of(events, "plan") and not of(events, "lesson")
    assert (await tutor.state())["intent"] == "ask"
    citations = of(events, "citation")
    assert citations and streamed(events)
    assert any("Borrowing" in c["heading_path"] for c in citations)


async def test_a_question_with_an_exercise_open_is_answered_and_leaves_it_open(
    stack: Stack,
) -> None:
    tutor = Tutor(stack)
    exercise = await one_question_lesson(tutor)
    events = await tutor.turn({"kind": "chat", "text": "Can a value have two owners?"})
    assert not of(events, "grade") and not of(events, "plan")
    assert (await tutor.state())["open_exercises"] == [exercise["id"]]


@pytest.mark.parametrize("text", ["thanks!", "hello", "ok cool"])
async def test_chit_chat_gets_a_reply_in_kind(stack: Stack, text: str) -> None:
    tutor = Tutor(stack)
    events = await tutor.turn({"kind": "chat", "text": text})
    assert not of(events, "plan") and not of(events, "lesson")
    assert (await tutor.state())["intent"] == "chat"
    reply = streamed(events)
    assert "next" in reply and "cover" not in reply and not of(events, "citation")


@pytest.mark.parametrize("text", ["next", "what's next?", "continue", "teach me about moves"])
async def test_next_and_lesson_requests_open_a_lesson(stack: Stack, text: str) -> None:
    tutor = Tutor(stack)
    events = await tutor.turn({"kind": "chat", "text": text})
    assert of(events, "plan") and of(events, "lesson")
