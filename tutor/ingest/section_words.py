"""Heading words that say what a section is for, read from ``section_words.toml``.

The list is data: adding a language or a phrase needs no code. A heading is compared by
its *match key*: normalised as a concept key (case, numbering and punctuation ignored),
accents removed, and filler words ("chapter", "this", digits) dropped, so that "Chapter 3
Summary", "Summary:" and "SUMMARY" are all "summary", and "Περίληψη" matches "περιληψη".
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from tutor.ingest.keys import normalise_title

__all__ = ["HeadingClass", "SectionWords", "match_key", "section_words"]

WORDS_PATH = Path(__file__).with_name("section_words.toml")

HeadingClass = Literal["front_matter", "back_matter", "recap", "navigation", "generic"]
_CLASSES: tuple[HeadingClass, ...] = (
    "front_matter",
    "back_matter",
    "recap",
    "navigation",
    "generic",
)


@dataclass(frozen=True)
class SectionWords:
    """The phrases of each class, as match keys, and the landing-page file stems."""

    phrases: dict[str, HeadingClass]
    """Match key to its class; a phrase listed in two classes keeps the first above."""
    landing: frozenset[str]
    landing_prefixes: tuple[str, ...]
    fillers: frozenset[str]

    def classify(self, title: str) -> HeadingClass | None:
        """The class of a heading or file stem, or None for an ordinary title."""
        key = match_key(title, self.fillers)
        return self.phrases.get(key) if key else None

    def is_landing(self, stem: str) -> bool:
        """Whether a file stem names a folder's landing page (``README``, ``index``)."""
        key = match_key(stem, frozenset())
        first = key.split()[0] if key else ""
        return key in self.landing or first in self.landing_prefixes


def match_key(text: str, fillers: frozenset[str]) -> str:
    """``text`` as compared with the word list (see the module docstring)."""
    key = _strip_accents(normalise_title(text))
    words = [w for w in key.split() if w not in fillers and not w.isdigit()]
    # A title made only of fillers ("Part 1") keeps them: it is no phrase of the list.
    return " ".join(words) if words else key


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    # Only the combining diacritics of Latin, Greek and Cyrillic letters: a kana's voicing
    # mark is a mark too, but dropping it changes the word.
    bare = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f")
    return unicodedata.normalize("NFC", bare)


@cache
def section_words(path: Path = WORDS_PATH) -> SectionWords:
    """Load the word list (once per path).

    Args:
        path: The TOML file; the package's own list by default.

    Returns:
        The phrases by class, the landing-page stems and the filler words.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fillers = frozenset(
        _strip_accents(normalise_title(word))
        for words in data.get("filler", {}).values()
        for word in words
    )
    phrases: dict[str, HeadingClass] = {}
    for kind in _CLASSES:
        for words in data.get(kind, {}).values():
            for phrase in words:
                phrases.setdefault(match_key(phrase, fillers), kind)
    pages = data.get("landing", {})
    landing = frozenset(match_key(n, frozenset()) for n in pages.get("names", ()))
    prefixes = tuple(match_key(n, frozenset()) for n in pages.get("prefixes", ()))
    return SectionWords(phrases, landing, prefixes, fillers)
