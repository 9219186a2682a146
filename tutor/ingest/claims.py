"""Claims: the sentences of notes that state something a learner can learn and say back.

A claim is a sentence of the author's prose (a paragraph, a list item, a quote) that
stands on its own: a definition, a rule, a reason, a consequence. Everything else is
rejected, each for one reason (:data:`Rejection`):

- ``caption``: "Listing 4-2: ...", "Figure 3. ...";
- ``byline``: "by Steve Klabnik, Carol Nichols, ...", copyright and licence notices;
- ``link_list``: mostly link text (a list of chapters, "see also" lines), or a web address;
- ``question``: ends with a question mark;
- ``exclamation``: ends with an exclamation mark: a cheer or an aside, not a statement;
- ``meta``: text about the text ("In this chapter we'll", "As just mentioned", "Let's");
- ``example``: an example rather than the statement it illustrates ("Beef, for example",
  "For instance, ..."; an example named further on, inside a general statement, is kept);
- ``code``: only makes sense with the code or output beside it ("the code above",
  "Listing 4-5", a one-letter variable such as ``s``, a sentence mostly of code);
- ``imperative``: an instruction to the reader ("Run the program", "please see");
- ``context``: leans on the sentence before ("This means", "It", "But");
- ``fragment``: no sentence (too short, cut mid-way, no verb, no end punctuation);
- ``too_long``: a run-on that no learner could say back.

Cue words are data, per language, in ``claim_words.toml``: English in full, French,
German and Spanish in short. Every language's cues apply to every sentence; a sentence in
another language still gets the rules that need no words (questions, links, code, length,
punctuation, bylines and captions written with a number). Openings such as "Note that"
are dropped and the rest kept.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from tutor.ingest._document import Block
from tutor.ingest._text import collapse_spaces, sentence_spans
from tutor.ingest.errors import IngestError
from tutor.ingest.learner_text import clean_markdown

__all__ = [
    "CLAIM_MAX_CHARS",
    "ClaimWords",
    "JudgedSentence",
    "Rejection",
    "block_sentences",
    "claim_sentences",
    "claim_words",
    "judge_sentences",
]

WORDS_PATH = Path(__file__).with_name("claim_words.toml")
CLAIM_MAX_CHARS = 300
"""Longer sentences are ``too_long``: a summary is one claim and fits the same limit."""
_MAX_WORDS = 55
_MIN_WORDS = 4
_EXAMPLE_OPENING = 5
"""An example cue among a sentence's first words makes it an example."""
_LINK_SHARE = 0.5
_CODE_SHARE = 0.4

Rejection = Literal[
    "caption",
    "byline",
    "link_list",
    "question",
    "exclamation",
    "meta",
    "example",
    "code",
    "imperative",
    "context",
    "fragment",
    "too_long",
]

_IMAGE_TAG = re.compile(r"<img\b[^<>]*>|!\[[^\]\n]*\]\([^)\n]*\)", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_QUOTE_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK_TEXT = re.compile(r"(?<!!)\[([^\]\n]*)\]\s*[(\[]")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_INITIALS = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,}$")
_URL = re.compile(r"\b(?:https?|ftp)://|\bwww\.\w", re.IGNORECASE)
_CALL = re.compile(r"\w\([^()]*\)")
_LOCAL_NAME = re.compile(r"^[a-z_][a-z0-9_]?$")
_ENDS_SENTENCE = re.compile(r"[.!?\u2026][)\"'\u2019\u201d\]]*$")
_OPENS_SENTENCE = re.compile(r"^[\"'\u201c\u2018(\[]*[^\W_]")
_PAIRS = (("(", ")"), ("[", "]"), ("\u201c", "\u201d"))


@dataclass(frozen=True)
class JudgedSentence:
    """One sentence of prose and why it is no claim, if it is not one."""

    text: str
    """Plain text: markup gone, code spans read as their code, lead-ins dropped."""
    rejected: Rejection | None
    """None for a claim."""
    list_item: bool = False
    aside: bool = False
    """From a block quote: a note beside the main text ("> Note: ...")."""


@dataclass(frozen=True)
class ClaimWords:
    """The cue patterns of every language in ``claim_words.toml``, compiled."""

    caption: re.Pattern[str]
    byline: re.Pattern[str]
    meta: re.Pattern[str]
    example: re.Pattern[str]
    code: re.Pattern[str]
    lead_in: re.Pattern[str]
    instruction: re.Pattern[str]
    imperative: dict[str, frozenset[str] | None]
    """Verb to the words that follow it as an instruction; None: any word does."""
    context: re.Pattern[str]
    context_anywhere: re.Pattern[str]
    languages: tuple[tuple[frozenset[str], frozenset[str], tuple[str, ...]], ...]
    """Per language: its common words, its verbs, its verb endings."""


@cache
def claim_words(path: Path = WORDS_PATH) -> ClaimWords:
    """Load and compile the cue words (once per path).

    Args:
        path: The TOML file; the package's own by default.

    Returns:
        The compiled cues of all languages.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def patterns(kind: str, *, start: bool = False) -> re.Pattern[str]:
        found = [p for words in data.values() for p in words.get(kind, ())]
        body = "|".join(f"(?:{p})" for p in found) or r"(?!x)x"
        return re.compile(f"^(?:{body})" if start else body, re.IGNORECASE)

    def phrases(kind: str) -> re.Pattern[str]:
        found = sorted({_fold(p) for words in data.values() for p in words.get(kind, ())}, key=len)
        body = "|".join(re.escape(p) for p in reversed(found)) or r"(?!x)x"
        # A phrase ends where a word does: "it" opens "It is" but not "Iterators".
        return re.compile(rf"^(?:{body})(?![^\W_])", re.IGNORECASE)

    imperative: dict[str, frozenset[str] | None] = {}
    for words in data.values():
        objects = frozenset(_fold(w) for w in words.get("imperative_objects", ()))
        for verb in words.get("imperative", ()):
            imperative[_fold(verb)] = objects or None
    languages = tuple(
        (
            frozenset(_fold(w) for w in words.get("common", ())),
            frozenset(_fold(w) for w in words.get("verbs", ())),
            tuple(words.get("verb_endings", ())),
        )
        for words in data.values()
    )
    return ClaimWords(
        caption=patterns("caption", start=True),
        byline=patterns("byline", start=True),
        meta=patterns("meta"),
        example=patterns("example"),
        code=patterns("code"),
        lead_in=phrases("lead_in"),
        instruction=patterns("instruction"),
        imperative=imperative,
        context=phrases("context"),
        context_anywhere=patterns("context_anywhere"),
        languages=languages,
    )


def claim_sentences(text: str) -> list[str]:
    """The sentences of a Markdown passage that state something, in order.

    Args:
        text: Markdown: a passage, a section or a whole file.

    Returns:
        Each claim as plain text (see :class:`JudgedSentence`); repeats are dropped.
    """
    seen: set[str] = set()
    claims: list[str] = []
    for judged in judge_sentences(text):
        folded = judged.text.casefold()
        if judged.rejected is None and folded not in seen:
            seen.add(folded)
            claims.append(judged.text)
    return claims


def judge_sentences(text: str) -> list[JudgedSentence]:
    """Every sentence of a Markdown passage's prose, each judged claim or not.

    Headings, code blocks, tables and HTML blocks hold no sentences of prose.

    Args:
        text: Markdown.

    Returns:
        The sentences in order, with the reason each rejected one is no claim.
    """
    # Imported here: the parser imports this package's modules that import this one.
    from tutor.ingest.markdown import parse_markdown

    if not text.strip():
        return []
    try:
        parsed = parse_markdown(text, name="passage")
    except IngestError:
        return []
    blocks = [block for section in parsed.root.walk() for block in section.blocks]
    return block_sentences(blocks, references=parsed.references)


def block_sentences(
    blocks: Iterable[Block], *, references: Collection[str] = frozenset()
) -> list[JudgedSentence]:
    """The judged sentences of parsed blocks (paragraphs, lists and quotes; code skipped).

    Args:
        blocks: Blocks of parsed Markdown, in order.
        references: Link labels the file defines (``ParsedDocument.references``), so that
            ``[text]`` naming one reads as its text.

    Returns:
        The sentences in order.
    """
    words = claim_words()
    judged: list[JudgedSentence] = []
    for source, list_item, aside in _prose_units(blocks):
        linked = _link_share(source) >= _LINK_SHARE
        # Cleaned before it is cut: a tag or a link may span lines, and so sentences.
        # An image reads as its alt text on a page; in a claim it is a caption.
        cleaned = clean_markdown(_IMAGE_TAG.sub(" ", source), references=references)
        for piece in _sentences(cleaned):
            text, dropped = _without_lead_in(_plain(piece), words)
            if not text:
                continue
            reason: Rejection | None = "link_list" if linked else None
            reason = reason or _rejection(piece, text, list_item, words, lead_in=dropped)
            judged.append(JudgedSentence(text, reason, list_item, aside))
    return judged


def _sentences(text: str) -> Iterator[str]:
    """The sentences of clean Markdown, not cut after initials such as "U.S."."""
    held = ""
    for start, end in sentence_spans(text):
        piece = f"{held} {text[start:end].strip()}".strip()
        if _INITIALS.search(piece):
            held = piece
            continue
        held = ""
        yield piece
    if held:
        yield held


def _prose_units(blocks: Iterable[Block]) -> Iterator[tuple[str, bool, bool]]:
    """Each paragraph's Markdown, markers removed; whether a list item's, a quote's."""
    pending = [(block, False, False) for block in reversed(list(blocks))]
    while pending:
        block, in_list, quoted = pending.pop()
        if block.kind == "paragraph":
            source = _QUOTE_MARKERS.sub("", block.source)
            lines = source.split("\n")
            lines[0] = _LIST_MARKER.sub("", lines[0]) if in_list else lines[0]
            yield "\n".join(line.strip() for line in lines), in_list, quoted
        elif block.kind in ("list", "list_item", "blockquote"):
            inside = in_list or block.kind != "blockquote"
            aside = quoted or block.kind == "blockquote"
            pending.extend((child, inside, aside) for child in reversed(block.children))


def _link_share(source: str) -> float:
    linked = sum(len(_WORD.findall(text)) for text in _LINK_TEXT.findall(source))
    total = len(_WORD.findall(clean_markdown(source)))
    return linked / total if total and linked else 0.0


def _plain(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_EMPHASIS.sub("", text[position : match.start()]))
        pieces.append(match.group(2).strip())
        position = match.end()
    pieces.append(_EMPHASIS.sub("", text[position:]))
    return collapse_spaces(html.unescape(_ESCAPE.sub(r"\1", "".join(pieces))))


def _without_lead_in(text: str, words: ClaimWords) -> tuple[str, bool]:
    match = words.lead_in.match(_fold(text))
    if match is None:
        return text, False
    rest = text[match.end() :].lstrip(" ,:")
    return (rest[:1].upper() + rest[1:], True) if rest else (text, False)


def _rejection(
    source: str, text: str, list_item: bool, words: ClaimWords, *, lead_in: bool
) -> Rejection | None:
    folded = _fold(text)
    tokens = [_fold(w) for w in _WORD.findall(text)]
    if not tokens:
        return "fragment"
    if words.caption.search(folded):
        return "caption"
    if words.byline.search(text.replace("\u2019", "'")):
        return "byline"
    starts_with_code = source.lstrip("*_\"'([").startswith("`")
    if not lead_in and text[0].islower() and not starts_with_code:
        return "fragment"  # a piece of a sentence cut at an abbreviation or a line
    if _URL.search(text):
        return "link_list"
    ending = text.rstrip(")\"'\u2019\u201d")
    if ending.endswith("?"):
        return "question"
    if ending.endswith("!"):
        return "exclamation"
    if words.meta.search(folded):
        return "meta"
    example = words.example.search(folded)
    if example is not None and len(_WORD.findall(folded[: example.start()])) < _EXAMPLE_OPENING:
        return "example"
    if _code_bound(source, text, words, folded):
        return "code"
    if _instruction(source, tokens, words) or words.instruction.search(folded):
        return "imperative"
    if words.context.match(folded) or words.context_anywhere.search(folded):
        return "context"
    if len(text) > CLAIM_MAX_CHARS or len(tokens) > _MAX_WORDS:
        return "too_long"
    if _fragment(text, tokens, list_item, words):
        return "fragment"
    return None


def _code_bound(source: str, text: str, words: ClaimWords, folded: str) -> bool:
    if words.code.search(folded):
        return True
    spans = [m.group(2).strip() for m in _CODE_SPAN.finditer(source)]
    if any(_LOCAL_NAME.match(span) or _CALL.search(span) for span in spans):
        return True  # "s", "r1", ".iter().enumerate()": the listing beside it
    coded = sum(len(span.split()) for span in spans)
    return coded > _CODE_SHARE * max(len(text.split()), 1)


def _instruction(source: str, tokens: list[str], words: ClaimWords) -> bool:
    objects = words.imperative.get(tokens[0], frozenset())
    if objects == frozenset():
        return False  # not a verb of the list
    if objects is None:
        return True
    after = source.lstrip("*_ ")
    after = after[after.find(_first_word(after)) + len(_first_word(after)) :].lstrip("*_")
    if after.startswith((",", ":")):
        return True
    if after.lstrip().startswith("`"):
        return True  # "Use `mut` ...", "Call `drop` ..."
    # "Try adding", "Consider using": a verb of the list before a gerund instructs too.
    return len(tokens) > 1 and (tokens[1] in objects or tokens[1].endswith("ing"))


def _first_word(text: str) -> str:
    match = _WORD.search(text)
    return match.group() if match else ""


def _fragment(text: str, tokens: list[str], list_item: bool, words: ClaimWords) -> bool:
    if len(tokens) < _MIN_WORDS or not _OPENS_SENTENCE.match(text):
        return True
    if text.endswith((":", ",", ";", "\u2014", "-")):
        return True  # it introduces what follows: a list or a listing
    if not list_item and not _ENDS_SENTENCE.search(text):
        return True
    if any(text.count(a) != text.count(b) for a, b in _PAIRS):
        return True
    return not _has_verb(text, tokens, words)


def _has_verb(text: str, tokens: list[str], words: ClaimWords) -> bool:
    """Whether a sentence in a language of the list has a verb; True for other languages.

    A word ending like a verb ("drains", "moved") counts unless it is a name ("Windows",
    "macOS") or a possessive ("Rust's"): "Installing Rust on Linux, macOS, and Windows"
    has no verb.
    """
    best, language = 0, None
    for common, verbs, endings in words.languages:
        count = sum(token in common for token in tokens)
        if count > best:
            best, language = count, (verbs, endings)
    if language is None:
        return True
    verbs, endings = language
    if any(token in verbs for token in tokens):
        return True
    return any(
        len(word) > 3 and word.islower() and "'" not in word and word.endswith(endings)
        for word in _WORD.findall(text.replace("\u2019", "'"))[1:]
    )


def _fold(text: str) -> str:
    return text.replace("\u2019", "'").casefold()
