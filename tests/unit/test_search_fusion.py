"""Reciprocal rank fusion, and hybrid search over the in-memory vector store."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.search import CANDIDATES, RRF_K, hybrid_search, reciprocal_rank_fusion
from tutor.vectors import InMemoryVectorStore, VectorHit, VectorRecord


def hit(hit_id: str, score: float = 0.0, source: str = "dense") -> VectorHit:
    return VectorHit(hit_id, f"text of {hit_id}", {"owner": "alice", "from": source}, score)


def ids(hits: list[VectorHit]) -> list[str]:
    return [h.id for h in hits]


def test_a_hit_both_searches_rank_well_beats_one_only_a_single_search_ranks_first() -> None:
    dense = [hit("a"), hit("b"), hit("c")]
    words = [hit("d", source="words"), hit("b", source="words"), hit("a", source="words")]
    fused = reciprocal_rank_fusion([dense, words])
    # a: 1/61 + 1/63, b: 1/62 + 1/62, d: 1/61, c: 1/63.
    assert 1 / (RRF_K + 1) + 1 / (RRF_K + 3) > 2 / (RRF_K + 2)
    assert ids(fused) == ["a", "b", "d", "c"]


def test_a_hit_in_several_lists_is_the_earliest_lists_and_counted_once_per_list() -> None:
    dense = [hit("a", 0.9), hit("a", 0.1)]
    words = [hit("a", 7.0, "words")]
    (fused,) = reciprocal_rank_fusion([dense, words])
    assert fused.score == 0.9
    assert fused.metadata["from"] == "dense"
    only_words = reciprocal_rank_fusion([[], [hit("z", 3.0, "words")]])
    assert [(h.id, h.metadata["from"]) for h in only_words] == [("z", "words")]


def test_ties_go_to_the_better_single_rank_then_to_the_earlier_list() -> None:
    # p and r, then q and s, have the same sums; the earlier list's hit goes first.
    fused = reciprocal_rank_fusion([[hit("p"), hit("q")], [hit("r"), hit("s")]])
    assert ids(fused) == ["p", "r", "q", "s"]
    assert reciprocal_rank_fusion([]) == []


def test_a_larger_damping_constant_lets_agreement_win_over_one_top_rank() -> None:
    dense = [hit("top"), hit("both")]
    words = [hit("x"), hit("y"), hit("z"), hit("both")]
    # both: 1/(k+2) + 1/(k+4) against top: 1/(k+1), for k = 0 and k = 60.
    assert ids(reciprocal_rank_fusion([dense, words], rrf_k=0))[0] == "top"
    assert ids(reciprocal_rank_fusion([dense, words], rrf_k=60))[0] == "both"


class ListedWords:
    """A word search that answers from a fixed list, and records what it was asked."""

    def __init__(self, hits: list[VectorHit]) -> None:
        self.hits = hits
        self.asked: list[tuple[str, str, int, str | None]] = []

    async def search(
        self, owner: str, query: str, *, k: int = 4, concept: str | None = None
    ) -> list[VectorHit]:
        self.asked.append((owner, query, k, concept))
        return self.hits[:k]


@pytest.fixture
async def vectors() -> InMemoryVectorStore:
    store = InMemoryVectorStore(FakeEmbeddings())
    await store.add(
        [
            VectorRecord(f"c{i}", "alice", f"passage number {i} about borrowing", {"concept": "x"})
            for i in range(6)
        ]
    )
    return store


async def test_hybrid_search_scores_word_hits_by_their_cosine(
    vectors: InMemoryVectorStore,
) -> None:
    query = "passage about borrowing"
    dense = await vectors.search("alice", query, k=6)
    last = dense[-1]
    words = ListedWords([VectorHit(last.id, last.text, last.metadata, 42.0)])
    fused = await hybrid_search(vectors, words, "alice", query, k=2, candidates=1)
    # First of the word search, the dense search's last hit ties its first (the dense
    # search goes k = 2 deep) and follows it on the list order only.
    assert ids(fused) == [dense[0].id, last.id]
    assert fused[1].score == pytest.approx(last.score)
    assert words.asked == [("alice", query, 2, None)]


async def test_hybrid_search_passes_the_concept_to_both_searches(
    vectors: InMemoryVectorStore,
) -> None:
    words = ListedWords([])
    fused = await hybrid_search(vectors, words, "alice", "borrowing", k=3, concept="y")
    assert fused == []
    assert words.asked == [("alice", "borrowing", CANDIDATES, "y")]
    kept = await hybrid_search(vectors, words, "alice", "borrowing", k=3, concept="x")
    assert len(kept) == 3


async def test_a_word_hit_without_a_vector_scores_zero(vectors: InMemoryVectorStore) -> None:
    words = ListedWords([hit("not-embedded-yet", 9.0, "words")])
    fused = await hybrid_search(vectors, words, "alice", "borrowing", k=10)
    missing = next(h for h in fused if h.id == "not-embedded-yet")
    assert missing.score == 0.0
    assert len(fused) == 7
