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

REUSE_PENALTY = 0.15
"""Score taken off a passage used in one of the learner's recent lessons on the concept."""
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
    if len(hits) < wanted:
        seen = {hit.id for hit in hits}
        more = await context.vectors.search_mmr(owner, query, k=wanted * 2, fetch_k=wanted * 6)
        hits += [hit for hit in more if hit.id not in seen]
    chosen = rank(hits, used, concept)[:wanted]
    return {"passages": [record(p) for p in chosen]}


def rank(hits: Sequence[VectorHit], used: set[str], concept: ConceptInfo) -> list[Passage]:
    """Passages best first, those of recent lessons pushed down; the concept's own first."""

    def adjusted(hit: VectorHit) -> float:
        own = hit.metadata.get("concept") == concept.key
        return hit.score - (REUSE_PENALTY if hit.id in used else 0.0) + (0.1 if own else 0.0)

    return [as_passage(hit) for hit in sorted(hits, key=adjusted, reverse=True)]


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
