"""The Neo4j graph store: Cypher over Bolt, through the official async ``neo4j`` driver.

The graph: ``(:Concept {id, owner, key, title, summary, level, key_points, position,
role, terms, documents, positions})`` joined by ``[:PART_OF]`` and ``[:PREREQUISITE]`` relationships
carrying ``{weight, origin, documents}``. ``documents`` lists the supporting documents;
``positions`` holds, in the same order, the position each of them gives the concept, and
``position`` is the lowest of them. One ``(:ConceptGraphLock {owner})`` node per owner
is written first by every change of that owner's graph, which serialises them.

The same Cypher runs on Neo4j 5 and on FalkorDB's Bolt endpoint (the test server); the
dialect is detected once. FalkorDB differs in ways that shape this module:

- it splices parameters into the query text as literals without escaping them, inside
  a 4 KB buffer that overflows (and crashes the server) on a larger message: strings
  are escaped for it, every statement's rows are split so that the message stays
  under :data:`FALKORDB_MESSAGE_BYTES`, and a concept whose text alone would not fit is
  written first without it and then appended to piece by piece;
- its explicit transactions are accepted but do nothing (each statement commits at
  once), so a put refused for unknown keys is checked before anything is written;
- a filter on a property set earlier in the same query is moved before the ``SET``
  (which then changes nothing): filters test values computed before the ``SET``;
- it has no Cypher for constraints: :meth:`Neo4jGraphStore.setup` creates indexes
  there, and uniqueness of (owner, key) rests on ``MERGE`` (FalkorDB runs one write
  query at a time);
- after a client says GOODBYE (what the driver does when it closes a connection), the
  next connection's handshake goes unanswered until that client gives up: share one
  driver rather than opening and closing many (``own_driver=False``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast
from uuid import UUID, uuid4

import neo4j
from neo4j.exceptions import ConfigurationError as DriverConfigurationError
from neo4j.exceptions import Neo4jError

from tutor.config import GraphSettings
from tutor.db import redact
from tutor.errors import ConfigurationError
from tutor.graph.model import (
    Concept,
    ConceptDraft,
    ConceptRole,
    Edge,
    EdgeDraft,
    EdgeKind,
    EdgeOrigin,
)
from tutor.graph.port import (
    EDGE_KINDS,
    EdgeRef,
    check_drafts,
    outside_keys,
    refuse_unknown_keys,
)

_log = logging.getLogger(__name__)

Dialect = Literal["neo4j", "falkordb"]
"""The Cypher server behind the Bolt endpoint."""

FALKORDB_MESSAGE_BYTES = 3600
"""Most bytes one statement may take on FalkorDB once its parameters are spliced in as
literals (its buffer holds 4096, query text included)."""
_NEO4J_MESSAGE_BYTES = 4 * 1024 * 1024
"""Neo4j has no such limit; this only keeps single messages reasonable."""

_TYPES: dict[EdgeKind, str] = {"part_of": "PART_OF", "prerequisite": "PREREQUISITE"}
_KINDS: dict[str, EdgeKind] = {name: kind for kind, name in _TYPES.items()}

# -- Cypher ------------------------------------------------------------------------

_PROBE = "CALL dbms.components() YIELD name RETURN name"
_FALKORDB_PROBE = "CALL db.indexes() YIELD label RETURN count(label) AS indexes"

_NEO4J_SCHEMA = (
    "CREATE CONSTRAINT concept_owner_key IF NOT EXISTS "
    "FOR (c:Concept) REQUIRE (c.owner, c.key) IS UNIQUE",
    "CREATE CONSTRAINT concept_id IF NOT EXISTS FOR (c:Concept) REQUIRE c.id IS UNIQUE",
    "CREATE INDEX concept_owner IF NOT EXISTS FOR (c:Concept) ON (c.owner)",
    "CREATE CONSTRAINT concept_graph_lock_owner IF NOT EXISTS "
    "FOR (l:ConceptGraphLock) REQUIRE l.owner IS UNIQUE",
)
_FALKORDB_INDEXES = (
    ("Concept", "owner"),
    ("Concept", "key"),
    ("Concept", "id"),
    ("ConceptGraphLock", "owner"),
)

_LOCK_OWNER = "MERGE (l:ConceptGraphLock {owner: $owner}) SET l.writes = coalesce(l.writes, 0) + 1"

_SUPPORTED_ELSEWHERE = """
UNWIND $rows AS concept_key
MATCH (c:Concept {owner: $owner, key: concept_key})
WHERE any(d IN c.documents WHERE d <> $document)
RETURN c.key AS key, c.id AS id
"""

_PUT_CONCEPTS = """
UNWIND $rows AS row
MERGE (c:Concept {owner: $owner, key: row.key})
ON CREATE SET c.id = row.id, c.documents = [], c.positions = []
WITH c, row, [i IN range(0, size(c.documents) - 1) WHERE c.documents[i] <> $document] AS kept
WITH c, row, [i IN kept | c.documents[i]] + [$document] AS documents,
     [i IN kept | c.positions[i]] + [row.position] AS positions
SET c.title = row.title, c.summary = row.summary, c.level = row.level,
    c.key_points = row.key_points, c.role = row.role, c.terms = row.terms,
    c.documents = documents, c.positions = positions,
    c.position = reduce(low = row.position, p IN positions |
                        CASE WHEN p < low THEN p ELSE low END)
RETURN c.key AS key, c.id AS id
"""

_APPEND_TEXT = {
    "title": "MATCH (c:Concept {owner: $owner, key: $key}) SET c.title = c.title + $piece",
    "summary": "MATCH (c:Concept {owner: $owner, key: $key}) SET c.summary = c.summary + $piece",
}
_APPEND_POINT = (
    "MATCH (c:Concept {owner: $owner, key: $key}) SET c.key_points = c.key_points + [$piece]"
)
_APPEND_TERM = "MATCH (c:Concept {owner: $owner, key: $key}) SET c.terms = c.terms + [$piece]"
_EXTEND_POINT = (
    "MATCH (c:Concept {owner: $owner, key: $key}) "
    "SET c.key_points = c.key_points[..-1] + [last(c.key_points) + $piece]"
)

_DOCUMENT_CONCEPTS = """
MATCH (c:Concept {owner: $owner}) WHERE $document IN c.documents RETURN c.id AS id
"""

_WITHDRAW_CONCEPTS = """
UNWIND $rows AS concept_id
MATCH (c:Concept {id: concept_id}) WHERE c.owner = $owner
WITH c, [i IN range(0, size(c.documents) - 1) WHERE c.documents[i] <> $document] AS kept
WITH c, [i IN kept | c.documents[i]] AS documents, [i IN kept | c.positions[i]] AS positions
SET c.documents = documents, c.positions = positions,
    c.position = reduce(low = head(positions), p IN positions |
                        CASE WHEN p < low THEN p ELSE low END)
WITH c, size(documents) AS supporters WHERE supporters = 0
DETACH DELETE c
"""

_PUT_EDGES = """
UNWIND $rows AS row
MATCH (s:Concept {id: row.source}) WHERE s.owner = $owner
MATCH (t:Concept {id: row.target}) WHERE t.owner = $owner
MERGE (s)-[r:{type}]->(t)
ON CREATE SET r.documents = []
SET r.weight = row.weight, r.origin = row.origin,
    r.documents = [d IN r.documents WHERE d <> $document] + [$document]
"""

_DOCUMENT_EDGES = """
MATCH (s:Concept {owner: $owner})-[r:PART_OF|PREREQUISITE]->(t:Concept)
WHERE $document IN r.documents
RETURN s.id AS source, t.id AS target, type(r) AS relation
"""

_WITHDRAW_EDGES = """
UNWIND $rows AS row
MATCH (s:Concept {id: row.source})-[r:{type}]->(t:Concept {id: row.target})
WHERE s.owner = $owner
WITH r, [d IN r.documents WHERE d <> $document] AS documents
SET r.documents = documents
WITH r, size(documents) AS supporters WHERE supporters = 0
DELETE r
"""

_CONCEPTS = """
MATCH (c:Concept {owner: $owner})
RETURN c.id AS id, c.key AS key, c.title AS title, c.summary AS summary, c.level AS level,
       c.key_points AS key_points, c.position AS position, c.documents AS documents,
       c.role AS role, c.terms AS terms
ORDER BY c.position, c.key
"""

_EDGES = """
MATCH (s:Concept {owner: $owner})-[r:{types}]->(t:Concept)
RETURN s.id AS source, t.id AS target, type(r) AS relation, r.weight AS weight,
       r.origin AS origin
ORDER BY s.position, t.position, s.key, t.key, relation
"""

_CONCEPT_IDS = """
UNWIND $rows AS concept_key
MATCH (c:Concept {owner: $owner, key: concept_key})
RETURN c.key AS key, c.id AS id
"""

_DELETE_EDGES = """
UNWIND $rows AS row
MATCH (s:Concept {id: row.source})-[r:{type}]->(t:Concept {id: row.target})
WHERE s.owner = $owner
DELETE r
RETURN count(*) AS deleted
"""

_DELETE_OWNER = (
    "MATCH (c:Concept {owner: $owner}) DETACH DELETE c",
    "MATCH (l:ConceptGraphLock {owner: $owner}) DELETE l",
)


# -- parameters as FalkorDB sees them ------------------------------------------------


def falkordb_escape(value: Any) -> Any:
    """``value`` with every string escaped for a single-quoted Cypher literal."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, Mapping):
        return {key: falkordb_escape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [falkordb_escape(item) for item in value]
    return value


def rendered_size(value: Any) -> int:
    """Bytes ``value`` takes when written as a Cypher literal the way FalkorDB writes it.

    Strings count as given: escape them first (:func:`falkordb_escape`).
    """
    if value is None:
        return 4
    if isinstance(value, bool):
        return 4 if value else 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(f"{value:f}")
    if isinstance(value, str):
        return len(value.encode()) + 2
    if isinstance(value, Mapping):
        items = sum(len(str(k).encode()) + 2 + rendered_size(v) for k, v in value.items())
        return 2 + items + 2 * max(len(value) - 1, 0)
    if isinstance(value, list | tuple):
        return 2 + sum(rendered_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    raise TypeError(f"cannot size a parameter of type {type(value).__name__}")


def message_size(query: str, params: Mapping[str, Any]) -> int:
    """Bytes of the text FalkorDB builds from a statement and its parameters."""
    spliced = sum(len(name) + 1 + rendered_size(value) + 1 for name, value in params.items())
    return len("CYPHER ") + spliced + len(query.encode())


def split_rows(
    rows: Sequence[Any], *, max_rows: int, max_bytes: int, fixed_bytes: int
) -> list[list[Any]]:
    """Cut ``rows`` into batches of at most ``max_rows`` rows and ``max_bytes`` bytes.

    ``fixed_bytes`` is what the statement takes without its rows (query text and the
    other parameters); a batch's rows are rendered as one list.

    Raises:
        ValueError: one row alone does not fit in ``max_bytes``.
    """
    batches: list[list[Any]] = []
    current: list[Any] = []
    size = fixed_bytes + 2
    for row in rows:
        row_size = rendered_size(row) + 2
        if fixed_bytes + 2 + row_size > max_bytes:
            raise ValueError(
                f"a row of {row_size} bytes does not fit in a {max_bytes}-byte message"
            )
        if current and (len(current) >= max_rows or size + row_size > max_bytes):
            batches.append(current)
            current, size = [], fixed_bytes + 2
        current.append(row)
        size += row_size
    if current:
        batches.append(current)
    return batches


def split_text(text: str, max_bytes: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_bytes`` bytes once escaped and encoded."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        char_size = len(falkordb_escape(char).encode())
        if current and size + char_size > max_bytes:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += char_size
    if current or not pieces:
        pieces.append("".join(current))
    return pieces


@dataclass(frozen=True)
class _Statement:
    query: str
    params: dict[str, Any]


class Neo4jGraphStore:
    """The concept graph on a Neo4j 5 server (or FalkorDB's Bolt endpoint).

    Every change of one document's graph runs in one write transaction (on FalkorDB,
    whose transactions do nothing, statement by statement). The server's default
    database is used.

    Args:
        driver: The driver to the server.
        where: Where the graph lives, in words (no password).
        batch_size: Most rows sent in one statement.
        dialect: The server's dialect when known; else it is asked on first use.
        own_driver: Close the driver in :meth:`close`; False leaves it to its owner.
    """

    def __init__(
        self,
        driver: neo4j.AsyncDriver,
        *,
        where: str,
        batch_size: int = 100,
        dialect: Dialect | None = None,
        own_driver: bool = True,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._driver = driver
        self._where = where
        self._batch_size = batch_size
        self._dialect = dialect
        self._own_driver = own_driver

    @classmethod
    def from_settings(cls, settings: GraphSettings) -> Neo4jGraphStore:
        """A store on the Bolt server of ``TUTOR_NEO4J_URI``; nothing connects yet.

        Raises:
            ConfigurationError: the URI is missing or malformed.
        """
        if not settings.uri:
            raise ConfigurationError("TUTOR_NEO4J_URI is not set")
        try:
            driver = neo4j.AsyncGraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password)
            )
        except (ValueError, DriverConfigurationError) as error:
            raise ConfigurationError(
                f"TUTOR_NEO4J_URI {redact(settings.uri)!r} is not a usable Bolt URI: {error}"
            ) from error
        return cls(driver, where=f"Neo4j at {redact(settings.uri)}", batch_size=settings.batch_size)

    @property
    def where(self) -> str:
        """Where the graph lives, in words."""
        return self._where

    async def dialect(self) -> Dialect:
        """Which server answers: Neo4j, or FalkorDB (asked once, then remembered)."""
        if self._dialect is None:
            try:
                await self._driver.execute_query(_PROBE)
            except Neo4jError as error:
                # Not Neo4j's procedures: FalkorDB if its own answer, else a real failure.
                try:
                    await self._driver.execute_query(_FALKORDB_PROBE)
                except Neo4jError:
                    raise error from None
                self._dialect = "falkordb"
            else:
                self._dialect = "neo4j"
            _log.info("graph store at %s speaks the %s dialect", self._where, self._dialect)
        return self._dialect

    async def setup(self) -> None:
        """Create the constraints and indexes the store relies on; idempotent."""
        if await self.dialect() == "neo4j":
            for statement in _NEO4J_SCHEMA:
                await self._driver.execute_query(statement)
            return
        present = await self._falkordb_indexes()
        for label, prop in _FALKORDB_INDEXES:
            if (label, prop) in present:
                continue
            try:
                await self._driver.execute_query(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
            except Neo4jError:
                # Another process may have created it a moment ago; fail only if absent.
                if (label, prop) not in await self._falkordb_indexes():
                    raise

    async def _falkordb_indexes(self) -> set[tuple[str, str]]:
        records, _, _ = await self._driver.execute_query(
            "CALL db.indexes() YIELD label, properties RETURN label, properties"
        )
        return {(r["label"], p) for r in records for p in r["properties"]}

    # -- writes --------------------------------------------------------------------

    async def put_document_graph(
        self,
        owner: UUID,
        document_id: UUID,
        concepts: Sequence[ConceptDraft],
        edges: Sequence[EdgeDraft],
    ) -> dict[str, UUID]:
        """Make the graph this document supports exactly ``concepts`` and ``edges``.

        See :meth:`tutor.graph.port.GraphStore.put_document_graph`.
        """
        drafts, edge_drafts = check_drafts(concepts, edges)
        await self.dialect()

        async def work(tx: neo4j.AsyncManagedTransaction) -> dict[str, UUID]:
            return await self._put(tx, str(owner), str(document_id), drafts, edge_drafts)

        async with self._driver.session() as session:
            return await session.execute_write(work)

    async def _put(
        self,
        tx: neo4j.AsyncManagedTransaction,
        owner: str,
        document: str,
        concepts: list[ConceptDraft],
        edges: list[EdgeDraft],
    ) -> dict[str, UUID]:
        await self._run(tx, _LOCK_OWNER, owner=owner)
        ids: dict[str, str] = {}
        outside = outside_keys(concepts, edges)
        if outside:
            found = await self._run_rows(
                tx, _SUPPORTED_ELSEWHERE, outside, owner=owner, document=document
            )
            ids.update((r["key"], r["id"]) for r in found)
            refuse_unknown_keys(set(outside) - ids.keys())

        put: dict[str, str] = {}
        rows: list[dict[str, Any]] = []
        appends: list[_Statement] = []
        for concept in concepts:
            row, more = self._fit_concept(owner, document, concept)
            rows.append(row)
            appends.extend(more)
        for record in await self._run_rows(tx, _PUT_CONCEPTS, rows, owner=owner, document=document):
            put[record["key"]] = record["id"]
        for statement in appends:
            await self._run(tx, statement.query, **statement.params)

        supported = await self._run(tx, _DOCUMENT_CONCEPTS, owner=owner, document=document)
        kept = set(put.values())
        stale = sorted({r["id"] for r in supported} - kept)
        await self._run_rows(tx, _WITHDRAW_CONCEPTS, stale, owner=owner, document=document)

        ids.update(put)
        wanted = {(ids[e.source], ids[e.target], e.kind): e for e in edges}
        for kind in EDGE_KINDS:
            edge_rows = [
                {"source": s, "target": t, "weight": e.weight, "origin": e.origin}
                for (s, t, k), e in wanted.items()
                if k == kind
            ]
            query = _PUT_EDGES.replace("{type}", _TYPES[kind])
            await self._run_rows(tx, query, edge_rows, owner=owner, document=document)

        current = await self._run(tx, _DOCUMENT_EDGES, owner=owner, document=document)
        stale_edges = sorted(
            {(r["source"], r["target"], _KINDS[r["relation"]]) for r in current} - wanted.keys()
        )
        for kind in EDGE_KINDS:
            withdraw = [{"source": s, "target": t} for s, t, k in stale_edges if k == kind]
            query = _WITHDRAW_EDGES.replace("{type}", _TYPES[kind])
            await self._run_rows(tx, query, withdraw, owner=owner, document=document)
        return {key: UUID(value) for key, value in put.items()}

    def _fit_concept(
        self, owner: str, document: str, concept: ConceptDraft
    ) -> tuple[dict[str, Any], list[_Statement]]:
        """The concept's row, and appends for text too long to travel in one message."""
        row: dict[str, Any] = {
            "key": concept.key,
            "id": str(uuid4()),
            "title": concept.title,
            "summary": concept.summary,
            "level": concept.level,
            "key_points": list(concept.key_points),
            "position": concept.position,
            "role": concept.role,
            "terms": list(concept.terms),
        }
        fixed = self._fixed_bytes(_PUT_CONCEPTS, owner=owner, document=document)
        if fixed + 4 + rendered_size(self._params(row=row)["row"]) <= self._max_bytes:
            return row, []
        # Too long for one message: the text follows in pieces, each in its own statement.
        row.update(title="", summary="", key_points=[], terms=[])
        appends: list[_Statement] = []
        probe = self._params(owner=owner, key=concept.key, piece="")
        room = self._max_bytes - message_size(_EXTEND_POINT, probe)
        if room < 64:
            raise ValueError(f"the concept key {concept.key[:80]!r} is too long for the server")
        for field in ("title", "summary"):
            text: str = getattr(concept, field)
            for piece in split_text(text, room) if text else []:
                appends.append(
                    _Statement(
                        _APPEND_TEXT[field], {"owner": owner, "key": concept.key, "piece": piece}
                    )
                )
        for point in concept.key_points:
            for index, piece in enumerate(split_text(point, room)):
                query = _APPEND_POINT if index == 0 else _EXTEND_POINT
                appends.append(
                    _Statement(query, {"owner": owner, "key": concept.key, "piece": piece})
                )
        for term in concept.terms:
            # A term longer than a message is no term anyone wrote: it is cut, not split.
            piece = term[: room // 4]
            appends.append(
                _Statement(_APPEND_TERM, {"owner": owner, "key": concept.key, "piece": piece})
            )
        return row, appends

    async def remove_document(self, owner: UUID, document_id: UUID) -> None:
        """Withdraw all the document's support; delete what is left unsupported."""
        await self.put_document_graph(owner, document_id, [], [])

    async def delete_edges(self, owner: UUID, edges: Sequence[EdgeRef]) -> int:
        """Delete these edges of the owner's; how many were deleted."""
        refs = sorted({(str(s), str(t), k) for s, t, k in edges})
        if not refs:
            return 0
        await self.dialect()

        async def work(tx: neo4j.AsyncManagedTransaction) -> int:
            await self._run(tx, _LOCK_OWNER, owner=str(owner))
            deleted = 0
            for kind in EDGE_KINDS:
                rows = [{"source": s, "target": t} for s, t, k in refs if k == kind]
                query = _DELETE_EDGES.replace("{type}", _TYPES[kind])
                for record in await self._run_rows(tx, query, rows, owner=str(owner)):
                    deleted += int(record["deleted"])
            return deleted

        async with self._driver.session() as session:
            return await session.execute_write(work)

    async def delete_owner(self, owner: UUID) -> None:
        """Delete every concept and edge of the owner."""
        await self.dialect()

        async def work(tx: neo4j.AsyncManagedTransaction) -> None:
            for query in _DELETE_OWNER:
                await self._run(tx, query, owner=str(owner))

        async with self._driver.session() as session:
            await session.execute_write(work)

    # -- reads ---------------------------------------------------------------------

    async def concepts(self, owner: UUID) -> list[Concept]:
        """The owner's concepts, by position (then key)."""
        records = await self._read(_CONCEPTS, owner=str(owner))
        return [
            Concept(
                id=UUID(r["id"]),
                owner=owner,
                key=r["key"],
                title=r["title"],
                summary=r["summary"],
                level=r["level"],
                key_points=tuple(r["key_points"] or ()),
                position=r["position"],
                documents=frozenset(UUID(d) for d in r["documents"]),
                # Concepts written before roles existed read as teachable.
                role=cast(ConceptRole, r["role"] or "teachable"),
                terms=tuple(r["terms"] or ()),
            )
            for r in records
        ]

    async def edges(self, owner: UUID, kind: EdgeKind | None = None) -> list[Edge]:
        """The owner's edges (of one kind, when given), by source then target position."""
        kinds = EDGE_KINDS if kind is None else (kind,)
        query = _EDGES.replace("{types}", "|".join(_TYPES[k] for k in kinds))
        records = await self._read(query, owner=str(owner))
        return [
            Edge(
                source=UUID(r["source"]),
                target=UUID(r["target"]),
                kind=_KINDS[r["relation"]],
                weight=float(r["weight"]),
                origin=cast(EdgeOrigin, r["origin"]),
            )
            for r in records
        ]

    async def concept_ids(self, owner: UUID, keys: Sequence[str]) -> dict[str, UUID]:
        """The ids of the owner's concepts with these keys; unknown keys are left out."""
        unique = sorted(set(keys))
        if not unique:
            return {}
        await self.dialect()

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[dict[str, Any]]:
            return await self._run_rows(tx, _CONCEPT_IDS, unique, owner=str(owner))

        async with self._driver.session() as session:
            records = await session.execute_read(work)
        return {r["key"]: UUID(r["id"]) for r in records}

    async def ping(self) -> str:
        """Reach the server (failing fast when it is down); describe what answered."""
        await self._driver.verify_connectivity()
        dialect = await self.dialect()
        info = await self._driver.get_server_info()
        name = "Neo4j" if dialect == "neo4j" else "FalkorDB"
        return f"{name} ({info.agent}) answers"

    async def close(self) -> None:
        """Close the driver, if the store owns it."""
        if self._own_driver:
            await self._driver.close()

    # -- plumbing --------------------------------------------------------------------

    @property
    def _max_bytes(self) -> int:
        return FALKORDB_MESSAGE_BYTES if self._dialect == "falkordb" else _NEO4J_MESSAGE_BYTES

    def _params(self, **params: Any) -> dict[str, Any]:
        if self._dialect == "falkordb":
            return cast(dict[str, Any], falkordb_escape(params))
        return params

    def _fixed_bytes(self, query: str, **params: Any) -> int:
        """Bytes a ``$rows`` statement takes before its rows are added."""
        return message_size(query, self._params(**params)) + len("rows=")

    async def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        await self.dialect()

        async def work(tx: neo4j.AsyncManagedTransaction) -> list[dict[str, Any]]:
            return await self._run(tx, query, **params)

        async with self._driver.session() as session:
            return await session.execute_read(work)

    async def _run(
        self, tx: neo4j.AsyncManagedTransaction, query: str, **params: Any
    ) -> list[dict[str, Any]]:
        result = await tx.run(query, self._params(**params))
        return await result.data()

    async def _run_rows(
        self,
        tx: neo4j.AsyncManagedTransaction,
        query: str,
        rows: Iterable[Any],
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Run ``query`` once per batch of ``rows`` (bound to ``$rows``); all the records."""
        escaped = [self._params(row=row)["row"] for row in rows]
        fixed = self._fixed_bytes(query, **params)
        records: list[dict[str, Any]] = []
        batches = split_rows(
            escaped, max_rows=self._batch_size, max_bytes=self._max_bytes, fixed_bytes=fixed
        )
        for batch in batches:
            result = await tx.run(query, {**self._params(**params), "rows": batch})
            records.extend(await result.data())
        return records
