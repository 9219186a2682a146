"""What a learner's free question is about: the subjects it names.

A question is covered by the notes only if the notes speak of what it names. Word overlap
and embedding similarity miss this: "How do I write a for loop in Python?" shares "for
loop" with notes on Rust and sits close to them, yet its subject, Python, is what decides
whether the notes can answer. A subject is one of:

- ``name``: a capitalised word or run of words that does not open the sentence (Python,
  Adam Smith, GDP, JavaScript), or one that does but is no common question word;
- ``code``: an identifier-like token (``crates.io``, ``C++``, ``push_str``, ``Vec::new``)
  or anything in backticks;
- ``quoted``: a term in quotation marks;
- ``phrase``: a lowercase noun phrase where questions put their topic: after "in",
  "with", "using", "about", "like", "than", "for", "via"; after "what is" and its kin
  ("what does X mean", "define X", "explain X"); the first noun after "how does".

Words that only frame a question ("in practice", "in simple terms", "the difference",
"the best") are never subjects. The word lists are English; a name in another language's
question is still found by its capital letter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

SubjectKind = Literal["name", "code", "quoted", "phrase"]


@dataclass(frozen=True, slots=True)
class Subject:
    """One thing a question names."""

    text: str
    """The words as the question has them (a possessive ``'s`` removed)."""
    kind: SubjectKind
    opens_sentence: bool = False
    """A capitalised word that opens its sentence: a name, or an imperative the word
    lists do not know ("Walk me through..."); checked more leniently."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GRAMMAR = _words(
    """
    a an the this that these those my your our their his her its whose which what who whom
    when where why how whether if then than so and or but nor not no yes
    i me we us you he him she they them it one ones myself yourself itself
    is are was were be been being am do does did done doing have has had having
    can could shall should will would may might must need ought
    to of in on at by for with without within about into onto from up down out over under
    again further once here there all any both each few more most other some such only own
    same too very just also even still yet already ever never always often sometimes
    as via per versus vs like unlike between among through during before after above below
    because while until since although though else instead rather according
    s t don doesn didn isn aren wasn weren won wouldn shouldn couldn can't cannot
    ok okay please thanks thank hi hello hey
    tell show give explain describe define summarise summarize teach help know understand
    mean means meant work works happen happens happened
    difference differences purpose point idea role meaning definition example examples
    rule rules
    what's whats how's hows who's whos where's wheres why's whys when's whens
    """
)
"""Words that only shape a question: what is left once they go is what it asks."""

_FUNCTION_WORDS = _GRAMMAR | _words(
    """
    much many lot lots bit kind sort type way ways thing things something anything
    everything nothing someone anyone everyone stuff
    get gets got make makes made use uses used using go goes went say says said
    let lets compare list name write think want wanted try find see look
    best good better main key simple basic easiest easy right correct proper different
    exact exactly real really actually
    """
)
"""Words that never name a question's subject (though they may say what it asks)."""

_OPENERS = _FUNCTION_WORDS | _words(
    """
    walk give tell show help explain describe define compare summarise summarize list
    why whats what's how's where's who's is are can could would should will do does
    did was were which please hi hello hey okay ok so and but also now then
    """
)
"""Capitalised words that open a question without being a name."""

_PREPOSITIONS = frozenset({"in", "with", "using", "about", "like", "than", "for", "via", "use"})
"""Words after which a question puts its topic."""
_DEFINERS = frozenset({"define", "explain", "describe"})
_COPULAS = frozenset({"is", "are", "was", "were", "does", "do"})
_DETERMINERS = _words(
    """
    a an the my your our their his her its this that these those some any each every
    another other more less much many such own all
    """
)
_FRAMING = _words(
    """
    practice theory general short brief detail details particular terms words mind order
    fact turn addition total summary life world nutshell notes note book chapter section
    lesson course class text page pages
    """
)
"""Nouns that follow "in"/"with" without being a topic ("in practice", "in short")."""

_TOKEN = re.compile(
    r"""
    `(?P<code>[^`]+)`
    | "(?P<quoted>[^"]{1,60})"
    | (?<![\w'])'(?P<single>[^'\s][^']{0,58})'(?!\w)
    | (?P<word>[\w][\w.:+#&'-]*[\w+#]|[\w])
    | (?P<stop>[?.!;:,()])
    """,
    re.VERBOSE,
)
_CODE_SHAPE = re.compile(r"\w[.:]+\w|_|\+\+|#$|[a-z][A-Z]")
_POSSESSIVE = re.compile(r"'s?$")
_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
"""Curly quotes as straight ones: phones and word processors type the curly kind."""
_MAX_PHRASE = 3


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    kind: Literal["word", "code", "quoted", "stop"]
    opens: bool
    """First word of its sentence."""
    possessive: bool = False


def question_subjects(question: str) -> list[Subject]:
    """The subjects ``question`` names, each once, in the order it names them."""
    tokens = list(_tokens(question.translate(_TYPOGRAPHIC)))
    found: list[Subject] = []
    found.extend(_marked(tokens))
    found.extend(_names(tokens))
    found.extend(_phrases(tokens))
    seen: set[str] = set()
    unique = []
    for subject in found:
        key = subject.text.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(subject)
    return unique


def content_words(text: str) -> list[str]:
    """The words of ``text`` that say what it asks, lowercased: "sort", "list", "loop"."""
    return [
        word
        for token in _TOKEN.finditer(text.translate(_TYPOGRAPHIC))
        if (word := (token.group("word") or "").casefold())
        and word not in _GRAMMAR
        and not word.isdigit()
    ]


def _tokens(question: str) -> Iterator[_Token]:
    opens = True
    for match in _TOKEN.finditer(question):
        if match.group("stop"):
            yield _Token(match.group("stop"), "stop", False)
            opens = match.group("stop") in "?.!;:"
            continue
        if code := match.group("code"):
            yield _Token(code.strip(), "code", opens)
        elif quoted := match.group("quoted") or match.group("single"):
            yield _Token(quoted.strip(), "quoted", opens)
        else:
            word = match.group("word").rstrip(".:")
            stripped = _POSSESSIVE.sub("", word) if len(word) > 2 else word
            possessive = stripped != word
            kind: Literal["word", "code"] = "code" if _CODE_SHAPE.search(stripped) else "word"
            if kind == "code" and stripped[:1].isupper() and stripped.replace("-", "").isalnum():
                kind = "word"
            yield _Token(stripped, kind, opens, possessive)
        opens = False


def _marked(tokens: list[_Token]) -> Iterator[Subject]:
    for token in tokens:
        if token.kind == "quoted" and len(token.text.split()) <= 6:
            yield Subject(token.text, "quoted")
        elif token.kind == "code":
            yield Subject(token.text, "code")


def _is_capitalised(token: _Token) -> bool:
    if token.kind != "word" or not token.text[:1].isupper():
        return False
    if token.text.casefold() in {"i", "i'm", "i've", "i'd", "i'll"}:
        return False
    return not (token.opens and token.text.casefold() in _OPENERS)


def _names(tokens: list[_Token]) -> Iterator[Subject]:
    run: list[_Token] = []
    for token in [*tokens, _Token("", "stop", False)]:
        if _is_capitalised(token):
            run.append(token)
            if not token.possessive:
                continue
        if run:
            # A sentence's opening word joins no name: "Rust" in "Rust Option" may be
            # either, so each stands alone.
            if len(run) > 1 and run[0].opens:
                yield Subject(run[0].text, "name", opens_sentence=True)
                run = run[1:]
            yield Subject(" ".join(t.text for t in run), "name", opens_sentence=run[0].opens)
            run = []


def _phrases(tokens: list[_Token]) -> Iterator[Subject]:
    words = [t.text.casefold() if t.kind == "word" else "" for t in tokens]
    for index, word in enumerate(words):
        start: int | None = None
        if word in _PREPOSITIONS:
            # "a for loop": "for" after an article is a noun's part, not a preposition.
            after_article = index > 0 and words[index - 1] in {"a", "an", "the"}
            if not (word == "for" and after_article):
                start = index + 1
        elif word in _DEFINERS:
            start = index + 1
        elif word == "what" and index + 1 < len(words) and words[index + 1] in _COPULAS:
            start = index + 2
        elif word == "what" and tokens[index].possessive:  # "what's"
            start = index + 1
        elif word == "how" and index + 1 < len(words) and words[index + 1] in {"does", "do", "did"}:
            if phrase := _noun_phrase(tokens, index + 2, longest=1):
                yield phrase
            continue
        if start is not None and (phrase := _noun_phrase(tokens, start, longest=_MAX_PHRASE)):
            yield phrase


def _noun_phrase(tokens: list[_Token], start: int, *, longest: int) -> Subject | None:
    index = start
    while index < len(tokens) and tokens[index].text.casefold() in _DETERMINERS:
        index += 1
    words: list[str] = []
    while index < len(tokens) and len(words) < longest:
        token = tokens[index]
        word = token.text.casefold()
        if token.kind != "word" or token.text[:1].isupper() or word in _FUNCTION_WORDS:
            break
        if word.isdigit():
            break
        words.append(word)
        index += 1
        if token.possessive:
            break
    phrase = " ".join(words)
    if not phrase or phrase in _FRAMING or all(w in _FRAMING for w in words):
        return None
    return Subject(phrase, "phrase")
