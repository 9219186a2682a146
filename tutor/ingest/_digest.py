"""Extractive summaries and key points of a section.

Both are the author's own sentences, chosen by fixed rules, so that the same notes always
give the same result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutor.ingest._document import Block, Section
from tutor.ingest._text import collapse_spaces, sentences

SUMMARY_LIMIT = 300
KEY_POINT_LIMIT = 5

_SHORT_FIRST_SENTENCE = 120
_MIN_CHARS, _MAX_CHARS, _MIN_WORDS = 15, 220, 3
_DEFINING = re.compile(
    r"\b(?:is|are|means|refers? to|called|must|always|never|cannot|can[\u2019']t|only|"
    r"allows?|lets|ensures?|guarantees?)\b",
    re.IGNORECASE,
)
# Sentences that lean on their context make poor stand-alone statements.
_CONTEXTUAL_OPENING = re.compile(
    r"^(?:this|that|these|those|it|they|here|now|then|so|but|and|also|first|next|finally|"
    r"let[\u2019']s|we[\u2019']ll|in this|as you|try)\b",
    re.IGNORECASE,
)
_NARRATIVE = re.compile(
    r"\b(?:we|we[\u2019']ll|we[\u2019']ve|we[\u2019']re|let[\u2019']s|our|us)\b", re.IGNORECASE
)
_REFERENCE = re.compile(r"\b(?:listing|figure|chapter|above|below)\b", re.IGNORECASE)
_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "for", "from", "how", "in", "into", "is"}
    | {"it", "of", "on", "or", "the", "to", "what", "when", "why", "with"}
)


def summarise(section: Section) -> str:
    """The first one or two sentences of the section's first prose paragraph.

    The second sentence is added when the first is short and both fit the limit.

    Args:
        section: The section.

    Returns:
        Plain text of at most :data:`SUMMARY_LIMIT` characters; empty when the section
        has no prose of its own.
    """
    text = _first_prose(section.blocks)
    if not text:
        return ""
    found = sentences(text)
    summary = found[0]
    if len(found) > 1 and len(summary) < _SHORT_FIRST_SENTENCE:
        joined = f"{summary} {found[1]}"
        if len(joined) <= SUMMARY_LIMIT:
            summary = joined
    if len(summary) > SUMMARY_LIMIT:
        cut = summary.rfind(" ", 0, SUMMARY_LIMIT - 1)
        summary = summary[: cut if cut > 0 else SUMMARY_LIMIT - 1].rstrip(" ,;:") + "…"
    return summary


def key_points(section: Section, *, key: str) -> tuple[str, ...]:
    """Up to :data:`KEY_POINT_LIMIT` short, self-contained statements from the section.

    Candidates are the sentences of its paragraphs and quotes and its list items (code
    is skipped). Each is scored: words of the section's title, defining verbs ("is",
    "means", "must") and list items count for it; openings that lean on context ("This",
    "It"), references to listings or chapters, and the narrator's "we" count against it.
    The best of those that score above zero are returned in the order the author wrote
    them.

    Args:
        section: The section.
        key: The section's normalised title.

    Returns:
        The chosen statements, plain text.
    """
    title_stems = {_stem(word) for word in key.split() if word not in _STOPWORDS}
    scored: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    for order, (candidate, from_list) in enumerate(_candidates(section.blocks)):
        folded = candidate.casefold()
        if folded in seen or not _acceptable(candidate):
            continue
        seen.add(folded)
        score = 0.0
        if title_stems:
            words = {_stem(word) for word in re.findall(r"\w+", folded)}
            score += 2.0 * len(title_stems & words) / len(title_stems)
        score += 1.0 if _DEFINING.search(candidate) else 0.0
        score += 0.75 if from_list else 0.0
        score -= 1.5 if _CONTEXTUAL_OPENING.match(candidate) else 0.0
        score -= 1.0 if _REFERENCE.search(candidate) else 0.0
        score -= 0.5 if _NARRATIVE.search(candidate) else 0.0
        if score > 0:
            scored.append((score, order, candidate))
    best = sorted(scored, key=lambda item: (-item[0], item[1]))[:KEY_POINT_LIMIT]
    return tuple(candidate for _, _, candidate in sorted(best, key=lambda item: item[1]))


def _first_prose(blocks: tuple[Block, ...]) -> str:
    fallback = ""
    for block in blocks:
        text = collapse_spaces(block.text)
        if block.kind == "paragraph" and len(text.split()) >= _MIN_WORDS:
            return text
        if not fallback and block.kind in ("list", "blockquote") and text:
            fallback = collapse_spaces(_own_texts(block)[0]) if block.kind == "list" else text
    return fallback


def _candidates(blocks: tuple[Block, ...]) -> Iterator[tuple[str, bool]]:
    for block in blocks:
        if block.kind in ("paragraph", "blockquote"):
            for sentence in sentences(collapse_spaces(block.text)):
                yield sentence, False
        elif block.kind == "list":
            for item in _own_texts(block):
                yield collapse_spaces(item), True


def _own_texts(list_block: Block) -> list[str]:
    """Each item's own text, nested items after their parent, without recursion."""
    texts: list[str] = []
    pending = list(reversed(list_block.children))
    while pending:
        item = pending.pop()
        own = [child.text for child in item.children if child.kind == "paragraph"]
        if own:
            texts.append(" ".join(own))
        for child in reversed(item.children):
            if child.kind == "list":
                pending.extend(reversed(child.children))
    return texts or [list_block.text]


def _acceptable(candidate: str) -> bool:
    return (
        _MIN_CHARS <= len(candidate) <= _MAX_CHARS
        and len(candidate.split()) >= _MIN_WORDS
        and not candidate.endswith((":", "?"))
    )


def _stem(word: str) -> str:
    # Crude, but enough to match "owner" in "ownership" and plurals.
    return word[:5]
