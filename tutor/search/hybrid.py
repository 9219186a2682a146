"""Hybrid search: the vector search and the word search, fused by reciprocal rank.

Dense search finds what a question means; it misses passages whose words matter more
than their meaning (error codes, keywords, names), which the word search finds. Their
scores are not comparable (a cosine, a BM25 sum), so they are fused by rank alone
(Cormack et al., 2009): a chunk scores ``sum(1 / (RRF_K + rank))`` over the lists it is
in. Each hit keeps the cosine similarity of its text to the query as its ``score``, so
that thresholds on relevance mean what they meant with dense search alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from tutor.search.lexical import LexicalSearch
from tutor.vectors import VectorHit, VectorStore, Where

RRF_K = 60
"""Reciprocal rank fusion's damping constant: the value of the original paper."""
CANDIDATES = 10
"""Hits taken from each search before fusing, at least: deeper lists let hits that both
searches rank poorly add up past one search's best (recall@5 on the Rust book's questions:
0.952 with 10, 0.928 with 20)."""


async def hybrid_search(
    vectors: VectorStore,
    lexical: LexicalSearch | None,
    owner: str,
    query: str,
    *,
    k: int = 4,
    concept: str | None = None,
    candidates: int = CANDIDATES,
) -> list[VectorHit]:
    """The owner's ``k`` chunks best for ``query`` by meaning and by words, best first.

    Args:
        vectors: The dense search.
        lexical: The word search; None searches by meaning alone.
        owner: The learner whose chunks are searched; both searches are filtered by it.
        query: What to look for.
        k: Hits wanted.
        concept: Keep only the chunks of this concept key.
        candidates: Hits taken from each search before fusing (at least ``k``).

    Returns:
        Hits in fused order; each ``score`` is the cosine similarity to the query, or
        0.0 for a chunk whose vector is not written yet.

    Raises:
        ValueError: ``owner`` is empty (or, with a word search, not a learner's id).
    """
    depth = max(k, candidates)
    where: Where | None = {"concept": concept} if concept is not None else None
    if lexical is None:
        return await vectors.search(owner, query, k=k, where=where)
    dense, words = await asyncio.gather(
        vectors.search(owner, query, k=depth, where=where),
        lexical.search(owner, query, k=depth, concept=concept),
    )
    fused = reciprocal_rank_fusion([dense, words])[:k]
    scored = {hit.id for hit in dense}
    unscored = [hit.id for hit in fused if hit.id not in scored]
    if not unscored:
        return fused
    cosines = await vectors.similarities(owner, query, unscored)
    return [
        hit if hit.id in scored else dataclasses.replace(hit, score=cosines.get(hit.id, 0.0))
        for hit in fused
    ]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[VectorHit]], *, rrf_k: int = RRF_K
) -> list[VectorHit]:
    """Hits of several ranked lists in one list, by the sum of ``1 / (rrf_k + rank)``.

    A hit in several lists is the one of the earliest list that has it. Ties go to
    the hit with the better single rank, then to the earlier list's.
    """
    fused: dict[str, float] = {}
    best: dict[str, tuple[int, int]] = {}
    chosen: dict[str, VectorHit] = {}
    for order, ranking in enumerate(rankings):
        seen: set[str] = set()
        for rank, hit in enumerate(ranking, start=1):
            if hit.id in seen:
                continue  # a list that repeats a hit counts it once
            seen.add(hit.id)
            fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (rrf_k + rank)
            best[hit.id] = min(best.get(hit.id, (rank, order)), (rank, order))
            chosen.setdefault(hit.id, hit)
    ordered = sorted(fused, key=lambda hit_id: (-fused[hit_id], best[hit_id]))
    return [chosen[hit_id] for hit_id in ordered]
