"""What a passage of the notes points at: numbered things, and what comes before or after.

Numbered listings, figures and tables, "the following code", "the code above", an error.

A lesson that quotes "Listing 4-5 shows..." must show Listing 4-5 too, or not quote the
sentence. Labelled things are found by their caption: a line that opens with the label
and its number, either emphasised (``*Listing 4-5: ... (src/main.rs)*``, ``**Figure 1:
...**``, ``**Table 2** The costs...``) or followed by a colon or full stop (``Figure 4-6:
A diagram of...``, an image caption). A mention anywhere else is a reference. Labels match
whatever their case ("shown in table 1" names "Table 1"); "Fig." is "Figure".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KINDS = r"listing|figure|fig\.|table"
_NUMBER = r"\d+(?:[-.]\d+)*"
_MORE_NUMBERS = rf"(?:\s*(?:,|&|and|or|to|through)\s*{_NUMBER})*"
_MENTION = re.compile(rf"\b({_KINDS})s?\s+({_NUMBER}{_MORE_NUMBERS})", re.IGNORECASE)
_EMPHASISED_CAPTION = re.compile(
    rf"^[ \t>]*[*_]{{1,3}}\s*(?:{_KINDS})s?\s+{_NUMBER}{_MORE_NUMBERS}", re.IGNORECASE
)
_PLAIN_CAPTION = re.compile(
    rf"^[ \t>]*(?:{_KINDS})s?\s+{_NUMBER}{_MORE_NUMBERS}\s*(?:[:.]|$)", re.IGNORECASE
)
_NUMBERS = re.compile(_NUMBER)
_THINGS = (
    r"code|listing|program|example|output|error|message|command|table|figure|graph|diagram"
    r"|function|snippet|image|chart"
)
_FORWARD = re.compile(
    rf"\b(?:the|this|these)\s+following\s+(?:\w+\s+)?(?:{_THINGS})s?\b"
    rf"|\b(?:{_THINGS})s?\s+(?:shown\s+|given\s+|printed\s+)?below\b"
    r"|\b(?:shown|see|given|as)\s+below\b|\bas\s+follows\b",
    re.IGNORECASE,
)
_BACKWARD = re.compile(
    rf"\b(?:the|this|that|these)\s+(?:{_THINGS})s?\s+(?:shown\s+|given\s+)?above\b"
    rf"|\b(?:the\s+)?(?:previous|preceding)\s+(?:{_THINGS})s?\b"
    r"|\b(?:shown|see|given|as)\s+above\b",
    re.IGNORECASE,
)
_ERROR_TALK = re.compile(
    r"\b(?:this|that|these|the\s+following|the\s+same)\s+(?:compiler\s+)?"
    r"(?:errors?|error\s+messages?)\b"
    r"|\bthe\s+(?:compiler\s+)?error\s+(?:says|tells|shows|points|means)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Label:
    """A numbered listing, figure or table: ``Label("listing", "4-5")``."""

    kind: str
    number: str


@dataclass(frozen=True, slots=True)
class Pointers:
    """What one piece of prose points at."""

    labels: tuple[Label, ...] = ()
    """Numbered listings, figures and tables it mentions (its own captions aside)."""
    forward: bool = False
    """It points at what follows: "the following code", "shown below", a closing colon."""
    backward: bool = False
    """It points at what came before: "the code above", "the previous listing"."""
    error: bool = False
    """It talks about an error (which the notes usually show next to it)."""

    @property
    def any(self) -> bool:
        """Whether it points at anything at all."""
        return bool(self.labels) or self.forward or self.backward or self.error


def captions(text: str) -> frozenset[Label]:
    """The numbered listings, figures and tables that ``text`` holds the caption of."""
    found: set[Label] = set()
    for line in _caption_lines(text):
        mention = _MENTION.search(line)
        if mention is not None:
            found.update(_labels(mention))
    return frozenset(found)


def pointers(prose: str) -> Pointers:
    """What a piece of prose (no code in it) points at, caption lines left out."""
    skipped = set(_caption_lines(prose))
    text = "\n".join(line for line in prose.splitlines() if line not in skipped)
    labels = tuple(dict.fromkeys(label for m in _MENTION.finditer(text) for label in _labels(m)))
    return Pointers(
        labels=labels,
        forward=bool(_FORWARD.search(text)) or text.rstrip().rstrip("*_").endswith(":"),
        backward=bool(_BACKWARD.search(text)),
        error=bool(_ERROR_TALK.search(text)),
    )


def _caption_lines(text: str) -> list[str]:
    """Lines that caption something, each at the start of a paragraph.

    A wrapped line of prose may well start "Listing 4-6. Spoiler alert...".
    """
    lines = text.splitlines()
    return [
        line
        for index, line in enumerate(lines)
        if (index == 0 or not lines[index - 1].strip(" \t>"))
        and (_EMPHASISED_CAPTION.match(line) or _PLAIN_CAPTION.match(line))
    ]


def _labels(mention: re.Match[str]) -> list[Label]:
    kind = mention.group(1).lower()
    kind = "figure" if kind == "fig." else kind
    return [Label(kind, number) for number in _NUMBERS.findall(mention.group(2))]
