"""Feedback sentences on a graded answer: punctuated once, extras said to be extra.

Key points and reference answers come from the notes with or without a final full stop,
so they are never pasted after a fixed "." again: :func:`sentence` ends a text with one
mark, :func:`listing` joins points without their own end marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from tutor.grading.contradiction import antonym_conflicts, polarity_conflicts
from tutor.grading.text import stem, words

Verdict = Literal["correct", "partial", "incorrect"]

_END_MARKS = ".!?"
_TRAILING = " \t\n.;:,"


def sentence(text: str) -> str:
    """``text`` stripped, ending with exactly one end mark (a full stop unless it has one)."""
    body = text.strip()
    if not body:
        return ""
    if body[-1] in _END_MARKS and not body.endswith(".."):
        return body
    return body.rstrip(_TRAILING) + "."


def listing(points: Iterable[str]) -> str:
    """Points joined by semicolons, each without its own end mark, as one sentence."""
    kept = [p.strip().rstrip(_TRAILING) for p in points if p.strip().rstrip(_TRAILING)]
    return sentence("; ".join(kept)) if kept else ""


def join(*parts: str) -> str:
    """Non-empty sentences joined by one space."""
    return " ".join(part.strip() for part in parts if part.strip())


def opposite_cue(answer: str, reference: str) -> str:
    """A sentence naming a word the answer uses the other way round from the reference.

    Empty when no polarity or antonym conflict is found.
    """
    opposed = antonym_conflicts(answer, reference)
    if opposed:
        said, meant = opposed[0]
        return f'Careful: you wrote "{said}" where the notes say "{meant}".'
    flipped = polarity_conflicts(answer, reference)
    if flipped:
        word = _surface(flipped[0], reference)
        return f'Careful: your answer and the notes disagree about "{word}".'
    return ""


def _surface(root: str, text: str) -> str:
    """The word of ``text`` that ``root`` was cut from (the root itself when none is)."""
    return next((w for w in words(text) if stem(w) == root), root)


def short_answer_feedback(
    verdict: Verdict, answer: str, reference: str, missed: Sequence[str]
) -> str:
    """What a learner reads under a short answer's verdict.

    Args:
        verdict: The verdict shown.
        answer: The learner's answer.
        reference: The reference answer ("" when none is known).
        missed: Key points the answer does not cover.

    Returns:
        One to three sentences. Under "correct", points not covered are offered as extra,
        never as missing.
    """
    if verdict == "correct":
        if missed:
            return join("Correct.", "To go further, you could also mention: " + listing(missed))
        return "Correct."
    head = "Partly right." if verdict == "partial" else "Not quite."
    cue = opposite_cue(answer, reference) if reference else ""
    if missed:
        label = "Your answer misses: " if verdict == "partial" else "Key points: "
        return join(head, cue, label + listing(missed))
    if reference:
        label = "A complete answer: " if verdict == "partial" else "A correct answer: "
        return join(head, cue, label + sentence(reference))
    return join(head, cue)
