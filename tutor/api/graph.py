"""``/api/v1/graph``: the concept graph for the UI (positions are the client's to lay out)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from pydantic import BaseModel, ConfigDict, Field

from tutor.api.errors import error_responses
from tutor.auth.store import User
from tutor.graph.model import ConceptRole
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
    role: ConceptRole = Field(
        description=(
            "What the concept is for: only `teachable` concepts are taught; a `chapter` "
            "groups teachable parts; front and back matter and `navigation` are kept for "
            "the outline and for search"
        )
    )
    terms: list[str] = Field(description="Terms the concept introduces, case-folded")


class ConceptEdge(BaseModel):
    """An edge: `part_of` goes part -> whole; `prerequisite` goes before -> after."""

    source: UUID
    target: UUID
    kind: str
    weight: float
    origin: str


class ConceptGraph(BaseModel):
    """Every concept and edge of the learner's notes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nodes": [
                        {
                            "id": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                            "key": "ownership",
                            "title": "Ownership",
                            "summary": "Each value has one owner; it is dropped with its owner.",
                            "level": 2,
                            "position": 0,
                            "key_points": ["Each value has exactly one owner."],
                            "documents": ["9a4f7c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b"],
                            "role": "teachable",
                            "terms": [],
                        },
                        {
                            "id": "8f2b3c4d-5e6f-4a71-9b2c-3d4e5f6a7b8c",
                            "key": "borrowing",
                            "title": "Borrowing",
                            "summary": "References use a value without owning it.",
                            "level": 2,
                            "position": 1,
                            "key_points": ["A reference never outlives its value."],
                            "documents": ["9a4f7c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b"],
                            "role": "teachable",
                            "terms": [],
                        },
                    ],
                    "edges": [
                        {
                            "source": "7e1a2b3c-4d5e-4f60-8a1b-2c3d4e5f6a7b",
                            "target": "8f2b3c4d-5e6f-4a71-9b2c-3d4e5f6a7b8c",
                            "kind": "prerequisite",
                            "weight": 0.8,
                            "origin": "order",
                        }
                    ],
                }
            ]
        }
    )

    nodes: list[ConceptNode]
    edges: list[ConceptEdge]


class GraphController(Controller):
    """The concept graph."""

    path = "/api/v1"
    tags = ("graph",)

    @get("/graph", summary="The concept graph", responses=error_responses(401))
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
                    role=c.role,
                    terms=list(c.terms),
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
