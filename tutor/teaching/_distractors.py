"""Wrong statements that read like right ones: a claim with a term swapped, or negated.

A multiple-choice question on a claim needs wrong options a learner who skimmed would
pick: the same sentence about a neighbouring term, or saying the opposite. These keep
the claim's wording, so every option is of one kind and one length.
"""

from __future__ import annotations

import re

from tutor.teaching._cloze import joined

__all__ = ["negated", "swapped"]

_CONTRACTED = {
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "can't": "can",
    "cannot": "can",
    "won't": "will",
    "doesn't": "does",
    "don't": "do",
    "didn't": "did",
    "shouldn't": "should",
    "mustn't": "must",
    "hasn't": "has",
    "haven't": "have",
}
_AUXILIARY = re.compile(
    r"\b(?P<aux>is|are|was|were|can|must|will|should|does|do|did)"
    r" (?P<next>not )?(?!only\b|also\b|always\b|just\b|even\b)(?=\w)",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(r"\b(?:no|none|never|nothing|neither|nor|without|nobody)\b", re.I)
_ANTONYMS = {
    "always": "never",
    "increase": "decrease",
    "increases": "decreases",
    "increased": "decreased",
    "rise": "fall",
    "rises": "falls",
    "higher": "lower",
    "more": "less",
    "larger": "smaller",
    "before": "after",
    "mutable": "immutable",
    "valid": "invalid",
    "positive": "negative",
    "maximum": "minimum",
    "gain": "lose",
    "gains": "loses",
    "allowed": "forbidden",
    "inside": "outside",
}
_OPPOSITE = _ANTONYMS | {value: key for key, value in _ANTONYMS.items()}
_ANTONYM = re.compile(r"\b(" + "|".join(map(re.escape, _OPPOSITE)) + r")\b", re.IGNORECASE)
_CONTRACTION = re.compile(
    r"\b(" + "|".join(map(re.escape, _CONTRACTED)) + r")(?=\W)", re.IGNORECASE
)


def negated(claim: str) -> str | None:
    """The claim saying the opposite, or None when no safe way to say it is found.

    A negation is taken away ("cannot" becomes "can", "is not" becomes "is"); else the
    first auxiliary verb is negated ("must" becomes "must not"); else a word is swapped
    for its antonym ("increases" for "decreases", "always" for "never").

    Args:
        claim: One sentence.

    Returns:
        The opposite sentence, or None.
    """
    if match := _CONTRACTION.search(claim):
        plain = _CONTRACTED[match.group(1).casefold().replace("\u2019", "'")]
        return _with_case(claim, match.start(), match.end(), plain)
    # "None of them are not..." says nothing clear: a claim already negative is only
    # turned round by its antonyms.
    match = None if _NEGATIVE.search(claim) else _AUXILIARY.search(claim)
    if match and not _main_clause(claim, match.start()):
        # "The more..., the higher the payments will not be" is no statement of the
        # opposite: only the main clause's verb is negated.
        match = None
    if match:
        aux = match.group("aux")
        if match.group("next"):
            return claim[: match.end("aux")] + " " + claim[match.end() :]
        if aux.casefold() == "can":
            return _with_case(claim, match.start("aux"), match.end("aux"), "cannot")
        return claim[: match.end("aux")] + " not" + claim[match.end("aux") :]
    if match := _ANTONYM.search(claim):
        opposite = _OPPOSITE[match.group(1).casefold()]
        return _with_case(claim, match.start(), match.end(), opposite)
    return None


_SUBORDINATOR = re.compile(
    r"\b(?:that|which|who|whom|whose|if|when|whenever|while|because|since|although"
    r"|though|unless|until|than|where|whereas|once|after|before|as)\b",
    re.IGNORECASE,
)
_CORRELATIVE = re.compile(r"^the (?:more|less|fewer|\w+er)\b", re.IGNORECASE)
_PREPOSITION = re.compile(
    r"^(?:in|on|at|by|for|from|with|under|over|unlike|like|during|after|before|to)\b",
    re.IGNORECASE,
)


def _main_clause(claim: str, start: int) -> bool:
    """Whether the verb at ``start`` belongs to the claim's main clause.

    A verb after a subordinating word ("that", "if", "than"), inside a comparative
    correlative ("The more..., the higher...") or after a clause set off by a comma
    is not the main verb; a leading prepositional phrase ("In Rust, ...") may come first.
    """
    before = claim[:start]
    if _CORRELATIVE.match(claim) or _SUBORDINATOR.search(before):
        return False
    return all(_PREPOSITION.match(part.strip()) for part in before.split(",")[:-1])


def swapped(claim: str, term: str, replacement: str) -> str | None:
    """The claim with every ``term`` (a whole word or phrase) replaced by ``replacement``.

    Args:
        claim: One sentence.
        term: What to replace, matched without regard to case.
        replacement: What to put in its place; it takes the case of each occurrence's
            first letter.

    Returns:
        The new sentence, or None when the term does not occur or nothing changes.
    """
    pattern = re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)

    def put(match: re.Match[str]) -> str:
        found = match.group()
        if found[:1].isupper() and replacement[:1].islower():
            return replacement[:1].upper() + replacement[1:]
        if found[:1].islower() and replacement[:1].isupper() and replacement[1:].islower():
            return replacement[:1].lower() + replacement[1:]
        return replacement

    # A piece of a longer token ("open" in "File::open", a path) is no word to swap.
    if any(joined(claim, m.start(), m.end()) for m in pattern.finditer(claim)):
        return None
    changed, count = pattern.subn(put, claim)
    if not count or changed.casefold() == claim.casefold():
        return None
    # Only the articles before the new word change: "a user" elsewhere stays as written.
    first = replacement.split(" ", 1)[0].casefold()
    return _ARTICLE.sub(lambda m: _agree(m) if m["word"].casefold() == first else m[0], changed)


_ARTICLE = re.compile(r"\b(?P<article>[Aa]n?) (?P<word>\w+)")


def _agree(match: re.Match[str]) -> str:
    """The article made to agree with its word: "an" before a vowel letter, else "a"."""
    article, word = match["article"], match["word"]
    wanted = "an" if word[:1].casefold() in "aeiou" else "a"
    if article.casefold() == wanted:
        return match.group()
    return f"{wanted.capitalize() if article[:1].isupper() else wanted} {word}"


def _with_case(text: str, start: int, end: int, word: str) -> str:
    if text[start : start + 1].isupper():
        word = word[:1].upper() + word[1:]
    return text[:start] + word + text[end:]
