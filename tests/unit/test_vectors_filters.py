import pytest

from tutor.vectors import VectorRecord, matches, owner_filter, record_metadata


def test_owner_alone() -> None:
    assert owner_filter("alice") == {"owner": "alice"}
    assert owner_filter("alice", {}) == {"owner": "alice"}


def test_owner_and_one_field() -> None:
    assert owner_filter("alice", {"document_id": "d1"}) == {
        "$and": [{"owner": "alice"}, {"document_id": "d1"}]
    }


def test_several_fields_become_one_clause_each() -> None:
    where = {"document_id": "d1", "position": {"$gte": 3}}
    assert owner_filter("alice", where) == {
        "$and": [{"owner": "alice"}, {"document_id": "d1"}, {"position": {"$gte": 3}}]
    }


def test_an_and_is_flattened_and_an_or_kept_whole() -> None:
    where = {"$and": [{"a": 1}, {"b": 2}], "$or": [{"c": 3}, {"d": 4}]}
    assert owner_filter("alice", where) == {
        "$and": [{"owner": "alice"}, {"a": 1}, {"b": 2}, {"$or": [{"c": 3}, {"d": 4}]}]
    }


def test_a_where_naming_another_owner_cannot_widen_the_scope() -> None:
    scope = owner_filter("alice", {"owner": "bob"})
    assert not matches({"owner": "bob"}, scope)
    assert not matches({"owner": "alice"}, scope)


def test_an_empty_owner_is_refused() -> None:
    with pytest.raises(ValueError, match="owner"):
        owner_filter("")


def test_record_metadata_adds_the_owner() -> None:
    record = VectorRecord("c1", "alice", "text", {"document_id": "d1"})
    assert record_metadata(record) == {"document_id": "d1", "owner": "alice"}


def test_record_metadata_refuses_a_contradicting_owner() -> None:
    with pytest.raises(ValueError, match="owned by"):
        record_metadata(VectorRecord("c1", "alice", "text", {"owner": "bob"}))
    with pytest.raises(ValueError, match="no owner"):
        record_metadata(VectorRecord("c1", "", "text"))


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"kind": "chunk"}, True),
        ({"kind": "lesson"}, False),
        ({"missing": "x"}, False),
        ({"position": {"$gte": 3, "$lt": 5}}, True),
        ({"position": {"$in": [1, 2]}}, False),
        ({"position": {"$nin": [1, 2]}}, True),
        ({"kind": {"$ne": "lesson"}}, True),
        ({"$or": [{"kind": "lesson"}, {"position": 4}]}, True),
        ({"$and": [{"kind": "chunk"}, {"position": {"$gt": 4}}]}, False),
    ],
)
def test_in_memory_matching_follows_chroma_where(where: dict[str, object], expected: bool) -> None:
    assert matches({"kind": "chunk", "position": 4}, where) is expected


def test_unknown_operators_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        matches({"a": 1}, {"a": {"$regex": "x"}})
