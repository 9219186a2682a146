"""English text helpers shared by the grading features: words, stems, sentences."""

from __future__ import annotations

import re

STOP_WORDS: frozenset[str] = frozenset(
    """a an the and or but if then so of to in on at by for with from into onto as is are
    was were be been being am do does did doing have has had having it its it's this that
    these those there here i me my we our you your he him his she her they them their what
    which who whom whose when where why how all any both each few more most other some such
    only own same than too very can will would should could may might must shall just also
    because about above below up down out over under again further once s t d ll m o re ve y
    get gets got one thing things""".split()  # noqa: SIM905
)
"""Short list of English function words left out of content-word overlap."""

NEGATIONS: frozenset[str] = frozenset(
    {"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without"}
)
"""Words that flip the meaning of a statement."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_QUOTE_APOSTROPHE = re.compile(r'(?<=[a-z])"(?=[a-z])')
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def words(text: str) -> list[str]:
    """Lowercase words of ``text``, with ``n't`` spelled as ``not``."""
    lowered = text.lower().replace("\u2019", "'")
    # Some keyboards and exports put a double quote for the apostrophe ("don"t").
    lowered = _QUOTE_APOSTROPHE.sub("'", lowered).replace("n't", " not")
    return [w.removesuffix("'s") for w in _WORD.findall(lowered)]


def stem(word: str) -> str:
    """Strip one common English suffix, keeping at least three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """Words of ``text`` that are neither stop words nor negations, in order."""
    return [w for w in words(text) if w not in STOP_WORDS and w not in NEGATIONS]


def sentences(text: str) -> list[str]:
    """Non-empty sentences of ``text`` (the whole text when it has one)."""
    parts = [part.strip() for part in _SENTENCE.split(text) if part.strip()]
    return parts or [text.strip() or text]


def negated(text: str) -> bool:
    """Whether ``text`` holds a negation word."""
    return any(w in NEGATIONS for w in words(text))
