"""Terms the notes introduce, and the prerequisite edges they show.

A section *introduces* a term when it defines it: an emphasised or code term in a defining
sentence ("A **reference** is ...", "... is called *borrowing*", "a *tuple*, which ..."),
a plain "A reference is a ..." sentence, a "Term: definition" line, or its own heading
("Ownership Rules" introduces "ownership rule"). A later concept that *uses* the term (as a
whole word, in its title or several times) needs the introducing concept first: a
``prerequisite`` edge of origin ``term``.

A learning path is the closure of such edges, taken transitively, so one noisy edge can
pull a chain of chapters into it. Edges are therefore few and sure: a term introduced in
many places or used by most sections of a document gives none, each concept keeps only
its few strongest, and they weigh less than links so that a cycle breaks on them first.

Terms are case-folded, with articles, surrounding punctuation and English plurals removed
("The References" gives "reference"); matching also ignores a final "e", so that "caches"
and "cache" meet. Words are Unicode word characters, so notes in any language work; text
in scripts written without spaces (Chinese, Japanese) is matched by substring.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import chain
from typing import Protocol

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tutor.graph.model import ConceptDraft, ConceptRole, EdgeDraft
from tutor.ingest._document import Block, ParsedDocument, Section

__all__ = [
    "MAX_INTRODUCERS",
    "MAX_TERM_EDGES",
    "MAX_USE_SHARE",
    "TERM_WEIGHT",
    "ConceptText",
    "Introducer",
    "concept_terms",
    "concept_texts",
    "document_term_edges",
    "introduced_terms",
    "normalise_term",
    "term_edges",
    "with_terms",
]

TERM_WEIGHT = 0.7
"""Below links (0.8), above the author's order (0.6 and less)."""
MAX_TERM_EDGES = 3
"""Term prerequisites a concept keeps: its strongest."""
MAX_INTRODUCERS = 2
"""A term introduced by more concepts than this is common vocabulary, not a definition."""
MAX_USE_SHARE = 0.5
"""A term used by more than this share of a document's concepts is what the whole
document is about, or common vocabulary: it gives no edge in that document."""
MAX_CORPUS_SHARE = 0.12
"""A term in the title, summary or key points of more than this share of all concepts is
basic vocabulary of the notes ("function" in a programming book, "price" in economics):
it gives no edge. On the Rust book this keeps "reference" (11%) and "ownership" (6%)
and drops "function" (31%), "variable" (15%) and "parameter" (14%)."""
MIN_USERS_FOR_SHARE = 4
"""Below this many concepts in a document, shares say nothing."""
MIN_CONCEPTS_FOR_CORPUS_SHARE = 30
"""Below this many concepts in all, corpus shares say nothing."""
MIN_USE_SCORE = 3
"""A use counts once in the text and :data:`TITLE_USE_SCORE` times in a title; a concept
must reach this to need the term."""
TITLE_USE_SCORE = 3
MAX_TERM_WORDS = 4
TEACHING_ROLES: frozenset[ConceptRole] = frozenset({"teachable", "chapter"})
"""Only these introduce terms: a foreword's "Rust is ..." defines nothing to learn."""


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
_INLINE_CODE = re.compile(r"(`+)([^`]|[^`].*?[^`])\1(?!`)")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_WORD = re.compile(r"\w+")
_NO_SPACE_SCRIPT = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
)
_PATH_LIKE = re.compile(r"[/\\]|\.\w{1,4}$")


class Introducer(Protocol):
    """A concept that may introduce terms: a draft of this document or a stored one."""

    @property
    def key(self) -> str:
        """The concept's key."""

    @property
    def position(self) -> int:
        """Place in the author's order."""

    @property
    def title(self) -> str:
        """The concept's title."""

    @property
    def summary(self) -> str:
        """Its first sentences."""

    @property
    def key_points(self) -> tuple[str, ...]:
        """Its key sentences."""

    @property
    def level(self) -> int:
        """Heading level: a document's own concept introduces a term before its parts."""

    @property
    def role(self) -> ConceptRole:
        """What the concept is for."""

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms it introduces, normalised."""


@dataclass(frozen=True)
class ConceptText:
    """What a concept of the document being ingested says, to find the terms it uses."""

    key: str
    position: int
    titles: tuple[str, ...]
    """The headings of its sections."""
    text: str
    """Its prose: every block of its sections but code."""
    code: str = ""
    """The inline code of its prose, where code terms are used."""
    terms: tuple[str, ...] = ()
    """The terms it introduces itself: it does not need another concept for them."""


def normalise_term(text: str) -> str:
    """A term as stored: case-folded words, singular, without articles or punctuation.

    Args:
        text: A term as written, e.g. "The **References**," or "`Vec<T>`".

    Returns:
        The term ("reference", "vec"), or "" when nothing of it can be a term: only
        stop-words, punctuation, numbers or very short words, or more than
        :data:`MAX_TERM_WORDS` words.
    """
    words = [_singular(w) for w in _words(text)]
    while words and words[0] in _STOP_WORDS:
        words.pop(0)
    while words and words[-1] in _STOP_WORDS:
        words.pop()
    if not words or len(words) > MAX_TERM_WORDS:
        return ""
    if not any(any(ch.isalpha() for ch in w) for w in words):
        return ""
    if len(words) == 1:
        word = words[0]
        short = 2 if _NO_SPACE_SCRIPT.search(word) else 3
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


def with_terms(
    doc: ParsedDocument, keys: Mapping[int, str], concepts: Sequence[ConceptDraft]
) -> list[ConceptDraft]:
    """The drafts with the terms their sections introduce (teaching roles only).

    Args:
        doc: The parsed document.
        keys: Section position to the key of the concept that covers it.
        concepts: The document's concept drafts.

    Returns:
        The drafts, in the same order; a foreword or an index introduces nothing.
    """
    terms = concept_terms(doc, keys)
    return [
        replace(c, terms=terms[c.key]) if c.role in TEACHING_ROLES and c.key in terms else c
        for c in concepts
    ]


def document_term_edges(
    doc: ParsedDocument,
    concepts: Sequence[ConceptDraft],
    keys: Mapping[int, str],
    earlier: Iterable[Introducer],
    edges: Sequence[EdgeDraft],
) -> list[EdgeDraft]:
    """The term edges into a document's concepts: :func:`term_edges` on one document.

    Args:
        doc: The parsed document.
        concepts: Its concept drafts, with their terms and final keys.
        keys: Section position to the final key of the concept that covers it.
        earlier: The owner's other concepts (stored, or ingested earlier in the run);
            a draft replaces a concept of the same key.
        edges: The document's other edges: their ``part_of`` edges say what is a
            whole of what.

    Returns:
        Prerequisite edges of origin ``term``.
    """
    introducers: dict[str, Introducer] = {c.key: c for c in earlier}
    introducers.update((c.key, c) for c in concepts)
    teaching = {c.key: c.position for c in concepts if c.role in TEACHING_ROLES}
    users = concept_texts(doc, keys, teaching, {c.key: c.terms for c in concepts})
    part_of = [(e.source, e.target) for e in edges if e.kind == "part_of"]
    return term_edges(introducers.values(), users, part_of)


def concept_texts(
    doc: ParsedDocument,
    keys: Mapping[int, str],
    positions: Mapping[str, int],
    terms: Mapping[str, Sequence[str]],
) -> list[ConceptText]:
    """The titles and prose of each concept of a document, in the author's order.

    Args:
        doc: The parsed document.
        keys: Section position to the key of the concept that covers it.
        positions: Concept key to its position; concepts not named here are left out.
        terms: Concept key to the terms it introduces.

    Returns:
        One :class:`ConceptText` per concept, by position.
    """
    titles: dict[str, list[str]] = defaultdict(list)
    texts: dict[str, list[str]] = defaultdict(list)
    codes: dict[str, list[str]] = defaultdict(list)
    for section in doc.root.walk():
        key = keys.get(section.position)
        if key is None or key not in positions:
            continue
        titles[key].append(section.title)
        prose = [b for b in section.blocks if b.kind not in ("code", "html")]
        texts[key].extend(b.text for b in prose)
        codes[key].extend(m.group(2) for b in prose for m in _INLINE_CODE.finditer(b.source))
    return sorted(
        (
            ConceptText(
                key=key,
                position=positions[key],
                titles=tuple(titles[key]),
                text="\n".join(texts[key]),
                code="\n".join(codes[key]),
                terms=tuple(terms.get(key, ())),
            )
            for key in titles
        ),
        key=lambda c: c.position,
    )


def term_edges(
    introducers: Iterable[Introducer],
    users: Sequence[ConceptText],
    part_of: Iterable[tuple[str, str]] = (),
) -> list[EdgeDraft]:
    """Prerequisite edges from the concept that introduces a term to later ones using it.

    A user needs an introducer when it uses one of its terms in a title or at least
    :data:`MIN_USE_SCORE` times, does not introduce the term itself, and the introducer
    comes before it in the author's order and is neither itself nor one of its wholes.
    Terms introduced by more than :data:`MAX_INTRODUCERS` concepts, or used by most of
    the users, give no edge. Of several introducers of one term, a teachable one goes
    first, then the one highest in its document ("What Is Ownership?" rather than its
    part "Ownership and Functions"), then the latest before the user.
    Each user keeps its :data:`MAX_TERM_EDGES` strongest introducers, by uses weighted
    for rarity among the users and for words in the term.

    Args:
        introducers: Every concept that may introduce terms: earlier documents' and this
            document's (its drafts replace stored concepts of the same key).
        users: The concepts of the document being ingested, with their text.
        part_of: (part, whole) key pairs: a whole is not a prerequisite of its parts.

    Returns:
        Edges of origin ``term`` and weight :data:`TERM_WEIGHT`.
    """
    everyone = list(introducers)
    by_term: dict[str, dict[str, Introducer]] = defaultdict(dict)
    terms_of: dict[str, tuple[str, ...]] = {}
    for concept in everyone:
        terms_of[concept.key] = concept.terms
        if concept.role not in TEACHING_ROLES:
            continue
        for term in concept.terms:
            match = _match_key(term)
            if match:
                by_term[match][concept.key] = concept
    known = {t: list(c.values()) for t, c in by_term.items() if len(c) <= MAX_INTRODUCERS}
    if not known or not users:
        return []
    spaceless = [t for t in known if _NO_SPACE_SCRIPT.search(t)]
    uses = {user.key: _uses(user, known, spaceless) for user in users}
    if len(everyone) >= MIN_CONCEPTS_FOR_CORPUS_SHARE:
        wanted = {t for found in uses.values() for t, n in found.items() if n >= MIN_USE_SCORE}
        named = _corpus_counts(everyone, wanted)
        limit = MAX_CORPUS_SHARE * len(everyone)
        known = {t: c for t, c in known.items() if named[t] <= limit}
    wholes = _wholes(part_of)
    share = Counter(term for found in uses.values() for term in found)
    common = (
        {t for t, n in share.items() if n / len(users) > MAX_USE_SHARE}
        if len(users) >= MIN_USERS_FOR_SHARE
        else set()
    )
    edges: list[EdgeDraft] = []
    for user in users:
        # A term of the concept or of a whole it belongs to is its topic, not a borrowing.
        topics = chain(user.terms, *(terms_of.get(w, ()) for w in wholes.get(user.key, ())))
        own = {_match_key(t) for t in topics}
        strongest: dict[str, float] = {}
        for term, score in uses[user.key].items():
            if term in common or term in own or score < MIN_USE_SCORE or term not in known:
                continue
            source = _introducer(known[term], user, wholes.get(user.key, set()))
            if source is None:
                continue
            strength = score * (1 + 0.5 * term.count(" ")) / share[term]
            strongest[source] = max(strongest.get(source, 0.0), strength)
        ranked = sorted(strongest.items(), key=lambda item: (-item[1], item[0]))
        edges += [
            EdgeDraft(source, user.key, "prerequisite", TERM_WEIGHT, "term")
            for source, _ in ranked[:MAX_TERM_EDGES]
        ]
    return edges


# -- finding terms -------------------------------------------------------------------


def _heading_terms(title: str) -> Iterator[str]:
    text = unicodedata.normalize("NFKC", title).strip(" ?¿!¡.\t")
    text = _QUESTION_TAIL.sub("", _QUESTION_HEAD.sub("", text))
    words = _words(text)
    if not words or all(w in _GENERIC_HEADINGS or w in _STOP_WORDS for w in words):
        return
    if any(w in _VERBS for w in words):
        return  # a clause ("Who Rust Is For", "How Functions Work") names no term
    yield normalise_term(text)
    # "Variables and Mutability" introduces both; "Hello, World!" is one phrase.
    parts = [p for p in _HEADING_SPLIT.split(text) if p] if _CONJUNCTION.search(text) else []
    if len(parts) > 1:
        for index, part in enumerate(parts):
            words = _words(part)
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
    if line and len(_words(line.group(1))) <= 3:
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


# -- matching ------------------------------------------------------------------------


def _words(text: str) -> list[str]:
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
def _stem(word: str) -> str:
    word = _singular(word)
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _match_key(term: str) -> str:
    """What a term is matched by: its words' stems, marked when it is code."""
    stems = " ".join(_stem(w) for w in _words(term))
    return f"`{stems}" if term.startswith("`") and stems else stems


def _uses(
    user: ConceptText, known: Mapping[str, object], spaceless: Sequence[str]
) -> dict[str, int]:
    """Known terms the user uses, with their score: text uses, plus more for a title's.

    ``spaceless`` are the known terms in scripts written without spaces, matched inside
    words.
    """
    scores: Counter[str] = Counter()
    places = [(t, TITLE_USE_SCORE, "") for t in user.titles]
    places += [(user.text, 1, ""), (user.code, 1, "`")]
    for title in user.titles:  # a title's code has lost its marks: "The String Type"
        places.append((title, TITLE_USE_SCORE, "`"))
    for text, weight, mark in places:
        words = [_stem(w) for w in _words(text)]
        grams = Counter(
            mark + " ".join(words[i : i + n])
            for n in range(1, MAX_TERM_WORDS + 1)
            for i in range(len(words) - n + 1)
        )
        found = {gram: count for gram, count in grams.items() if gram in known}
        for term in spaceless:
            if term.startswith(mark) and term not in found:
                found[term] = text.casefold().count(term.removeprefix(mark).replace(" ", ""))
        for term, count in found.items():
            if count:
                scores[term] += weight if weight > 1 else count
    return dict(scores)


def _corpus_counts(concepts: Sequence[Introducer], terms: Iterable[str]) -> Counter[str]:
    """How many concepts name each term in their title, summary or key points."""
    bare = {term: term.removeprefix("`") for term in terms}
    digests = [_digest(c.title, c.summary, c.key_points) for c in concepts]
    # Which concepts hold each word of a term: a phrase is looked for only in those.
    needed = {word for phrase in bare.values() for word in phrase.split()}
    holders: dict[str, list[int]] = defaultdict(list)
    for index, (_, _, words) in enumerate(digests):
        for word in words & needed:
            holders[word].append(index)
    counts: Counter[str] = Counter()
    for term, phrase in bare.items():
        if _NO_SPACE_SCRIPT.search(phrase):
            needle = phrase.replace(" ", "")
            counts[term] = sum(needle in folded for _, folded, _ in digests)
            continue
        rarest = min(phrase.split(), key=lambda word: len(holders.get(word, ())))
        counts[term] = sum(f" {phrase} " in digests[i][0] for i in holders.get(rarest, ()))
    return counts


@lru_cache(maxsize=65_536)
def _digest(
    title: str, summary: str, key_points: tuple[str, ...]
) -> tuple[str, str, frozenset[str]]:
    """A concept's title, summary and key points: spaced stems, folded text, stem set.

    Cached: the same stored concepts are read for every document of a run.
    """
    text = " ".join([title, summary, *key_points])
    stems = [_stem(w) for w in _words(text)]
    return f" {' '.join(stems)} ", text.casefold(), frozenset(stems)


def _introducer(
    candidates: Sequence[Introducer], user: ConceptText, wholes: set[str]
) -> str | None:
    earlier = [
        c
        for c in candidates
        if c.position < user.position and c.key != user.key and c.key not in wholes
    ]
    if not earlier:
        return None
    best = max(earlier, key=lambda c: (c.role == "teachable", -c.level, c.position))
    return best.key


def _wholes(part_of: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Each part's wholes, transitively."""
    parents: dict[str, set[str]] = defaultdict(set)
    for part, whole in part_of:
        parents[part].add(whole)
    wholes: dict[str, set[str]] = {}
    for part in parents:
        found: set[str] = set()
        pending = list(parents[part])
        while pending:
            whole = pending.pop()
            if whole not in found:
                found.add(whole)
                pending.extend(parents.get(whole, ()))
        wholes[part] = found
    return wholes
