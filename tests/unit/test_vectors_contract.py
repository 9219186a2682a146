"""The behaviour every vector store adapter owes the tutor.

``VectorStoreContract`` is run here against the in-memory store and, in
tests/integration, against Chroma (embedded and server); a subclass provides a
``store`` fixture built over ``FakeEmbeddings``.
"""

from collections.abc import AsyncIterator

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.vectors import InMemoryVectorStore, VectorRecord, VectorStore

CALCULUS = [
    VectorRecord(
        "a-d1-0",
        "alice",
        "the derivative measures the rate of change",
        {"document_id": "d1", "position": 0},
    ),
    VectorRecord(
        "a-d1-1",
        "alice",
        "a derivative measures a rate of change",
        {"document_id": "d1", "position": 1},
    ),
    VectorRecord(
        "a-d1-2",
        "alice",
        "derivative measures rate of change",
        {"document_id": "d1", "position": 2},
    ),
    VectorRecord(
        "a-d2-0",
        "alice",
        "the chain rule gives the derivative of a composition",
        {"document_id": "d2", "position": 0},
    ),
    VectorRecord(
        "a-d3-0",
        "alice",
        "photosynthesis turns light into sugar",
        {"document_id": "d3", "position": 0},
    ),
]
BOBS = [
    VectorRecord(
        "b-d1-0",
        "bob",
        "the derivative measures the rate of change exactly",
        {"document_id": "d1", "position": 0},
    ),
    VectorRecord(
        "b-d9-0", "bob", "bob's private notes on derivatives", {"document_id": "d9", "position": 0}
    ),
]


class VectorStoreContract:
    @pytest.fixture
    async def filled(self, store: VectorStore) -> VectorStore:
        await store.add(CALCULUS + BOBS)
        return store

    async def test_search_returns_the_nearest_first_with_scores(self, filled: VectorStore) -> None:
        hits = await filled.search("alice", "rate of change of the derivative", k=3)
        assert [hit.id for hit in hits][:1] == ["a-d1-0"]
        assert len(hits) == 3
        assert all(-1.0 <= hit.score <= 1.0 + 1e-6 for hit in hits)
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
        assert hits[0].text == CALCULUS[0].text
        assert hits[0].metadata["document_id"] == "d1"
        assert hits[0].metadata["owner"] == "alice"

    async def test_an_owner_never_sees_another_owners_records(self, filled: VectorStore) -> None:
        query = "bob's private notes on derivatives"
        alice_hits = await filled.search("alice", query, k=10)
        alice_mmr = await filled.search_mmr("alice", query, k=10, fetch_k=10)
        alice_filtered = await filled.search("alice", query, k=10, where={"owner": "bob"})
        assert {hit.metadata["owner"] for hit in alice_hits + alice_mmr} == {"alice"}
        assert alice_filtered == []
        bob_hits = await filled.search("bob", query, k=10)
        assert {hit.id for hit in bob_hits} == {"b-d1-0", "b-d9-0"}

    async def test_a_where_narrows_the_owners_records(self, filled: VectorStore) -> None:
        hits = await filled.search("alice", "derivative", k=10, where={"document_id": "d1"})
        assert {hit.id for hit in hits} == {"a-d1-0", "a-d1-1", "a-d1-2"}
        hits = await filled.search(
            "alice", "derivative", k=10, where={"document_id": "d1", "position": {"$gte": 1}}
        )
        assert {hit.id for hit in hits} == {"a-d1-1", "a-d1-2"}

    async def test_mmr_trades_similarity_for_diversity(self, filled: VectorStore) -> None:
        query = "derivative rate of change"
        plain = await filled.search("alice", query, k=2)
        diverse = await filled.search_mmr("alice", query, k=2, fetch_k=4, lambda_mult=0.25)
        assert {hit.metadata["document_id"] for hit in plain} == {"d1"}
        assert {hit.metadata["document_id"] for hit in diverse} == {"d1", "d2"}
        assert [hit.score for hit in diverse] == sorted((h.score for h in diverse), reverse=True)
        assert all(hit.score > 0 for hit in diverse)

    async def test_similarities_score_named_records_as_search_does(
        self, filled: VectorStore
    ) -> None:
        query = "rate of change of the derivative"
        searched = {hit.id: hit.score for hit in await filled.search("alice", query, k=5)}
        scored = await filled.similarities("alice", query, ["a-d3-0", "a-d1-0", "a-d3-0"])
        assert set(scored) == {"a-d3-0", "a-d1-0"}
        for record_id, score in scored.items():
            assert score == pytest.approx(searched[record_id], abs=1e-4)

    async def test_similarities_never_score_another_owners_records(
        self, filled: VectorStore
    ) -> None:
        scored = await filled.similarities("alice", "derivatives", ["b-d9-0", "a-d2-0", "nope"])
        assert set(scored) == {"a-d2-0"}
        assert await filled.similarities("alice", "derivatives", []) == {}
        with pytest.raises(ValueError, match="owner"):
            await filled.similarities("", "derivatives", ["a-d2-0"])

    async def test_delete_by_document_leaves_other_documents_and_owners(
        self, filled: VectorStore
    ) -> None:
        await filled.delete("alice", where={"document_id": "d1"})
        assert await filled.count("alice") == 2
        assert await filled.count("bob") == 2
        hits = await filled.search("alice", "rate of change", k=10)
        assert {hit.metadata["document_id"] for hit in hits} == {"d2", "d3"}

    async def test_delete_by_ids_only_touches_the_owners_records(self, filled: VectorStore) -> None:
        await filled.delete("alice", ids=["a-d3-0", "b-d9-0"])
        assert await filled.count("alice") == 4
        assert await filled.count("bob") == 2
        await filled.delete("alice", ids=[])
        assert await filled.count() == 6

    async def test_delete_everything_an_owner_has(self, filled: VectorStore) -> None:
        await filled.delete("alice", where={})
        assert await filled.count("alice") == 0
        assert await filled.count() == 2

    async def test_delete_needs_ids_or_where(self, filled: VectorStore) -> None:
        with pytest.raises(ValueError, match="ids or where"):
            await filled.delete("alice")

    async def test_adding_an_id_again_replaces_it(self, filled: VectorStore) -> None:
        await filled.add(
            [VectorRecord("a-d3-0", "alice", "mitochondria make energy", {"document_id": "d3"})]
        )
        assert await filled.count("alice") == 5
        hits = await filled.search("alice", "mitochondria make energy", k=1)
        assert hits[0].id == "a-d3-0"
        assert hits[0].text == "mitochondria make energy"

    async def test_counts(self, store: VectorStore) -> None:
        assert await store.count() == 0
        assert await store.count("alice") == 0
        await store.add(CALCULUS + BOBS)
        assert await store.count() == 7
        assert await store.count("alice") == 5

    async def test_search_in_an_empty_store_finds_nothing(self, store: VectorStore) -> None:
        assert await store.search("alice", "anything") == []
        assert await store.search_mmr("alice", "anything") == []

    async def test_every_read_needs_an_owner(self, filled: VectorStore) -> None:
        with pytest.raises(ValueError, match="owner"):
            await filled.search("", "derivative")
        with pytest.raises(ValueError, match="owner"):
            await filled.search_mmr("", "derivative")
        with pytest.raises(ValueError, match="owner"):
            await filled.delete("", where={})

    async def test_a_record_cannot_claim_two_owners(self, store: VectorStore) -> None:
        with pytest.raises(ValueError, match="owned by"):
            await store.add([VectorRecord("x", "alice", "text", {"owner": "bob"})])
        assert await store.count() == 0

    async def test_ping_describes_the_store(self, store: VectorStore) -> None:
        assert isinstance(await store.ping(), str)
        assert store.where


class TestInMemoryVectorStore(VectorStoreContract):
    @pytest.fixture
    async def store(self) -> AsyncIterator[VectorStore]:
        store = InMemoryVectorStore(FakeEmbeddings())
        yield store
        await store.close()
