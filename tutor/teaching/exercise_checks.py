"""Checks every exercise passes before a learner sees it, whoever wrote it.

An exercise is rejected, with a reason, when it cannot test understanding:

``trivial_answer``
    The answer of a fill-in or a short option is a stop word, a generic word ("way",
    "example") or a number: guessing it tests grammar, not the notes.
``answer_in_stem``
    A short answer's own word is printed in the question.
``options_differ_in_kind``
    Multiple-choice options mix kinds (code with prose, a bare term with a sentence, a
    number with words) or lengths, so the odd one out gives the answer away.
``stem_too_short``
    Too little of the question is left to answer it from.
``seen_before``
    The learner had this exercise before (allowed in a review, where coming back to the
    same question is the point).
``repeated``
    The same exercise twice in one set.

:func:`check_exercises` returns what was kept and what was rejected and why, so that a
caller can count the reasons; :func:`fingerprint` is the identity used for "had before".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from tutor.teaching._cloze import BLANK, content_words, stem
from tutor.teaching.exercises import (
    CodeDraft,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)

__all__ = [
    "REASONS",
    "CheckedExercises",
    "Reason",
    "Rejection",
    "check_exercise",
    "check_exercises",
    "fingerprint",
]

Reason = Literal[
    "trivial_answer",
    "answer_in_stem",
    "options_differ_in_kind",
    "stem_too_short",
    "seen_before",
    "repeated",
]
REASONS: tuple[Reason, ...] = (
    "trivial_answer",
    "answer_in_stem",
    "options_differ_in_kind",
    "stem_too_short",
    "seen_before",
    "repeated",
)
"""Every reason an exercise can be rejected for, in the order they are checked."""

SHORT_ANSWER_WORDS = 4
"""Answers of at most this many words are terms: checked for being trivial or given away."""
MIN_CLOZE_WORDS = 6
"""Words a fill-in-the-blank sentence needs besides its blank."""
MIN_CLOZE_CONTENT_WORDS = 3
"""Content words a fill-in-the-blank sentence needs besides its blank."""
MIN_QUESTION_WORDS = 4
"""Words any other question or prompt needs."""
MAX_LENGTH_RATIO = 2.0
"""Longest over shortest option, in words, beyond which the lengths give the answer away."""
_LENGTH_SLACK = 4
"""Words by which options may differ whatever their ratio."""
_SENTENCE_WORDS = 5
"""Words from which an option ending in a full stop is a sentence, not a phrase."""
_FILL_IN = re.compile(r"^\s*(?:fill in the blank|which term fills the blank)\W*", re.IGNORECASE)
_CODE_LIKE = re.compile(r"^`[^`]+`$|::|[(){}\[\];=<>&|]|\w\.\w|^\w+_\w+$|^[a-z]+[A-Z]\w*$")
_NUMBER = re.compile(r"^[\d\s.,%$€£+\-/]+$")
_NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
    seventy eighty ninety hundred thousand million billion first second third fourth fifth
    half twice once dozen""".split()  # noqa: SIM905
)
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True, slots=True)
class Rejection:
    """An exercise left out, and why."""

    draft: ExerciseDraft
    reason: Reason
    detail: str
    """What exactly failed, for a person reading a report."""


@dataclass(frozen=True, slots=True)
class CheckedExercises:
    """The outcome of checking a set of exercises."""

    kept: list[ExerciseDraft]
    rejected: list[Rejection]


def check_exercises(
    drafts: Sequence[ExerciseDraft], *, seen: Collection[str] = (), review: bool = False
) -> CheckedExercises:
    """Keep the drafts that test understanding; say why each other one was left out.

    Args:
        drafts: Exercises in the order they would be set.
        seen: Fingerprints (:func:`fingerprint`) of the exercises the learner had before.
        review: The exercises are for a review, where a question the learner had before
            may come again.

    Returns:
        The kept drafts in their order, and the rejections.
    """
    kept: list[ExerciseDraft] = []
    rejected: list[Rejection] = []
    taken: set[str] = set()
    for draft in drafts:
        problem = check_exercise(draft, seen=seen, review=review)
        if problem is None and fingerprint(draft) in taken:
            problem = ("repeated", "the same exercise is already in this set")
        if problem is None:
            kept.append(draft)
            taken.add(fingerprint(draft))
        else:
            rejected.append(Rejection(draft, *problem))
    return CheckedExercises(kept, rejected)


def check_exercise(
    draft: ExerciseDraft, *, seen: Collection[str] = (), review: bool = False
) -> tuple[Reason, str] | None:
    """The first reason to reject one exercise, with its detail; None when it passes.

    Args:
        draft: The exercise.
        seen: Fingerprints of the exercises the learner had before.
        review: Whether exercises had before are allowed.

    Returns:
        ``(reason, detail)``, or None.
    """
    for problem in (_answer_problem(draft), _options_problem(draft), _stem_problem(draft)):
        if problem is not None:
            return problem
    if not review and fingerprint(draft) in seen:
        return "seen_before", "the learner had this exercise before"
    return None


def fingerprint(draft: ExerciseDraft) -> str:
    """What makes two exercises the same for a learner, as a short hex digest.

    Wording that differs only in case, spacing or punctuation is the same exercise; a
    multiple-choice question is the same when it asks the same thing with the same right
    option, whatever the wrong ones and their order.

    Args:
        draft: The exercise.

    Returns:
        32 hex characters.
    """
    if isinstance(draft, MultipleChoiceDraft):
        parts = [draft.question, draft.options[draft.answer]]
    elif isinstance(draft, ShortAnswerDraft):
        parts = [draft.question]
    elif isinstance(draft, CodeDraft):
        parts = [draft.starter_code or draft.prompt, draft.solution]
    else:
        parts = [draft.prompt]
    text = "\n".join([draft.kind, *(_normal(part) for part in parts)])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _normal(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def _answer_problem(draft: ExerciseDraft) -> tuple[Reason, str] | None:
    if isinstance(draft, ShortAnswerDraft):
        question, answer = draft.question, draft.reference_answer
    elif isinstance(draft, MultipleChoiceDraft):
        question, answer = draft.question, draft.options[draft.answer]
    else:
        return None
    if len(answer.split()) > SHORT_ANSWER_WORDS:
        return None
    if _trivial(answer):
        return "trivial_answer", f"the answer {answer!r} is a stop word, a vague word or a number"
    asked = {stem(word) for word in content_words(question)}
    given = [word for word in content_words(answer) if stem(word) in asked]
    if given:
        return "answer_in_stem", f"the question already says {given[0]!r}"
    return None


def _trivial(answer: str) -> bool:
    text = answer.strip()
    if not text.strip("`").strip() or _NUMBER.match(text.strip("`")):
        return True
    if all(word.casefold() in _NUMBER_WORDS for word in text.split()):
        return True
    # Code is never a stop word, even when it reads like one (`let`, `if`).
    return not _CODE_LIKE.search(text) and not content_words(text)


def _kind(option: str) -> str:
    text = option.strip()
    if _NUMBER.match(text):
        return "number"
    words = text.split()
    if len(words) <= SHORT_ANSWER_WORDS and _CODE_LIKE.search(text):
        return "code"
    # A full sentence against bare terms or phrases ("Students", "Foreword") is the
    # classic giveaway; phrases of a few words each are one kind whatever their length.
    if len(words) >= _SENTENCE_WORDS and text.rstrip("\"')\u201d").endswith((".", "!", "?")):
        return "sentence"
    return "phrase"


def _options_problem(draft: ExerciseDraft) -> tuple[Reason, str] | None:
    if not isinstance(draft, MultipleChoiceDraft):
        return None
    kinds = {option: _kind(option) for option in draft.options}
    if len(set(kinds.values())) > 1:
        odd = min(kinds, key=lambda o: list(kinds.values()).count(kinds[o]))
        return "options_differ_in_kind", f"{odd!r} is a {kinds[odd]}, unlike the others"
    lengths = [len(option.split()) for option in draft.options]
    shortest, longest = min(lengths), max(lengths)
    if longest > MAX_LENGTH_RATIO * shortest and longest - shortest > _LENGTH_SLACK:
        return "options_differ_in_kind", (
            f"options run from {shortest} to {longest} words: the length gives it away"
        )
    return None


def _stem_problem(draft: ExerciseDraft) -> tuple[Reason, str] | None:
    if isinstance(draft, MultipleChoiceDraft | ShortAnswerDraft):
        question = draft.question
    elif isinstance(draft, CodeDraft | ExplainBackDraft):
        question = draft.prompt
    else:  # pragma: no cover - every draft kind is listed above
        return None
    if BLANK in question:
        sentence = _FILL_IN.sub("", question).replace(BLANK, " ")
        words, meaning = len(sentence.split()), len(content_words(sentence))
        if words < MIN_CLOZE_WORDS or meaning < MIN_CLOZE_CONTENT_WORDS:
            return "stem_too_short", (
                f"only {words} words ({meaning} with meaning) around the blank"
            )
        return None
    if len(question.split()) < MIN_QUESTION_WORDS or not content_words(question):
        return "stem_too_short", f"the question {question!r} is too short to answer"
    return None
