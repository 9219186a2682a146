"""The builder that picks the graph store adapter from the settings."""

from __future__ import annotations

from tutor.config import GraphSettings
from tutor.db import Database
from tutor.graph.neo4j import Neo4jGraphStore
from tutor.graph.port import GraphStore
from tutor.graph.postgres import PostgresGraphStore


def build_graph_store(settings: GraphSettings, database: Database) -> GraphStore:
    """The Neo4j store when ``TUTOR_NEO4J_URI`` is set, else tables in ``database``.

    Nothing connects yet. Call :meth:`GraphStore.setup` once at start: it creates
    Neo4j's constraints and indexes (the PostgreSQL tables come with the migrations).

    Raises:
        ConfigurationError: ``TUTOR_NEO4J_URI`` is not a usable Bolt URI.
    """
    if settings.uri:
        return Neo4jGraphStore.from_settings(settings)
    return PostgresGraphStore(database.pool, where=database.where)
