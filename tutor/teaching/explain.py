"""Explain-back: compare a learner's own explanation of a concept with its key points.

A key point counts as covered when it is close, by sentence embedding, to the whole
explanation or to one of its sentences (the threshold the short-answer grader uses). A point
whose closest sentence is close but says the opposite (one of them negated, or "one" against
"many") is contradicted rather than covered. The result names what was covered, what is
missing or contradicted, and asks exactly one follow-up question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from tutor.grading.features import STOP_WORDS, VectorCache, negated, sentences, words
from tutor.grading.short_answer import KEY_POINT_THRESHOLD
from tutor.teaching.material import ConceptInfo

_SINGLE = frozenset({"one", "single", "sole", "unique"})
_SEVERAL = frozenset({"many", "multiple", "several", "numerous"})
_FEEDBACK_POINTS = 3
_TRAILING = re.compile(r"[\s.!?;:,]+$")


@dataclass(frozen=True)
class ExplainResult:
    """How a learner's explanation compares with a concept's key points.

    Attributes:
        score: Share of the key points covered (contradicted points count as not covered).
        passed: Whether enough points are covered and none is contradicted.
        covered: Key points the explanation covers, in the order given.
        missing: Key points it does not mention.
        contradicted: Key points it states the opposite of.
        feedback: What was covered and what is missing or contradicted, for the learner.
        follow_up: Exactly one question to ask next; it ends with ``?``.
    """

    score: float
    passed: bool
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    contradicted: tuple[str, ...]
    feedback: str
    follow_up: str


def compare_explanation(
    text: str,
    concept: ConceptInfo,
    key_points: Sequence[str],
    embeddings: Embeddings,
    *,
    pass_share: float = 0.6,
    threshold: float = KEY_POINT_THRESHOLD,
) -> ExplainResult:
    """Compare an explanation with key points (synchronous: it embeds; call from a thread).

    Args:
        text: The learner's explanation.
        concept: The concept explained (its title shapes the follow-up question).
        key_points: Statements a full explanation makes; the concept's own key points when
            empty, then the sentences of its summary.
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 in the product).
        pass_share: Share of the key points that must be covered to pass.
        threshold: Cosine similarity from which a key point counts as covered.

    Returns:
        The comparison, with feedback and one follow-up question.

    Raises:
        ValueError: When neither ``key_points`` nor the concept give anything to compare with.
    """
    points = _points(key_points, concept)
    parts = sentences(text) if text.strip() else []
    if not parts:
        return _result(concept, points, set(), set(), pass_share)
    cache = VectorCache(embeddings)
    candidates = [text, *parts]
    cache.fill([*points, *candidates])
    sims = cache.matrix(points) @ cache.matrix(candidates).T
    covered: set[str] = set()
    contradicted: set[str] = set()
    for point, row in zip(points, sims, strict=True):
        best_sentence = int(np.argmax(row[1:])) + 1
        if row[best_sentence] >= threshold and _opposite(point, candidates[best_sentence]):
            contradicted.add(point)
        elif float(row.max()) >= threshold:
            covered.add(point)
    return _result(concept, points, covered, contradicted, pass_share)


def _points(key_points: Sequence[str], concept: ConceptInfo) -> list[str]:
    points = [p.strip() for p in key_points if p.strip()]
    points = points or [p.strip() for p in concept.key_points if p.strip()]
    if not points and concept.summary.strip():
        points = sentences(concept.summary)
    if not points:
        raise ValueError(f"concept {concept.key!r} has no key points to compare with")
    return list(dict.fromkeys(points))


def _quantity(text: str) -> str:
    found = set(words(text))
    single, several = bool(found & _SINGLE), bool(found & _SEVERAL)
    return "single" if single and not several else "several" if several and not single else ""


def _opposite(point: str, sentence: str) -> bool:
    """Whether two close statements disagree: one negated, or one against many."""
    if negated(point) != negated(sentence):
        return True
    a, b = _quantity(point), _quantity(sentence)
    return bool(a and b and a != b)


def _result(
    concept: ConceptInfo,
    points: list[str],
    covered: set[str],
    contradicted: set[str],
    pass_share: float,
) -> ExplainResult:
    hit = tuple(p for p in points if p in covered)
    wrong = tuple(p for p in points if p in contradicted)
    missing = tuple(p for p in points if p not in covered and p not in contradicted)
    score = len(hit) / len(points)
    return ExplainResult(
        score=score,
        passed=score >= pass_share and not wrong,
        covered=hit,
        missing=missing,
        contradicted=wrong,
        feedback=_feedback(hit, missing, wrong),
        follow_up=_follow_up(concept, points, covered, contradicted),
    )


def _listing(points: Sequence[str]) -> str:
    shown = [_clause(p) for p in points[:_FEEDBACK_POINTS]]
    more = len(points) - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more > 0 else "")


def _feedback(hit: Sequence[str], missing: Sequence[str], wrong: Sequence[str]) -> str:
    parts: list[str] = []
    if hit:
        parts.append(f"You explained that {_listing(hit)}.")
    else:
        parts.append("Your explanation does not cover the key points yet.")
    if wrong:
        parts.append(f"Check again: the notes say that {_listing(wrong)}.")
    if missing:
        parts.append(f"Still missing: {_listing(missing)}.")
    if not wrong and not missing:
        parts.append("That covers every key point.")
    return " ".join(parts)


def _clause(point: str) -> str:
    """A key point as a clause to put after "that": no end punctuation, lower first word."""
    clause = _TRAILING.sub("", point.strip()).replace("?", "")
    first, _, rest = clause.partition(" ")
    # Only a function word is safe to lower-case: "Rust", "HTTP" or "Vec" must stay.
    if first.lower() in STOP_WORDS and not first.isupper():
        clause = f"{first.lower()} {rest}".rstrip()
    return clause


_STATEMENT_WORDS = 4
"""Words from which a key point reads as a statement rather than a name."""


def _follow_up(
    concept: ConceptInfo, points: list[str], covered: set[str], contradicted: set[str]
) -> str:
    for point in points:
        # A point that is only a name ("Moves") is asked about, not explained "that".
        statement = len(point.split()) >= _STATEMENT_WORDS
        if point in contradicted:
            if statement:
                return f"Can you look at this again and explain why {_clause(point)}?"
            return f"Can you look again at what your notes say about {_clause(point)}?"
        if point not in covered:
            if statement:
                return f"How would you explain that {_clause(point)}?"
            return f"What can you tell me about {_clause(point)}?"
    title = _TRAILING.sub("", concept.title.strip()).replace("?", "") or "this concept"
    return f"Can you give an example of {title} of your own?"
