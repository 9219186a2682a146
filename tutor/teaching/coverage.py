"""Whether a learner's notes cover a free question, and which passage answers it best.

Two tests, both needed:

- **relevance**: some passage of the notes is close enough to the question (cosine at
  least the settings' ``min_answer_relevance``);
- **subjects**: every subject the question names (:mod:`tutor.teaching.subjects`) is
  mentioned by a passage that is also about the rest of the question. Notes on Rust that
  say once that "Ruby, Python, or JavaScript" are dynamic languages do not cover "How do
  I write a for loop in Python?": the passages on loops never say Python, and the one that
  says Python is not about loops.

A subject the dense search's passages do not mention is looked up lexically
(:class:`~tutor.teaching.mentions.NoteMentions`): its chunks count when they are close to
the question with the subject taken out (what is asked about it), or when the question
asks about nothing else ("What is Cargo?"). A capitalised word that opens the question
may be a plain word ("Walk me through..."), so it only needs to appear in the notes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

import numpy as np
from langchain_core.embeddings import Embeddings

from tutor.teaching.material import Passage
from tutor.teaching.mentions import NoteMentions
from tutor.teaching.subjects import Subject, content_words, question_subjects

LOOKED_UP = 4
"""Chunks that mention a subject, beyond the search's passages, judged for relevance."""


@dataclass(frozen=True)
class Coverage:
    """The verdict on one question."""

    covered: bool
    passages: tuple[Passage, ...]
    """What answers it, best first: passages that mention its subjects lead."""
    subjects: tuple[Subject, ...]
    """What the question names."""
    missing: tuple[Subject, ...]
    """Subjects no passage about the question mentions (empty when covered)."""

    @property
    def best(self) -> Passage | None:
        """The passage to quote, if the question is covered."""
        return self.passages[0] if self.covered and self.passages else None


async def assess_coverage(
    question: str,
    relevant: Sequence[Passage],
    *,
    owner: UUID,
    mentions: NoteMentions,
    embeddings: Embeddings,
    min_relevance: float,
) -> Coverage:
    """Whether the notes cover ``question``.

    Args:
        question: The learner's question.
        relevant: Passages a search found for it, best first, each at least
            ``min_relevance`` close to it.
        owner: Whose notes.
        mentions: Looks subjects up in the notes.
        embeddings: Judges how close looked-up chunks are to the question.
        min_relevance: Cosine from which a passage is about the question.
    """
    subjects = tuple(question_subjects(question))
    ids = [p.chunk_id for p in relevant]
    # Each supporting chunk and how many subjects it mentions.
    support: dict[str, tuple[Passage, int]] = {}
    missing: list[Subject] = []
    for subject in subjects:
        found = await mentions.mentioning(
            owner, subject, among=ids, ranked_by=question, limit=len(ids) + LOOKED_UP
        )
        if subject.opens_sentence:
            if not found:
                missing.append(subject)
            continue
        by_id = {p.chunk_id: p for p in relevant}
        among = [by_id[p.chunk_id] for p in found if p.chunk_id in by_id]
        if not among:
            among = await _about_the_rest(
                question, subject, found[:LOOKED_UP], embeddings, min_relevance
            )
        if not among:
            missing.append(subject)
        for passage in among:
            _, count = support.get(passage.chunk_id, (passage, 0))
            support[passage.chunk_id] = (passage, count + 1)
    leading = [p for p, _ in sorted(support.values(), key=lambda item: (-item[1], -item[0].score))]
    passages = tuple(leading + [p for p in relevant if p.chunk_id not in support])
    covered = not missing and bool(passages)
    return Coverage(covered, passages if covered else (), subjects, tuple(missing))


async def _about_the_rest(
    question: str,
    subject: Subject,
    found: Sequence[Passage],
    embeddings: Embeddings,
    min_relevance: float,
) -> list[Passage]:
    """The chunks of ``found`` that are about what ``question`` asks of ``subject``."""
    if not found:
        return []
    rest = re.sub(re.escape(subject.text), " ", question, flags=re.IGNORECASE)
    asks_more = bool(content_words(rest))
    query = rest if asks_more else question
    texts = [f"{p.heading_path}\n\n{p.text}" if p.heading_path else p.text for p in found]
    vectors = await asyncio.to_thread(_embed, embeddings, query, texts)
    scores = vectors[1:] @ vectors[0]
    scored = [replace(p, score=float(s)) for p, s in zip(found, scores, strict=True)]
    if asks_more:
        scored = [p for p in scored if p.score >= min_relevance]
    return sorted(scored, key=lambda p: -p.score)


def _embed(embeddings: Embeddings, query: str, texts: list[str]) -> np.ndarray:
    vectors = np.array([embeddings.embed_query(query), *embeddings.embed_documents(texts)])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
