"""Intent classification plumbing with word-hashing embeddings."""

from __future__ import annotations

import pytest

from tutor.embeddings import FakeEmbeddings
from tutor.teaching import intent_cues as cues
from tutor.teaching.intents import EXAMPLES, INTENTS, IntentClassifier, IntentGuess

SMALL = {
    "lesson": ["teach me about ownership", "start a lesson"],
    "next": ["next", "move on"],
    "answer": ["the answer is", "my answer"],
    "explain": ["let me explain", "in my own words"],
    "ask": ["what is a borrow", "why does rust"],
    "chat": ["thanks", "hello"],
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
    guess = classifier.classify("my answer is", open_exercise=True)
    assert guess.intent == "answer"
    assert guess.runner_up != "answer"
    assert 0.0 < guess.margin <= guess.score


def test_answer_is_never_chosen_without_an_open_exercise() -> None:
    classifier = IntentClassifier(FakeEmbeddings(), SMALL)  # type: ignore[arg-type]
    guess = classifier.classify("my answer is", open_exercise=False)
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
    classifier.classify("my answer is", open_exercise=False)
    classifier.classify("a borrow", open_exercise=False)
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


def _classifier() -> IntentClassifier:
    return IntentClassifier(FakeEmbeddings(), SMALL)  # type: ignore[arg-type]


# Questions whose words sit close to the next and lesson examples ("next", "start a lesson").
QUESTIONS = [
    "Can I have two mutable references to the same variable at the same time?",
    "can i have the next value of an iterator twice",
    "What happens next in the Krebs cycle?",
    "what did we learn in the last lesson?",
    "Is a lesson on ownership needed before borrowing?",
    "how do I move on from a failed test",
    "so what does elasticity actually measure",
    "waht is a monad",
    "hwo does inflation start",
    "explain the krebs cycle to me",
    "I don't understand why my code doesn't compile",
    "difference between mitosis and meiosis",
    "¿Qué es la inflación?",
    "que es una celula",
    "Warum brauchen Pflanzen Licht",
    "pourquoi le ciel est bleu",
    "c'est quoi une cellule souche",
]


@pytest.mark.parametrize("open_exercise", [False, True])
@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_is_asked_never_a_lesson_or_next(text: str, open_exercise: bool) -> None:
    embeddings = FakeEmbeddings()
    classifier = IntentClassifier(embeddings, SMALL)  # type: ignore[arg-type]
    guess = classifier.classify(text, open_exercise=open_exercise)
    assert guess.intent == "ask"
    assert not classifier.ambiguous(guess)
    # The words settle it: no example is compared, so no example can pull it elsewhere.
    assert embeddings.history == []


@pytest.mark.parametrize(
    "text",
    [
        "next",
        "Next!",
        "nxt pls",
        "what's next?",
        "whats next",
        "what now?",
        "ok lets move on",
        "can we move on?",
        "What should I learn next?",
        "ready for the next one",
        "done, what now?",
        "skip this one",
        "on to the next topic",
        "siguiente",
        "weiter bitte",
        "suivant",
    ],
)
def test_a_request_to_move_on_is_next(text: str) -> None:
    assert cues.asks_to_move_on(text)
    assert _classifier().classify(text, open_exercise=True).intent == "next"


@pytest.mark.parametrize(
    "text",
    ["what happens next in the cycle?", "next to what?", "continue the loop how?", "nextjs"],
)
def test_a_word_of_moving_on_inside_a_question_is_not_next(text: str) -> None:
    assert not cues.asks_to_move_on(text)


@pytest.mark.parametrize(
    ("text", "is_question"),
    [
        ("teach me about supply and demand", False),
        ("teach me smth about pointers", False),
        ("can you teach me photosynthesis?", True),
        ("Could we do a lesson about monetary policy?", True),
        ("could you give me a lesson on loops?", True),
        ("enséñame sobre la oferta y la demanda", False),
        ("Bring mir etwas über Zellen bei", False),
        ("apprends-moi la mitose", False),
    ],
)
def test_a_request_for_a_lesson_is_recognised_in_its_words(text: str, is_question: bool) -> None:
    assert cues.asks_for_lesson(text)
    assert cues.is_question(text) is is_question
    if not is_question:
        assert _classifier().classify(text, open_exercise=False).intent == "lesson"


def test_a_question_that_does_not_ask_to_be_taught_cannot_be_a_lesson() -> None:
    for text in ("could you give me an example of a trait?", "can you explain a derivative?"):
        assert not cues.asks_for_lesson(text)
        assert _classifier().classify(text, open_exercise=False).intent == "ask"


@pytest.mark.parametrize(
    "text",
    ["thanks!", "hello", "ok cool", "thank you so much", "bye for now", "merci", "ok", "haha"],
)
def test_chit_chat_is_chat_even_with_an_exercise_open(text: str) -> None:
    for open_exercise in (False, True):
        assert _classifier().classify(text, open_exercise=open_exercise).intent == "chat"


@pytest.mark.parametrize(
    "text",
    [
        "in my own words, inflation is when prices rise",
        "let me explain: a reference borrows a value",
        "as i understand it, opportunity cost is what you give up",
        "en mis propias palabras, la demanda baja cuando sube el precio",
        "mit meinen eigenen Worten: Zellen teilen sich",
    ],
)
def test_an_explanation_opens_as_one(text: str) -> None:
    assert _classifier().classify(text, open_exercise=True).intent == "explain"


def test_with_an_exercise_open_a_plain_statement_answers_it() -> None:
    explaining = {**SMALL, "explain": ["demand falls when the price rises"]}
    classifier = IntentClassifier(FakeEmbeddings(), explaining)  # type: ignore[arg-type]
    text = "demand falls when the price rises"
    assert classifier.classify(text, open_exercise=True).intent == "answer"
    assert classifier.classify(text, open_exercise=False).intent == "explain"


@pytest.mark.parametrize(
    "text", ["def square(x): return x * x", "print(sum(range(10)))", "let s2 = s1.clone();"]
)
def test_code_is_an_answer_to_an_open_exercise(text: str) -> None:
    assert _classifier().classify(text, open_exercise=True).intent == "answer"
    assert _classifier().classify(text, open_exercise=False).intent != "answer"
