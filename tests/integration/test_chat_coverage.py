"""Chat questions the notes do not cover, by their subject: real PostgreSQL, Chroma, embeddings.

The notes speak of loops in Rust and, once and in passing, of Python; and of unemployment
without ever naming an economist. Word overlap and similarity alone take "a for loop in
Python" for a question on loops; the subject check does not.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID, uuid4

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents import build_tutor_graph
from agents.chat_answer import NOT_COVERED_OPENING
from agents.retriever import as_passage
from tutor.config import Settings
from tutor.ingest.files import SourceFile
from tutor.llm.fake import FakeChatModel
from tutor.resources import Resources, open_resources
from tutor.teaching.coverage import Coverage, assess_coverage
from tutor.teaching.mentions import PostgresNoteMentions
from tutor.teaching.subjects import Subject

pytestmark = pytest.mark.integration

LOOPS = b"""# Control Flow

## Repetition with Loops

Running a block of code more than once is a common need. Rust has three kinds of loops:
`loop`, `while`, and `for`. Each runs the code in its body to the end and then starts
again at the top.

## Looping Through a Collection with for

A `for` loop runs some code for each item in a collection, such as an array. It cannot
read past the end of the array, which makes it the loop most Rust code uses.

```rust
let a = [10, 20, 30];
for element in a {
    println!("the value is: {element}");
}
```
"""
HELLO = b"""# Hello, World!

## Compiling and Running Are Separate Steps

A Rust program is compiled with `rustc` before it runs, and the executable can be given
to someone who does not have Rust installed. Programmers who know a dynamic language
such as Ruby, Python, or JavaScript may not be used to compiling and running as two steps.

## Hello, Cargo!

Cargo is the build system and package manager of Rust. It builds your code, downloads
the libraries your code depends on, and builds those libraries too.
"""
JOBS = b"""# Unemployment

## Cyclical Unemployment

Cyclical unemployment rises in a recession, when firms produce less and lay workers off,
and falls again in an expansion.

## Sticky Wages

Wages are sticky downward: firms rarely cut the pay of the workers they keep, so in a
recession they lay some workers off instead, and unemployment rises.
## The Labor Force

The labor force is everyone who works for pay, full time or part time, plus everyone who
is unemployed: without a job and actively looking for one.

## Demand

When the price of a good rises, the quantity demanded falls, other things equal. A
change in consumers' incomes shifts the whole demand curve.
"""


@dataclass
class Notes:
    resources: Resources
    owner: UUID


@pytest.fixture
async def notes(settings: Settings) -> AsyncIterator[Notes]:
    async with open_resources(settings, warm_up=False) as opened:
        owner = await opened.accounts.create_user("ada", "correct horse battery")
        report = await opened.ingestor.ingest(
            owner.id,
            [
                SourceFile("loops.md", LOOPS),
                SourceFile("hello.md", HELLO),
                SourceFile("jobs.md", JOBS),
            ],
        )
        assert not [f for f in report.files if f.status == "failed"]
        yield Notes(opened, owner.id)


async def relevant_passages(notes: Notes, question: str) -> list[Any]:
    settings = notes.resources.settings.teaching
    hits = await notes.resources.vectors.search(
        str(notes.owner), question, k=settings.lesson_passages
    )
    return [as_passage(h) for h in hits if h.score >= settings.min_answer_relevance]


async def coverage(notes: Notes, question: str) -> Coverage:
    return await assess_coverage(
        question,
        await relevant_passages(notes, question),
        owner=notes.owner,
        mentions=PostgresNoteMentions(notes.resources.database.pool),
        vectors=notes.resources.vectors,
        min_relevance=notes.resources.settings.teaching.min_answer_relevance,
    )


async def test_a_subject_the_notes_only_mention_in_passing_is_not_covered(notes: Notes) -> None:
    question = "How do I write a for loop in Python?"
    # Similarity alone would answer it: passages on loops are close to the question.
    assert await relevant_passages(notes, question)
    verdict = await coverage(notes, question)
    assert not verdict.covered and verdict.passages == ()
    assert verdict.missing == (Subject("Python", "name"),)


async def test_a_person_or_a_topic_the_notes_never_name_is_not_covered(notes: Notes) -> None:
    for question, missing in [
        ("What did Keynes say about unemployment in a recession?", "Keynes"),
        ("How do I write a for loop with tokio?", "tokio"),
    ]:
        verdict = await coverage(notes, question)
        assert not verdict.covered, question
        assert [s.text for s in verdict.missing] == [missing]


async def test_words_match_their_other_forms_but_not_their_neighbours(notes: Notes) -> None:
    lookup = PostgresNoteMentions(notes.resources.database.pool)
    owner = notes.owner

    async def headings(subject: Subject) -> set[str]:
        found = await lookup.mentioning(owner, subject, among=[], ranked_by="", limit=10)
        return {p.heading_path.rsplit(" > ", 1)[-1] for p in found}

    assert await headings(Subject("prices", "phrase")) == {"Demand"}
    assert "Demand" in await headings(Subject("incomes shifting", "phrase"))
    assert await headings(Subject("Cargo", "name")) == {"Hello, Cargo!"}
    # "quantit" is the stem of "quantitative" and a prefix of "quantity": no match.
    assert await lookup.unknown_words(owner, Subject("quantitative easing", "phrase")) == [
        "quantitative",
        "easing",
    ]
    assert await lookup.unknown_words(owner, Subject("demand curves", "phrase")) == []
    # Another learner's notes are not looked at.
    assert await lookup.unknown_words(uuid4(), Subject("demand", "phrase")) == ["demand"]


async def test_a_topic_word_the_notes_never_use_is_not_covered(notes: Notes) -> None:
    for question, missing in [
        ("What is the price elasticity of demand?", "price elasticity"),
        ("How does quantitative easing work?", "quantitative"),
    ]:
        verdict = await coverage(notes, question)
        assert not verdict.covered, question
        assert [s.text for s in verdict.missing] == [missing]


async def test_covered_questions_in_the_learners_words_are_covered(notes: Notes) -> None:
    cases = [
        ("How can I run the same code again and again?", "Repetition with Loops"),
        ("How do I go through every element of an array in Rust?", "Looping Through"),
        ("Why don't firms cut wages when times are bad?", "Sticky Wages"),
        ("What is Cargo?", "Hello, Cargo!"),
        ("What happens to the quantity people buy when prices go up?", "Demand"),
        # Little is left with "labor force" taken out: the passage stays close enough.
        ("Who counts as being in the labor force?", "The Labor Force"),
    ]
    for question, heading in cases:
        verdict = await coverage(notes, question)
        assert verdict.covered, question
        assert verdict.best is not None
        assert heading in verdict.best.heading_path, (question, verdict.best.heading_path)


async def test_the_best_passage_names_the_subject(notes: Notes) -> None:
    verdict = await coverage(notes, "Does Cargo download the libraries my code depends on?")
    assert verdict.covered and verdict.best is not None
    assert "Cargo" in verdict.best.text


class Chat:
    """One learner's chat on the tutor graph, the fake model scripted."""

    def __init__(self, notes: Notes) -> None:
        self.graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
        self.context = notes.resources.tutor_context(notes.owner, "thread-1")
        self.model: FakeChatModel = notes.resources.chat_model  # type: ignore[assignment]

    async def ask(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """The text the learner sees, and the citations sent."""
        shown, citations = "", []
        async for event in self.graph.astream(
            {"messages": [HumanMessage(text)], "request": {"kind": "chat", "text": text}},
            config={"configurable": {"thread_id": "thread-1"}},
            context=replace(self.context),
            stream_mode="custom",
        ):
            if event["event"] == "reset":
                shown = ""
            elif event["event"] == "token":
                shown += event["text"]
            elif event["event"] == "citation":
                citations.append(event)
        return shown, citations


async def test_chat_says_not_covered_and_names_the_missing_subject(notes: Notes) -> None:
    chat = Chat(notes)
    asked = len(chat.model.history)
    shown, citations = await chat.ask("How do I write a for loop in Python?")
    assert shown.startswith(NOT_COVERED_OPENING)
    assert "Python" in shown
    assert citations == []
    assert len(chat.model.history) == asked, "no model call when the notes cannot answer"


async def test_chat_quotes_the_best_passage_under_its_heading_when_the_model_fails(
    notes: Notes,
) -> None:
    chat = Chat(notes)
    chat.model.enqueue("loop loop loop loop loop loop loop loop loop loop loop loop loop loop")
    shown, citations = await chat.ask("Does Cargo download the libraries my code depends on?")
    assert not shown.startswith(NOT_COVERED_OPENING)
    assert "**Hello, World! > Hello, Cargo!**" in shown
    assert "> Cargo is the build system" in shown
    [citation] = citations
    assert citation["number"] == 1 and citation["heading_path"].endswith("Hello, Cargo!")
    assert "[1]" in shown


async def test_a_model_answer_that_passes_is_grounded_by_the_best_passage(notes: Notes) -> None:
    chat = Chat(notes)
    answer = (
        "Yes. Cargo is the build system and package manager of Rust, and it downloads "
        "the libraries your code depends on and builds them [1]."
    )
    chat.model.enqueue(answer)
    shown, citations = await chat.ask("Does Cargo download the libraries my code depends on?")
    assert shown.startswith("Yes. Cargo is the build system")
    assert "From your notes, under **Hello, World! > Hello, Cargo!**" in shown
    assert {c["number"] for c in citations} == {1}
