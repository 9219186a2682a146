"""Classify a learner's free text: lesson, next step, answer, explain-back or question.

Each intent has a few dozen short example phrasings; a text goes to the intent whose examples
it is closest to by sentence embedding: the mean of the best few similarities (so one odd
example cannot decide alone), for the whole text and for its opening words, which carry the
intent while the rest names a topic the embedding would otherwise weigh heavily. ``answer`` is
only possible while an exercise is open. When the best two intents are nearly tied,
:meth:`IntentClassifier.ambiguous` says so and the caller asks the language model instead.
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

Intent = Literal["lesson", "next", "answer", "explain", "ask"]
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
        "okay",
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
    ),
}
"""Example phrasings of each intent shipped with the classifier."""

_TOP_K = 3
_HEAD_WORDS = 4
_CLAUSE_BREAK = re.compile(r"[:,;]")
_QUESTION = re.compile(
    r"\?$|^(?:what|why|how|when|where|which|who|whose|is|are|does|do|did|can|could|should"
    r"|would|will)\b",
    re.IGNORECASE,
)
"""A question: it ends with a question mark, or opens like one."""
_LESSON_CUE = re.compile(r"\b(?:teach|lesson|learn|study|go over|walk me through)", re.IGNORECASE)
"""Words with which a question asks to be taught rather than answered."""
# A lone option letter or number is an answer to the open exercise; an embedding of one
# character says little, so it is recognized directly.
_CHOICE = re.compile(r"^\s*\(?(?:[a-h]|\d{1,2})[.)]?\s*$", re.IGNORECASE)

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
            text gets score and margin 0 (ambiguous).
        """
        allowed = [i for i in INTENTS if open_exercise or i != "answer"]
        if _QUESTION.search(text.strip()):
            # A question is neither an answer nor an explanation, and asks for a lesson
            # only in so many words ("can you teach me...?").
            allowed = ["ask", "next"]
            if _LESSON_CUE.search(text):
                allowed.append("lesson")
        if open_exercise and _CHOICE.match(text):
            return IntentGuess("answer", 1.0, _second(allowed, "answer"), 1.0)
        if not text.strip():
            fallback: Intent = "answer" if open_exercise else "ask"
            return IntentGuess(fallback, 0.0, _second(allowed, fallback), 0.0)
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


def _second(allowed: Sequence[Intent], best: Intent) -> Intent:
    return next(i for i in allowed if i != best)
