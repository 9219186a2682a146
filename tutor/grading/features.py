"""Features of a learner's short answer against reference answers, for grading.

Each feature is a number in a small range that a logistic regression weighs
(:mod:`tutor.grading.short_answer`): sentence-embedding similarities to the
references and to the question, content-word overlap, a soft word alignment by
embedding, a negation mismatch cue and a length ratio. Every text is embedded in
one batch per call, through :class:`VectorCache`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.grading.contradiction import (
    antonym_conflicts,
    order_discord,
    polarity_conflicts,
    quantity_conflicts,
)
from tutor.grading.text import (
    NEGATIONS,
    STOP_WORDS,
    content_words,
    negated,
    sentences,
    stem,
    words,
)

__all__ = [
    "EXAMPLE_COLUMNS",
    "FEATURE_NAMES",
    "NEGATIONS",
    "STOP_WORDS",
    "GradingItem",
    "VectorCache",
    "compute_features",
    "content_words",
    "key_terms",
    "negated",
    "sentences",
    "stem",
    "texts_to_embed",
    "without_examples",
    "words",
]

Vector = npt.NDArray[np.float32]

FEATURE_NAMES: tuple[str, ...] = (
    "sim_max",
    "sim_best",
    "sim_mean",
    "sentence_sim_max",
    "question_sim",
    "word_recall",
    "word_precision",
    "demoted_recall",
    "demoted_sim",
    "demoted_sim_mean",
    "in_context_sim",
    "demoted_align",
    "align_recall",
    "align_precision",
    "negation_mismatch",
    "length_ratio",
    "polarity_conflict",
    "antonym_conflict",
    "quantity_conflict",
    "order_discord",
    "key_term_recall",
    "question_overlap",
    "example_correct_sim",
    "example_incorrect_sim",
    "example_margin",
    "example_vote",
    "has_examples",
)
"""Names of the columns :func:`compute_features` writes, in order."""

EXAMPLE_COLUMNS = slice(FEATURE_NAMES.index("example_correct_sim"), len(FEATURE_NAMES))
"""The columns that describe graded examples (the last ones)."""

EXAMPLE_TOP_K = 1
"""Nearest correct (incorrect) examples whose similarities are averaged."""

EXAMPLE_VOTE_K = 5
"""Nearest examples, of either label, that vote."""


@dataclass(frozen=True)
class GradingItem:
    """One learner answer to grade, with what it is graded against.

    Attributes:
        answer: The learner's answer.
        references: Reference answers that are correct.
        question: The question asked (answers that only repeat it are wrong).
        key_points: Points a full answer covers; may be empty.
        best_references: The preferred subset of ``references``; empty means all.
        model_judgement: Optional probability of correct from a language model, or
            None when no model judged the answer (the shipped calibration ignores it).
        graded_examples: Earlier answers to the same question, each with whether it
            was correct; may be empty.
    """

    answer: str
    references: tuple[str, ...]
    question: str = ""
    key_points: tuple[str, ...] = ()
    best_references: tuple[str, ...] = ()
    model_judgement: float | None = None
    graded_examples: tuple[tuple[str, bool], ...] = ()


class VectorCache:
    """Embeds distinct texts once, in one batch per :meth:`fill`.

    Args:
        embeddings: Embeddings whose vectors are normalized (dot product is cosine).
    """

    def __init__(self, embeddings: Embeddings) -> None:
        self._embeddings = embeddings
        self._vectors: dict[str, Vector] = {}
        self._dimension = 0

    def fill(self, texts: Iterable[str]) -> None:
        """Embed every text of ``texts`` not embedded yet, in one call."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not missing:
            return
        rows = np.asarray(self._embeddings.embed_documents(missing), dtype=np.float32)
        self._dimension = rows.shape[1]
        for text, row in zip(missing, rows, strict=True):
            self._vectors[text] = row

    def matrix(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Stack the vectors of ``texts`` (already filled) into rows."""
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])


def _references(item: GradingItem) -> tuple[list[str], list[str]]:
    refs = [r for r in item.references if r.strip()] or [""]
    best = [r for r in item.best_references if r.strip()] or refs
    return refs, best


def demoted(text: str, question_stems: set[str]) -> list[str]:
    """Content words of ``text`` whose stems are not in the question."""
    return [w for w in content_words(text) if stem(w) not in question_stems]


def _question_stems(item: GradingItem) -> set[str]:
    return {stem(w) for w in content_words(item.question)}


def _in_context(question: str, text: str) -> str:
    return f"{question} {text}" if question else text


def texts_to_embed(item: GradingItem) -> list[str]:
    """Every text :func:`compute_features` needs a vector for."""
    refs, best = _references(item)
    question_stems = _question_stems(item)
    texts = [item.answer, item.question, *refs, *best, *sentences(item.answer)]
    texts.extend(" ".join(demoted(t, question_stems)) for t in (item.answer, *refs))
    texts.extend(_in_context(item.question, t) for t in (item.answer, *refs))
    for text in (item.answer, *refs):
        texts.extend(content_words(text))
    texts.extend(answer for answer, _ in item.graded_examples if answer.strip())
    return texts


def _cos(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    sims: npt.NDArray[np.float32] = np.clip(a @ b.T, -1.0, 1.0)
    return sims


def _soft_coverage(targets: list[str], sources: list[str], cache: VectorCache) -> float:
    """Mean over ``targets`` of the best cosine to a word of ``sources`` (exact stem = 1)."""
    if not targets:
        return 1.0
    if not sources:
        return 0.0
    sims = _cos(cache.matrix(targets), cache.matrix(sources))
    exact = np.array([[stem(t) == stem(s) for s in sources] for t in targets], dtype=bool)
    sims = np.where(exact, 1.0, np.maximum(sims, 0.0))
    return float(sims.max(axis=1).mean())


def _overlap(answer: set[str], reference: set[str]) -> tuple[float, float]:
    if not reference:
        return 1.0, 1.0 if not answer else 0.0
    shared = len(answer & reference)
    return shared / len(reference), shared / len(answer) if answer else 0.0


def item_features(item: GradingItem, cache: VectorCache) -> list[float]:
    """Features of one item, in :data:`FEATURE_NAMES` order (vectors already filled)."""
    refs, best = _references(item)
    answer_vec = cache.matrix([item.answer])
    ref_sims = _cos(answer_vec, cache.matrix(refs))[0]
    best_sims = _cos(answer_vec, cache.matrix(best))[0]
    sentence_sims = _cos(cache.matrix(sentences(item.answer)), cache.matrix(refs))
    question_sim = (
        float(_cos(answer_vec, cache.matrix([item.question]))[0, 0]) if item.question else 0.0
    )

    answer_words = content_words(item.answer)
    answer_stems = {stem(w) for w in answer_words}
    question_stems = _question_stems(item)
    answer_new = demoted(item.answer, question_stems)
    recall = precision = demoted_recall = demoted_align = align_r = align_p = 0.0
    ref_new = [" ".join(demoted(ref, question_stems)) for ref in refs]
    ref_new = [text for text in ref_new if text]
    demoted_sim = demoted_sim_mean = 0.0
    if answer_new and ref_new:
        new_sims = _cos(cache.matrix([" ".join(answer_new)]), cache.matrix(ref_new))
        demoted_sim, demoted_sim_mean = float(new_sims.max()), float(new_sims.mean())
    in_context_sim = float(
        _cos(
            cache.matrix([_in_context(item.question, item.answer)]),
            cache.matrix([_in_context(item.question, ref) for ref in refs]),
        ).max()
    )
    chosen = refs[int(np.argmax(ref_sims))]
    for ref in refs:
        ref_words = content_words(ref)
        ref_stems = {stem(w) for w in ref_words}
        r, p = _overlap(answer_stems, ref_stems)
        if (r, p) > (recall, precision):
            recall, precision = r, p
        d, _ = _overlap(answer_stems - question_stems, ref_stems - question_stems)
        demoted_recall = max(demoted_recall, d)
        demoted_align = max(
            demoted_align, _soft_coverage(demoted(ref, question_stems), answer_new, cache)
        )
        ar = _soft_coverage(ref_words, answer_words, cache)
        if ar > align_r:
            align_r = ar
            align_p = _soft_coverage(answer_words, ref_words, cache)
    cues = _contradiction_cues(item.answer, chosen)
    ref_length = len(content_words(chosen))
    length_ratio = math.log((len(answer_words) + 1) / (ref_length + 1))
    sim_max = float(ref_sims.max())
    return [
        sim_max,
        float(best_sims.max()),
        float(ref_sims.mean()),
        float(sentence_sims.max()),
        question_sim,
        recall,
        precision,
        demoted_recall,
        demoted_sim,
        demoted_sim_mean,
        in_context_sim,
        demoted_align,
        align_r,
        align_p,
        float(negated(item.answer) != negated(chosen)),
        max(-2.0, min(2.0, length_ratio)),
        *cues,
        _key_term_recall(answer_stems, refs, question_stems),
        _question_overlap(answer_stems, question_stems),
        *_example_features(item, answer_vec[0], sim_max, cache),
    ]


def _contradiction_cues(answer: str, reference: str) -> list[float]:
    return [
        float(bool(polarity_conflicts(answer, reference))),
        float(bool(antonym_conflicts(answer, reference))),
        float(bool(quantity_conflicts(answer, reference))),
        order_discord(answer, reference),
    ]


def key_terms(references: Sequence[str], question_stems: set[str]) -> set[str]:
    """Stems every reference uses that the question does not: what a right answer names.

    With one reference (or none shared by all), the first reference's own new stems.
    """
    per_reference = [{stem(w) for w in content_words(r)} - question_stems for r in references]
    per_reference = [stems for stems in per_reference if stems]
    if not per_reference:
        return set()
    shared = set.intersection(*per_reference)
    return shared or per_reference[0]


def _key_term_recall(answer: set[str], references: Sequence[str], question: set[str]) -> float:
    terms = key_terms(references, question)
    return len(terms & answer) / len(terms) if terms else 1.0


def _question_overlap(answer: set[str], question: set[str]) -> float:
    """Share of the answer's content stems that only restate the question's."""
    return len(answer & question) / len(answer) if answer else 0.0


def _neutral_example_features(sim_max: float) -> list[float]:
    # The reference stands in for the missing correct examples, nothing for the
    # incorrect ones, so a row without examples reads like one graded on references.
    return [sim_max, 0.0, sim_max, 0.0, 0.0]


def _example_features(
    item: GradingItem, answer: Vector, sim_max: float, cache: VectorCache
) -> list[float]:
    examples = [(text, correct) for text, correct in item.graded_examples if text.strip()]
    if not examples:
        return _neutral_example_features(sim_max)
    sims = np.clip(cache.matrix([text for text, _ in examples]) @ answer, -1.0, 1.0)
    labels = np.array([correct for _, correct in examples], dtype=bool)

    def top(values: npt.NDArray[np.float32]) -> float | None:
        return float(np.sort(values)[-EXAMPLE_TOP_K:].mean()) if len(values) else None

    correct_sim, incorrect_sim = top(sims[labels]), top(sims[~labels])
    correct_sim = sim_max if correct_sim is None else correct_sim
    incorrect_sim = 0.0 if incorrect_sim is None else incorrect_sim
    nearest = np.argsort(-sims, kind="stable")[:EXAMPLE_VOTE_K]
    # Closer examples weigh more; the vote is +1 when all nearest were correct, -1 when none.
    weights = np.maximum(sims[nearest], 0.0) + 1e-6
    vote = float(np.sum(weights * np.where(labels[nearest], 1.0, -1.0)) / np.sum(weights))
    return [correct_sim, incorrect_sim, correct_sim - incorrect_sim, vote, 1.0]


def without_examples(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``rows`` as :func:`compute_features` writes them for items without graded examples.

    Args:
        rows: Feature rows, columns as :data:`FEATURE_NAMES`.

    Returns:
        A copy whose graded-example columns hold the neutral values.
    """
    out = rows.copy()
    sim_max = FEATURE_NAMES.index("sim_max")
    for row in out:
        row[EXAMPLE_COLUMNS] = _neutral_example_features(float(row[sim_max]))
    return out


def compute_features(
    items: Sequence[GradingItem], embeddings: Embeddings, cache: VectorCache | None = None
) -> npt.NDArray[np.float64]:
    """Feature matrix of ``items``: one row each, columns as :data:`FEATURE_NAMES`.

    Args:
        items: Answers to describe.
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 in the product).
        cache: Vectors to reuse and extend; a fresh one when None.

    Returns:
        A float array of shape ``(len(items), len(FEATURE_NAMES))``.
    """
    cache = cache or VectorCache(embeddings)
    cache.fill(text for item in items for text in texts_to_embed(item))
    rows = [item_features(item, cache) for item in items]
    return np.asarray(rows, dtype=np.float64).reshape(len(items), len(FEATURE_NAMES))
