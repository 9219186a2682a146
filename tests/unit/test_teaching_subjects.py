"""What a free question names: the subjects whose absence from the notes decides coverage."""

from __future__ import annotations

import pytest

from tutor.teaching.subjects import Subject, content_words, question_subjects


def named(question: str) -> list[tuple[str, str]]:
    return [(s.text, s.kind) for s in question_subjects(question)]


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("How do I write a for loop in Python?", ("Python", "name")),
        ("What did Milton Friedman's critics say about unemployment?", ("Milton Friedman", "name")),
        ("Is GDP a good measure?", ("GDP", "name")),
        ("How do I set up VS Code?", ("VS Code", "name")),
        ("¿Cómo escribo un bucle en Haskell?", ("Haskell", "name")),
        ("What is a Roth IRA?", ("Roth IRA", "name")),
    ],
)
def test_capitalised_words_inside_a_sentence_are_names(
    question: str, subject: tuple[str, str]
) -> None:
    assert subject in named(question)


@pytest.mark.parametrize(
    "question",
    [
        "How do I make a variable that can change?",
        "Why can't I have two mutable references at once?",
        "Explain it in simple terms please",
        "What happens in practice when I do that?",
        "Tell me more about it. Give me an example!",
        "What is the difference between them?",
        "Can you walk me through it in detail?",
    ],
)
def test_questions_that_name_nothing_have_no_subject(question: str) -> None:
    assert question_subjects(question) == []


def test_an_opening_question_word_is_no_name_but_an_unknown_opening_word_may_be() -> None:
    assert named("What is borrowing?") == [("borrowing", "phrase")]
    [rust] = question_subjects("Rust or C for a kernel?")[:1]
    assert rust == Subject("Rust", "name", opens_sentence=True)
    # After a full stop a new sentence opens: "How" is a question word again.
    assert "How" not in [s.text for s in question_subjects("I see. How does it end?")]


def test_a_possessive_ends_a_name() -> None:
    assert named("Is Rust's Option like null?")[:2] == [("Rust", "name"), ("Option", "name")]


def test_code_and_quoted_terms_are_subjects_as_written() -> None:
    subjects = named('What does `Vec::new` return, and what is "ceteris paribus"?')
    assert ("Vec::new", "code") in subjects
    assert ("ceteris paribus", "quoted") in subjects
    assert ("C++", "code") in named("How is this done in C++?")
    assert ("crates.io", "code") in named("How do I publish to crates.io?")
    assert ("push_str", "code") in named("When do I call push_str?")


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("How do I write a for loop in python?", "python"),
        ("How do I count words using a hash map?", "hash map"),
        ("What is the prisoner's dilemma in game theory?", "game theory"),
        ("What is a monopoly and how does it set prices?", "monopoly"),
        ("What does opportunity cost mean?", "opportunity cost"),
        ("How does quantitative easing work?", "quantitative"),
        ("Define marginal utility.", "marginal utility"),
        ("How do tariffs affect trade?", "tariffs"),
    ],
)
def test_lowercase_topics_are_found_where_questions_put_them(question: str, phrase: str) -> None:
    assert (phrase, "phrase") in named(question)


def test_for_after_an_article_is_part_of_a_noun() -> None:
    assert named("How does a for loop work?") == []
    assert ("loops", "phrase") in named("Is there a keyword for loops?")


def test_framing_words_are_not_topics() -> None:
    for question in (
        "What is inflation in short?",
        "How does it work in practice?",
        "What does that mean in other words?",
        "Can you explain this with an example?",
    ):
        assert "phrase" not in [k for _, k in named(question) if _ != "inflation"], question


def test_each_subject_is_named_once() -> None:
    assert named("Is Python like Python 3 in Python?") == [("Python", "name")]


def test_content_words_are_what_a_question_asks_without_its_frame() -> None:
    assert content_words("How do I write a loop in 2024?") == ["write", "loop"]
    assert content_words("How do I sort a list in ?") == ["sort", "list"]
    assert content_words("What does   mean, and how does it work?") == []
    assert content_words("Can you explain it with an example, please?") == []
    # Typed fast, without the apostrophe, a question word is still only the frame.
    assert content_words("whats the rule for") == []
    assert content_words("What's the rule for") == []


def test_curly_quotes_read_as_straight_ones() -> None:
    assert named("What\u2019s a monad?") == [("monad", "phrase")]
    assert ("ceteris paribus", "quoted") in named("What does \u201cceteris paribus\u201d mean?")
    assert named("Is Friedman\u2019s view in the notes?") == [("Friedman", "name")]
