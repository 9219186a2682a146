"""Cues that an answer says the opposite of a reference while sharing its words.

Sentence embeddings place "the value is dropped" next to "the value is not dropped", and
word overlap counts them as the same answer. These cues look for what tells them apart:

- polarity: a word the reference negates ("does not have ownership") that the answer
  asserts ("takes ownership"), or the other way round;
- antonyms: a word whose opposite the reference uses, from a small curated table of
  opposites common in course notes (increase/decrease, series/parallel, supply/demand,
  stack/heap, ...) and from negating prefixes (valid/invalid, mutable/immutable);
- quantities: another number, time unit, frequency or quantifier than the reference's
  ("decades" for "years", "some" for "all", "3" for "two");
- swapped roles: the shared words in another order ("from s2 to s1" for "from s1 to s2").

No English lexical database with its data inside a PyPI package was found (WordNet
readers download their data at run time), hence the table.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from tutor.grading.text import NEGATIONS, STOP_WORDS, stem, words

NEGATION_REACH = 4
"""Words after a negation word that it covers, within its clause."""

TIE_REACH = 2
"""Content words either side of a word that it is said of ("income increases")."""

_CLAUSE = re.compile(
    r"[,.;:!?()\n]+|\b(?:but|because|so|although|though|while|whereas|when|where|if|unless|until|since|which|and|or|then)\b"
)

_OPPOSITES = """
increase decrease | increase reduce | increase lower | raise lower | rise fall | rise drop
more less | more fewer | most least | higher lower | high low | larger smaller
large small | big small | bigger smaller | greater less | greater smaller | longer shorter
long short | faster slower | fast slow | wider narrower | thicker thinner | heavier lighter
heavy light | stronger weaker | strong weak | hot cold | hotter colder | warm cool
heat cool | expand contract | grow shrink | grow decline | gain lose | win lose | add remove
add subtract | accept reject | allow forbid | allow prevent | enable disable
include exclude | push pull | attract repel | absorb reflect | open closed | open close
on off | start stop | start end | begin end | first last | before after | early late
inside outside | internal external | input output | import export | send receive
positive negative | series parallel | same different | similar different | equal unequal
true false | correct incorrect | right wrong | success failure | succeed fail | pass fail
valid invalid | legal illegal | explicit implicit | global local | public private
static dynamic | mutable immutable | safe unsafe | own borrow | owner borrower | copy move
stack heap | compile runtime | shared exclusive | full empty | present absent
visible invisible | appear disappear | alive dead | solid liquid | solid gas | liquid gas
conductor insulator | acid base | clockwise counterclockwise | odd even | north south
east west | left right | upward downward | above below | over under | maximum minimum
max min | buy sell | buyer seller | supply demand | lend borrow | lender borrower
debtor creditor | producer consumer | surplus shortage | surplus deficit | profit loss
benefit cost | inflation deflation | appreciate depreciate | expansion recession
rich poor | cheap expensive | elastic inelastic | nominal real | absolute comparative
exogenous endogenous | import export | always never | all none | everything nothing
many few | dense sparse | hard soft | attached detached | connected disconnected
complete incomplete | charged discharged | lit unlit | on off
"""
"""Pairs of opposite words, ``a b`` separated by ``|`` or a line end; compared by stem."""

_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")
_MIN_BASE = 5
"""Letters a word needs after a negating prefix ("inform" is not "not form")."""

_QUANTITY_CLASSES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "second seconds minute minutes hour hours day days week weeks month months year "
        "years decade decades century centuries millennium millennia",
        "always usually often sometimes occasionally rarely seldom never",
        "all every each most many several some few none",
        "millimeter millimeters centimeter centimeters meter meters kilometer kilometers "
        "inch inches foot feet yard yards mile miles",
        "milligram milligrams gram grams kilogram kilograms pound pounds ounce ounces ton tons",
        "percent half quarter third double twice triple",
    )
)
"""Words that name one quantity of a kind: two different ones from a kind disagree."""

_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: value for value, word in enumerate(_NUMBERS.split())}
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _root(word: str) -> str:
    """``word`` without an inflection or a final e, so "increase" and "increases" meet."""
    return stem(word).removesuffix("e")


def _pairs(table: str) -> frozenset[frozenset[str]]:
    pairs = set()
    for entry in re.split(r"[|\n]", table):
        if not entry.strip():
            continue
        first, second = entry.split()
        pairs.add(frozenset({_root(first), _root(second)}))
    return frozenset(pairs)


OPPOSITE_STEMS = _pairs(_OPPOSITES)
"""The opposite pairs, each a set of two roots (see :func:`_root`)."""


def clauses(text: str) -> list[list[str]]:
    """Words of ``text`` (as :func:`words` reads them) cut into clauses."""
    lowered = text.lower().replace("n't", " not").replace("\u2019", "'")
    return [found for part in _CLAUSE.split(lowered) if (found := words(part))]


def polarities(text: str) -> dict[str, set[bool]]:
    """Each content stem of ``text`` with how it is used: True asserted, False negated.

    A word is negated when a negation word comes at most :data:`NEGATION_REACH` words
    before it in the same clause ("does not have ownership": "ownership" is negated).
    """
    out: dict[str, set[bool]] = {}
    for clause in clauses(text):
        since_negation = NEGATION_REACH + 1
        for word in clause:
            if word in NEGATIONS:
                since_negation = 0
                continue
            since_negation += 1
            if word in STOP_WORDS:
                continue
            out.setdefault(stem(word), set()).add(since_negation > NEGATION_REACH)
    return out


def polarity_conflicts(answer: str, reference: str) -> list[str]:
    """Stems one text only asserts and the other only negates."""
    mine, theirs = polarities(answer), polarities(reference)
    return sorted(
        s
        for s in mine.keys() & theirs.keys()
        if len(mine[s]) == len(theirs[s]) == 1 and mine[s] != theirs[s]
    )


def opposite(first: str, second: str) -> bool:
    """Whether two words are opposites: in the table, or one a negating prefix of the other."""
    a, b = _root(first), _root(second)
    if a == b:
        return False
    if frozenset({a, b}) in OPPOSITE_STEMS:
        return True
    for longer, shorter in ((first, second), (second, first)):
        for prefix in _PREFIXES:
            base = longer.removeprefix(prefix)
            if base != longer and len(base) >= _MIN_BASE and _root(base) == _root(shorter):
                return True
    return False


def antonym_conflicts(answer: str, reference: str) -> list[tuple[str, str]]:
    """Pairs (answer word, reference word) of opposites that say different things.

    Either the answer uses a word whose opposite the reference uses and neither text has
    the other's word, or both texts hold both words but tie them to the same neighbour
    the other way round ("income decreases" where the notes say "income increases" and
    "price decreases": swapped roles). A reference that names both sides of one thing
    ("mutable or immutable") gives no conflict.
    """
    mine = {w for w in words(answer) if w not in NEGATIONS}
    theirs = {w for w in words(reference) if w not in NEGATIONS}
    my_roots, their_roots = {_root(w) for w in mine}, {_root(w) for w in theirs}
    found = {
        (a, r)
        for a in mine - theirs
        for r in theirs - mine
        if _root(a) not in their_roots and _root(r) not in my_roots and opposite(a, r)
    }
    my_ties, their_ties = _ties(answer), _ties(reference)
    for neighbour in my_ties.keys() & their_ties.keys():
        said, meant = my_ties[neighbour], their_ties[neighbour]
        said_roots, meant_roots = {_root(w) for w in said}, {_root(w) for w in meant}
        found.update(
            (a, r)
            for a in said
            for r in meant
            if _root(a) not in meant_roots and _root(r) not in said_roots and opposite(a, r)
        )
    return sorted(found)


def _ties(text: str) -> dict[str, set[str]]:
    """Each content stem with the content words said of it in ``text``.

    Words at most :data:`TIE_REACH` content words apart in one clause are tied: in
    "income increases or prices fall", "increases" is said of "income".
    """
    ties: dict[str, set[str]] = {}
    for clause in clauses(text):
        content = [w for w in clause if w not in STOP_WORDS and w not in NEGATIONS]
        for i, word in enumerate(content):
            for j in range(max(0, i - TIE_REACH), min(len(content), i + TIE_REACH + 1)):
                if j != i:
                    ties.setdefault(stem(content[j]), set()).add(word)
    return ties


def _quantity(word: str) -> tuple[int, str] | None:
    """The kind of quantity a word names and its canonical form, or None."""
    if _NUMBER.match(word):
        return -1, str(float(word))
    if word in _NUMBER_WORDS:
        return -1, str(float(_NUMBER_WORDS[word]))
    for kind, group in enumerate(_QUANTITY_CLASSES):
        if word in group:
            return kind, stem(word)
    return None


def _quantities(text: str) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for word in words(text):
        found = _quantity(word)
        if found is not None:
            out.setdefault(found[0], set()).add(found[1])
    return out


def quantity_conflicts(answer: str, reference: str) -> list[int]:
    """Kinds of quantity where the answer names only others than the reference does."""
    mine, theirs = _quantities(answer), _quantities(reference)
    return sorted(kind for kind in mine.keys() & theirs.keys() if not mine[kind] & theirs[kind])


def _first_positions(stems: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for index, value in enumerate(stems):
        out.setdefault(value, index)
    return out


def order_discord(answer: str, reference: str) -> float:
    """Share of pairs of shared content words that come in the other order (0 to 1).

    Zero when fewer than two content words are shared.
    """
    mine = _first_positions(
        stem(w) for w in words(answer) if w not in STOP_WORDS and w not in NEGATIONS
    )
    theirs = _first_positions(
        stem(w) for w in words(reference) if w not in STOP_WORDS and w not in NEGATIONS
    )
    shared = sorted(mine.keys() & theirs.keys(), key=mine.__getitem__)
    pairs = list(itertools.combinations(shared, 2))
    if not pairs:
        return 0.0
    swapped = sum(theirs[a] > theirs[b] for a, b in pairs)
    return swapped / len(pairs)
