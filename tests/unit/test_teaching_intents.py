"""Intent classification plumbing with word-hashing embeddings."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.teaching.intents import EXAMPLES, INTENTS, IntentClassifier, IntentGuess

SMALL = {
    "lesson": ["teach me about ownership", "start a lesson"],
    "next": ["next", "move on"],
    "answer": ["the answer is", "my answer"],
    "explain": ["let me explain", "in my own words"],
    "ask": ["what is a borrow", "why does rust"],
}


def test_every_intent_ships_a_few_dozen_examples() -> None:
    assert set(EXAMPLES) == set(INTENTS)
    for intent in INTENTS:
        assert len(EXAMPLES[intent]) >= 20, intent


def test_text_goes_to_the_intent_of_its_words() -> None:
    classifier = IntentClassifier(FakeEmbeddings(), SMALL)  # type: ignore[arg-type]
    assert classifier.classify("teach me about ownership", open_exercise=False).intent == "lesson"
    assert classifier.classify("move on", open_exercise=True).intent == "next"
    assert classifier.classify("what is a borrow", open_exercise=True).intent == "ask"
    guess = classifier.classify("my answer", open_exercise=True)
    assert guess.intent == "answer"
    assert guess.runner_up != "answer"
    assert 0.0 < guess.margin <= guess.score


def test_answer_is_never_chosen_without_an_open_exercise() -> None:
    classifier = IntentClassifier(FakeEmbeddings(), SMALL)  # type: ignore[arg-type]
    guess = classifier.classify("my answer", open_exercise=False)
    assert guess.intent != "answer"
    assert guess.runner_up != "answer"


def test_a_lone_option_is_an_answer_only_to_an_open_exercise() -> None:
    classifier = IntentClassifier(FakeEmbeddings(), SMALL)  # type: ignore[arg-type]
    for text in ("b", " 2 ", "(c)", "a."):
        assert classifier.classify(text, open_exercise=True).intent == "answer", text
        assert classifier.classify(text, open_exercise=False).intent != "answer", text


def test_examples_are_embedded_once_and_lazily() -> None:
    embeddings = FakeEmbeddings()
    classifier = IntentClassifier(embeddings, SMALL)  # type: ignore[arg-type]
    assert embeddings.history == []
    classifier.classify("next", open_exercise=False)
    classifier.classify("what is a borrow", open_exercise=False)
    example_count = sum(len(v) for v in SMALL.values())
    assert embeddings.history[:example_count] == [t for i in INTENTS for t in SMALL[i]]
    assert embeddings.history.count("start a lesson") == 1


def test_ambiguous_compares_the_margin_with_the_setting() -> None:
    classifier = IntentClassifier(FakeEmbeddings(), SMALL, margin=0.1)  # type: ignore[arg-type]
    assert classifier.ambiguous(IntentGuess("ask", 0.6, "lesson", 0.05))
    assert not classifier.ambiguous(IntentGuess("ask", 0.6, "lesson", 0.2))
    blank = classifier.classify("   ", open_exercise=False)
    assert blank.score == 0.0 and classifier.ambiguous(blank)


def test_every_intent_needs_examples() -> None:
    with pytest.raises(ValueError, match="explain"):
        IntentClassifier(FakeEmbeddings(), {**SMALL, "explain": []})  # type: ignore[dict-item]
