"""The builder picks the graph store from the settings, connecting to nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tutor.config import GraphSettings
from tutor.db import Database
from tutor.errors import ConfigurationError
from tutor.graph.build import build_graph_store
from tutor.graph.neo4j import Neo4jGraphStore
from tutor.graph.postgres import PostgresGraphStore


def _database() -> Database:
    pool: Any = object()  # never used: building connects to nothing
    return Database(pool, "postgresql://u@/tutor", "embedded PostgreSQL in /data", None)


def test_without_a_neo4j_uri_the_graph_lives_in_postgresql() -> None:
    store = build_graph_store(GraphSettings(uri=None), _database())
    assert isinstance(store, PostgresGraphStore)
    assert store.where == "tables in embedded PostgreSQL in /data"


async def test_a_neo4j_uri_gives_the_neo4j_store_without_its_password() -> None:
    settings = GraphSettings(uri="bolt://graph:7687", user="neo4j", password="secret", batch_size=7)
    store = build_graph_store(settings, _database())
    try:
        assert isinstance(store, Neo4jGraphStore)
        assert store.where == "Neo4j at bolt://graph:7687"
        assert "secret" not in store.where
    finally:
        await store.close()


def test_a_malformed_neo4j_uri_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a usable Bolt URI"):
        build_graph_store(GraphSettings(uri="graph:7687"), _database())
