"""Reading notes for generated exercises: plain sentences, their key terms, and blanks.

Passages are Markdown source. Only paragraph text is read (list items included, their
markers gone); headings, tables, HTML and code blocks are left out, and inline markup is
reduced to its text (a link to its label, inline code to its content). Emphasised
phrases and inline code are remembered per sentence: notes mark the terms they define
that way, which makes them the best words to blank out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.grading.features import NEGATIONS, STOP_WORDS
from tutor.ingest._text import collapse_spaces, sentences

BLANK = "_____"

_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_GENERIC = frozenset(
    """able also another because become becomes called case chapter different
    example examples following however instead like listing lot make makes many means
    much need needs new next often part point rather really right section see something
    sometimes still time times type types use used uses using want way ways well whether
    work works write yet know first second third kind kinds sort few lots bit
    take takes taking took look looks looking give gives get gets put puts keep keeps
    go goes come comes say says show shows try tries start starts thing things
    until before after during since within without about across along among toward
    towards upon whereas either neither entire welcome discuss ongoing every each whole
    several various certain""".split()  # noqa: SIM905
)
"""Content words too vague to make a useful blank."""
_ANAPHORA = re.compile(
    r"^(?:this|that|these|those|it|they|here|now|so|but|and|then|also|such|let[\u2019']s"
    r"|we|we[\u2019']ll|you[\u2019']ll|in this|as you|recall)\b",
    re.IGNORECASE,
)
_CHATTY = re.compile(
    r"\b(?:this chapter|this section|next section|we[\u2019']ll|let[\u2019']s|you[\u2019']ll"
    r"|keep at it|don[\u2019']t worry|for now|take a look|a closer look|as we)\b",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(
    r"^(?:try|note|notice|consider|look|run|remember|add|open|enter|imagine|compare|save"
    r"|change|create|type|go|make sure|to (?:illustrate|see|do|start|demonstrate))\b",
    re.IGNORECASE,
)
"""Sentences that tell the reader to do something, rather than say how things are."""
_DEFINITIONAL = re.compile(
    r"\b(?:is|are) (?:a|an|the|called|known as|defined as|when|how)\b|\bmeans?\b"
    r"|\brefers? to\b|\bcalled\b|\bensures?\b|\bprevents?\b|\blets?\b|\ballows?\b",
    re.IGNORECASE,
)
_CROSS_REFERENCE = re.compile(r"\b(?:Listing|Figure|Table) \d|\{\{#|\bAppendix [A-Z]\b")
_UNRESOLVED_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_MIN_WORDS = 6
_MAX_WORDS = 50
_MAX_CHARS = 400
_MAX_TERM_CHARS = 32


@dataclass(frozen=True, slots=True)
class Sentence:
    """A plain-text sentence of the notes, with what is marked up inside it."""

    text: str
    marked: tuple[str, ...]
    """Emphasised phrases and inline code, as they read in ``text``."""
    code: tuple[str, ...]
    """The inline-code subset of ``marked``."""
    weight: float
    """How much the sentence is worth asking about (higher is better)."""


@dataclass(frozen=True, slots=True)
class Blank:
    """A sentence with one term blanked out wherever it occurs."""

    term: str
    question: str
    sentence: Sentence


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def stem(word: str) -> str:
    """Crude stem so that "borrow", "borrows" and "borrowing" compare equal.

    Args:
        word: One word.

    Returns:
        The word case-folded, with a possessive and a common suffix removed.
    """
    word = word.casefold().replace("\u2019", "'")
    word = word.removesuffix("'s")
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.removesuffix("e") if len(word) > 4 else word


def content_words(text: str) -> list[str]:
    """Words of ``text`` that carry meaning (no stop words, no short or vague words).

    Args:
        text: Plain text.

    Returns:
        The words, in order, as they are written.
    """
    out = []
    for word in _WORD.findall(text):
        folded = word.casefold().replace("\u2019", "'")
        if len(folded) < 3 or folded in STOP_WORDS or folded in NEGATIONS or folded in _GENERIC:
            continue
        if "'" in folded:
            continue
        out.append(word.strip("-"))
    return out


def inline_text(markdown: str) -> str:
    """Plain text of a line of Markdown: links to their labels, markup removed.

    Args:
        markdown: Inline Markdown, such as a title or a key point.

    Returns:
        The text, on one line.
    """
    tokens = _parser().parseInline(markdown)
    return collapse_spaces(" ".join(_render_inline(t.children or [])[0] for t in tokens))


def _paragraphs(markdown: str) -> list[tuple[str, list[str], list[str]]]:
    tokens = _parser().parse(markdown)
    out = []
    for before, token in zip([None, *tokens], tokens, strict=False):
        # Table cells and headings hold inline tokens too; only paragraphs are prose.
        if token.type == "inline" and before is not None and before.type == "paragraph_open":
            out.append(_render_inline(token.children or []))
    return out


def _render_inline(children: Sequence[Token]) -> tuple[str, list[str], list[str]]:
    parts: list[str] = []
    marked: list[str] = []
    code: list[str] = []
    opened: list[int] = []
    run: list[str] = []

    def flush() -> None:
        # A reference link whose definition lies outside the passage stays as source text
        # ("[the tuple type][tuples]"); its label is what a reader sees.
        if run:
            parts.append(_UNRESOLVED_LINK.sub(r"\1", "".join(run)))
            run.clear()

    for child in children:
        if child.type == "text":
            run.append(child.content)
            continue
        flush()
        if child.type == "code_inline":
            parts.append(child.content)
            marked.append(child.content.strip())
            code.append(child.content.strip())
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type in ("em_open", "strong_open"):
            opened.append(len(parts))
        elif child.type in ("em_close", "strong_close") and opened:
            phrase = collapse_spaces("".join(parts[opened.pop() :]))
            if phrase:
                marked.append(phrase)
    flush()
    return collapse_spaces("".join(parts)), marked, code


def read_sentences(
    markdown: str, *, focus: Sequence[str], boost: float = 0.0, strict: bool = True
) -> list[Sentence]:
    """The sentences of a passage worth asking about, each weighed.

    Args:
        markdown: The passage's Markdown source.
        focus: Stems of the concept's title terms; sentences naming them weigh more.
        boost: Added to every sentence's weight (the passage's own relevance).
        strict: Require a sentence to end with a full stop (notes' summaries and key
            points are often written without one).

    Returns:
        The usable sentences, in reading order.
    """
    out: list[Sentence] = []
    for text, marked, code in _paragraphs(markdown):
        for sentence in sentences(text):
            weight = _weigh(sentence, focus, bool(marked), strict=strict)
            if weight is None:
                continue
            inside = tuple(dict.fromkeys(m for m in marked if m and m in sentence))
            inside_code = tuple(c for c in dict.fromkeys(code) if c and c in sentence)
            out.append(Sentence(sentence, inside, inside_code, weight + boost))
    return out


def _weigh(sentence: str, focus: Sequence[str], has_marks: bool, *, strict: bool) -> float | None:
    words = sentence.split()
    ending = sentence.rstrip("\"')\u201d\u2019*_")
    if not _MIN_WORDS <= len(words) <= _MAX_WORDS or len(sentence) > _MAX_CHARS:
        return None
    if strict and not ending.endswith("."):
        return None
    if ending.endswith((":", "?")) or not (sentence[0].isupper() or sentence[0].isdigit()):
        return None
    if _CROSS_REFERENCE.search(sentence):
        return None
    stems = {stem(word) for word in content_words(sentence)}
    weight = 3.0 * len(stems.intersection(focus)) / max(1, len(focus))
    weight += 2.0 if _DEFINITIONAL.search(sentence) else 0.0
    weight += 1.0 if has_marks else 0.0
    weight -= 2.0 if _ANAPHORA.match(sentence) or _INSTRUCTION.match(sentence) else 0.0
    # Talk about the text ("let's take a look at...") teaches nothing, even on topic.
    weight -= 4.0 if _CHATTY.search(sentence) else 0.0
    return weight - abs(len(words) - 18) / 20


_DEPENDENT = re.compile(
    r"^(?:likewise|similarly|otherwise|instead|however|for example|in this (?:example|case)"
    r"|in that case|as (?:you|we) (?:saw|can see)|here|there|keep in mind|as just)\b",
    re.IGNORECASE,
)


def stands_alone(sentence: str) -> bool:
    """Whether the sentence reads as a claim of its own, outside its paragraph.

    "This means...", "Likewise, ..." or "Let's..." lean on what came before, and an
    instruction ("Run the program.") claims nothing.

    Args:
        sentence: Plain text.

    Returns:
        True for a sentence that states something by itself.
    """
    return not (
        _ANAPHORA.match(sentence)
        or _INSTRUCTION.match(sentence)
        or _DEPENDENT.match(sentence)
        or _CHATTY.search(sentence)
    )


def chatty(sentence: str) -> bool:
    """Whether the sentence talks about the text rather than the subject."""
    return bool(_CHATTY.search(sentence))


def title_terms(title: str, texts: Iterable[str]) -> list[str]:
    """Stems of the title's content words, the most used in ``texts`` first.

    A title such as "The Slice Type" names its subject with one word of several; how
    often each word comes up in the notes tells which.

    Args:
        title: The concept's title (Markdown allowed).
        texts: Text about the concept, for counting.

    Returns:
        Distinct stems, most frequent first (ties keep title order).
    """
    stems = list(dict.fromkeys(stem(word) for word in content_words(inline_text(title))))
    counts = stem_counts(texts)
    return sorted(stems, key=lambda s: -counts[s])


def title_term_in(sentence: str, focus: Sequence[str]) -> str | None:
    """A run of adjacent title words in ``sentence``, as written there.

    A run holding the title's main word (``focus[0]``) is preferred, so that "Defining
    and Instantiating Structs" blanks "structs" rather than "defining".

    Args:
        sentence: Plain text.
        focus: Title stems, the main one first.

    Returns:
        The words (one, or several adjacent ones), or None when no title word occurs.
    """
    runs: list[list[str]] = [[]]
    for match in _WORD.finditer(sentence):
        word = match.group().strip("-")
        if stem(word) in focus and word.casefold() not in STOP_WORDS:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    found = [run for run in runs if run]
    if not found:
        return None
    main = [run for run in found if any(stem(word) == focus[0] for word in run)]
    return " ".join((main or found)[0])


def blank_out(sentence: Sentence, term: str) -> Blank | None:
    """Blank ``term`` wherever it occurs in the sentence.

    Args:
        sentence: The sentence.
        term: A word, phrase or code identifier that occurs in it.

    Returns:
        The blank, or None when the term would still show (another form of it is left,
        or it is inside a longer word) or too little of the sentence would remain.
    """
    term = term.strip()
    if not term or len(term) > _MAX_TERM_CHARS or term.casefold() in STOP_WORDS:
        return None
    head = r"(?<![\w])" if term[0].isalnum() or term[0] == "_" else ""
    tail = r"(?![\w])" if term[-1].isalnum() or term[-1] == "_" else ""
    pattern = re.compile(head + re.escape(term) + tail, re.IGNORECASE)
    text = sentence.text
    if any(
        joined(text, m.start(), m.end()) or _listed(text, m.start(), m.end())
        for m in pattern.finditer(text)
    ):
        return None
    question, count = pattern.subn(BLANK, text)
    if not count or term.casefold() in question.casefold():
        return None
    left = {stem(word) for word in content_words(question)}
    if left.intersection(stem(word) for word in content_words(term)):
        return None
    if len(question.replace(BLANK, " ").split()) < 4:
        return None
    return Blank(term, question, sentence)


_JOINER = re.compile(r"[/\\.@#:_\-]")
_LIST_ITEM = re.compile(r"^[^,;:]{1,40}$")
_LAST_ITEM = re.compile(r"\w, [^,;:]{1,40},? (?:and|or)$")
_ITEMS_AFTER = re.compile(r", [^,;:]{1,40},? (?:and|or) ")


def joined(text: str, start: int, end: int) -> bool:
    """Whether the words at ``text[start:end]`` are part of a longer token.

    A path, an address or a compound ("input/output", "rustup/installation/...") holds
    the term as a piece, and blanking that piece reads as a broken word.
    """
    before, after = text[start - 1 : start], text[end : end + 2]
    if before and _JOINER.match(before) and start >= 2 and not text[start - 2].isspace():
        return True
    return bool(after[:1] and _JOINER.match(after[:1]) and after[1:2].strip() and after[1:2] != ".")


def _listed(text: str, start: int, end: int) -> bool:
    """Whether the term is one item of a list of examples ("houses, books, clothes").

    Any item of such a list fits its blank as well as the one the notes chose.
    """
    left = text[:start].rstrip()
    right = text[end:].lstrip()
    if _LAST_ITEM.search(left) or _ITEMS_AFTER.match(right):
        return True
    item_before = left.endswith(",") and _LIST_ITEM.match(re.split(r"[,;:]", left[:-1])[-1])
    return bool(item_before and (right.startswith(",") or re.match(r"(?:and|or)\b", right)))


def plain_terms(
    sentence: Sentence, focus: Sequence[str], counts: Mapping[str, int] | None = None
) -> list[str]:
    """Terms of a sentence other than its title words, the most telling first.

    Code identifiers and emphasised phrases come first, as the notes marked them; then
    content words: likely nouns before likely verbs ("-ing", "-ed"), words the notes
    use often before rare ones, long before short.

    Args:
        sentence: The sentence.
        focus: Title stems, which are left out.
        counts: How often each stem occurs in the notes.

    Returns:
        Candidate terms, distinct.
    """
    counts = counts or {}
    marked = [
        term
        for term in sentence.marked
        if len(term) <= _MAX_TERM_CHARS
        and len(term.split()) <= 4
        and (len(term) >= 3 if term in sentence.code else bool(content_words(term)))
        and not any(stem(word) in focus for word in content_words(term))
    ]
    words = [
        word
        for word in content_words(sentence.text)
        if len(word) >= 4
        and not word.casefold().endswith("ly")
        and stem(word) not in focus
        and not any(word in term for term in marked)
    ]
    words.sort(
        key=lambda w: (w.casefold().endswith(("ing", "ed")), -counts.get(stem(w), 0), -len(w))
    )
    return list(dict.fromkeys([*marked, *words]))


def stem_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each content word's stem occurs in ``texts``.

    Args:
        texts: Plain text or Markdown.

    Returns:
        Counts by stem.
    """
    return Counter(stem(word) for text in texts for word in content_words(text))


def first_sentence(text: str) -> str:
    """The first sentence of some Markdown, as plain text (all of it if short).

    Args:
        text: Markdown or plain text.

    Returns:
        Plain text, possibly empty.
    """
    plain = inline_text(text)
    found = sentences(plain)
    return found[0] if found else plain
