"""Concepts and passages as the nodes need them, read through the context's ports."""

from __future__ import annotations

from dataclasses import asdict
from typing import cast
from uuid import UUID

from langchain_core.messages import AIMessage

from agents.context import TutorContext
from agents.events import stream_text
from agents.state import PassageRecord
from tutor.graph.model import Concept
from tutor.teaching.material import ConceptInfo, Passage

_SIBLINGS = 6
"""Related concepts offered to exercise generators (distractors come from these)."""


def as_uuid(value: str | None) -> UUID | None:
    """``value`` as a UUID, or None when it is missing or malformed."""
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def info(concept: Concept) -> ConceptInfo:
    """The parts of a stored concept that teaching uses."""
    return ConceptInfo(
        concept.key, concept.title, concept.summary, concept.key_points, concept.terms
    )


async def concept_info(context: TutorContext, concept_id: UUID) -> ConceptInfo | None:
    """One of the learner's concepts, or None when it is not theirs (or gone)."""
    concept = (await context.planning_graphs.concepts(context.owner)).get(concept_id)
    return None if concept is None else info(concept)


async def siblings(context: TutorContext, concept_id: UUID) -> list[ConceptInfo]:
    """Concepts next to this one: parts of the same whole, else neighbours in the notes."""
    graph, concepts = await context.planning_graphs.current(context.owner)
    index = graph.index.get(concept_id)
    if index is None:
        return []
    near = [part for whole in graph.wholes[index] for part in graph.parts[whole]]
    if len(near) <= 1:
        place = graph.by_position.index(index)
        near = list(graph.by_position[max(0, place - _SIBLINGS) : place + _SIBLINGS + 1])
    ids = [graph.ids[i] for i in dict.fromkeys(near) if i != index]
    return [info(concepts[i]) for i in ids[:_SIBLINGS] if i in concepts]


async def concept_parts(context: TutorContext, concept_key: str) -> tuple[ConceptInfo, ...]:
    """A concept's direct parts (its subsections), in the author's order."""
    graph, concepts = await context.planning_graphs.current(context.owner)
    found = next((c.id for c in concepts.values() if c.key == concept_key), None)
    index = graph.index.get(found) if found is not None else None
    if index is None:
        return ()
    parts = sorted(graph.parts[index], key=lambda part: graph.positions[part])
    return tuple(info(concepts[graph.ids[part]]) for part in parts if graph.ids[part] in concepts)


async def part_titles(context: TutorContext, concept_key: str) -> tuple[str, ...]:
    """The titles of a concept's direct parts (its subsections), in the author's order."""
    return tuple(part.title for part in await concept_parts(context, concept_key))


def record(passage: Passage) -> PassageRecord:
    """A passage as kept in state."""
    return cast("PassageRecord", asdict(passage))


def passage(stored: PassageRecord) -> Passage:
    """A passage back from state."""
    return Passage(**stored)


async def say(text: str) -> dict[str, list[AIMessage]]:
    """Stream a short fixed reply and add it to the conversation."""
    await stream_text(text)
    return {"messages": [AIMessage(text)]}
