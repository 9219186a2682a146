"""Explain-back: judge a learner's own explanation of a concept against its key points.

Each key point is judged on its own with calibrated evidence
(:mod:`tutor.teaching.explain_evidence`, :mod:`tutor.teaching.explain_calibration`): it is
covered, missing, or contradicted, the last only when a contradiction cue fired and the
calibrated evidence for it is strong. An explanation passes when the key points it covers
make up enough of the concept, central points weighing more, none is contradicted, and it
is not the notes copied word for word (that one is asked again in the learner's own words).
The result says what was covered and what is missing in whole sentences, and asks exactly
one follow-up question, about one point, in plain words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from tutor.grading.features import VectorCache, sentences, words
from tutor.teaching.explain_calibration import ExplainCalibration, shipped_explain_calibration
from tutor.teaching.explain_evidence import copied_share, point_evidence
from tutor.teaching.material import ConceptInfo

COPY_MIN_WORDS = 12
"""Words from which an explanation can read as copied (a short phrase is just a term)."""

_MIN_WEIGHT = 0.05
_SHOWN = 1
"""Covered or missing points quoted in the feedback; the rest are counted."""

_ASKABLE_WORDS = 28
"""Words from which a key point is too long to ask about as it stands."""

_TRAILING = re.compile(r"[\s.!?;:,]+$")
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]")
_MARKUP = re.compile(r"[`*]|(?<!\w)_|_(?!\w)")
_LEAD = re.compile(
    r"^(?:first|second|third|finally|however|internally|thus|so|also|likewise|conversely|"
    r"hence|therefore|in other words|for example|for instance|by contrast|in short|of course|"
    r"instead|again|meanwhile|in rust, by contrast|as such|in effect|in general),\s+",
    re.IGNORECASE,
)
_TAIL = re.compile(r",\s+which\s.*$|;\s.*$")
_WORDS = re.compile(r"[A-Za-z][\w'!-]*")
_PRONOUN_START = frozenset({"this", "that", "these", "those", "they", "it", "its", "he", "she"})


@dataclass(frozen=True)
class ExplainResult:
    """How a learner's explanation compares with a concept's key points.

    Attributes:
        score: In [0, 1], at least 0.5 exactly when the explanation passed; it grows with
            the weighted share of the key points covered.
        passed: Whether the central points are covered, none is contradicted, and the
            explanation is not copied from the notes.
        covered: Key points the explanation covers, in the order given.
        missing: Key points it does not state.
        contradicted: Key points it states the opposite of, on strong evidence.
        feedback: What was covered and what is missing or contradicted, for the learner.
        follow_up: Exactly one question to ask next; it ends with ``?``.
        copied: Whether the explanation reads as copied from the notes.
    """

    score: float
    passed: bool
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    contradicted: tuple[str, ...]
    feedback: str
    follow_up: str
    copied: bool = False


def compare_explanation(
    text: str,
    concept: ConceptInfo,
    key_points: Sequence[str],
    embeddings: Embeddings,
    *,
    sources: Sequence[str] = (),
    calibration: ExplainCalibration | None = None,
) -> ExplainResult:
    """Judge an explanation against key points (synchronous: it embeds; call from a thread).

    Args:
        text: The learner's explanation.
        concept: The concept explained (its title shapes the questions).
        key_points: Statements a full explanation makes; the concept's own key points when
            empty, then the sentences of its summary.
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 in the product).
        sources: The notes' own text about the concept (passages), to recognise a copy;
            the key points and the summary are always used.
        calibration: The calibrated models (the shipped ones when None).

    Returns:
        The judgement, with feedback and one follow-up question.

    Raises:
        ValueError: When neither ``key_points`` nor the concept give anything to compare with.
    """
    points = _points(key_points, concept)
    calibration = calibration or shipped_explain_calibration()
    if not text.strip() or not words(text):
        return _result(concept, points, np.ones(len(points)), set(), set(), calibration)
    cache = VectorCache(embeddings)
    evidence = point_evidence(text, points, concept.title, embeddings, cache)
    cover = calibration.cover.probability(np.array([e.cover for e in evidence]))
    contradict = np.zeros(len(points))
    cued = [i for i, e in enumerate(evidence) if e.cued]
    if cued:
        rows = np.array([(cover[i], *evidence[i].contradict) for i in cued])
        contradict[cued] = calibration.contradict.probability(rows)
    wrong = {
        p for p, c in zip(points, contradict, strict=True) if c >= calibration.contradict.threshold
    }
    covered = {
        p
        for p, c in zip(points, cover, strict=True)
        if c >= calibration.cover.threshold and p not in wrong
    }
    copied = len(words(text)) >= COPY_MIN_WORDS and (
        copied_share(text, [*points, concept.summary, *sources]) >= calibration.copy_share
    )
    weights = centrality(points, cache)
    return _result(concept, points, weights, covered, wrong, calibration, copied=copied)


def centrality(points: Sequence[str], cache: VectorCache) -> np.ndarray:
    """How central each key point is: its mean similarity to the other points.

    Args:
        points: The key points (already embedded in ``cache``).
        cache: Their vectors.

    Returns:
        One positive weight per point; all equal for one or two points.
    """
    if len(points) <= 2:
        return np.ones(len(points))
    vectors = cache.matrix(list(points))
    sims = vectors @ vectors.T
    mean = (sims.sum(axis=1) - np.diag(sims)) / (len(points) - 1)
    weights: np.ndarray = np.maximum(mean, _MIN_WEIGHT)
    return weights


def weighted_share(points: Sequence[str], weights: np.ndarray, covered: set[str]) -> float:
    """Share of the key points' weight that ``covered`` holds."""
    total = float(weights.sum())
    hit = sum(float(w) for p, w in zip(points, weights, strict=True) if p in covered)
    return hit / total if total else 0.0


def _points(key_points: Sequence[str], concept: ConceptInfo) -> list[str]:
    points = [p.strip() for p in key_points if p.strip()]
    points = points or [p.strip() for p in concept.key_points if p.strip()]
    if not points and concept.summary.strip():
        points = sentences(concept.summary)
    if not points:
        raise ValueError(f"concept {concept.key!r} has no key points to compare with")
    return list(dict.fromkeys(points))


def _result(
    concept: ConceptInfo,
    points: list[str],
    weights: np.ndarray,
    covered: set[str],
    contradicted: set[str],
    calibration: ExplainCalibration,
    *,
    copied: bool = False,
) -> ExplainResult:
    hit = tuple(p for p in points if p in covered)
    wrong = tuple(p for p in points if p in contradicted)
    missing = tuple(p for p in points if p not in covered and p not in contradicted)
    share = weighted_share(points, weights, covered)
    bar = calibration.pass_share
    passed = share >= bar and not wrong and not copied
    # The score sits on the verdict's side of 0.5, so mastery moves the way the verdict says.
    if passed:
        score = 0.5 + 0.5 * min(1.0, (share - bar) / max(1e-9, 1.0 - bar))
    else:
        score = min(0.49, 0.5 * share / bar if bar > 0 else 0.0)
    by_weight = [p for _, p in sorted(zip(-weights, points, strict=True), key=lambda t: t[0])]
    return ExplainResult(
        score=round(score, 4),
        passed=passed,
        covered=hit,
        missing=missing,
        contradicted=wrong,
        feedback=_feedback(points, hit, missing, wrong, passed=passed, copied=copied),
        follow_up=_follow_up(concept, by_weight, set(hit), set(wrong), copied=copied),
        copied=copied,
    )


def plain(point: str, names: frozenset[str] = frozenset()) -> str:
    """A key point as a plain clause to put after "that".

    Markup, parentheses, a leading connective ("However,") and, in a long point, a
    trailing ", which ..." or "; ..." are dropped; there is no end punctuation, and the
    first word is lower-cased unless it is a name: all capitals ("GDP"), or in ``names``
    ("Rust", from :func:`names_in` of the concept's key points).
    """
    clause = _LINK.sub(lambda m: m.group(1) or m.group(2), point.strip())
    clause = _MARKUP.sub("", _PARENTHESES.sub("", clause))
    clause = _LEAD.sub("", clause)
    if len(clause.split()) > _ASKABLE_WORDS // 2:
        shorter = _TAIL.sub("", clause)
        clause = shorter if len(shorter.split()) >= 5 else clause
    clause = _TRAILING.sub("", " ".join(clause.split())).replace("?", "")
    first, _, rest = clause.partition(" ")
    # A capital that only starts the sentence goes; a name's ("Rust", "GDP") stays.
    title_case = first[:1].isupper() and (first[1:].islower() or len(first) == 1)
    if title_case and first not in names and first.lower() != first:
        clause = f"{first.lower()} {rest}".rstrip()
    return clause


def names_in(texts: Sequence[str]) -> frozenset[str]:
    """Capitalised words found inside a sentence (not first) of ``texts``: names to keep."""
    found: set[str] = set()
    for text in texts:
        for sentence in sentences(text):
            found.update(w for w in _WORDS.findall(sentence)[1:] if w[:1].isupper())
    return frozenset(found)


def _askable(point: str, names: frozenset[str]) -> bool:
    clause = plain(point, names)
    first = clause.split(" ", 1)[0].lower() if clause else ""
    return 4 <= len(clause.split()) <= _ASKABLE_WORDS and first not in _PRONOUN_START


def _points_phrase(count: int) -> str:
    return "1 key point" if count == 1 else f"{count} key points"


def _feedback(
    points: Sequence[str],
    hit: Sequence[str],
    missing: Sequence[str],
    wrong: Sequence[str],
    *,
    passed: bool,
    copied: bool,
) -> str:
    parts: list[str] = []
    names = names_in(points)
    if copied:
        parts.append(
            "That reads like the notes themselves, word for word: I cannot tell from it "
            "what you understood."
        )
        if wrong:
            parts.append(_turned_around(wrong, names))
        return " ".join(parts)
    if hit and len(hit) == len(points):
        lead = "Well explained" if passed else "You stated them all"
        parts.append(f"{lead}: you covered every key point, including that {plain(hit[0], names)}.")
    elif hit:
        lead = "Well explained: you covered" if passed else "You covered"
        share = f"{len(hit)} of the {_points_phrase(len(points))}"
        parts.append(f"{lead} {share}, such as that {plain(hit[0], names)}.")
    else:
        parts.append("Your explanation does not state the key points of this concept yet.")
    if wrong:
        parts.append(_turned_around(wrong, names))
    if missing:
        more = len(missing) - _SHOWN
        extra = f" (and {more} more key point{'s' if more > 1 else ''})" if more > 0 else ""
        if passed:
            clause = plain(missing[0], names)
            parts.append(f"To go further (not needed to pass), you could add that {clause}{extra}.")
        elif hit or wrong:
            parts.append(f"It does not say yet that {plain(missing[0], names)}{extra}.")
    return " ".join(parts)


def _turned_around(wrong: Sequence[str], names: frozenset[str]) -> str:
    text = f"One thing is the other way round: the notes say that {plain(wrong[0], names)}."
    if len(wrong) > 1:
        text += f" Check {_points_phrase(len(wrong) - 1)} more against the notes too."
    return text


def _follow_up(
    concept: ConceptInfo,
    by_weight: Sequence[str],
    covered: set[str],
    contradicted: set[str],
    *,
    copied: bool,
) -> str:
    names = names_in(by_weight)
    title = _TRAILING.sub("", concept.title.strip()).replace("?", "") or "this concept"
    # A statement turned around comes first: a copy that gets one thing wrong is asked
    # about the wrong thing.
    for point in by_weight:
        if point in contradicted:
            if _askable(point, names):
                return f"Can you look at that part again and explain why {plain(point, names)}?"
            return f"Can you look again at what your notes say about {title}?"
    if copied:
        return f"Can you explain {title} again in your own words, as you would to a friend?"
    for point in by_weight:
        if point not in covered and _askable(point, names):
            return f"How would you explain that {plain(point, names)}?"
    if any(p not in covered for p in by_weight):
        return f"What else can you tell me about {title}?"
    return f"Can you give an example of {title} of your own?"
