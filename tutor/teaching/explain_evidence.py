"""Evidence that an explanation covers, contradicts or copies a concept's key points.

Each key point is set against the whole explanation and against the stretch of it (one
sentence or two neighbouring ones) closest to the point, by embedding. The short-answer
grader's features (:mod:`tutor.grading.features`, chosen by name) describe both pairs.
Contradiction cues are read in the pair of clauses, one of the point and one of the
explanation, that share most content words: an odd number of negations on one side only
(with "immutable" read as "not mutable" when the other side says "mutable"), a word against
its opposite ("increases" against "decreases", "inflation" against "deflation"), or one
against many. A cue is only a reason to look: whether it is a contradiction is for the
calibrated model to weigh with how surely the point is stated and how much the clauses
share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.grading.features import (
    FEATURE_NAMES,
    NEGATIONS,
    GradingItem,
    VectorCache,
    compute_features,
    content_words,
    negated,
    sentences,
    stem,
    words,
)

WHOLE_FEATURES: tuple[str, ...] = ("sim_max", "align_recall", "word_recall", "demoted_align")
"""Short-answer features of the whole explanation against one key point."""

CLOSEST_FEATURES: tuple[str, ...] = ("sim_max", "align_recall", "align_precision")
"""Short-answer features of the explanation's closest stretch against one key point."""

CUE_NAMES: tuple[str, ...] = ("polarity_mismatch", "antonym_mismatch", "quantity_mismatch")
"""Contradiction cues between a key point and the closest stretch, in column order."""

COVER_COLUMNS: tuple[str, ...] = (
    *(f"whole_{name}" for name in WHOLE_FEATURES),
    *(f"closest_{name}" for name in CLOSEST_FEATURES),
)
"""Columns of :attr:`PointEvidence.cover` (what the covered model weighs)."""

CONTRADICT_COLUMNS: tuple[str, ...] = ("closest_sim_max", "clause_overlap", *CUE_NAMES)
"""Columns of :attr:`PointEvidence.contradict` (what the contradicted model weighs)."""

_ANTONYMS: tuple[tuple[str, str], ...] = (
    ("increase", "decrease"),
    ("rise", "fall"),
    ("raise", "lower"),
    ("higher", "lower"),
    ("high", "low"),
    ("more", "less"),
    ("more", "fewer"),
    ("positive", "negative"),
    ("same", "different"),
    ("static", "dynamic"),
    ("statically", "dynamically"),
    ("always", "sometimes"),
    ("before", "after"),
    ("first", "last"),
    ("first", "second"),
    ("keep", "change"),
    ("inside", "outside"),
    ("include", "exclude"),
    ("gain", "loss"),
    ("present", "absent"),
    ("succeed", "fail"),
    ("success", "failure"),
    ("allow", "forbid"),
    ("minimum", "maximum"),
    ("large", "small"),
    ("cheap", "expensive"),
    ("public", "private"),
    ("shortage", "surplus"),
    ("inverse", "direct"),
    ("start", "stop"),
)
"""General English opposites; each side is compared by stem."""

_SINGLE = frozenset({"one", "single", "sole", "unique", "once"})
_SEVERAL = frozenset({"many", "multiple", "several", "numerous", "twice"})
_PREFIXES = ("non", "dis", "un", "in", "im", "il", "ir")
_OPPOSITE_PREFIXES = ("", "non", "dis", "un", "in", "im", "il", "ir", "de")
_PREFIX_BASE = 4
"""Letters a word must keep after its negative prefix ("im-mutable") to be read as one."""

_CLAUSE = re.compile(
    r"(?<=[.!?;:,])\s+|\s+(?:and|but|while|whereas|although|though|because|so|instead)\s+",
    re.IGNORECASE,
)
_CONDITIONS = frozenset({"when", "if", "once", "unless", "whenever", "until"})
_MIN_SHARED = 2
"""Content words a clause must share with a key point for a cue in it to count."""

_WINDOW = 2
"""Neighbouring sentences that may together state one key point."""

_WORDY = re.compile(r"\w")


@dataclass(frozen=True)
class PointEvidence:
    """What the explanation says about one key point.

    Attributes:
        point: The key point.
        closest: The stretch of the explanation closest to the point ("" when empty).
        cover: Values of :data:`COVER_COLUMNS`.
        contradict: Values of :data:`CONTRADICT_COLUMNS`.
    """

    point: str
    closest: str
    cover: tuple[float, ...]
    contradict: tuple[float, ...]

    @property
    def cued(self) -> bool:
        """Whether any contradiction cue fired (without one, nothing is contradicted)."""
        return any(self.contradict[len(CONTRADICT_COLUMNS) - len(CUE_NAMES) :])


def stretches(text: str) -> list[str]:
    """The explanation's sentences and each run of :data:`_WINDOW` neighbouring ones."""
    parts = [s for s in sentences(text) if _WORDY.search(s)]
    runs = [" ".join(parts[i : i + _WINDOW]) for i in range(len(parts) - _WINDOW + 1)]
    return list(dict.fromkeys([*parts, *runs]))


def _column(name: str) -> int:
    try:
        return FEATURE_NAMES.index(name)
    except ValueError:
        raise ValueError(
            f"the short-answer features no longer include {name!r}; "
            "refit the explain-back calibration with bench/explain_calibrate.py"
        ) from None


def polarity(text: str, other: str) -> bool:
    """Whether ``text`` reads as negative next to ``other``.

    Negation words count, and so does a word with a negative prefix whose base the other
    text uses ("immutable" next to "mutable"): an odd count is negative.
    """
    own = words(text)
    other_stems = {stem(w) for w in words(other)}
    count = sum(w in NEGATIONS for w in own)
    for word in own:
        for prefix in _PREFIXES:
            base = word.removeprefix(prefix)
            if base != word and len(base) >= _PREFIX_BASE and stem(base) in other_stems:
                count += 1
                break
    return count % 2 == 1


def polarity_mismatch(point: str, stretch: str) -> bool:
    """Whether one of the two says "not" where the other does not (see :func:`polarity`)."""
    if not negated(point) and not negated(stretch) and point.lower() == stretch.lower():
        return False
    return polarity(point, stretch) != polarity(stretch, point)


def _prefix_opposites(a: set[str], b: set[str]) -> bool:
    """Whether a word of ``a`` and one of ``b`` differ only by a negative or opposite prefix.

    "inflation" and "deflation", "increase" and "decrease", "mutable" and "immutable".
    """
    for x in a - b:
        for y in b - a:
            for p in _OPPOSITE_PREFIXES:
                for q in _OPPOSITE_PREFIXES:
                    if p == q or not (x.startswith(p) and y.startswith(q)):
                        continue
                    base = x[len(p) :]
                    if len(base) >= _PREFIX_BASE and base == y[len(q) :]:
                        return True
    return False


def antonym_mismatch(point: str, stretch: str) -> bool:
    """Whether the stretch uses the opposite of a word the point uses, and not the word."""
    a = {stem(w) for w in words(point)}
    b = {stem(w) for w in words(stretch)}
    if _prefix_opposites(set(words(point)), set(words(stretch))):
        return True
    for left, right in _ANTONYMS:
        x, y = stem(left), stem(right)
        if (x in a and y in b and x not in b and y not in a) or (
            y in a and x in b and y not in b and x not in a
        ):
            return True
    return False


def _quantity(text: str) -> str:
    found = set(words(text))
    single, several = bool(found & _SINGLE), bool(found & _SEVERAL)
    return "single" if single and not several else "several" if several and not single else ""


def quantity_mismatch(point: str, stretch: str) -> bool:
    """Whether one says "one" where the other says "many"."""
    a, b = _quantity(point), _quantity(stretch)
    return bool(a and b and a != b)


def clauses(text: str) -> list[str]:
    """The clauses of ``text`` that assert something.

    The text is split at punctuation and at joining words ("but", "and"); a clause that
    only sets a condition ("When a variable is immutable,") asserts nothing and is left out,
    unless nothing else is left.
    """
    parts = [c.strip() for c in _CLAUSE.split(text) if c and c.strip() and _WORDY.search(c)]
    asserting = [c for c in parts if c.split(" ", 1)[0].lower() not in _CONDITIONS]
    return asserting or parts


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def matching_clauses(point: str, text: str) -> tuple[str, str, float]:
    """The clause of ``point`` and the clause of ``text`` that share most content words.

    Returns:
        The two clauses ("" when no pair shares :data:`_MIN_SHARED` words) and the share of
        the point clause's content words that the other holds.
    """
    best = ("", "", 0.0)
    best_key = (0, 0.0)
    theirs = [(clause, _content_stems(clause)) for clause in clauses(text)]
    for own_clause in clauses(point) or [point]:
        wanted = _content_stems(own_clause)
        for clause, stems in theirs:
            shared = len(wanted & stems)
            union = len(wanted | stems)
            key = (shared, shared / union if union else 0.0)
            if key > best_key:
                best_key = key
                best = (own_clause, clause, shared / len(wanted) if wanted else 0.0)
    if best_key[0] < _MIN_SHARED:
        return "", "", 0.0
    return best


def contradiction_cues(point: str, text: str) -> tuple[float, ...]:
    """Values of :data:`CUE_NAMES`, then the clauses' overlap, for a point and an explanation.

    The cues are read in the pair of clauses, one of the point and one of the explanation,
    that share most content words, so a "not" elsewhere in a long sentence does not count.
    """
    own, theirs, overlap = matching_clauses(point, text)
    if not own:
        return (0.0, 0.0, 0.0, 0.0)
    return (
        float(polarity_mismatch(own, theirs)),
        float(antonym_mismatch(own, theirs)),
        float(quantity_mismatch(own, theirs)),
        overlap,
    )


def point_evidence(
    text: str,
    points: Sequence[str],
    topic: str,
    embeddings: Embeddings,
    cache: VectorCache | None = None,
) -> list[PointEvidence]:
    """Evidence about each key point in an explanation (synchronous: it embeds).

    Args:
        text: The learner's explanation (not empty).
        points: The key points.
        topic: The concept's title: its words are discounted as the question's are.
        embeddings: Normalized sentence embeddings.
        cache: Vectors to reuse and extend; a fresh one when None.

    Returns:
        One :class:`PointEvidence` per point, in order.
    """
    parts = stretches(text) or [text]
    cache = cache or VectorCache(embeddings)
    cache.fill([*points, *parts])
    sims = cache.matrix(list(points)) @ cache.matrix(parts).T
    closest = [parts[int(np.argmax(row))] for row in sims]
    items = [
        GradingItem(answer=answer, references=(point,), question=topic)
        for point, near in zip(points, closest, strict=True)
        for answer in (text, near)
    ]
    rows: npt.NDArray[np.float64] = compute_features(items, embeddings, cache)
    whole_cols = [_column(name) for name in WHOLE_FEATURES]
    near_cols = [_column(name) for name in CLOSEST_FEATURES]
    out = []
    for index, (point, near) in enumerate(zip(points, closest, strict=True)):
        whole, close = rows[2 * index], rows[2 * index + 1]
        *cues, overlap = contradiction_cues(point, text)
        out.append(
            PointEvidence(
                point=point,
                closest=near,
                cover=(
                    *(float(whole[c]) for c in whole_cols),
                    *(float(close[c]) for c in near_cols),
                ),
                contradict=(float(close[_column("sim_max")]), overlap, *cues),
            )
        )
    return out


_GRAM = 4
"""Words per shingle when looking for text copied from the notes."""


def _shingles(text: str) -> list[tuple[str, ...]]:
    tokens = words(text)
    return [tuple(tokens[i : i + _GRAM]) for i in range(len(tokens) - _GRAM + 1)]


def copied_share(text: str, sources: Sequence[str]) -> float:
    """Share of the explanation's four-word runs that appear word for word in ``sources``.

    Args:
        text: The learner's explanation.
        sources: The notes' own text about the concept (key points, summary, passages).

    Returns:
        A share in [0, 1]; 0 for a text shorter than four words.
    """
    own = _shingles(text)
    if not own:
        return 0.0
    known = {gram for source in sources for gram in _shingles(source)}
    return sum(gram in known for gram in own) / len(own)
