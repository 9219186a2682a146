"""The PostgreSQL graph store on the real embedded PostgreSQL, migrations applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg
import pytest

from tests.integration.graph_contract import GraphStoreContract, NewOwner, concept, edge
from tutor.graph.postgres import PostgresGraphStore

pytestmark = pytest.mark.integration


@pytest.fixture
def new_owner(pool: asyncpg.Pool) -> NewOwner:
    async def create() -> UUID:
        owner = uuid4()
        await pool.execute(
            "INSERT INTO users (id, name) VALUES ($1, $2)", owner, f"learner {owner.hex[:8]}"
        )
        return owner

    return create


@pytest.fixture
async def store(pool: asyncpg.Pool) -> AsyncIterator[PostgresGraphStore]:
    store = PostgresGraphStore(pool, where="the test database")
    await store.setup()
    yield store
    await store.close()


class TestPostgresGraphStore(GraphStoreContract):
    pass


async def test_a_failing_put_leaves_nothing_behind(
    store: PostgresGraphStore, pool: asyncpg.Pool, new_owner: NewOwner
) -> None:
    owner = await new_owner()
    document = uuid4()
    await store.put_document_graph(owner, document, [concept("a", 0), concept("b", 1)], [])
    before = await store.concepts(owner)
    # Fails at the edges, after the concepts were written in the same transaction.
    await pool.execute(
        "ALTER TABLE concept_edges ADD CONSTRAINT no_model_edges CHECK (origin <> 'model')"
    )
    with pytest.raises(asyncpg.CheckViolationError):
        await store.put_document_graph(
            owner,
            document,
            [concept("a", 0, title="changed"), concept("c", 2)],
            [edge("c", "a", origin="model")],
        )
    assert await store.concepts(owner) == before


async def test_a_document_is_written_in_a_few_round_trips(
    database_url: str, pool: asyncpg.Pool, new_owner: NewOwner
) -> None:
    owner = await new_owner()
    statements: list[str] = []

    async def log_queries(connection: asyncpg.Connection) -> None:
        connection.add_query_logger(lambda record: statements.append(record.query))

    async with asyncpg.create_pool(
        database_url, min_size=1, max_size=1, init=log_queries
    ) as logged:
        store = PostgresGraphStore(logged)
        drafts = [concept(f"c{i}", i) for i in range(200)]
        edges = [edge(f"c{i}", f"c{i // 10}") for i in range(10, 200)]
        # The first put also loads asyncpg's type codecs; count the second.
        await store.put_document_graph(owner, uuid4(), drafts[:20], edges[:5])
        statements.clear()
        await store.put_document_graph(owner, uuid4(), drafts, edges)
        # BEGIN, the owner's lock, five statements, COMMIT (the pool's reset follows).
        transaction = statements[: statements.index("COMMIT;") + 1]
        assert len(transaction) <= 8, transaction
        assert len(await store.concepts(owner)) == 200
        assert len(await store.edges(owner)) == 190


async def test_deleting_the_user_deletes_their_graph(
    store: PostgresGraphStore, pool: asyncpg.Pool, new_owner: NewOwner
) -> None:
    owner = await new_owner()
    await store.put_document_graph(
        owner, uuid4(), [concept("a", 0), concept("b", 1)], [edge("b", "a")]
    )
    await pool.execute("DELETE FROM users WHERE id = $1", owner)
    assert await pool.fetchval("SELECT count(*) FROM concepts") == 0
    assert await pool.fetchval("SELECT count(*) FROM concept_edge_documents") == 0


async def test_ping_names_the_server(store: PostgresGraphStore) -> None:
    assert (await store.ping()).startswith("PostgreSQL ")
    assert store.where == "tables in the test database"
