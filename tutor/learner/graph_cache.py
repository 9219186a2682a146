"""Compiled planning graphs, kept per learner until their notes change, with plan rules.

Compiling a large graph costs far more than planning on it (about 0.8 s against under
5 ms for 10,000 concepts), so it happens once per version of the learner's notes. The
version is read from PostgreSQL, so every worker sees a change another one made.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from tutor.graph.model import Concept
from tutor.graph.port import GraphStore
from tutor.learner._planning_graph import PlanningGraph
from tutor.learner.planning import PlanRules

_MAX_LEARNERS = 256
"""Graphs kept at once; the least recently built goes first."""


class PlanningGraphs:
    """The learners' compiled graphs, rebuilt when their documents change."""

    def __init__(
        self, pool: asyncpg.Pool, graph: GraphStore, rules: PlanRules | None = None
    ) -> None:
        self._pool = pool
        self._graph = graph
        self.rules = rules or PlanRules()
        """When plans on these graphs move on from a concept (the mastery threshold is
        the learner store's)."""
        self._cache: dict[UUID, tuple[tuple[object, ...], PlanningGraph, dict[UUID, Concept]]] = {}

    async def get(self, owner: UUID) -> PlanningGraph:
        """The owner's current planning graph."""
        return (await self.current(owner))[0]

    async def concepts(self, owner: UUID) -> dict[UUID, Concept]:
        """The owner's concepts by id, as of the current planning graph."""
        return (await self.current(owner))[1]

    async def current(self, owner: UUID) -> tuple[PlanningGraph, dict[UUID, Concept]]:
        """The owner's planning graph and concepts by id, with one look at the version."""
        row = await self._pool.fetchrow(
            "SELECT count(*), max(updated_at), max(created_at) FROM documents WHERE owner_id = $1",
            owner,
        )
        version = tuple(row.values())
        cached = self._cache.get(owner)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        concepts = await self._graph.concepts(owner)
        built = PlanningGraph.build(concepts, await self._graph.edges(owner))
        by_id = {concept.id: concept for concept in concepts}
        self._cache.pop(owner, None)
        self._cache[owner] = (version, built, by_id)
        while len(self._cache) > _MAX_LEARNERS:
            del self._cache[next(iter(self._cache))]
        return built, by_id
