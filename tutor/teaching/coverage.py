"""Whether a learner's notes cover a free question, and which passage answers it best.

Two tests, both needed:

- **relevance**: some passage of the notes is close enough to the question (cosine at
  least the settings' ``min_answer_relevance``);
- **subjects**: every subject the question names (:mod:`tutor.teaching.subjects`) is
  mentioned by a passage that is also about the rest of the question. Notes on Rust that
  say once that "Ruby, Python, or JavaScript" are dynamic languages do not cover "How do
  I write a for loop in Python?": the passages on loops never say Python, and the one that
  says Python is not about loops.

The chunks that mention a subject are looked up by their words
(:class:`~tutor.teaching.mentions.NoteMentions`), the search's passages first; they count
when they are close to the question and stay somewhat close to it with the subject taken
out (what is asked about it), or when the question asks about nothing else ("What is
Cargo?"). A word of a lowercase
subject that the notes never use settles it at once ("price elasticity", "monad"); a
capitalised word that opens the question may be a plain word ("Walk me through..."), so
it only needs to appear somewhere in the notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from uuid import UUID

from tutor.teaching.material import Passage
from tutor.teaching.mentions import NoteMentions
from tutor.teaching.subjects import Subject, content_words, question_subjects
from tutor.vectors import VectorStore

LOOKED_UP = 4
"""Chunks that mention a subject, beyond the search's passages, judged for relevance."""
REST_SHARE = 0.5
"""How close, as a share of ``min_relevance``, a passage that mentions a subject must
stay to the question once the subject is taken out. A passage close only through the
name drops to about nothing; one on the question keeps some closeness even when little
is left of it ("Who counts as being in the ...?" of a passage on the labor force)."""


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
    vectors: VectorStore,
    min_relevance: float,
) -> Coverage:
    """Whether the notes cover ``question``.

    Args:
        question: The learner's question.
        relevant: Passages a search found for it, best first, each at least
            ``min_relevance`` close to it.
        owner: Whose notes.
        mentions: Looks subjects up in the notes.
        vectors: The notes' vectors, to judge how close a passage is to what the question
            asks of a subject.
        min_relevance: Cosine from which a passage is about the question.
    """
    subjects = tuple(question_subjects(question))
    by_id = {p.chunk_id: p for p in relevant}
    ranked_by = " ".join(content_words(question))
    # Each supporting chunk and how many subjects it supports.
    support: dict[str, tuple[Passage, int]] = {}
    missing: list[Subject] = []
    for subject in subjects:
        if subject.kind == "phrase" or subject.opens_sentence:
            # A word the notes never use settles it: "elasticity", "monad".
            if await mentions.unknown_words(owner, subject):
                missing.append(subject)
                continue
            if subject.opens_sentence:
                continue
        found = await mentions.mentioning(
            owner, subject, among=list(by_id), ranked_by=ranked_by, limit=len(by_id) + LOOKED_UP
        )
        found = [by_id.get(p.chunk_id, p) for p in found]
        among = await _about_the_rest(
            owner, question, subject, found, by_id.keys(), vectors, min_relevance
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
    owner: UUID,
    question: str,
    subject: Subject,
    found: Sequence[Passage],
    scored: Set[str],
    vectors: VectorStore,
    min_relevance: float,
) -> list[Passage]:
    """The passages of ``found`` that are about what ``question`` asks of ``subject``.

    They must be close to the question, and stay somewhat close to it once the subject
    is taken out: a passage that names the subject in passing ("such as Ruby, Python, or
    JavaScript") is close to a question on Python only through that name. When nothing
    is left ("What is Cargo?"), naming the subject is enough.
    """
    if not found:
        return []
    rest = re.sub(re.escape(subject.text), " ", question, flags=re.IGNORECASE)
    if not content_words(rest):
        return list(found)
    unscored = [p.chunk_id for p in found if p.chunk_id not in scored]
    cosines = await vectors.similarities(str(owner), question, unscored) if unscored else {}
    close = [
        p if p.chunk_id in scored else replace(p, score=cosines.get(p.chunk_id, 0.0)) for p in found
    ]
    close = [p for p in close if p.score >= min_relevance]
    if not close:
        return []
    kept = await vectors.similarities(str(owner), rest, [p.chunk_id for p in close])
    floor = min_relevance * REST_SHARE
    return sorted((p for p in close if kept.get(p.chunk_id, 0.0) >= floor), key=lambda p: -p.score)
