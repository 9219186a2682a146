"""The tutor searches the notes by meaning and by words: chat answers and See also passages.

Real PostgreSQL, Chroma and embedding model; the chat model is the scripted fake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from agents import build_tutor_graph
from agents.retriever import see_also
from tutor.config import Settings
from tutor.ingest.files import SourceFile
from tutor.llm.fake import FakeChatModel
from tutor.resources import Resources, open_resources
from tutor.search import LexicalSearch, PostgresLexicalSearch
from tutor.teaching.material import ConceptInfo
from tutor.vectors import VectorHit

pytestmark = pytest.mark.integration

WORDS = b"""# Counting Words

## Splitting Text

A text is a sequence of words separated by whitespace. Counting how often each word
occurs is a classic exercise: read the text, split it into words, and count each one.

```rust
let text = "hello world wonderful world";
for word in text.split_whitespace() {
    println!("{word}");
}
```

## Storing the Counts

Each word becomes a key in a map and its count the value; a word seen again adds one
to the value that is already there, and a new word starts at one.
"""
STRINGS = b"""# Strings

## What a String Is

A string is a growable, UTF-8 encoded piece of text owned by the program. Words and
sentences are stored as strings, and a string can be built up a piece at a time.

## Appending Text

Text can be appended to a string: a single character, or another piece of text, is
added to the end of the string that is already there.
"""


class RecordingWords:
    """The real word search, recording who asked what."""

    def __init__(self, inner: LexicalSearch) -> None:
        self.inner = inner
        self.asked: list[tuple[str, str]] = []

    async def search(
        self, owner: str, query: str, *, k: int = 4, concept: str | None = None
    ) -> list[VectorHit]:
        self.asked.append((owner, query))
        return await self.inner.search(owner, query, k=k, concept=concept)


@dataclass
class Notes:
    resources: Resources
    owner: UUID


@pytest.fixture
async def notes(settings: Settings) -> AsyncIterator[Notes]:
    async with open_resources(settings, warm_up=False) as opened:
        owner = await opened.accounts.create_user("ada", "correct horse battery")
        report = await opened.ingestor.ingest(
            owner.id, [SourceFile("words.md", WORDS), SourceFile("strings.md", STRINGS)]
        )
        assert not [f for f in report.files if f.status == "failed"]
        yield Notes(opened, owner.id)


def recording(notes: Notes) -> tuple[Any, RecordingWords]:
    words = RecordingWords(PostgresLexicalSearch(notes.resources.database.pool))
    context = replace(notes.resources.tutor_context(notes.owner, "thread-1"), lexical=words)
    return context, words


async def test_the_service_gives_the_tutor_a_word_search(notes: Notes) -> None:
    context = notes.resources.tutor_context(notes.owner, "thread-1")
    assert isinstance(context.lexical, PostgresLexicalSearch)


async def test_a_chat_question_is_searched_by_its_words(notes: Notes) -> None:
    context, words = recording(notes)
    graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
    model: FakeChatModel = notes.resources.chat_model  # type: ignore[assignment]
    # An answer the guard refuses: the best passages are quoted instead.
    model.enqueue("loop loop loop loop loop loop loop loop loop loop loop loop loop loop")
    question = "What is split_whitespace for?"
    shown = ""
    async for event in graph.astream(
        {"messages": [HumanMessage(question)], "request": {"kind": "chat", "text": question}},
        config={"configurable": {"thread_id": "thread-1"}},
        context=context,
        stream_mode="custom",
    ):
        if event["event"] == "reset":
            shown = ""
        elif event["event"] == "token":
            shown += event["text"]
    assert (str(notes.owner), question) in words.asked
    assert "split_whitespace" in shown


async def test_see_also_passages_are_searched_by_their_words(notes: Notes) -> None:
    context, words = recording(notes)
    concept = ConceptInfo(key="word splitting", title="split_whitespace")
    hits = await see_also(context, concept, set(), 2)
    assert [asked for asked in words.asked if asked[0] == str(notes.owner)]
    assert any("split_whitespace" in hit.text for hit in hits)
    shown = {hit.id for hit in hits}
    kept = await see_also(context, concept, shown, 2)
    assert not shown & {hit.id for hit in kept}
