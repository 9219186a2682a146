"""A lesson is its concept's own section in reading order, on real ingestion.

Real PostgreSQL, Chroma and embeddings; the notes are a chapter with numbered listings
across its sections and economics notes with tables and figures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.runtime import Runtime

from agents import build_tutor_graph
from agents.concepts import passage
from agents.retriever import retrieve
from agents.state import TutorState
from tests.unit.test_teaching_reading_order import ECONOMICS, RUST
from tutor.config import Settings
from tutor.ingest.files import SourceFile
from tutor.resources import Resources, open_resources

pytestmark = pytest.mark.integration


@dataclass
class Notes:
    resources: Resources
    owner: UUID
    concepts: dict[str, UUID]
    """Teachable concepts by title."""


@pytest.fixture
async def notes(settings: Settings) -> AsyncIterator[Notes]:
    async with open_resources(settings, warm_up=False) as opened:
        owner = await opened.accounts.create_user("ada", "correct horse battery")
        report = await opened.ingestor.ingest(
            owner.id,
            [SourceFile("ch04.md", RUST.encode()), SourceFile("budget.md", ECONOMICS.encode())],
        )
        assert not [f for f in report.files if f.status == "failed"]
        concepts = await opened.planning_graphs.concepts(owner.id)
        teachable = {c.title: c.id for c in concepts.values() if c.role == "teachable"}
        yield Notes(opened, owner.id, teachable)


async def lesson_passages(notes: Notes, title: str, difficulty: str) -> list[Any]:
    context = notes.resources.tutor_context(notes.owner, "t")
    state = TutorState(concept_id=str(notes.concepts[title]), difficulty=difficulty)  # type: ignore[arg-type]
    found = await retrieve(state, Runtime(context=context))
    return [passage(record) for record in found["passages"]]


async def test_a_lessons_passages_are_its_sections_own_in_position_order(notes: Notes) -> None:
    pool = notes.resources.database.pool
    concepts = await notes.resources.planning_graphs.concepts(notes.owner)
    keys = {c.title: c.key for c in concepts.values()}
    checked = 0
    for title in notes.concepts:
        rows = await pool.fetch(
            "SELECT id::text AS id, position FROM chunks WHERE owner_id = $1 AND concept_key = $2",
            notes.owner,
            keys[title],
        )
        if not rows:
            continue
        stored = {row["id"]: row["position"] for row in rows}
        for difficulty in ("intro", "practice"):
            chosen = await lesson_passages(notes, title, difficulty)
            own = [p for p in chosen if not p.see_also]
            assert own, title
            # The section's own chunks as stored, in the author's order.
            assert all(p.concept_key == keys[title] for p in own), title
            assert [p.position for p in own] == [stored[p.chunk_id] for p in own]
            assert [p.position for p in own] == sorted(stored[p.chunk_id] for p in own)
            assert all(p.concept_key != keys[title] for p in chosen if p.see_also), title
        checked += 1
    assert checked >= 5

    # Listing 4-1, named from another section, comes along marked as from elsewhere; the
    # failing listing "the code below" introduces brings the error it gives.
    chosen = await lesson_passages(notes, "Return Values and Scope", "practice")
    texts = [p.text for p in chosen]
    named = next(i for i, text in enumerate(texts) if "*Listing 4-1:" in text)
    assert chosen[named].see_also
    failing = next(i for i, text in enumerate(texts) if "does_not_compile" in text)
    assert "error[E0382]" in texts[failing + 1]


async def test_a_lead_in_lesson_opens_its_subsections_as_see_also(notes: Notes) -> None:
    chosen = await lesson_passages(notes, "What Is Ownership?", "intro")
    assert not chosen[0].see_also and "Ownership is a set of rules" in chosen[0].text
    # Its own prose is one short paragraph: the subsections' openings follow, in order.
    opened = [p.heading_path.rsplit(" > ", 1)[-1] for p in chosen[1:]]
    assert opened == ["Variable Scope", "Return Values and Scope"]
    assert all(p.see_also for p in chosen[1:])


async def test_the_lesson_event_cites_the_section_and_marks_what_comes_from_elsewhere(
    notes: Notes,
) -> None:
    graph = build_tutor_graph().compile(checkpointer=InMemorySaver())
    context = notes.resources.tutor_context(notes.owner, "t")
    # The fake model's text fails the quality guard: the lesson quotes the notes.
    notes.resources.chat_model.enqueue("the the the the the the the the the the the the")  # type: ignore[attr-defined]
    events = [
        event
        async for event in graph.astream(
            {
                "messages": [],
                "request": {
                    "kind": "start_lesson",
                    "concept_id": str(notes.concepts["Opportunity cost"]),
                },
            },
            config={"configurable": {"thread_id": "t"}},
            context=context,
            stream_mode="custom",
        )
    ]
    [lesson] = [e for e in events if e["event"] == "lesson"]
    assert lesson["source"] == "extractive"
    citations = lesson["citations"]
    assert [c["see_also"] for c in citations] == [True, False, True]
    assert "Figure 1: Sam's budget constraint" in citations[0]["text"]
    assert "The opportunity cost of a pizza is two burritos" in citations[2]["text"]
