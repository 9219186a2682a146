"""Classify a learner's free text: lesson, next step, answer, explain-back, question or chat.

First the words: :mod:`tutor.teaching.intent_cues` recognises what needs no model (a
request to move on, a request for a lesson, an explanation in the learner's own words, a
pleasantry, code or a lone option given to an open exercise). A message phrased as a
question (a question mark, an opening question word, "I don't understand ...", "explain
...") is ``ask``, answered in the chat, or ``lesson`` when it asks in so many words to be
taught ("can you teach me ...?"); it never becomes ``next`` unless the whole message asks
to move on ("what's next?"). Chit-chat
("thanks!", "hello", "ok cool") is ``chat`` and goes to the chat answer too, never to a
lesson.

What the words leave open goes to the intent whose example phrasings the text is closest
to by sentence embedding: the mean of the best few similarities (so one odd example cannot
decide alone), for the whole text and for its opening words, which carry the intent while
the rest names a topic the embedding would otherwise weigh heavily. ``answer`` is only
possible while an exercise is open, and while one is open a statement with no cue of an
explanation is an answer rather than an explanation. When the best two intents are nearly
tied, :meth:`IntentClassifier.ambiguous` says so and the caller asks the language model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.teaching import intent_cues as cues

Intent = Literal["lesson", "next", "answer", "explain", "ask", "chat"]
INTENTS: tuple[Intent, ...] = get_args(Intent)
"""Every intent, in a fixed order (ties go to the earlier one)."""

EXAMPLES: Mapping[Intent, tuple[str, ...]] = {
    # Few topic words: the embedding weighs a topic heavily, and a topic named in one
    # intent's examples would pull every text about it there.
    "lesson": (
        "teach me about ownership",
        "teach me about borrowing",
        "teach me something new",
        "start a lesson",
        "start a lesson on lifetimes",
        "let's learn ownership",
        "let's learn about traits",
        "I want to learn about this",
        "I'd like to study a new topic",
        "give me a lesson on that",
        "can you teach me how it works",
        "lesson on this topic please",
        "I want to learn something else",
        "teach me",
        "new lesson",
        "let's start with the basics",
        "walk me through the next chapter",
        "introduce me to a new topic",
        "I'd like a lesson",
        "let's go over the chapter",
        "can we study a new concept",
        "I want to be taught this from the start",
    ),
    "next": (
        "next",
        "next please",
        "what's next?",
        "what is next",
        "continue",
        "go on",
        "move on",
        "let's move on",
        "keep going",
        "ok, next one",
        "next topic",
        "next exercise",
        "skip this",
        "skip",
        "I'm done with this, what now?",
        "got it, continue",
        "ready for the next step",
        "give me another one",
        "proceed",
        "let's go to the next part",
        "done, what's the next thing",
        "carry on",
        "onwards",
    ),
    "answer": (
        "I think the answer is 3",
        "I think the answer is that the value is moved",
        "it's b",
        "it is option 2",
        "my answer: the borrow checker rejects it",
        "my answer is false",
        "the answer is a mutable reference",
        "I'd say the second option",
        "I choose c",
        "b",
        "option 1",
        "true",
        "false",
        "the value is dropped at the end of the scope",
        "it prints 5",
        "because s1 was moved into s2",
        "the function takes ownership of the string",
        "def add(a, b): return a + b",
        "let s2 = s1.clone();",
        "my guess is that it won't compile",
        "it doesn't compile because the reference outlives the value",
        "the output is hello world",
        "I'd go with the first one",
        "final answer: a",
    ),
    "explain": (
        "let me explain ownership: each value has an owner",
        "let me explain how borrowing works",
        "in my own words, a reference lets you use a value without owning it",
        "in my own words",
        "here is my explanation of lifetimes",
        "I'll explain it back to you",
        "let me try to explain it",
        "my understanding is that a move transfers ownership",
        "the way I understand it, a vector is a growable list",
        "as I understand it, traits are like interfaces",
        "here's how I'd explain it to a friend",
        "to put it simply, closures capture their environment",
        "I'll summarize what I learned",
        "my summary: structs group related data",
        "let me describe what I understood",
        "the way I see it, enums list the possible variants of a type",
        "can I explain it back to check my understanding",
        "I want to explain this in my own words",
        "here is what I think it means",
        "explaining it back: a value is dropped when its owner goes out of scope",
        "let me put this in my own words",
        "in short, what I learned is that",
    ),
    "ask": (
        "what is ownership?",
        "what is a borrow?",
        "what are lifetimes?",
        "what is this?",
        "what does that mean?",
        "how do I do that?",
        "how do I use it?",
        "how does it work?",
        "why does rust need lifetimes?",
        "why does this not compile?",
        "why is it like that?",
        "how do I return two values from a function?",
        "what's the difference between these two?",
        "I don't understand this",
        "what does this operator do",
        "when should I use it?",
        "is a closure a function?",
        "what happens when a value goes out of scope?",
        "why is my code panicking",
        "could you give me an example?",
        "what does this error mean",
        "which one is faster?",
        "I'm confused about this",
        "what did you mean by that?",
        "how is this different from C++?",
        "can you clarify something for me?",
        "I don't get why this happens",
        "explain this to me",
        "tell me what that means",
        "no idea what this means",
        "difference between the two",
        "I have a question",
    ),
    "chat": (
        "thanks!",
        "thank you",
        "thanks a lot, that was helpful",
        "hello",
        "hi",
        "hey there",
        "good morning",
        "ok cool",
        "ok",
        "nice",
        "great",
        "awesome",
        "that helps",
        "that makes sense",
        "you're a great tutor",
        "I like this",
        "this is fun",
        "lol",
        "haha",
        "bye",
        "see you later",
        "good night",
        "I'm tired",
        "I'll be back later",
    ),
}
"""Example phrasings of each intent shipped with the classifier."""

_TOP_K = 3
_HEAD_WORDS = 4
_CLAUSE_BREAK = re.compile(r"[:,;]")
# A lone option letter or number is an answer to the open exercise; an embedding of one
# character says little, so it is recognized directly.
_CHOICE = re.compile(r"^\s*\(?(?:[a-h]|\d{1,4})[.)]?\s*$", re.IGNORECASE)
_CERTAIN = 1.0
"""Score and margin of an intent the words settle."""

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class IntentGuess:
    """The classifier's best guess for a text.

    Attributes:
        intent: The closest intent.
        score: Its similarity (cosine, mean of the best few examples).
        runner_up: The second closest intent.
        margin: ``score`` minus the runner-up's score (0 or more).
    """

    intent: Intent
    score: float
    runner_up: Intent
    margin: float


class IntentClassifier:
    """Routes a learner's free text to an intent by similarity to example phrasings.

    The examples are embedded once, on first use (in one batch, under a lock, so concurrent
    first calls embed them once).

    Args:
        embeddings: Normalized sentence embeddings (all-MiniLM-L6-v2 in the product).
        examples: Example phrasings per intent; :data:`EXAMPLES` when None. Every intent
            needs at least one example.
        margin: A guess whose lead over the runner-up is below this is ambiguous.
    """

    def __init__(
        self,
        embeddings: Embeddings,
        examples: Mapping[Intent, Sequence[str]] | None = None,
        *,
        margin: float = 0.05,
    ) -> None:
        chosen = EXAMPLES if examples is None else examples
        cleaned = {
            intent: tuple(t.strip() for t in chosen.get(intent, ()) if t.strip())
            for intent in INTENTS
        }
        empty = [intent for intent, texts in cleaned.items() if not texts]
        if empty:
            raise ValueError(f"intents without examples: {', '.join(empty)}")
        self._embeddings = embeddings
        self._examples = cleaned
        self.margin = margin
        self._vectors: dict[Intent, Matrix] | None = None
        self._lock = threading.Lock()

    @property
    def examples(self) -> Mapping[Intent, tuple[str, ...]]:
        """The example phrasings in use, per intent."""
        return self._examples

    def classify(self, text: str, *, open_exercise: bool) -> IntentGuess:
        """Guess the intent of ``text``.

        Args:
            text: The learner's message.
            open_exercise: Whether an exercise awaits an answer; without one, ``answer`` is
                never returned.

        Returns:
            The best intent, its score, the runner-up and the margin between them. A blank
            text gets score and margin 0 (ambiguous); an intent the words settle gets 1.
        """
        allowed = [i for i in INTENTS if open_exercise or i != "answer"]
        if not text.strip():
            fallback: Intent = "answer" if open_exercise else "ask"
            return IntentGuess(fallback, 0.0, _second(allowed, fallback), 0.0)
        settled = _settled(text, open_exercise=open_exercise)
        if settled is not None:
            return IntentGuess(settled, _CERTAIN, _second(allowed, settled), _CERTAIN)
        if cues.is_question(text):
            # A question is answered in the chat, or taught when it asks to be taught.
            if not cues.asks_for_lesson(text):
                return IntentGuess("ask", _CERTAIN, _second(allowed, "ask"), _CERTAIN)
            allowed = ["ask", "lesson"]
        elif open_exercise and not cues.explains(text):
            # With an exercise open, a statement that does not say it explains answers it.
            allowed = [i for i in allowed if i != "explain"]
        vectors = self._example_vectors()
        query = np.asarray(self._embeddings.embed_documents(_views(text)), dtype=np.float32)
        scores = {intent: _score(vectors[intent] @ query.T) for intent in allowed}
        ranked = sorted(allowed, key=lambda i: -scores[i])
        best, second = ranked[0], ranked[1]
        return IntentGuess(best, scores[best], second, scores[best] - scores[second])

    def ambiguous(self, guess: IntentGuess) -> bool:
        """Whether the guess leads its runner-up by less than the margin setting."""
        return guess.margin < self.margin

    def _example_vectors(self) -> dict[Intent, Matrix]:
        with self._lock:
            if self._vectors is None:
                texts = [t for intent in INTENTS for t in self._examples[intent]]
                rows = np.asarray(self._embeddings.embed_documents(texts), dtype=np.float32)
                vectors: dict[Intent, Matrix] = {}
                start = 0
                for intent in INTENTS:
                    count = len(self._examples[intent])
                    vectors[intent] = rows[start : start + count]
                    start += count
                self._vectors = vectors
            return self._vectors


def _views(text: str) -> list[str]:
    """The whole text and its opening words, where the intent usually is ("let me explain")."""
    whole = " ".join(text.split())
    head = " ".join(_CLAUSE_BREAK.split(whole, maxsplit=1)[0].split()[:_HEAD_WORDS])
    return [whole, head or whole]


def _score(similarities: Matrix) -> float:
    """Mean of the best few example similarities, averaged over the text's views."""
    top = np.sort(similarities, axis=0)[-_TOP_K:]
    return float(top.mean())


def _settled(text: str, *, open_exercise: bool) -> Intent | None:
    """The intent the words alone decide, or None when the embedding must compare."""
    if open_exercise and _CHOICE.match(text):
        return "answer"
    if cues.asks_to_move_on(text):
        return "next"
    if cues.is_pleasantry(text):
        return "chat"
    if cues.explains(text):
        return "explain"
    if cues.asks_for_lesson(text) and not cues.is_question(text):
        return "lesson"
    if open_exercise and not cues.is_question(text) and cues.looks_like_code(text):
        return "answer"
    return None


def _second(allowed: Sequence[Intent], best: Intent) -> Intent:
    return next(i for i in allowed if i != best)
