"""Grading answers to each kind of exercise (Python code runs in the real sandbox)."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.grading import FEATURE_NAMES, Calibration, ShortAnswerGrader
from tutor.sandbox import Limits
from tutor.teaching.answers import grade_answer
from tutor.teaching.exercises import (
    CodeDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.material import ConceptInfo

GRADER = ShortAnswerGrader(FakeEmbeddings())
CHOICE = MultipleChoiceDraft(
    question="What happens to s1 after `let s2 = s1;`?",
    options=["It is copied", "It is moved", "It is dropped"],
    answer=1,
    explanation="A String is moved, so s1 is no longer valid.",
)
SHORT = ShortAnswerDraft(
    question="Which trait runs code when a value goes out of scope?",
    reference_answer="`Drop`",
    key_points=["The Drop trait runs when a value goes out of scope."],
)
FAST = Limits(cpu_s=1, wall_s=3)


@pytest.mark.parametrize("answer", ["1", "It is moved", "  it IS   moved "])
async def test_the_right_option_by_index_or_text_is_correct(answer: str) -> None:
    grade = await grade_answer(CHOICE, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("correct", 1.0)


@pytest.mark.parametrize("answer", ["0", "3", "moved", "It is dropped", ""])
async def test_any_other_choice_names_the_right_option(answer: str) -> None:
    grade = await grade_answer(CHOICE, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("incorrect", 0.0)
    assert '"It is moved"' in grade.feedback
    assert CHOICE.explanation in grade.feedback


@pytest.mark.parametrize("answer", ["Drop", "drop", "the `Drop`", "Drop.", " `drop` "])
async def test_a_cloze_term_is_correct_without_the_model(answer: str) -> None:
    embeddings = FakeEmbeddings()
    grade = await grade_answer(SHORT, answer, grader=ShortAnswerGrader(embeddings))
    assert (grade.verdict, grade.score) == ("correct", 1.0)
    assert grade.covered == tuple(SHORT.key_points)
    assert embeddings.history == []


async def test_an_empty_short_answer_is_incorrect_at_once() -> None:
    embeddings = FakeEmbeddings()
    grade = await grade_answer(SHORT, "  ", grader=ShortAnswerGrader(embeddings))
    assert grade.verdict == "incorrect" and grade.score == 0.0
    assert embeddings.history == []


async def test_other_short_answers_go_to_the_grader() -> None:
    embeddings = FakeEmbeddings()
    good = "The Drop trait runs when a value goes out of scope."
    right = await grade_answer(SHORT, good, grader=ShortAnswerGrader(embeddings))
    assert good in embeddings.history
    assert right.covered == tuple(SHORT.key_points)
    wrong = await grade_answer(SHORT, "Clone copies values", grader=GRADER)
    assert wrong.missed == tuple(SHORT.key_points)
    assert wrong.score < right.score
    assert wrong.verdict != "correct"


# From the Rust book's foreword: the blank's term is a quantity.
YEARS = ShortAnswerDraft(
    question=(
        "Fill in the blank:\n\nThe Rust programming language has come a long way in a few "
        "short _____, from its creation and incubation by a small and nascent community."
    ),
    reference_answer="years",
    key_points=["years", "The Rust programming language has come a long way in a few short years."],
)


@pytest.mark.parametrize("answer", ["decades", "months", "a few decades", "two years"])
async def test_another_quantity_for_a_blank_is_incorrect(answer: str) -> None:
    embeddings = FakeEmbeddings()
    grade = await grade_answer(YEARS, answer, grader=ShortAnswerGrader(embeddings))
    if answer == "two years":  # the term itself, with more words: the grader decides
        assert grade.feedback != "" and embeddings.history
        return
    assert (grade.verdict, grade.score) == ("incorrect", 0.0)
    assert '"years"' in grade.feedback
    assert grade.missed == tuple(YEARS.key_points)


async def test_another_word_for_a_blank_is_at_best_partial() -> None:
    # A grader sure of everything: only the blank's own rule keeps "Correct" away.
    n = len(FEATURE_NAMES)
    sure = Calibration(FEATURE_NAMES, (0.0,) * n, (1.0,) * n, (0.0,) * n, 5.0)
    grader = ShortAnswerGrader(FakeEmbeddings(), sure)
    synonym = await grade_answer(SHORT, "Destructor", grader=grader)
    assert synonym.verdict == "partial"
    assert synonym.score < sure.correct_threshold
    assert '"Drop"' in synonym.feedback
    same = await grade_answer(SHORT, "the Drop trait", grader=grader)
    assert same.verdict == "correct"


@pytest.mark.parametrize(
    ("explanation", "option"),
    [("A String is moved, so s1 is no longer valid", "It is moved."), ("", "It is moved")],
)
async def test_choice_feedback_ends_each_sentence_once(explanation: str, option: str) -> None:
    draft = CHOICE.model_copy(
        update={"explanation": explanation, "options": ["It is copied", option, "It is dropped"]}
    )
    for answer in ("0", "1"):
        grade = await grade_answer(draft, answer, grader=GRADER)
        assert ".." not in grade.feedback
        assert grade.feedback.endswith(".")
    wrong = await grade_answer(draft, "0", grader=GRADER)
    assert wrong.feedback.startswith('Not quite: the right answer is "It is moved".')


TESTED = CodeDraft(
    prompt="Write add(a, b).",
    tests="assert add(2, 3) == 5, 'add(2, 3) should be 5'\n",
    solution="def add(a, b):\n    return a + b\n",
)
PRINTED = CodeDraft(
    prompt="Print the squares of 1 to 3.", solution="for i in (1, 2, 3):\n    print(i * i)\n"
)


async def test_code_passing_the_tests_is_correct() -> None:
    grade = await grade_answer(TESTED, "def add(a, b):\n    return b + a\n", grader=GRADER)
    assert (grade.verdict, grade.score) == ("correct", 1.0)


async def test_code_failing_the_tests_shows_the_failure() -> None:
    grade = await grade_answer(TESTED, "def add(a, b):\n    return a - b\n", grader=GRADER)
    assert (grade.verdict, grade.score) == ("incorrect", 0.0)
    assert "add(2, 3) should be 5" in grade.feedback


async def test_a_fenced_answer_is_unwrapped() -> None:
    answer = "```python\ndef add(a, b):\n    return a + b\n```"
    assert (await grade_answer(TESTED, answer, grader=GRADER)).verdict == "correct"


async def test_without_tests_the_output_must_match_the_solution() -> None:
    same = await grade_answer(PRINTED, "print(1)   \nprint(4)\nprint(9)\n\n", grader=GRADER)
    assert same.verdict == "correct"
    assert same.output.split() == ["1", "4", "9"]
    wrong = await grade_answer(PRINTED, "print(1)\nprint(2)\nprint(3)\n", grader=GRADER)
    assert wrong.verdict == "incorrect"
    assert "Expected:\n1\n4\n9" in wrong.feedback
    assert "Got:\n1\n2\n3" in wrong.feedback


async def test_right_output_then_a_crash_is_incorrect() -> None:
    answer = "print(1)\nprint(4)\nprint(9)\nraise RuntimeError('boom')\n"
    grade = await grade_answer(PRINTED, answer, grader=GRADER)
    assert grade.verdict == "incorrect"
    assert "RuntimeError: boom" in grade.feedback


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("while True:\n    pass\n", "time limit"),
        ("x = bytearray(10**10)\n", "memory"),
        ("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)\n", ""),
        ("print(open('/etc/passwd').read())\n", ""),
        ("import os\nwhile True:\n    os.fork()\n", ""),
    ],
)
async def test_misbehaving_code_is_a_failed_attempt(code: str, said: str) -> None:
    grade = await grade_answer(TESTED, code, grader=GRADER, limits=FAST)
    assert (grade.verdict, grade.score) == ("incorrect", 0.0)
    assert said in grade.feedback
    assert "root:" not in grade.feedback + grade.output


RUST = CodeDraft(prompt="Clone s1 into s2.", language="rust", solution="let s2 = s1.clone();")


@pytest.mark.parametrize(
    "answer",
    [
        "let s2 = s1.clone();",
        "let  s2=s1.clone() ;",
        'fn main() {\n    let s1 = String::from("hi");\n    let s2 = s1.clone();\n}\n',
        "```rust\nlet s2 = s1.clone();\n```",
    ],
)
async def test_other_languages_compare_with_the_solution(answer: str) -> None:
    grade = await grade_answer(RUST, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("correct", 1.0)


async def test_a_wrong_line_shows_the_expected_one() -> None:
    grade = await grade_answer(RUST, "let s2 = s1;", grader=GRADER)
    assert grade.verdict == "incorrect"
    assert "let s2 = s1.clone();" in grade.feedback


async def test_explain_back_is_compared_with_the_key_points() -> None:
    draft = ExplainBackDraft(
        prompt="Explain ownership.",
        key_points=["Each value has an owner.", "There can only be one owner at a time."],
    )
    concept = ConceptInfo(key="ownership", title="ownership")
    full = await grade_answer(
        draft,
        "Every value has its owner, and a value can only have one owner at a time.",
        grader=GRADER,
        concept=concept,
    )
    assert full.verdict == "correct" and full.score >= 0.5
    assert full.feedback.endswith("Can you give an example of ownership of your own?")
    # The key points repeated word for word are the notes, not an explanation.
    copied = await grade_answer(
        draft,
        "Each value has an owner. There can only be one owner at a time.",
        grader=GRADER,
        concept=concept,
    )
    assert copied.verdict != "correct"
    assert copied.feedback.endswith("in your own words, as you would to a friend?")
    half = await grade_answer(draft, "Each value has an owner.", grader=GRADER)
    assert half.verdict != "incorrect" and half.score < full.score
    assert half.missed == ("There can only be one owner at a time.",)
    assert half.feedback.endswith("?")


OWNED = CodeDraft(
    prompt="Make s1 an owned String.", language="rust", solution='let s1 = String::from("hello");'
)


@pytest.mark.parametrize(
    "answer",
    [
        'let s1 = String::from("hello");',
        'let s1 = "hello".to_string();',
        'let s1 = "hello".to_owned();',
        'let s1 = "hello".into();',
        'let s1 = String::from("hello")',  # the trailing semicolon changes nothing asked
        'let s1=String::from( "hello" ) ; // an owned copy',
        '/* owned */ let s1 =\n    "hello".to_string();',
    ],
)
async def test_rust_equivalent_forms_are_the_same_tokens(answer: str) -> None:
    grade = await grade_answer(OWNED, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("correct", 1.0), answer
    assert grade.feedback == "Correct: compared with the notes' code, the same tokens."


@pytest.mark.parametrize(
    ("answer", "differs"),
    [
        ('let s1 = "hullo".to_string();', 'String::from("hullo")'),
        ('let s1 = "hello";', '"hello"'),  # a &str, not a String
        ("let s1 = 'h'.to_string();", "'h'"),  # a char, not a string, in Rust
        ('let s2 = String::from("hello");', "s2"),
        ('let mut s1 = String::from("hello");', "mut"),
        ('let s1 = String::from("hello"); s1.clear();', ";"),
    ],
)
async def test_rust_answers_that_differ_say_where(answer: str, differs: str) -> None:
    grade = await grade_answer(OWNED, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("incorrect", 0.0), answer
    assert grade.feedback.startswith("Not quite: compared with the notes' code")
    assert f"`{differs}`" in grade.feedback
    assert 'let s1 = String::from("hello");' in grade.feedback


JAVASCRIPT = CodeDraft(
    prompt="Greet the user.", language="javascript", solution="const greeting = 'hi ' + name;"
)


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ('const greeting = "hi " + name', "correct"),
        ("const greeting = `hi ` + name;", "correct"),
        ("const greeting='hi '+name; // say hi", "correct"),
        ("let greeting = 'hi ' + name;", "incorrect"),
        ("const greeting = 'hi' + name;", "incorrect"),
        ("const greeting = name + 'hi ';", "incorrect"),
    ],
)
async def test_quotes_are_one_string_where_the_language_says_so(answer: str, verdict: str) -> None:
    assert (await grade_answer(JAVASCRIPT, answer, grader=GRADER)).verdict == verdict


SQUARES = CodeDraft(
    prompt="Print the squares.",
    solution="squares = [n * n for n in range(4)]\nprint(squares)\n",
)


@pytest.mark.parametrize(
    "answer",
    [
        "squares = [n * n for n in range(4)]\nprint(squares)\n",
        "squares = [n ** 2 for n in range(4)]\nprint(squares)",
        "print([0, 1, 4, 9])",
        "squares = list(map(lambda n: n * n, range(4)))\nprint(squares)",
    ],
)
async def test_python_is_run_and_any_program_printing_the_same_is_correct(answer: str) -> None:
    grade = await grade_answer(SQUARES, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("correct", 1.0), answer
    assert grade.feedback == "Correct: ran it, and its output matches."


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("squares = [n * 2 for n in range(4)]\nprint(squares)\n", "Ran it: the output is not"),
        ("print(squares)\n", "Ran it: your code did not run to the end."),
        ("squares = [n * n for n in range(4)]\n", "Ran it: the output is not"),
    ],
)
async def test_python_that_prints_otherwise_says_it_was_run(answer: str, said: str) -> None:
    grade = await grade_answer(SQUARES, answer, grader=GRADER)
    assert (grade.verdict, grade.score) == ("incorrect", 0.0)
    assert grade.feedback.startswith(said)


async def test_without_a_jail_python_is_compared_by_tokens_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A machine without bubblewrap: the sandbox cannot start at all.
    monkeypatch.setattr("tutor.sandbox.runner.find_bwrap", lambda: None)
    right = await grade_answer(
        SQUARES, "squares = [n*n for n in range(4)]\nprint(squares);", grader=GRADER
    )
    assert (right.verdict, right.score) == ("correct", 1.0)
    assert right.feedback == (
        "Correct: could not run it here, so compared with the notes' code, the same tokens."
    )
    wrong = await grade_answer(SQUARES, "print([0, 1, 4, 9])", grader=GRADER)
    assert wrong.verdict == "incorrect"
    assert wrong.feedback.startswith("Not quite: could not run it here, so compared")
