"""The retriever node: the passages of the learner's notes a lesson on the concept uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from langgraph.runtime import Runtime

from agents.concepts import concept_info, record
from agents.context import TutorContext
from agents.state import TutorState
from tutor.teaching.material import ConceptInfo, Passage
from tutor.vectors import VectorHit

_CANDIDATES = 3
"""Candidates fetched per passage kept, so that reranking has something to choose from."""


async def retrieve(state: TutorState, runtime: Runtime[TutorContext]) -> dict[str, Any]:
    """Search the concept's own passages first, then the rest of the notes; prefer fresh ones."""
    context = runtime.context
    concept_id = state.concept_id
    assert concept_id is not None, "the planner routes here only with a concept"
    concept = await concept_info(context, UUID(concept_id))
    if concept is None:
        return {"passages": []}
    earlier = await context.lessons.earlier(
        context.owner, UUID(concept_id), context.settings.recent_lessons
    )
    used = {chunk for lesson in earlier for chunk in lesson.chunk_ids}
    # Passages of lessons the learner rated poorly are avoided like recently used ones.
    used |= await context.lessons.disliked_chunks(context.owner, UUID(concept_id))
    wanted = context.settings.lesson_passages
    query = f"{concept.title}. {concept.summary}".strip()
    owner = str(context.owner)
    hits = await context.vectors.search_mmr(
        owner,
        query,
        k=wanted * _CANDIDATES,
        fetch_k=wanted * _CANDIDATES * 2,
        lambda_mult=0.7,
        where={"concept": concept.key},
    )
    # Related passages elsewhere in the notes: another angle once the concept's own
    # passages have all been taught.
    seen = {hit.id for hit in hits}
    more = await context.vectors.search_mmr(
        owner, query, k=wanted * _CANDIDATES, fetch_k=wanted * _CANDIDATES * 3
    )
    hits += [hit for hit in more if hit.id not in seen]
    chosen = rank(hits, used, concept)[:wanted]
    return {"passages": [record(p) for p in chosen]}


def rank(hits: Sequence[VectorHit], used: set[str], concept: ConceptInfo) -> list[Passage]:
    """Passages in the order a lesson should draw on them.

    Passages no recent lesson on the concept used come first; among those, the concept's
    own before related ones elsewhere; then by relevance.
    """

    def order(hit: VectorHit) -> tuple[bool, bool, float]:
        return (hit.id in used, hit.metadata.get("concept") != concept.key, -hit.score)

    return [as_passage(hit) for hit in sorted(hits, key=order)]


def as_passage(hit: VectorHit) -> Passage:
    """A vector hit as a passage; the heading path the vector text starts with is removed."""
    heading = str(hit.metadata.get("heading_path", ""))
    text = hit.text.removeprefix(f"{heading}\n\n") if heading else hit.text
    return Passage(
        chunk_id=hit.id,
        text=text,
        heading_path=heading,
        document_path=str(hit.metadata.get("path", "")),
        concept_key=str(hit.metadata.get("concept", "")),
        kind=str(hit.metadata.get("kind", "prose")),
        score=hit.score,
    )
