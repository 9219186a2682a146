"""A concept's summary and key points: its most central claims.

Both are the author's own sentences that state something (:mod:`tutor.ingest.claims`).
A claim's centrality is its mean cosine similarity to the other claims of the concept's
main text (asides in block quotes are scored against it, never the other way round):
the sentence that says most of what the others say. Its score adds a little for naming
the concept's key terms and title words, and a little more for defining one ("Ownership
is ..."): between claims equally central, the one about the concept wins. The summary is
the best claim, or, when the notes sum the concept up in a recap section of their own
("Summary", "Key takeaways", folded into the concept, see :mod:`tutor.ingest.roles`), the
best claim of that recap. Key points are the best claims without near repeats, in the
author's order.

Vectors come from the embedding model at ingestion; without one (a caller that only
parses), bag-of-words vectors stand in. Scores are rounded and ties go to the author's
order, so that the same notes always give the same result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tutor.ingest._document import Block
from tutor.ingest.claims import block_sentences

__all__ = [
    "CLAIMS_LIMIT",
    "KEY_POINT_MAX",
    "KEY_POINT_MIN",
    "ConceptClaims",
    "central_claims",
    "concept_claims",
    "lexical_vectors",
]

CLAIMS_LIMIT = 300
"""At most this many claims of one concept are compared (spread evenly over its text):
comparing every pair of a book-long section's claims would cost memory by the square."""
KEY_POINT_MIN = 3
KEY_POINT_MAX = 7
_CLAIMS_PER_POINT = 3
"""One key point for every this many claims, within the bounds above."""
_TERM_WEIGHT = 0.15
"""What naming the concept's key terms adds to a claim's centrality (at most)."""
_DEFINITION_WEIGHT = 0.1
"""What defining a key term adds ("A reference is ...", "Demand refers to ...")."""
_DEFINING = re.compile(r"\s(?:is|are|means|refers? to|is called|are called)\s", re.IGNORECASE)
_DEFINED_WITHIN = 8
"""Words before the defining verb in which the term must stand."""
_NEAR_REPEAT = 0.9
"""Cosine above which a claim says what a chosen key point says."""
_DIGITS = 6
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "into"}
    | {"is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "what", "when"}
    | {"why", "with", "we", "you", "can", "not", "do", "does", "has", "have", "if", "so"}
)

Vectors = Mapping[str, Sequence[float]]
"""A vector for each claim's text."""


@dataclass(frozen=True)
class ConceptClaims:
    """The claims of one concept's text, in the author's order."""

    claims: tuple[str, ...] = ()
    recap: frozenset[str] = frozenset()
    """Those that come from a recap section folded into the concept."""
    asides: frozenset[str] = frozenset()
    """Those of block quotes: notes beside the main text ("> Note: ...")."""


def concept_claims(
    own: Iterable[Block], recap: Iterable[Block], *, references: frozenset[str] = frozenset()
) -> ConceptClaims:
    """The claims of a concept's blocks, and which of them its recap makes.

    Args:
        own: The blocks of the concept's sections (and the thin parts folded into it).
        recap: The blocks of recap sections folded into it, after its own.
        references: Link labels the document defines.

    Returns:
        The claims without repeats, in order.
    """
    claims: dict[str, None] = {}
    recap_claims: set[str] = set()
    asides: set[str] = set()
    folded: set[str] = set()
    for blocks, from_recap in ((own, False), (recap, True)):
        for judged in block_sentences(blocks, references=references):
            key = judged.text.casefold()
            if judged.rejected is not None or key in folded:
                continue
            folded.add(key)
            claims[judged.text] = None
            if from_recap:
                recap_claims.add(judged.text)
            if judged.aside:
                asides.add(judged.text)
    kept = _spread(list(claims), CLAIMS_LIMIT)
    return ConceptClaims(
        tuple(kept), frozenset(recap_claims) & set(kept), frozenset(asides) & set(kept)
    )


def _spread(items: list[str], limit: int) -> list[str]:
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def central_claims(
    found: ConceptClaims, vectors: Vectors, *, title: str, terms: Sequence[str] = ()
) -> tuple[str, tuple[str, ...]]:
    """The summary and key points among a concept's claims.

    Args:
        found: The concept's claims.
        vectors: A vector for each claim (any scale: they are normalised here).
        title: The concept's title; its words count as key terms.
        terms: The terms the concept introduces (case-folded, code terms marked "`").

    Returns:
        The summary (empty when there is no claim) and 0 to :data:`KEY_POINT_MAX` key
        points in the author's order: fewer than :data:`KEY_POINT_MIN` only when the
        concept has fewer claims.
    """
    claims = found.claims
    if not claims:
        return "", ()
    matrix = np.array([vectors[claim] for claim in claims], dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    similar = matrix @ matrix.T
    main = [i for i, claim in enumerate(claims) if claim not in found.asides]
    centrality = _centrality(similar, main or list(range(len(claims))))
    wanted = _key_terms(title, terms)
    scores = [
        round(
            centrality[i]
            + _TERM_WEIGHT * _term_share(claim, wanted)
            + (_DEFINITION_WEIGHT if _defines(claim, wanted) else 0.0),
            _DIGITS,
        )
        for i, claim in enumerate(claims)
    ]
    recap = [i for i, claim in enumerate(claims) if claim in found.recap]
    pool = recap or main or range(len(claims))
    summary = claims[min(pool, key=lambda i: (-scores[i], i))]
    count = min(KEY_POINT_MAX, max(KEY_POINT_MIN, math.ceil(len(claims) / _CLAIMS_PER_POINT)))
    chosen: list[int] = []
    for index in sorted(range(len(claims)), key=lambda i: (-scores[i], i)):
        if len(chosen) == count:
            break
        if all(similar[index, other] <= _NEAR_REPEAT for other in chosen):
            chosen.append(index)
    return summary, tuple(claims[i] for i in sorted(chosen))


def lexical_vectors(texts: Sequence[str]) -> dict[str, list[float]]:
    """Bag-of-words vectors over the texts' own vocabulary (stop words left out).

    Args:
        texts: Claims.

    Returns:
        A vector for each distinct text.
    """
    bags = {text: _bag(text) for text in texts}
    vocabulary = {word: i for i, word in enumerate(sorted({w for b in bags.values() for w in b}))}
    vectors: dict[str, list[float]] = {}
    for text, bag in bags.items():
        vector = [0.0] * len(vocabulary)
        for word in bag:
            vector[vocabulary[word]] += 1.0
        vectors[text] = vector
    return vectors


def _bag(text: str) -> list[str]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return [_stem(w) for w in words if w not in _STOPWORDS]


def _stem(word: str) -> str:
    # Crude, but enough for "owner" in "ownership" and plurals to meet.
    return word[:6]


def _key_terms(title: str, terms: Sequence[str]) -> set[str]:
    wanted = {_stem(w) for w in _bag(title)}
    for term in terms:
        wanted.update(_stem(w) for w in _bag(term.removeprefix("`")))
    return wanted


def _term_share(claim: str, wanted: set[str]) -> float:
    if not wanted:
        return 0.0
    hits = len(wanted & set(_bag(claim)))
    return min(hits, 2) / min(len(wanted), 2)


def _defines(claim: str, wanted: set[str]) -> bool:
    match = _DEFINING.search(claim)
    if match is None or not wanted:
        return False
    subject = _bag(claim[: match.start()])
    return len(subject) <= _DEFINED_WITHIN and bool(wanted & set(subject))


def _centrality(similar: npt.NDArray[np.float64], main: list[int]) -> list[float]:
    """Each claim's mean similarity to the main claims but itself (1.0 if none), rounded."""
    to_main = similar[:, main].sum(axis=1)
    inside = np.isin(np.arange(similar.shape[0]), main)
    others = len(main) - inside.astype(np.float64)
    to_main = to_main - np.where(inside, similar.diagonal(), 0.0)
    means = np.divide(to_main, others, out=np.ones_like(to_main), where=others > 0)
    return [round(float(mean), _DIGITS) for mean in means]
