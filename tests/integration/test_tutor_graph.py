"""The tutor graph, turn by turn: real PostgreSQL, Chroma and embeddings, a scripted fake model.

Each test compiles the graph with an in-memory checkpointer (one test uses the
PostgreSQL one across a restart) and drives it with the requests a client sends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents import build_tutor_graph
from agents.chat_answer import NOT_COVERED
from agents.grader import NO_EXERCISE
from agents.lesson_writer import FROM_THE_NOTES
from tutor.config import LearnerSettings, Settings
from tutor.ingest.files import SourceFile
from tutor.learner.store import NewAttempt
from tutor.llm.fake import FakeChatModel
from tutor.resources import Resources, open_resources
from tutor.sandbox import Limits
from tutor.teaching.citations import cited_numbers
from tutor.teaching.exercises import CodeDraft, ExerciseSet, MultipleChoiceDraft
from tutor.teaching.intents import IntentClassifier
from tutor.teaching.pass_rates import PassRates
from tutor.threads import ThreadStore

pytestmark = pytest.mark.integration

OWNERSHIP = b"""# Ownership

Ownership is a set of rules that govern how a Rust program manages memory. Each value in
Rust has an owner, and there can only be one owner at a time. When the owner goes out of
scope, the value will be dropped.

## Ownership Rules

Each value in Rust has an owner. There can only be one owner at a time. When the owner
goes out of scope, the value will be dropped and its memory is returned.

## Variable Scope

A scope is the range within a program for which an item is valid. The variable `s` is
valid from the point at which it is declared until the end of the current scope.

```rust
{
    let s = "hello"; // s is valid from this point forward
    println!("{s}");
}   // this scope is now over, and s is no longer valid
```

## Moves

Assigning a heap value such as a `String` to another variable moves it: the first
variable can no longer be used, which prevents a double free of the same memory.

```rust
let s1 = String::from("hello");
let s2 = s1;
println!("{s2}, world!");
```
"""
BORROWING = b"""# References and Borrowing

A reference lets you refer to a value without taking ownership of it. Creating a
reference is called borrowing. References are immutable by default.

## Mutable References

You can have only one mutable reference to a particular piece of data at a time, which
prevents data races at compile time.
"""


@dataclass
class Stack:
    """The open resources and the learner whose notes are ingested."""

    resources: Resources
    owner: UUID


@pytest.fixture
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    """The real stack with the fake model, a learner, and two documents of notes."""
    settings = settings.model_copy(update={"learner": LearnerSettings(require_explain_back=True)})
    async with open_resources(settings, warm_up=False) as opened:
        owner = await opened.accounts.create_user("ada", "correct horse battery")
        report = await opened.ingestor.ingest(
            owner.id,
            [SourceFile("ownership.md", OWNERSHIP), SourceFile("borrowing.md", BORROWING)],
        )
        assert not [f for f in report.files if f.status == "failed"]
        yield Stack(opened, owner.id)


class Tutor:
    """One learner's thread on a graph compiled with an in-memory checkpointer."""

    def __init__(self, stack: Stack, **teaching: Any) -> None:
        resources = stack.resources
        self.graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
        context = resources.tutor_context(stack.owner, "thread-1")
        self.context = replace(
            context,
            settings=context.settings.model_copy(update=teaching),
            sandbox_limits=Limits(cpu_s=1, wall_s=3, memory_mb=128),
        )
        self.model: FakeChatModel = resources.chat_model  # type: ignore[assignment]
        self.resources = resources

    async def turn(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one turn; the events it sent."""
        text = request.get("text", "")
        events = []
        async for event in self.graph.astream(
            {"messages": [HumanMessage(text)] if text else [], "request": request},
            config={"configurable": {"thread_id": "thread-1"}},
            context=self.context,
            stream_mode="custom",
        ):
            events.append(event)
        return events

    async def state(self) -> Any:
        snapshot = await self.graph.aget_state({"configurable": {"thread_id": "thread-1"}})
        return snapshot.values


async def one_question_lesson(tutor: Tutor) -> dict[str, Any]:
    """A lesson whose one exercise (from the model) has option 0 right; that exercise."""
    question = MultipleChoiceDraft(
        question="How many owners can a value in Rust have at a time?",
        options=["Exactly one owner at a time", "Any number of owners"],
        answer=0,
    )
    tutor.model.enqueue_json(ExerciseSet(exercises=[question]))
    [exercise] = of(await tutor.turn({"kind": "start_lesson"}), "exercise")
    return exercise


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == kind]


def streamed(events: list[dict[str, Any]]) -> str:
    """The text a client shows: tokens since the last reset."""
    text = ""
    for event in events:
        if event["event"] == "reset":
            text = ""
        elif event["event"] == "token":
            text += event["text"]
    return text


async def test_a_lesson_streams_then_arrives_whole_with_exercises(stack: Stack) -> None:
    tutor = Tutor(stack)
    tutor.model.enqueue("the the the the the the the the the the the the the the the the")
    events = await tutor.turn({"kind": "start_lesson"})
    kinds = [e["event"] for e in events]
    assert kinds[0] == "plan"
    assert kinds.index("lesson") > kinds.index("token")
    [plan] = of(events, "plan")
    assert plan["reason"] and plan["difficulty"] == "intro"
    [lesson] = of(events, "lesson")
    # The model's text is a loop, which the guard refuses: the notes are quoted.
    assert lesson["source"] == "extractive"
    assert streamed(events) == lesson["text"]
    state = await tutor.state()
    retrieved = {p["chunk_id"] for p in state["passages"]}
    numbers = cited_numbers(lesson["text"])
    assert numbers and sorted(numbers) == [c["number"] for c in lesson["citations"]]
    assert {c["chunk_id"] for c in lesson["citations"]} <= retrieved
    exercises = of(events, "exercise")
    assert exercises and state["open_exercises"] == [e["id"] for e in exercises]
    for exercise in exercises:
        assert "answer" not in exercise and "solution" not in exercise
        assert "reference_answer" not in exercise


async def test_a_model_lesson_that_passes_the_guard_is_kept(stack: Stack) -> None:
    tutor = Tutor(stack)
    good = (
        "Ownership is the set of rules Rust uses to manage memory [1]. Each value in Rust "
        "has an owner, and there can only be one owner at a time [1]. When the owner goes "
        "out of scope, the value is dropped and its memory is returned [1]. For example, a "
        "variable declared inside a block is valid only until the end of that block [1]. "
        "This matters because memory is freed without a garbage collector [1]."
    )
    tutor.model.enqueue(good)
    ownership = await _concept(stack, "Ownership")
    events = await tutor.turn({"kind": "start_lesson", "concept_id": str(ownership)})
    [lesson] = of(events, "lesson")
    assert lesson["source"] == "model"
    assert lesson["text"] == good == streamed(events)
    assert not of(events, "reset")
    # Sent sentence by sentence as each passed the guard, not word by word.
    assert 1 < len(of(events, "token")) < len(good.split())


async def test_model_text_that_never_cites_is_never_shown(stack: Stack) -> None:
    tutor = Tutor(stack)
    uncited = " ".join(
        ["Ownership is the set of rules Rust uses to manage memory, and each value has"]
        + ["one owner at a time, and the value is dropped when the owner leaves scope."] * 8
    )
    tutor.model.enqueue(uncited)
    events = await tutor.turn({"kind": "start_lesson"})
    assert not of(events, "reset")
    assert "Ownership is the set of rules Rust uses" not in "".join(
        e["text"] for e in of(events, "token")
    )
    assert of(events, "lesson")[0]["source"] == "extractive"


async def test_model_text_that_degenerates_is_cut_where_it_fails_and_the_notes_follow(
    stack: Stack,
) -> None:
    tutor = Tutor(stack)
    good_start = (
        "Ownership is the set of rules Rust uses to manage memory [1]. Each value in Rust "
        "has an owner, and there can only be one owner at a time [1]. "
    )
    tutor.model.enqueue(good_start + "owner " * 80)
    ownership = str(await _concept(stack, "Ownership"))
    events = await tutor.turn({"kind": "start_lesson", "concept_id": ownership})
    assert not of(events, "reset")
    shown = "".join(e["text"] for e in of(events, "token"))
    # What the learner read stays; the loop never reached them.
    assert shown.startswith(good_start.rstrip()) and "owner owner" not in shown
    [lesson] = of(events, "lesson")
    assert lesson["text"] == shown and FROM_THE_NOTES in shown
    numbers = cited_numbers(lesson["text"])
    assert sorted(set(numbers)) == [c["number"] for c in lesson["citations"]]


async def test_a_model_whose_lessons_fail_is_not_asked_again(stack: Stack) -> None:
    tutor = Tutor(stack)
    tutor.context = replace(tutor.context, pass_rates=PassRates(threshold=0.5))
    ownership = str(await _concept(stack, "Ownership"))
    tutor.model.enqueue("the the the the the the the the the the the the the the the the")
    await tutor.turn({"kind": "start_lesson", "concept_id": ownership})
    assert any("Teach me" in str(r.messages[-1].content) for r in tutor.model.history)
    tutor.model.history.clear()
    # The next text the model would write is fine, but its record says it will fail.
    tutor.model.enqueue(
        "Ownership is the set of rules Rust uses to manage memory [1]. Each value in Rust "
        "has an owner, and there can only be one owner at a time [1]."
    )
    events = await tutor.turn({"kind": "start_lesson", "concept_id": ownership})
    [lesson] = of(events, "lesson")
    assert lesson["source"] == "extractive" and streamed(events) == lesson["text"]
    assert not [r for r in tutor.model.history if "Teach me" in str(r.messages[-1].content)]
    assert tutor.context.pass_rates.rate(tutor.model.where, "lesson").tried == 1


async def test_exercises_come_right_after_the_lesson_while_the_model_is_still_writing(
    stack: Stack,
) -> None:
    tutor = Tutor(stack, exercises_grace_s=0.0)
    stalled = asyncio.Event()

    async def never(*_: Any, **__: Any) -> list[Any]:
        stalled.set()
        await asyncio.Event().wait()
        return []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("agents.exercise_drafts.model_drafts", never)
        events = await tutor.turn({"kind": "start_lesson"})
    assert stalled.is_set()
    kinds = [e["event"] for e in events]
    lesson_at = kinds.index("lesson")
    assert kinds[lesson_at + 1] == "exercise"
    assert set(kinds[lesson_at + 1 :]) == {"exercise"}
    for event in of(events, "exercise"):
        stored = await stack.resources.lessons.exercise(tutor.context.owner, UUID(event["id"]))
        assert stored is not None and stored.source == "generated"
    state = await tutor.state()
    assert state["prepared_exercises"] is None
    # Too slow counts against the model: it is not asked for the next lesson's exercises.
    record = tutor.context.pass_rates.rate(tutor.model.where, "exercises")
    assert (record.passed, record.tried) == (0, 1)
    assert not tutor.context.pass_rates.likely(tutor.model.where, "exercises")


async def test_drafts_that_all_fail_the_checks_do_not_send_the_model_back_to_work(
    stack: Stack,
) -> None:
    tutor = Tutor(stack)
    asked: list[str] = []

    async def nothing_passes(*_: Any, **__: Any) -> list[Any]:
        asked.append("drafts")
        return []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("agents.exercise_drafts.generated_drafts", nothing_passes)
        patch.setattr("agents.exercise_drafts.model_drafts", nothing_passes)
        patch.setattr("agents.exercise_setter.model_drafts", nothing_passes)
        patch.setattr("agents.exercise_setter.generated_drafts", nothing_passes)
        events = await tutor.turn({"kind": "start_lesson"})
    assert of(events, "lesson") and not of(events, "exercise")
    # Drafted once each while the lesson streamed, and not again after it.
    assert asked == ["drafts", "drafts"]


async def test_a_nul_in_the_models_text_is_dropped_not_stored(stack: Stack) -> None:
    tutor = Tutor(stack)
    good = (
        "Ownership is the set of rules Rust uses to manage memory [1]. Each value in Rust "
        "has an owner, and there can only be one owner at a time [1]. When the owner goes "
        "out of scope, the value is dropped and its memory is returned [1]."
    )
    tutor.model.enqueue(good.replace("memory [1]. Each", "memory [1].\x00 Each"))
    ownership = str(await _concept(stack, "Ownership"))
    [lesson] = of(await tutor.turn({"kind": "start_lesson", "concept_id": ownership}), "lesson")
    assert lesson["source"] == "model" and lesson["text"] == good


async def test_garbage_from_the_model_still_yields_valid_exercises(stack: Stack) -> None:
    tutor = Tutor(stack)
    tutor.model.enqueue_json("not json at all", '{"exercises": [{"kind": "dance"}]}')
    events = await tutor.turn({"kind": "start_lesson"})
    exercises = of(events, "exercise")
    assert exercises
    for event in exercises:
        stored = await stack.resources.lessons.exercise(tutor.context.owner, UUID(event["id"]))
        assert stored is not None and stored.source == "generated"


async def test_valid_model_exercises_are_used(stack: Stack) -> None:
    tutor = Tutor(stack)
    question = MultipleChoiceDraft(
        question="How many owners can a value in Rust have at a time?",
        options=["Exactly one owner at a time", "Any number of owners", "No owner at all"],
        answer=0,
        explanation="There can only be one owner at a time.",
    )
    tutor.model.enqueue_json(ExerciseSet(exercises=[question]))
    ownership = str(await _concept(stack, "Ownership"))
    events = await tutor.turn({"kind": "start_lesson", "concept_id": ownership})
    [exercise] = of(events, "exercise")
    assert exercise["question"] == question.question
    assert exercise["options"] == question.options


async def test_an_answer_is_graded_recorded_and_moves_mastery(stack: Stack) -> None:
    tutor = Tutor(stack)
    exercise = await one_question_lesson(tutor)
    events = await tutor.turn(
        {"kind": "answer", "exercise_id": exercise["id"], "text": "0", "idempotency_key": "k1"}
    )
    [grade] = of(events, "grade")
    assert grade["verdict"] == "correct" and grade["score"] == 1
    [mastery] = of(events, "mastery")
    assert mastery["p_known"] > mastery["before"]
    assert (await tutor.state())["open_exercises"] == []
    # The same answer again (same key) is not counted twice.
    again = await tutor.turn(
        {"kind": "answer", "exercise_id": exercise["id"], "text": "0", "idempotency_key": "k1"}
    )
    assert of(again, "mastery")[0]["counted"] is False
    history = await stack.resources.learner.attempts(tutor.context.owner)
    assert len(history) == 1 and history[0]["kind"] == "multiple_choice"


async def test_a_wrong_answer_counts_against_mastery(stack: Stack) -> None:
    tutor = Tutor(stack)
    exercise = await one_question_lesson(tutor)
    events = await tutor.turn(
        {"kind": "answer", "exercise_id": exercise["id"], "text": "Any number of owners"}
    )
    assert of(events, "grade")[0]["verdict"] == "incorrect"
    [mastery] = of(events, "mastery")
    assert mastery["p_known"] < mastery["before"] + 0.05


async def test_answers_without_an_exercise_or_to_another_learners(stack: Stack) -> None:
    tutor = Tutor(stack)
    events = await tutor.turn({"kind": "answer", "text": "it is dropped"})
    assert streamed(events) == NO_EXERCISE and not of(events, "grade")
    other = await stack.resources.accounts.create_user("bob", "correct horse battery")
    ownership = await _concept(stack, "Ownership")
    [theirs] = await stack.resources.lessons.add_exercises(
        other.id,
        ownership,
        None,
        "intro",
        [(MultipleChoiceDraft(question="Pick one", options=["a", "b"], answer=0), "generated")],
    )
    events = await tutor.turn({"kind": "answer", "exercise_id": str(theirs.id), "text": "0"})
    assert not of(events, "grade")
    assert "cannot find that exercise" in streamed(events)
    assert await stack.resources.learner.attempts(other.id) == []


async def test_explain_back_names_covered_and_missing_points_and_gates_mastery(
    stack: Stack,
) -> None:
    tutor = Tutor(stack)
    ownership = await _concept(stack, "Ownership Rules")
    events = await tutor.turn(
        {
            "kind": "explain",
            "concept_id": str(ownership),
            "text": "Every value in Rust has a single owner, and only one owner at a time.",
        }
    )
    [result] = of(events, "explain_result")
    kinds = [e["event"] for e in events]
    assert kinds.index("explain_result") < kinds.index("mastery")
    assert result["covered"] and result["missing"]
    assert result["follow_up"].endswith("?")
    assert streamed(events).endswith(result["follow_up"])
    assert of(events, "mastery")


async def test_mastery_needs_a_passed_explain_back(stack: Stack) -> None:
    owner = stack.owner
    ownership = await _concept(stack, "Ownership Rules")
    for i in range(12):
        recorded = await stack.resources.learner.record(
            owner,
            NewAttempt(ownership, "multiple_choice", 1.0, f"mc-{i}"),
            datetime.now(UTC),
        )
    assert recorded.p_known >= stack.resources.learner.threshold and not recorded.mastered
    recorded = await stack.resources.learner.record(
        owner,
        NewAttempt(ownership, "explain_back", 0.9, "eb", verdict="correct"),
        datetime.now(UTC),
    )
    assert recorded.mastered


async def test_questions_are_answered_from_the_notes_or_declined(stack: Stack) -> None:
    tutor = Tutor(stack)
    asked = len(tutor.model.history)
    events = await tutor.turn(
        {"kind": "chat", "text": "What is the best temperature to bake sourdough bread?"}
    )
    assert streamed(events) == NOT_COVERED
    assert len(tutor.model.history) == asked, "no model call when the notes have nothing"
    events = await tutor.turn(
        {"kind": "chat", "text": "What happens to a value when its owner goes out of scope?"}
    )
    citations = of(events, "citation")
    assert citations and NOT_COVERED not in streamed(events)
    state = await tutor.state()
    assert {c["chunk_id"] for c in citations} <= {p["chunk_id"] for p in state["passages"]}


async def test_free_text_routes_by_intent(stack: Stack) -> None:
    tutor = Tutor(stack)
    events = await tutor.turn({"kind": "chat", "text": "Teach me about references and borrowing"})
    [plan] = of(events, "plan")
    assert plan["title"] == "References and Borrowing"
    assert of(events, "lesson")
    events = await tutor.turn({"kind": "chat", "text": "next please"})
    assert of(events, "plan")


async def test_a_repeated_lesson_takes_another_angle(stack: Stack) -> None:
    # A low threshold makes every repeat count as too similar, so each is rewritten once.
    tutor = Tutor(stack, novelty_threshold=0.2, lesson_passages=2)
    ownership = str(await _concept(stack, "Ownership"))
    lessons = []
    for _ in range(3):
        events = await tutor.turn({"kind": "start_lesson", "concept_id": ownership})
        lessons.extend(of(events, "lesson"))
    assert [lesson["rewritten"] for lesson in lessons] == [False, True, True]
    assert lessons[0]["novelty"] == 1.0
    first = {c["chunk_id"] for c in lessons[0]["citations"]}
    second = {c["chunk_id"] for c in lessons[1]["citations"]}
    assert lessons[1]["text"] != lessons[0]["text"] and first != second


async def test_set_path_reports_the_steps(stack: Stack) -> None:
    tutor = Tutor(stack)
    target = await _concept(stack, "Mutable References")
    events = await tutor.turn({"kind": "set_path", "targets": [str(target)]})
    assert "Path set toward Mutable References" in streamed(events)
    paths = await stack.resources.learner.paths(tutor.context.owner)
    assert paths[0]["targets"] == [target]
    events = await tutor.turn({"kind": "set_path", "targets": [str(UUID(int=5))]})
    assert "not in your notes" in streamed(events)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("while True:\n    pass\n", "time"),
        ("import os\nwhile True:\n    os.fork()\n", ""),
        ("x = bytearray(10**10)\n", "memory"),
        ("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n", ""),
        ("print(open('/etc/shadow').read())\n", ""),
    ],
)
async def test_hostile_code_is_a_failed_attempt_not_a_crash(
    stack: Stack, code: str, words: str
) -> None:
    tutor = Tutor(stack)
    ownership = await _concept(stack, "Ownership")
    draft = CodeDraft(prompt="Define add(a, b).", tests="assert add(2, 3) == 5", solution="x")
    [exercise] = await stack.resources.lessons.add_exercises(
        tutor.context.owner, ownership, None, "practice", [(draft, "generated")]
    )
    events = await tutor.turn({"kind": "answer", "exercise_id": str(exercise.id), "text": code})
    [grade] = of(events, "grade")
    assert grade["verdict"] == "incorrect"
    assert words.casefold() in json.dumps(grade).casefold()
    assert of(events, "mastery")


async def test_a_conversation_survives_a_restart(settings: Settings) -> None:
    async with open_resources(settings, warm_up=False) as opened:
        owner = await opened.accounts.create_user("ada", "correct horse battery")
        await opened.ingestor.ingest(owner.id, [SourceFile("ownership.md", OWNERSHIP)])
        config: Any = {"configurable": {"thread_id": "t"}}
        context = opened.tutor_context(owner.id, "t")
        await opened.graph.ainvoke(
            {"messages": [], "request": {"kind": "start_lesson"}}, config, context=context
        )
        before = (await opened.graph.aget_state(config)).values
    assert before["open_exercises"]
    async with open_resources(settings, warm_up=False) as reopened:
        after = (await reopened.graph.aget_state(config)).values
        assert after["open_exercises"] == before["open_exercises"]
        assert after["lesson_id"] == before["lesson_id"]
        context = reopened.tutor_context(owner.id, "t")
        await reopened.graph.ainvoke(
            {"messages": [HumanMessage("xyz")], "request": {"kind": "answer", "text": "xyz"}},
            config,
            context=context,
        )
        assert len(await reopened.learner.attempts(owner.id)) == 1


async def _concept(stack: Stack, title: str) -> UUID:
    graph = await stack.resources.planning_graphs.get(stack.owner)
    return graph.ids[graph.titles.index(title)]


async def test_the_model_breaks_a_tie_between_two_intents(stack: Stack) -> None:
    tutor = Tutor(stack)
    # Every guess counts as a tie: the model picks between the two likeliest intents.
    always_tied = IntentClassifier(stack.resources.embeddings, margin=1.0)
    tutor.context = replace(tutor.context, intents=always_tied)
    # Words that settle no intent on their own ("teach me" would), so the examples compare.
    text = "Tell me about references and borrowing"
    guess = always_tied.classify(text, open_exercise=False)
    tutor.model.enqueue_json({"intent": guess.runner_up})
    await tutor.turn({"kind": "chat", "text": text})
    assert (await tutor.state())["intent"] == guess.runner_up != guess.intent
    assert any(request.schema for request in tutor.model.history), "the model was asked"
    # A choice outside the two likeliest is ignored (the lesson left exercises open).
    again = always_tied.classify(text, open_exercise=True)
    outside = next(
        i for i in ("ask", "next", "explain") if i not in (again.intent, again.runner_up)
    )
    tutor.model.enqueue_json({"intent": outside})
    await tutor.turn({"kind": "chat", "text": text})
    assert (await tutor.state())["intent"] == again.intent


async def test_passages_of_a_poorly_rated_lesson_are_avoided(stack: Stack) -> None:
    tutor = Tutor(stack, lesson_passages=2, recent_lessons=1)
    ownership = str(await _concept(stack, "Ownership"))

    async def lesson() -> dict[str, Any]:
        tutor.model.enqueue("the the the the the the the the the the the the the the")
        [taught] = of(await tutor.turn({"kind": "start_lesson", "concept_id": ownership}), "lesson")
        return taught

    def chunks(taught: dict[str, Any]) -> set[str]:
        return {c["chunk_id"] for c in taught["citations"]}

    disliked = await lesson()
    threads = ThreadStore(stack.resources.database.pool)
    assert await threads.save_feedback(stack.owner, UUID(disliked["id"]), 1, "too dense")
    await lesson()
    # Only the last lesson counts as recent; the disliked one's passages are still avoided.
    assert not chunks(await lesson()) & chunks(disliked)
    summary = await stack.resources.lessons.feedback_summary()
    assert summary["ratings"] == 1 and summary["mean"] == 1.0 and summary["low_share"] == 1.0
    assert summary["by_source"] == {"extractive": {"ratings": 1, "mean": 1.0}}
    assert summary["recent_comments"][0]["comment"] == "too dense"
