"""Concept keys: what makes two titles name the same concept."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_title"]

_NUMBERING = re.compile(
    r"""^\s*(?:
        (?:chapter|section|part|lesson|unit|module|appendix|step|week|day)\s+
            (?:\d+(?:\.\d+)*|[ivxlcdm]+|[a-z])\b[.:)\-\u2013\u2014]*
      | \d+(?:\.\d+)+\.?          # 1.2, 1.2.3.
      | \d+[.):]                  # 3.  3)  3:
      | [ivxlcdm]+[.)](?=\s)      # IV.
      | [a-z][.)](?=\s)           # a)  B.
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_APOSTROPHES = re.compile(r"[\u2019'`]")
_NON_WORD = re.compile(r"[\W_]+")
_ARTICLE = re.compile(r"^(?:the|a|an) (?=\S)")


def normalise_title(title: str) -> str:
    """The key of a title: what makes two titles name the same concept.

    Case-folded; numbering such as "1.2", "3." or "Chapter 3:" and a leading article
    removed; apostrophes dropped and other punctuation turned to spaces; spaces
    collapsed. "What Is Ownership?" gives "what is ownership".

    Args:
        title: A heading or document title.

    Returns:
        The key; empty when the title has no letters or digits.
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    bare = _words(_APOSTROPHES.sub("", text))
    key = _words(_APOSTROPHES.sub("", _NUMBERING.sub("", text, count=1)))
    key = _ARTICLE.sub("", key, count=1)
    # A title that is only numbering ("1.2") keeps it rather than vanishing.
    return key or bare


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text).split())
