"""``/api/v1/graph``: the concept graph for the UI (positions are the client's to lay out)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from pydantic import BaseModel, Field

from tutor.auth.store import User
from tutor.resources import Resources


class ConceptNode(BaseModel):
    """A concept."""

    id: UUID
    key: str
    title: str
    summary: str
    level: int
    position: int = Field(description="Place in the author's order; smaller comes first")
    key_points: list[str]
    documents: list[UUID]


class ConceptEdge(BaseModel):
    """An edge: `part_of` goes part -> whole; `prerequisite` goes before -> after."""

    source: UUID
    target: UUID
    kind: str
    weight: float
    origin: str


class ConceptGraph(BaseModel):
    """Every concept and edge of the learner's notes."""

    nodes: list[ConceptNode]
    edges: list[ConceptEdge]


class GraphController(Controller):
    """The concept graph."""

    path = "/api/v1"
    tags = ("graph",)

    @get("/graph", summary="The concept graph")
    async def graph(
        self,
        resources: NamedDependency[Resources],
        user: NamedDependency[User],
    ) -> ConceptGraph:
        """Nodes in the author's order, and every edge."""
        concepts = await resources.graph_store.concepts(user.id)
        edges = await resources.graph_store.edges(user.id)
        return ConceptGraph(
            nodes=[
                ConceptNode(
                    id=c.id,
                    key=c.key,
                    title=c.title,
                    summary=c.summary,
                    level=c.level,
                    position=c.position,
                    key_points=list(c.key_points),
                    documents=sorted(c.documents),
                )
                for c in concepts
            ],
            edges=[
                ConceptEdge(
                    source=e.source, target=e.target, kind=e.kind, weight=e.weight, origin=e.origin
                )
                for e in edges
            ],
        )
