"""Feedback under a short answer's verdict reads as written by a person."""

import numpy as np
import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.grading import FEATURE_NAMES, Calibration, GradingItem, ShortAnswerGrader
from tutor.grading.feedback import listing, opposite_cue, sentence, short_answer_feedback

REFERENCE = "The String is not dropped, because s does not have ownership of it."
POINTS = ("s does not own the String.", "The String is not dropped.")


def test_sentence_and_listing_end_with_one_mark() -> None:
    assert sentence("The value is dropped") == "The value is dropped."
    assert sentence("The value is dropped.") == "The value is dropped."
    assert sentence("Is it dropped?") == "Is it dropped?"
    assert sentence("It is dropped..") == "It is dropped."
    assert sentence("  ") == ""
    assert listing(["One.", "two;", " three "]) == "One; two; three."
    assert listing([]) == ""


@pytest.mark.parametrize("verdict", ["correct", "partial", "incorrect"])
@pytest.mark.parametrize("reference", [REFERENCE, REFERENCE.rstrip("."), ""])
@pytest.mark.parametrize("missed", [(), POINTS, tuple(p.rstrip(".") for p in POINTS)])
def test_no_double_full_stops_in_any_feedback(
    verdict: str, reference: str, missed: tuple[str, ...]
) -> None:
    text = short_answer_feedback(verdict, "s owns it.", reference, missed)  # type: ignore[arg-type]
    assert ".." not in text and ". ." not in text
    assert text.endswith((".", "?", "!"))


def test_points_under_a_correct_verdict_are_offered_as_extra() -> None:
    text = short_answer_feedback("correct", "s only borrows it.", REFERENCE, POINTS)
    assert text.startswith("Correct.")
    assert "could also mention" in text
    assert "miss" not in text.lower()


def test_a_wrong_answer_that_says_the_opposite_is_told_so() -> None:
    flipped = opposite_cue("s takes ownership, so the String is dropped.", REFERENCE)
    assert '"dropped"' in flipped
    opposed = opposite_cue("Variables are mutable by default.", "Variables are immutable.")
    assert opposed == 'Careful: you wrote "mutable" where the notes say "immutable".'
    assert opposite_cue("s borrows the String.", REFERENCE) == ""


def flat(intercept: float) -> Calibration:
    n = len(FEATURE_NAMES)
    return Calibration(FEATURE_NAMES, (0.0,) * n, (1.0,) * n, (0.0,) * n, intercept)


def test_a_correct_grade_lists_no_missed_points() -> None:
    item = GradingItem("It is fine.", (REFERENCE,), "Why is the String not dropped?", POINTS)
    correct = ShortAnswerGrader(FakeEmbeddings(), flat(5.0)).grade(item)
    assert correct.verdict == "correct"
    assert correct.missed == ()
    assert set(correct.extra) | set(correct.covered) == set(POINTS)
    assert correct.extra and "could also mention" in correct.feedback
    wrong = ShortAnswerGrader(FakeEmbeddings(), flat(-5.0)).grade(item)
    assert wrong.verdict == "incorrect"
    assert wrong.extra == ()
    assert set(wrong.missed) | set(wrong.covered) == set(POINTS)
    assert np.isclose(correct.score + wrong.score, 1.0)
