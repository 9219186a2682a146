"""Terms a section introduces: the words and phrases it defines.

A section introduces a term with an emphasised or code term in a defining sentence
("A **reference** is ...", "... is called *borrowing*", "a *tuple*, which ...",
"`Vec<T>`, also known as a vector"), a plain "A reference is a ..." sentence, a "Term:
definition" line, or its own heading ("Ownership Rules" introduces "ownership rule").
Identifiers an example names ("a variable named `guess`") are not terms.

Terms are case-folded, with articles, surrounding punctuation and English plurals removed
("The References" gives "reference"); matching also ignores a final "e", so that "caches"
and "cache" meet (:func:`match_key`). Words are Unicode word characters, so notes in any
language work; a few defining patterns of French, German, Spanish, Italian, Portuguese,
Greek and Japanese are known. Text in scripts written without spaces (Chinese, Japanese)
is matched by substring.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from functools import cache, lru_cache
from itertools import chain

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.ingest._document import Block, ParsedDocument, Section

__all__ = [
    "INLINE_CODE",
    "MAX_TERM_WORDS",
    "NO_SPACE_SCRIPT",
    "concept_terms",
    "introduced_terms",
    "match_key",
    "normalise_term",
    "split_words",
    "stem",
]

MAX_TERM_WORDS = 4
"""Longer emphasised phrases are emphasis, not terms."""


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GREEK_STOP_WORDS = _word_set(
    # Articles, "and", "or", "in", "with", "for", "from", "is"; escaped, as Greek letters
    # look like Latin ones in source.
    "\u03bf \u03b7 \u03c4\u03bf \u03bf\u03b9 \u03c4\u03b1 \u03c4\u03bf\u03c5 "
    "\u03c4\u03b7\u03c2 \u03c4\u03c9\u03bd \u03ad\u03bd\u03b1 \u03bc\u03b9\u03b1 "
    "\u03ba\u03b1\u03b9 \u03ae \u03c3\u03b5 \u03bc\u03b5 \u03b3\u03b9\u03b1 \u03b1\u03c0\u03cc "
    "\u03b5\u03af\u03bd\u03b1\u03b9 "
)
_STOP_WORDS = _GREEK_STOP_WORDS | _word_set(
    """
    a an the this that these those it its it's they them their there here we our you your
    he she his her i me my one ones some any all each every both either neither no not
    and or but nor so yet if then than as of in on at by for with from to into onto over
    under about after before between through during without within out up down off
    is are was were be been being am has have had do does did can could will would shall
    should may might must also just only very more most much many such what which who whom
    whose when where why how other another same new old first last next own way thing
    le la les l un une des du de d et ou en au aux ce cet cette ces il elle ils elles est
    sont dans par pour sur avec sans qui que quoi dont nous vous se sa son ses leur leurs
    der die das den dem des ein eine einer eines einem einen und oder ist sind im in zu
    mit von auf für nicht es sie er wir ihr dies diese dieser
    el los las lo un una unos unas y o es son del al con por para que se su sus como
    il lo gli i uno e è sono di da con per che
    o os as um uma e é são do da dos das no na com para que
    """
)
_GENERIC_HEADINGS = _word_set(
    """
    summary recap overview introduction conclusion conclusions note notes term terms
    definition definitions example examples exercise exercises appendix chapter section
    part lesson unit module preface foreword contents index glossary takeaway takeaways
    background review question questions answer answers solution solutions general
    miscellaneous misc other others topic topics wrap getting started resume résumé
    einleitung zusammenfassung übersicht beispiele resumen introducción ejemplos
    """
)
_VERBS = _word_set(
    "is are was were be been am do does did can could will would shall should may might must"
    " est sont ist sind es son è sono é são"
)
_COPULA = (
    r"is|are|was|were|means|mean|refers\s+to|refer\s+to|denotes|describes|"
    r"est|sont|désigne|signifie|ist|sind|bezeichnet|bedeutet|es|son|significa|è|sono|é|são"
    # Greek "is", "means"
    r"|\u03b5\u03af\u03bd\u03b1\u03b9|\u03c3\u03b7\u03bc\u03b1\u03af\u03bd\u03b5\u03b9"
)
_ARTICLES = (
    r"a|an|the|one|un|une|le|la|les|l['\u2019]|der|die|das|ein|eine|el|los|las|il|lo|gli"
    r"|o|os|um|uma|\u03bf|\u03b7|\u03c4\u03bf|\u03bf\u03b9|\u03c4\u03b1"  # Greek articles
)
_NAMING_CUE = re.compile(
    r"(?:\bcalled|\bnamed|\btermed|\bknown\s+as|\breferred\s+to\s+as|\bdefined\s+as"
    r"|\bwe\s+call(?:\s+(?:this|it|these|them|that))?|\bthe\s+terms?|\bthe\s+words?"
    r"|\bappelée?s?|\bnommée?s?|\bdite?s?|\bgenannt|\bheißt|\bheißen|\bnennt\s+man"
    r"|\bllamad[oa]s?|\bdenominad[oa]s?|\bse\s+llama|\bchiamat[oa]|\bdett[oa]|\bchamad[oa]s?)"
    rf"(?:\s+(?:{_ARTICLES}))?\s*[\"\u201c\u2018\u00ab\u201e]?\s*$",
    re.IGNORECASE,
)
_ARTICLE_END = re.compile(rf"(?:^|(?:^|\s)(?:{_ARTICLES}))\s*$", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\(([^\W\d_][\w.-]{1,11})\)\s*$")
_CODE_KIND = re.compile(
    r"^(?:type|trait|keyword|macro|enum|struct|module|crate|attribute|operator|construct"
    r"|expression|statement|variant|class|interface|package|library|command|annotation)s?\b",
    re.IGNORECASE,
)
_ARTICLE_ONLY = re.compile(rf"^(?:(?:{_ARTICLES})\s*)?$", re.IGNORECASE)
_AFTER_DEFINES = re.compile(
    rf"^[\"\u201d\u2019\u00bb]?\s*(?:\([^)]{{0,40}}\)\s*)?"
    # "The **opportunity cost** of a choice is ...": a short complement may come first.
    r"(?:(?:of|for|in|de|du|des|von|vom|del|di)\s+(?:[^\s,.;:]+\s+){1,3}?(?=\S+\s))?"
    rf"(?:(?:{_COPULA})\b|[:\u2014\u2013]|-\s|\u3068\u306f|\u3068\u3044\u3046"
    r"|,\s*(?:which|that|who|i\.e\.|ou|qui|die|der|das|que|che)\b"
    r"|,\s*(?:also\s+)?(?:known\s+as|called)\b)",
    re.IGNORECASE,
)
_ALSO_NAMED = re.compile(r"^\s*,\s*(?:also\s+)?(?:known\s+as|called)\b", re.IGNORECASE)
_INDEFINITE = re.compile(r"^(?:a|an|un|une|ein|eine|uno?|una|um|uma)$", re.IGNORECASE)
"""An indefinite article alone before an emphasised term: "A _trait_ defines ..."."""
_PLAIN_NAMING = re.compile(
    r"\b(?:also\s+)?known\s+as\s+(?:an?\s+|the\s+)?([^\W\d_][\w-]*(?:\s[^\W\d_][\w-]*){0,2})"
    r"\s*(?:[.,;:]|$)",
    re.IGNORECASE,
)
"""Unmarked "..., also known as a vector."."""
_PLAIN_DEFINITION = re.compile(
    rf"^(?:a|an|un|une|ein|eine|uno?|una)\s+(\w+(?:[ -]\w+){{0,2}})\s+(?:{_COPULA})\s+"
    rf"(?:{_ARTICLES}|like|comme|wie|como|come|when|where|used|defined)\b",
    re.IGNORECASE,
)
_BARE_DEFINITION = re.compile(
    r"^([^\W\d_][\w-]*(?:\s[^\W\d_][\w-]*)?)\s+(?:means|measures|denotes|refers\s+to"
    r"|is\s+defined\s+as|is\s+the\s+study\s+of|désigne|bezeichnet)\s",
    re.IGNORECASE,
)
"""A bare subject with a verb that only defines: "Elasticity measures how ..."."""
_TERM_LINE = re.compile(r"^([^:\n]{2,60}?)\s*(?::|\s[\u2014\u2013]|\s-)\s+\S+(?:\s+\S+){2,}")
_QUESTION_HEAD = re.compile(
    r"^(?:what|who|how|why|when|where|which)"
    r"(?:\s+(?:is|are|was|were|does|do|to|can|an?|the))*\s+"
    r"|^(?:an?\s+)?(?:introduction|intro)\s+(?:to|into)\s+"
    r"|^(?:qu['\u2019]est[- ]ce\s+qu['\u2019](?:une?|on\s+appelle)?"
    r"|was\s+(?:ist|sind)|qué\s+es)\s*",
    re.IGNORECASE,
)
_QUESTION_TAIL = re.compile(r"(?:\u3068\u306f(?:\u4f55\u304b?)?|\u3063\u3066\u4f55)\s*$")
"""Japanese "X\u3068\u306f" ("what X is") and the like."""
_CONJUNCTION = re.compile(r"&|\b(?:and|or|vs|versus|et|ou|und|oder|y|o|e)\b", re.IGNORECASE)
_HEADING_SPLIT = re.compile(
    r"\s*(?:,|;|:|&|/|\band\b|\bor\b|\bvs\.?|\bversus\b|\bwith\b|\bet\b|\bou\b|\bund\b"
    r"|\boder\b|\by\b)\s*",
    re.IGNORECASE,
)
_MARKERS = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:#{1,6}[ \t]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;\u3002\uff01\uff1f])\s+|(?<=[\u3002\uff01\uff1f])")
_CODE_TERM = re.compile(r"^[&*]*(?:mut\s+)?([^\W\d]\w*(?:::[^\W\d]\w*)*!?)(?:\(\)|<[^<>]*>)?$")
INLINE_CODE = re.compile(r"(`+)([^`]|[^`].*?[^`])\1(?!`)")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_WORD = re.compile(r"\w+")
NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Kana and CJK ideographs: scripts written without spaces between words."""
_PATH_LIKE = re.compile(r"[/\\]|\.\w{1,4}$")


def normalise_term(text: str) -> str:
    """A term as stored: case-folded words, singular, without articles or punctuation.

    Args:
        text: A term as written, e.g. "The **References**," or "`Vec<T>`".

    Returns:
        The term ("reference", "vec"), or "" when nothing of it can be a term: only
        stop-words, punctuation, numbers or very short words, or more than
        :data:`MAX_TERM_WORDS` words.
    """
    words = [_singular(w) for w in split_words(text)]
    # Numbers at the ends are numbering ("Part 1", "Low inflation: 1 -- 3%").
    while words and (words[0] in _STOP_WORDS or words[0].isdigit()):
        words.pop(0)
    while words and (words[-1] in _STOP_WORDS or words[-1].isdigit()):
        words.pop()
    if not words or len(words) > MAX_TERM_WORDS:
        return ""
    if not any(any(ch.isalpha() for ch in w) for w in words):
        return ""
    if len(words) == 1:
        word = words[0]
        short = 2 if NO_SPACE_SCRIPT.search(word) else 3
        if len(word) < short or word in _GENERIC_HEADINGS:
            return ""
    return " ".join(words)


def introduced_terms(section: Section) -> tuple[str, ...]:
    """The terms a section introduces (defines), normalised, in the order they appear.

    Its heading (and the parts of a heading joined by "and", commas and the like), the
    headings quoted in its blocks, emphasised or code terms in defining sentences, plain
    "A term is a ..." sentences and "Term: definition" lines. Sub-sections are not read.

    Args:
        section: A parsed section.

    Returns:
        The distinct terms.
    """
    found: dict[str, None] = {}
    for term in chain(_heading_terms(section.title), _block_terms(section.blocks)):
        if term:
            found[term] = None
    return tuple(found)


def concept_terms(doc: ParsedDocument, keys: Mapping[int, str]) -> dict[str, tuple[str, ...]]:
    """The terms each concept of a document introduces: those of all its sections.

    Args:
        doc: The parsed document.
        keys: Section position to the key of the concept that covers it.

    Returns:
        Concept key to its terms, for the concepts that introduce any.
    """
    terms: dict[str, dict[str, None]] = defaultdict(dict)
    for section in doc.root.walk():
        key = keys.get(section.position)
        if key is not None:
            terms[key].update(dict.fromkeys(introduced_terms(section)))
    return {key: tuple(found) for key, found in terms.items() if found}


# -- finding terms -------------------------------------------------------------------


def _heading_terms(title: str) -> Iterator[str]:
    text = unicodedata.normalize("NFKC", title).strip(" ?¿!¡.\t")
    text = _QUESTION_TAIL.sub("", _QUESTION_HEAD.sub("", text))
    words = split_words(text)
    if not words or all(w in _GENERIC_HEADINGS or w in _STOP_WORDS for w in words):
        return
    if any(w in _VERBS for w in words):
        return  # a clause ("Who Rust Is For", "How Functions Work") names no term
    yield normalise_term(text)
    # "Variables and Mutability" introduces both; "Hello, World!" is one phrase.
    parts = [p for p in _HEADING_SPLIT.split(text) if p] if _CONJUNCTION.search(text) else []
    if len(parts) > 1:
        for index, part in enumerate(parts):
            words = split_words(part)
            if len(words) == 1 and words[0].endswith("ing") and index < len(parts) - 1:
                # "Defining and Instantiating Structs": a verb sharing the next part's
                # object; a last part ("References and Borrowing") names a thing.
                continue
            yield normalise_term(_QUESTION_HEAD.sub("", part))


def _block_terms(blocks: Sequence[Block], *, in_list: bool = False) -> Iterator[str]:
    for block in blocks:
        if block.kind == "heading":
            yield from _heading_terms(block.text)
        elif block.kind == "paragraph":
            yield from _paragraph_terms(block.source, in_list=in_list)
        elif block.kind in ("list", "list_item", "blockquote"):
            yield from _block_terms(block.children, in_list=block.kind != "blockquote")


def _paragraph_terms(source: str, *, in_list: bool) -> Iterator[str]:
    lines = [_MARKERS.sub("", line, count=1) for line in source.splitlines()]
    if len(lines) >= 2 and lines[1].startswith(":"):
        yield normalise_term(lines[0])  # a definition list: "Term" then ": definition"
    plain, spans = _inline(" ".join(lines))
    for start, end in _sentences(plain):
        sentence = plain[start:end]
        inside = [(s - start, e - start, kind) for s, e, kind in spans if start <= s < end]
        yield from _sentence_terms(sentence, inside, in_list=in_list)


def _sentence_terms(
    sentence: str, spans: Sequence[tuple[int, int, str]], *, in_list: bool
) -> Iterator[str]:
    for start, end, kind in spans:
        before, term, after = sentence[:start].strip(), sentence[start:end], sentence[end:]
        if _PATH_LIKE.search(term.strip()):
            continue
        if kind == "code":
            code = _CODE_TERM.match(term.strip())
            if code is None:
                continue
            # "a variable named `guess`" names an example's identifier, not a concept:
            # code is defined by "`X` is ..." or "the `X` type" only.
            led = _ARTICLE_ONLY.match(before)
            kind_noun = led and _CODE_KIND.match(after.strip())
            renamed = _ALSO_NAMED.match(after)  # "`Vec<T>`, also known as a vector"
            if kind_noun or renamed or (led and _AFTER_DEFINES.match(after.strip())):
                normal = normalise_term(code.group(1).replace("::", " "))
                # Kept as code: `while` is used as code, whatever "while" means in prose.
                yield f"`{normal}`" if normal else ""
            continue
        defining = _defines(before, after)
        if not defining:
            # "the terms *shallow copy* and *deep copy*": a term listed with a named one.
            defining = bool(re.search(r"\bterms\b.*\band\s*$", before, re.IGNORECASE))
        if defining:
            yield normalise_term(term)
            # "_last in, first out (LIFO)_": the abbreviation is a name of its own.
            if abbreviation := _ABBREVIATION.search(term):
                yield normalise_term(abbreviation.group(1))
    plain = _PLAIN_DEFINITION.match(sentence.strip()) or _BARE_DEFINITION.match(sentence.strip())
    if plain:
        yield normalise_term(plain.group(1))
    for named in _PLAIN_NAMING.finditer(sentence):
        yield normalise_term(named.group(1))
    # "- Term: what it is" in a list; a paragraph's "Note: ..." or "In short: ..." is no
    # definition (an emphasised "**Term**: ..." is found above).
    line = _TERM_LINE.match(sentence.strip()) if in_list and not spans else None
    if line and len(split_words(line.group(1))) <= 3:
        yield normalise_term(line.group(1))


def _defines(before: str, after: str) -> bool:
    """Whether a term between ``before`` and ``after`` in a sentence is being defined."""
    if _NAMING_CUE.search(before) or _INDEFINITE.match(before):
        return True
    # "A **reference** is", "Every value has a _data type_, which": an article (or
    # nothing) leads the term in.
    return bool(_ARTICLE_END.search(before)) and bool(_AFTER_DEFINES.match(after.strip()))


@cache
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _inline(source: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Plain text of inline Markdown, and where its emphasis and code spans lie in it."""
    tokens = _inline_parser().parseInline(source)
    children: list[Token] = tokens[0].children or [] if tokens else []
    parts: list[str] = []
    length = 0
    spans: list[tuple[int, int, str]] = []
    opened: list[int] = []
    for token in children:
        if token.type in ("em_open", "strong_open"):
            opened.append(length)
        elif token.type in ("em_close", "strong_close") and opened:
            spans.append((opened.pop(), length, "emphasis"))
        elif token.type == "code_inline":
            spans.append((length, length + len(token.content), "code"))
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
            length += len(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
            length += 1
    # The outermost span of nested emphasis (***x***) is the term: keep each once.
    return "".join(parts), sorted(set(spans))


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


# -- words ---------------------------------------------------------------------------


def split_words(text: str) -> list[str]:
    """The words of ``text``: case-folded, NFKC-normalised, possessives dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(_POSSESSIVE.sub("", folded))


def _singular(word: str) -> str:
    """An English plural's singular, conservatively; other words as they are."""
    if len(word) <= 3 or not word.endswith("s") or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A word as matched: singular, without a final "e" ("caches" and "cache": "cach")."""
    word = _singular(word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def match_key(term: str) -> str:
    """What a term is matched by: its words' stems, marked when it is code."""
    stems = " ".join(stem(w) for w in split_words(term))
    return f"`{stems}" if term.startswith("`") and stems else stems
