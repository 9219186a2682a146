"""Intent classification with the real all-MiniLM-L6-v2 model and the shipped examples."""

from __future__ import annotations

import pytest

from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.teaching.intents import IntentClassifier

pytestmark = pytest.mark.integration

# Topics other than those the shipped examples name, so routing rests on the phrasing.
ROUTES = [
    ("teach me about iterators", False, "lesson"),
    ("I'd like to learn about hash maps", False, "lesson"),
    ("can we do a lesson on error handling?", False, "lesson"),
    ("start a new lesson about slices", True, "lesson"),
    ("next", False, "next"),
    ("what's next?", True, "next"),
    ("ok let's move on", True, "next"),
    ("I think the answer is the second one", True, "answer"),
    ("my answer: it panics", True, "answer"),
    ("let me explain slices: a slice borrows part of a collection", False, "explain"),
    ("in my own words, modules organize code", True, "explain"),
    ("what are slices?", False, "ask"),
    ("why does rust have no garbage collector?", True, "ask"),
    ("how do I use a hash map?", True, "ask"),
    # Questions are asked, even with an exercise open or words close to a lesson request.
    ("What is ownership in Rust?", True, "ask"),
    ("What are the rules of ownership in Rust?", False, "ask"),
    ("Is a slice a kind of reference", True, "ask"),
]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    model = SentenceTransformerEmbeddings(max_tokens=128, batch_threads=2)
    model.load()
    return IntentClassifier(model)


@pytest.mark.parametrize(("text", "open_exercise", "intent"), ROUTES)
def test_typical_phrasings_route_right(
    classifier: IntentClassifier, text: str, open_exercise: bool, intent: str
) -> None:
    assert classifier.classify(text, open_exercise=open_exercise).intent == intent


def test_answer_needs_an_open_exercise(classifier: IntentClassifier) -> None:
    for text in ("I think the answer is 4", "my answer: it panics", "it's b"):
        assert classifier.classify(text, open_exercise=True).intent == "answer", text
        guess = classifier.classify(text, open_exercise=False)
        assert "answer" not in (guess.intent, guess.runner_up), text


def test_a_near_tie_is_ambiguous(classifier: IntentClassifier) -> None:
    clear = classifier.classify("what's next?", open_exercise=False)
    assert not classifier.ambiguous(clear)
    # Could ask for a lesson or for a quick explanation: the model should decide.
    tie = classifier.classify("tell me about traits", open_exercise=False)
    assert tie.margin < clear.margin
    assert classifier.ambiguous(tie)
