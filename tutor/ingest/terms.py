"""Prerequisite edges from terms: a later concept that uses a term needs its introducer.

A concept *uses* a term (see :mod:`tutor.ingest.term_finding` for how terms are found and
matched) as a whole word, in its title or several times; it then needs the concept that
introduced the term first: a ``prerequisite`` edge of origin ``term``.

A learning path is the closure of such edges, taken transitively, so one noisy edge can
pull a chain of chapters into it. Edges are therefore few and sure: a term introduced in
many places, used by most sections of a document, or named by much of the corpus gives
none; each concept keeps only its few strongest; and they weigh less than links, so that
a cycle breaks on them first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain
from typing import Protocol
from uuid import UUID

from tutor.graph.model import Concept, ConceptDraft, ConceptRole, EdgeDraft
from tutor.ingest._document import ParsedDocument
from tutor.ingest.term_finding import (
    INLINE_CODE,
    MAX_TERM_WORDS,
    NO_SPACE_SCRIPT,
    concept_terms,
    introduced_terms,
    match_key,
    normalise_term,
    split_words,
    stem,
)

__all__ = [
    "MAX_INTRODUCERS",
    "MAX_TERM_EDGES",
    "MAX_USE_SHARE",
    "MIN_USE_SCORE",
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
TEACHING_ROLES: frozenset[ConceptRole] = frozenset({"teachable", "chapter"})
"""Only these introduce terms: a foreword's "Rust is ..." defines nothing to learn."""


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
    earlier: Iterable[Concept],
    edges: Sequence[EdgeDraft],
    *,
    replaced: UUID | None = None,
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
        replaced: The document's stored version, which this one replaces: a concept
            only it supports goes with it and introduces nothing.

    Returns:
        Prerequisite edges of origin ``term``.
    """
    introducers: dict[str, Introducer] = {
        c.key: c for c in earlier if not (c.documents and c.documents <= {replaced})
    }
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
        codes[key].extend(m.group(2) for b in prose for m in INLINE_CODE.finditer(b.source))
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
            match = match_key(term)
            if match:
                by_term[match][concept.key] = concept
    known = {t: list(c.values()) for t, c in by_term.items() if len(c) <= MAX_INTRODUCERS}
    if not known or not users:
        return []
    spaceless = [t for t in known if NO_SPACE_SCRIPT.search(t)]
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
        own = {match_key(t) for t in topics}
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


def _uses(
    user: ConceptText, known: Mapping[str, object], spaceless: Sequence[str]
) -> dict[str, int]:
    """Known terms the user uses, with their score: text uses, plus more for a title's.

    Text is read longest term first: "labor" inside "labor force", or inside the user's
    own "efficiency wage theory", is no use of "labor" or "efficiency". ``spaceless``
    are the known terms in scripts written without spaces, matched inside words.
    """
    scores: Counter[str] = Counter()
    own = {key for t in user.terms if " " in (key := match_key(t)) and key[0] != "`"}
    places = [(t, TITLE_USE_SCORE, "") for t in user.titles]
    places += [(user.text, 1, ""), (user.code, 1, "`")]
    for title in user.titles:  # a title's code has lost its marks: "The String Type"
        places.append((title, TITLE_USE_SCORE, "`"))
    for text, weight, mark in places:
        found = _longest_matches([stem(w) for w in split_words(text)], known, own, mark)
        for term in spaceless:
            if term.startswith(mark) and term not in found:
                found[term] = text.casefold().count(term.removeprefix(mark).replace(" ", ""))
        for term, count in found.items():
            if count:
                scores[term] += weight if weight > 1 else count
    return dict(scores)


def _longest_matches(
    words: Sequence[str], known: Mapping[str, object], own: set[str], mark: str
) -> Counter[str]:
    """How often each known term occurs in ``words``, the longest match at each place.

    A phrase of ``own`` is matched too, and hides what lies inside it, but not counted.
    """
    found: Counter[str] = Counter()
    i = 0
    while i < len(words):
        for n in range(min(MAX_TERM_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            if mark + phrase in known or (n > 1 and not mark and phrase in own):
                if mark + phrase in known:
                    found[mark + phrase] += 1
                i += n
                break
        else:
            i += 1
    return found


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
        if NO_SPACE_SCRIPT.search(phrase):
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
    stems = [stem(w) for w in split_words(text)]
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
