"""How the Neo4j store keeps each statement within FalkorDB's message limit, no server."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tutor.graph.model import ConceptDraft, EdgeDraft
from tutor.graph.neo4j import (
    FALKORDB_MESSAGE_BYTES,
    Neo4jGraphStore,
    falkordb_escape,
    message_size,
    rendered_size,
    split_rows,
    split_text,
)


def test_strings_are_escaped_for_single_quoted_literals_everywhere() -> None:
    value = {"a": "it's", "b": ["back\\slash", ("x'",)], "c": 1, "d": None}
    assert falkordb_escape(value) == {
        "a": "it\\'s",
        "b": ["back\\\\slash", ["x\\'"]],
        "c": 1,
        "d": None,
    }


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "NULL"),
        (True, "true"),
        (False, "false"),
        (-42, "-42"),
        (0.25, "0.250000"),
        ("ab", "'ab'"),
        ("日本", "'日本'"),
        ([], "[]"),
        ([1, "x"], "[1, 'x']"),
        ({"k": [1, 2], "v": "s"}, "{k: [1, 2], v: 's'}"),
    ],
)
def test_sizes_are_those_of_falkordbs_literals(value: Any, literal: str) -> None:
    assert rendered_size(value) == len(literal.encode())


def test_message_size_counts_the_prefix_every_parameter_and_the_query() -> None:
    spliced = "CYPHER owner='o' rows=[1, 2] RETURN 1"
    assert message_size("RETURN 1", {"owner": "o", "rows": [1, 2]}) == len(spliced)


def test_rows_are_split_by_count_and_by_size() -> None:
    rows = [{"key": f"k{i:03d}", "text": "x" * 50} for i in range(40)]
    by_count = split_rows(rows, max_rows=7, max_bytes=10**6, fixed_bytes=100)
    assert [len(b) for b in by_count] == [7, 7, 7, 7, 7, 5]
    by_size = split_rows(rows, max_rows=100, max_bytes=1000, fixed_bytes=100)
    assert [row for batch in by_size for row in batch] == rows
    for batch in by_size:
        assert 100 + rendered_size(batch) <= 1000
    assert split_rows([], max_rows=5, max_bytes=100, fixed_bytes=10) == []
    with pytest.raises(ValueError, match="does not fit"):
        split_rows(["y" * 200], max_rows=5, max_bytes=150, fixed_bytes=10)


def test_text_is_split_by_escaped_bytes_and_joins_back() -> None:
    text = "it's \\ 日本語 " * 200
    pieces = split_text(text, 100)
    assert "".join(pieces) == text
    assert all(len(falkordb_escape(p).encode()) <= 100 for p in pieces)
    assert split_text("", 100) == [""]


class RecordingTransaction:
    """Answers like a graph with nothing stored; records every statement."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, dict[str, Any]]] = []

    async def run(self, query: str, parameters: dict[str, Any]) -> RecordingTransaction.Result:
        self.statements.append((query, parameters))
        records: list[dict[str, Any]] = []
        if "MERGE (c:Concept" in query:
            records = [{"key": row["key"], "id": row["id"]} for row in parameters["rows"]]
        return self.Result(records)

    class Result:
        def __init__(self, records: list[dict[str, Any]]) -> None:
            self.records = records

        async def data(self) -> list[dict[str, Any]]:
            return self.records


async def test_every_statement_of_a_large_put_fits_falkordbs_buffer() -> None:
    store = Neo4jGraphStore(
        driver=None,  # type: ignore[arg-type]
        where="nowhere",
        dialect="falkordb",
    )
    long_text = "It's a \\long\\ paragraph, ü✓日本. " * 400
    concepts = [
        ConceptDraft(
            f"concept {i}",
            f"Concept {i}" if i % 50 else long_text[:5000],
            long_text if i % 100 == 0 else f"summary {i}",
            2,
            (long_text, "short") if i == 7 else ("a", "b"),
            i,
        )
        for i in range(300)
    ]
    edges = [EdgeDraft(f"concept {i}", f"concept {i // 2}", "part_of") for i in range(1, 300)]
    edges += [
        EdgeDraft(f"concept {i}", f"concept {i + 1}", "prerequisite", 0.5, "order")
        for i in range(299)
    ]
    tx = RecordingTransaction()
    ids = await store._put(tx, str(uuid4()), str(uuid4()), concepts, edges)  # type: ignore[arg-type]

    assert len(ids) == 300
    assert len(tx.statements) > 20
    for query, params in tx.statements:
        assert message_size(query, params) <= FALKORDB_MESSAGE_BYTES < 4096
    sent = [row for q, p in tx.statements if "MERGE (c:Concept" in q for row in p["rows"]]
    assert len(sent) == 300
    edge_rows = [row for q, p in tx.statements if "MERGE (s)-[r:" in q for row in p["rows"]]
    assert len(edge_rows) == len(edges)

    def appended(key: str, field: str) -> str:
        return "".join(
            p["piece"]
            for q, p in tx.statements
            if f"SET c.{field} = c.{field} + $piece" in q and p["key"] == key
        )

    # Parameters are escaped by now; the server unescapes them.
    assert appended("concept 0", "summary") == falkordb_escape(long_text)
    assert appended("concept 0", "title") == falkordb_escape(long_text[:5000])
    assert appended("concept 1", "summary") == ""
