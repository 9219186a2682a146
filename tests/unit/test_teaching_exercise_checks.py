"""Each reason the exercise checks reject an exercise for, on exercises like real ones."""

from __future__ import annotations

import pytest

from tutor.teaching.exercise_checks import (
    REASONS,
    check_exercise,
    check_exercises,
    fingerprint,
)
from tutor.teaching.exercises import (
    CodeDraft,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)

SENTENCE = (
    "Rust uses a third approach: memory is managed through a system of _____ with a set "
    "of rules that the compiler checks."
)
GOOD_CLOZE = ShortAnswerDraft(
    question=f"Fill in the blank:\n\n{SENTENCE}",
    reference_answer="ownership",
    key_points=["ownership"],
)
GOOD_CLAIM_CHOICE = MultipleChoiceDraft(
    question="According to your notes on references and borrowing, which statement is true?",
    options=[
        "At any given time, you can have either one mutable reference or any number of "
        "immutable references.",
        "At any given time, you can have either one mutable slice or any number of "
        "immutable slices.",
        "At any given time, you cannot have either one mutable reference or any number of "
        "immutable references.",
    ],
    answer=0,
)
GOOD_TERM_CHOICE = MultipleChoiceDraft(
    question=(
        "Which term fills the blank?\n\nThe tendency for _____ to decrease as a person gets "
        "more and more of a good is called the law of diminishing returns."
    ),
    options=["marginal utility", "opportunity cost", "allocative efficiency"],
    answer=0,
)
GOOD_CODE = CodeDraft(
    prompt="One line of this Rust code from your notes on slices is missing. Write it.",
    language="rust",
    starter_code='let s = String::from("hello");\n// ???',
    solution="let slice = &s[0..2];",
)
GOOD_EXPLAIN = ExplainBackDraft(
    prompt="Explain shadowing in your own words, as you would to a fellow learner.",
    key_points=["A new variable with the same name shadows the first."],
)
GOOD = [GOOD_CLOZE, GOOD_CLAIM_CHOICE, GOOD_TERM_CHOICE, GOOD_CODE, GOOD_EXPLAIN]


def cloze(sentence: str, answer: str) -> ShortAnswerDraft:
    return ShortAnswerDraft(
        question=f"Fill in the blank:\n\n{sentence}", reference_answer=answer, key_points=[answer]
    )


@pytest.mark.parametrize("draft", GOOD, ids=lambda d: d.kind)
def test_exercises_that_test_understanding_pass(draft: ExerciseDraft) -> None:
    assert check_exercise(draft) is None


@pytest.mark.parametrize(
    ("sentence", "answer"),
    [
        # Blanks on grammar words: any reader fills them without the notes.
        ("Each value in Rust has an owner, and _____ can only be one owner at a time.", "there"),
        ("When the owner goes out of scope, the value _____ be dropped by Rust.", "will"),
        # A vague word, and numbers in digits and in words.
        ("Shadowing is different from marking a variable as mut in an important _____.", "way"),
        (
            "Rust has _____ primary floating-point types, which are numbers with decimal points.",
            "two",
        ),
        ("The Rust team releases a new version of the compiler every _____ weeks.", "6"),
    ],
)
def test_an_answer_that_is_a_stop_word_vague_word_or_number_is_trivial(
    sentence: str, answer: str
) -> None:
    problem = check_exercise(cloze(sentence.replace(answer, "_____", 1), answer))
    if problem is None:
        problem = check_exercise(cloze(sentence, answer))
    assert problem is not None and problem[0] == "trivial_answer", problem
    assert answer in problem[1]


def test_code_that_reads_like_a_stop_word_is_not_trivial() -> None:
    draft = cloze("To make a variable mutable in Rust, write _____ mut before its name.", "`let`")
    assert check_exercise(draft) is None


def test_an_answer_the_question_already_shows_is_given_away() -> None:
    # The answer's word is printed elsewhere in the sentence ("the ownership rules").
    draft = cloze(
        "Keep the ownership rules in mind: each value has an owner, which is what _____ means.",
        "ownership",
    )
    problem = check_exercise(draft)
    assert problem is not None and problem[0] == "answer_in_stem"
    assert "ownership" in problem[1]
    # The same goes for a short right option printed in the question.
    choice = MultipleChoiceDraft(
        question="Which word names the rules that govern how a program uses ownership?",
        options=["ownership", "borrowing", "lifetimes"],
        answer=0,
    )
    assert check_exercise(choice) == ("answer_in_stem", "the question already says 'ownership'")


@pytest.mark.parametrize(
    "options",
    [
        # Bare concept titles against a statement (seen on the Rust book).
        ["Students", "Foreword", "Rust is for people who want to build reliable software."],
        # Code against prose.
        ["`String::from`", "a heap allocation", "the stack"],
        # A number among words.
        ["1990", "scarcity", "opportunity cost"],
        # One long option among short ones: its length gives it away.
        [
            "Scarcity",
            "Scarcity forces every society to choose what to produce, how to produce it and "
            "who gets what is produced",
            "Trade",
        ],
    ],
)
def test_options_of_different_kinds_are_rejected(options: list[str]) -> None:
    right = max(range(len(options)), key=lambda i: len(options[i]))
    draft = MultipleChoiceDraft(
        question="According to your notes on economics, which of these is true?",
        options=options,
        answer=right,
    )
    problem = check_exercise(draft)
    assert problem is not None and problem[0] == "options_differ_in_kind", problem


@pytest.mark.parametrize(
    "draft",
    [
        cloze("_____ is an owner.", "Rust"),
        cloze("The _____ of the String.", "ownership"),
        MultipleChoiceDraft(question="Which one?", options=["stack", "heap"], answer=0),
        ShortAnswerDraft(
            question="Why?", reference_answer="Because of ownership.", key_points=["x"]
        ),
    ],
)
def test_a_stem_too_short_to_answer_is_rejected(draft: ExerciseDraft) -> None:
    problem = check_exercise(draft)
    assert problem is not None and problem[0] == "stem_too_short", problem


def test_an_exercise_had_before_is_rejected_unless_reviewing() -> None:
    seen = {fingerprint(GOOD_CLAIM_CHOICE), fingerprint(GOOD_CODE)}
    checked = check_exercises(GOOD, seen=seen)
    assert checked.kept == [GOOD_CLOZE, GOOD_TERM_CHOICE, GOOD_EXPLAIN]
    assert [(r.draft, r.reason) for r in checked.rejected] == [
        (GOOD_CLAIM_CHOICE, "seen_before"),
        (GOOD_CODE, "seen_before"),
    ]
    assert check_exercises(GOOD, seen=seen, review=True).kept == GOOD


def test_had_before_ignores_case_spacing_and_option_order() -> None:
    reordered = MultipleChoiceDraft(
        question=GOOD_CLAIM_CHOICE.question.upper().replace(" ", "  "),
        options=list(reversed(GOOD_CLAIM_CHOICE.options)),
        answer=len(GOOD_CLAIM_CHOICE.options) - 1,
    )
    assert fingerprint(reordered) == fingerprint(GOOD_CLAIM_CHOICE)
    other_answer = GOOD_CLAIM_CHOICE.model_copy(update={"answer": 1})
    assert fingerprint(other_answer) != fingerprint(GOOD_CLAIM_CHOICE)
    # Another kind with the same words is another exercise.
    explain = ExplainBackDraft(prompt=GOOD_CLOZE.question, key_points=["ownership"])
    assert fingerprint(explain) != fingerprint(GOOD_CLOZE)


def test_the_same_exercise_twice_in_one_set_is_kept_once() -> None:
    checked = check_exercises([GOOD_CLOZE, GOOD_CODE, GOOD_CLOZE])
    assert checked.kept == [GOOD_CLOZE, GOOD_CODE]
    assert [r.reason for r in checked.rejected] == ["repeated"]


def test_every_reason_is_listed_for_counting() -> None:
    drafts: list[ExerciseDraft] = [
        cloze(
            "Each value in Rust has an owner, and _____ can only be one owner at a time.", "there"
        ),
        cloze(
            "Keep the ownership rules in mind: that is what _____ means for values.", "ownership"
        ),
        MultipleChoiceDraft(
            question="According to your notes, which is true?",
            options=["Students", "Rust is for people who build reliable software."],
            answer=1,
        ),
        cloze("_____ is an owner.", "Rust"),
        GOOD_CODE,
        GOOD_CLOZE,
        GOOD_CLOZE,
    ]
    checked = check_exercises(drafts, seen={fingerprint(GOOD_CODE)})
    assert [r.reason for r in checked.rejected] == list(REASONS)
    assert checked.kept == [GOOD_CLOZE]
