"""Exercises built from the notes themselves, for when the model writes none that are usable.

Everything comes from the passages and the concept's own data: sentences of the notes
become fill-in-the-blank questions, sibling concepts supply wrong options, and the notes'
code blocks become completion tasks. Difficulty changes what is asked:

``intro`` (recognition)
    Multiple choice on a claim of the section: the claim against wrong statements made
    from it (its key term swapped for a neighbouring concept's, or said the other way
    round) and, when those are too few, a neighbour's claim moved onto this concept;
    "which term fills the blank?" (neighbouring concepts' key terms as wrong options);
    a fill-in-the-blank whose blank is a word of the concept's title.
``practice`` (recall)
    Fill-in-the-blank of a key sentence on one of the concept's key terms (frequent in
    its section, rare elsewhere in the notes: see :mod:`tutor.teaching.keyness`); a
    completion of a simple line of one of the notes' code blocks.
``challenge`` (production)
    A short "why / what happens / how" question answered by a key sentence; completion
    of a harder line of code; explaining the concept back in one's own words.

Python code blocks that print are run by the grader, so the learner writes the whole
program (``solution`` is the original, ``tests`` empty: printed output is compared). Code
in other languages cannot be run, so the learner writes only the missing line, which is
the ``solution``. Only code the notes present as a working program is used: never code
they mark as failing or unchecked (``does_not_compile``, ``should_panic``, ``ignore``...,
or prose saying it fails, see :mod:`tutor.ingest.code_marks`), whose "answer" would be
wrong. Rustdoc's hidden lines are not shown, so they are never the line to write.

Every exercise passes :func:`~tutor.teaching.exercise_checks.check_exercise`; one the
learner had before (given as ``history``) is replaced by another unless it is a review.

The same ``seed`` gives the same exercises; another seed picks other sentences, blanks,
lines and option orders where the notes offer alternatives.
"""

from __future__ import annotations

import ast
import logging
import random
import re
import sys
import textwrap
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from pydantic import ValidationError

from tutor.grading.features import STOP_WORDS
from tutor.ingest.claims import claim_sentences
from tutor.ingest.code_marks import code_marks
from tutor.ingest.learner_text import clean_markdown, shown_code
from tutor.teaching._cloze import (
    Blank,
    Sentence,
    blank_out,
    chatty,
    content_words,
    first_sentence,
    inline_text,
    plain_terms,
    read_sentences,
    stands_alone,
    stem,
    title_term_in,
    title_terms,
)
from tutor.teaching._cloze import _parser as _markdown
from tutor.teaching._distractors import negated, swapped
from tutor.teaching.exercise_checks import MAX_LENGTH_RATIO, check_exercise, fingerprint
from tutor.teaching.exercises import (
    CodeDraft,
    Difficulty,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.keyness import TermStatistics
from tutor.teaching.material import ConceptInfo, Passage

__all__ = ["generate_exercises"]

_T = TypeVar("_T")
_log = logging.getLogger(__name__)
_MAX_EXERCISES = 4
_CHOICE_WIDTH = 3
"""How many of the best candidates a seed chooses among."""
_MAX_OPTION_CHARS = 300
_MAX_TOPIC_CHARS = 100
_MAX_CODE_LINES = 60
_TRIES = 4
"""Drafts of one kind tried before giving up on it (each try takes other material)."""
_CLAIM_WORDS = (8, 40)
"""Fewest and most words of a claim a multiple-choice question is built on."""
_KEYNESS_FLOOR = 0.5
"""Keyness below which a word is no key term of the concept at all."""
_KEY_MIN = 3.0
"""Keyness an unmarked word needs to be blanked: used twice, and rare in the notes."""
_MARKED_BONUS = 1.0
"""Added to the keyness of a term the notes emphasise or write as code."""
_KEYNESS_WEIGHT = 0.2
"""How much a blank's keyness counts against its sentence's own weight."""
_TITLE_ONLY = frozenset(
    {"introduction", "overview", "summary", "conclusion", "foreword", "preface"}
)
"""Stems of title words that name a part of a text, never a term of the subject."""
_UNCOUNTABLE = ("ity", "ship", "ness", "ism", "ing", "ware", "data", "info")
"""Endings of words that read as uncountable: never made plural."""
_EXPLAIN_ANGLES = (
    "Explain {topic} in your own words, as you would to a fellow learner: the main ideas "
    "and why they matter.",
    "Explain {topic} again in your own words, this time around an example of your own: "
    "what happens in it, and why.",
    "In your own words: what problem does {topic} solve, and what would go wrong without it?",
)
"""Explain-back prompts, a new angle each time the learner is asked again."""
_COMMENT = {
    "#": "python py python3 ruby rb bash sh shell zsh fish toml yaml yml r perl pl "
    "powershell ps1 elixir ex julia nim makefile make dockerfile cmake nix",
    "//": "rust rs c h cpp c++ cc hpp java javascript js jsx ts typescript tsx go golang "
    "kotlin kt swift scala csharp cs dart php zig groovy proto solidity",
    "--": "sql haskell hs lua elm ada",
    ";": "lisp clojure clj scheme racket asm nasm",
    "%": "erlang erl latex tex matlab prolog",
}
_PLACEHOLDER = {
    lang: f"{mark} ???" for mark, names in _COMMENT.items() for lang in names.split()
} | {"html": "<!-- ??? -->", "xml": "<!-- ??? -->", "css": "/* ??? */", "ocaml": "(* ??? *)"}
_ALIASES = {"py": "python", "python3": "python", "rs": "rust", "js": "javascript"}
_DISPLAY = {
    "cpp": "C++",
    "c++": "C++",
    "csharp": "C#",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "sql": "SQL",
}
_IMPORT_LINE = re.compile(r"^\s*(?:use|import|from|#include|extern crate|mod|package)\b")
_BRACKETS_ONLY = re.compile(r"^[\s{}()\[\];,.]*$")
_TOKENS = re.compile(r"\w+|[^\w\s]")
_WHAT_IS = re.compile(r"^(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?", re.IGNORECASE)
_BECAUSE = re.compile(r"^(?P<effect>[^;]{12,}?),? because (?P<cause>.{8,})$")
_SUBORDINATE = re.compile(r"(?:if|when|while|although|though|since|as|once|unless)\b", re.I)
_NOTE = re.compile(r"^(?:Note|Tip|Important|Warning):\s+", re.IGNORECASE)
_VERB_BEFORE = (
    r"(?:to|can|cannot|will|must|should|would|could|may|might|not|you|we|they|I|when|"
    r"while|and|or|also|then)"
)


def _verb_use(term: str) -> re.Pattern[str]:
    """Where ``term`` follows a word that makes it a verb ("to control", "you install")."""
    return re.compile(rf"\b{_VERB_BEFORE} {re.escape(term)}\b", re.IGNORECASE)


_PLAIN_VERB_BEFORE = (
    r"(?:can|cannot|will|must|should|would|could|may|might|you|we|they|I|not|don[\u2019']t"
    r"|(?:need|needs|want|wants|have|has|how|able|order|used) to)"
)


def _plain_verb(term: str) -> re.Pattern[str]:
    """Where ``term`` is the verb after a modal or a subject ("you should install").

    Narrower than ``_verb_use``: "and" or "to" come before nouns too ("labor and
    capital", "access to resources"), and a blank on a noun must stay.
    """
    term = re.escape(term)
    return re.compile(
        rf"\b{_PLAIN_VERB_BEFORE} {term}\b|\bto {term} {_OBJECT_START}\b", re.IGNORECASE
    )


_OBJECT_START = (
    r"(?:the|a|an|this|that|these|those|its|their|our|your|my|it|them|one|some|any|each"
    r"|every|all)"
)
"""Words that open a verb's object: "to interrupt a program", "to hold the values"."""


_URL = re.compile(r"https?://|www\.")
_QUOTED = re.compile(r"[\"\u201c\u201d]")
"""Claims quoting text: a swap inside the quote ("Hello, release!") would be nonsense."""
_CONDITION = re.compile(r"^(?P<word>If|When) (?P<condition>[^,;]{8,}), (?P<effect>.{8,})$")


def generate_exercises(
    concept: ConceptInfo,
    passages: Sequence[Passage],
    siblings: Sequence[ConceptInfo],
    difficulty: Difficulty,
    *,
    seed: int = 0,
    statistics: TermStatistics | None = None,
    history: Collection[str] = (),
    review: bool = False,
) -> list[ExerciseDraft]:
    """Two to four exercises on `concept`, built only from `passages` and concept data.

    A pure function of its arguments, quick enough to run while a lesson is shown.

    Args:
        concept: The concept to exercise.
        passages: Chunks of the notes about it (prose and code).
        siblings: Neighbouring concepts, whose claims and key terms make the wrong
            options of multiple-choice questions.
        difficulty: What kind of exercise to make (see the module docstring).
        seed: Chooses among alternatives; the same seed gives the same exercises.
        statistics: How the learner's notes spread their words over sections, to tell the
            concept's key terms; without it, frequency in the passages alone decides.
        history: Fingerprints (:func:`~tutor.teaching.exercise_checks.fingerprint`) of the
            exercises the learner had before; none of them is set again.
        review: The exercises are for a review, where earlier ones may come again.

    Returns:
        Drafts that pass the exercise checks; an explain-back when nothing else can be
        made, unless the learner had that too.
    """
    notes = _Notes.read(concept, passages, statistics or TermStatistics())
    maker = _Maker(notes, siblings, random.Random(seed), history, review=review)
    plans: dict[str, list[Callable[[], ExerciseDraft | None]]] = {
        "intro": [maker.claim_choice, maker.easy_cloze, maker.term_choice],
        "practice": [maker.recall_cloze, maker.code_practice, maker.recall_cloze],
        "challenge": [maker.why_question, maker.code_challenge, maker.explain_back],
    }
    spares = [
        maker.recall_cloze,
        maker.term_choice,
        maker.claim_choice,
        maker.easy_cloze,
        maker.explain_back,
    ]
    drafts: list[ExerciseDraft] = []
    for make in plans[difficulty]:
        maker.add(drafts, make)
    for make in spares:
        if len(drafts) >= 2:
            break
        maker.add(drafts, make)
    if not drafts:
        maker.add(drafts, maker.explain_back)
    return drafts[:_MAX_EXERCISES]


@dataclass(frozen=True)
class _CodeBlock:
    language: str
    code: str
    runnable: bool
    """Presented by the notes as a program that compiles and runs as shown."""


@dataclass(frozen=True)
class _Notes:
    concept: ConceptInfo
    topic: str
    """The concept's name as it reads inside a sentence."""
    focus: tuple[str, ...]
    """Stems of the title's words, the one the notes use most first."""
    sentences: tuple[Sentence, ...]
    """Usable sentences, the best first."""
    claims: tuple[str, ...]
    """Sentences of the concept's own that state something, the best first."""
    blocks: tuple[_CodeBlock, ...]
    key_points: tuple[str, ...]
    keyness: Mapping[str, float]
    """Stem to keyness of the concept's key terms (frequent here, rare in the notes)."""
    statistics: TermStatistics

    @classmethod
    def read(
        cls, concept: ConceptInfo, passages: Sequence[Passage], statistics: TermStatistics
    ) -> _Notes:
        # Chunks are cleaned when ingested; cleaning again serves notes stored before.
        passages = [replace(p, text=clean_markdown(p.text)) for p in passages]
        texts = [p.text for p in passages] + [concept.summary, *concept.key_points]
        focus = tuple(title_terms(concept.title, texts))
        found: list[Sentence] = []
        own: set[str] = set()
        for passage in passages:
            if passage.concept_key and passage.concept_key != concept.key:
                boost = passage.score - 1.0
            else:
                boost = passage.score + (0.5 if passage.concept_key else 0.0)
            read = read_sentences(passage.text, focus=focus, boost=boost)
            found += read
            if passage.concept_key == concept.key:
                own.update(s.text for s in read)
        # The concept's own summary and key points are material too, a little below the notes.
        for text in (concept.summary, *concept.key_points):
            read = read_sentences(text, focus=focus, boost=-1.0, strict=False)
            found += read
            own.update(s.text for s in read)
        best: dict[str, Sentence] = {}
        for sentence in found:
            if sentence.text not in best or best[sentence.text].weight < sentence.weight:
                best[sentence.text] = sentence
        ranked = sorted(best.values(), key=lambda s: -s.weight)
        key_points = tuple(p for p in (inline_text(k) for k in concept.key_points) if p)
        topic = _topic(concept, " ".join(s.text for s in ranked))
        blocks = tuple(block for p in passages for block in _code_blocks(p.text))
        # Key terms come from the concept's own section; passages from elsewhere only when
        # the section gave none.
        mine = [p.text for p in passages if p.concept_key == concept.key]
        keyness = statistics.keyness(mine or [p.text for p in passages] or texts)
        claims = [
            _NOTE.sub("", s.text)
            for s in ranked
            if s.text in own and _CLAIM_WORDS[0] <= len(s.text.split()) <= _CLAIM_WORDS[1]
        ]
        claims = [c for c in claims if stands_alone(c) and not _QUOTED.search(c)]
        # Sentences that state something (not examples, asides or talk about the text)
        # come first, in the order of their weight.
        stated = {c.casefold() for text in mine for c in claim_sentences(text)}
        claims.sort(key=lambda c: c.casefold() not in stated)
        return cls(
            concept,
            topic,
            focus,
            tuple(ranked),
            tuple(
                c
                for c in dict.fromkeys([*key_points, *claims])
                if stands_alone(c) and not _QUOTED.search(c) and not _URL.search(c)
            ),
            blocks,
            key_points,
            {stem_: value for stem_, value in keyness.items() if value >= _KEYNESS_FLOOR},
            statistics,
        )

    def key_terms(self, sentence: Sentence) -> list[str]:
        """The sentence's key terms, the most key first; never a common word."""
        ranked: list[tuple[float, str]] = []
        for term in plain_terms(sentence, self.focus):
            words = content_words(term)
            if not words or any(self.statistics.common(w) for w in words):
                continue
            value = max(self.keyness.get(stem(w), 0.0) for w in words)
            marked = term in sentence.marked
            # Emphasis and inline code are the notes marking a term: one use is enough.
            if value <= 0.0 or (not marked and value < _KEY_MIN) or "--" in term:
                continue
            # An unmarked verb or adverb ("caused", "modified", "you can install") is no
            # term to recall.
            if not marked and (
                not all(_nominal(word) for word in words) or _plain_verb(term).search(sentence.text)
            ):
                continue
            ranked.append((value + (_MARKED_BONUS if marked else 0.0), term))
        ranked.sort(key=lambda pair: -pair[0])
        return [term for _, term in ranked]


class _Maker:
    """Builds one exercise of each kind on request, never reusing a sentence or block."""

    def __init__(
        self,
        notes: _Notes,
        siblings: Sequence[ConceptInfo],
        rng: random.Random,
        history: Collection[str],
        *,
        review: bool,
    ):
        self.notes = notes
        self.siblings = [s for s in siblings if s.key != notes.concept.key]
        self.rng = rng
        self.history = history
        self.review = review
        self.used: set[str] = set()
        self.explained = 0
        # Where a candidate wrong term must be seen used as a noun, as it would be written.
        self.usage = "\n".join(
            [s.text for s in notes.sentences]
            + [inline_text(t) for c in self.siblings for t in (c.summary, *c.key_points)]
        )

    def add(self, drafts: list[ExerciseDraft], make: Callable[[], ExerciseDraft | None]) -> None:
        """Add what ``make`` builds, trying again while it fails the checks."""
        for _ in range(_TRIES):
            if len(drafts) >= _MAX_EXERCISES:
                return
            try:
                draft = make()
            except ValidationError:
                # The notes held something a draft refuses (an over-long line, say).
                continue
            if draft is None:
                return
            taken = {fingerprint(earlier) for earlier in drafts}
            if fingerprint(draft) in taken:
                continue
            problem = check_exercise(draft, seen=self.history, review=self.review)
            if problem is None:
                drafts.append(draft)
                return
            _log.info("generated exercise rejected (%s): %s", *problem)

    def _pick(self, items: Sequence[_T]) -> _T:
        return items[self.rng.randrange(min(_CHOICE_WIDTH, len(items)))]

    def _fresh(self) -> list[Sentence]:
        return [s for s in self.notes.sentences if s.text not in self.used]

    def _title_blanks(self) -> list[Blank]:
        blanks = []
        for sentence in self._fresh():
            if chatty(sentence.text):
                continue
            term = title_term_in(sentence.text, self.notes.focus)
            # A title word the whole of the notes uses ("Rust" in a book on Rust) is no
            # key term: blanking it tests nothing.
            if not term or any(self.notes.statistics.common(w) for w in content_words(term)):
                continue
            # "you should _____ a C compiler" asks for a plain verb, not the concept.
            if _plain_verb(term).search(sentence.text):
                continue
            blank = blank_out(sentence, term)
            if blank is not None:
                blanks.append(blank)
        return blanks

    def _take(self, blank: Blank) -> Blank:
        self.used.add(blank.sentence.text)
        return blank

    def easy_cloze(self) -> ExerciseDraft | None:
        blanks = self._title_blanks()
        return _cloze(self._take(self._pick(blanks))) if blanks else None

    def recall_cloze(self) -> ExerciseDraft | None:
        options: list[tuple[float, Blank]] = []
        for sentence in self._fresh():
            if chatty(sentence.text):
                continue
            terms = self.notes.key_terms(sentence)[:_CHOICE_WIDTH]
            self.rng.shuffle(terms)
            blank = next((b for t in terms if (b := blank_out(sentence, t))), None)
            if blank is not None:
                value = max(self.notes.keyness.get(stem(w), 0.0) for w in content_words(blank.term))
                options.append((sentence.weight + _KEYNESS_WEIGHT * value, blank))
        if not options:
            return None
        options.sort(key=lambda pair: -pair[0])
        return _cloze(self._take(self._pick([blank for _, blank in options])))

    def term_choice(self) -> ExerciseDraft | None:
        blanks = self._title_blanks()
        if not blanks:
            return None
        blank = self._pick(blanks)
        wrong = self._sibling_terms(blank.term) or self._other_terms(blank)
        if len(wrong) < 2:
            return None
        self._take(blank)
        return self._choice(
            f"Which term fills the blank?\n\n{blank.question}",
            blank.term,
            wrong,
            f"The notes say: {blank.sentence.text}",
        )

    def claim_choice(self) -> ExerciseDraft | None:
        """A claim of the section against wrong statements made from it."""
        claims = [c for c in self.notes.claims if c not in self.used]
        candidates: list[tuple[str, list[str]]] = []
        for claim in claims[: _CHOICE_WIDTH * 3]:
            wrong = self._wrong_claims(claim)
            if len(wrong) >= 2:
                candidates.append((claim, wrong))
        if not candidates:
            return None
        right, wrong = self._pick(candidates)
        self.used.add(right)
        return self._choice(
            f"According to your notes on {self.notes.topic}, which statement is true?",
            right,
            wrong,
            f"Your notes say: {right}",
        )

    def _wrong_claims(self, claim: str) -> list[str]:
        """Statements like ``claim`` that are wrong: swapped, negated, a moved neighbour's."""
        if len(claim) > _MAX_OPTION_CHARS:
            return []
        sentence = Sentence(claim, (), (), 0.0)
        # The concept's own name is the term to swap when the claim uses it; else its
        # most key noun-like word (never the sentence's first word, often a connective).
        first = claim.split(" ", 1)[0].strip(",")
        terms = [
            w
            for w in content_words(claim)
            if stem(w) in self.notes.focus and not self.notes.statistics.common(w)
        ]
        terms += [
            t
            for t in self.notes.key_terms(sentence)
            if len(t.split()) == 1 and _nominal(t) and t != first and t not in terms
        ]
        # A name inside the sentence ("United States", "PowerShell") or an identifier
        # ("split_whitespace") is no term to swap for a neighbour's word.
        terms = [
            t
            for t in terms
            if "--" not in t
            and t.isalpha()
            and not _verb_use(t).search(claim)
            and (t[:1].islower() or t == first or stem(t) in self.notes.focus)
        ]
        wrong: list[str] = []
        if terms:
            term = terms[0]
            for other in self._sibling_terms(term, avoid=claim):
                changed = swapped(claim, term, other)
                if changed is not None:
                    wrong.append(changed)
                if len(wrong) == 2:
                    break
        opposite = negated(claim)
        if opposite is not None:
            wrong.append(opposite)
        if len(wrong) < 3 and terms and _nominal(terms[0]):
            wrong += self._moved_claims(terms[0], 3 - len(wrong))
        words = len(claim.split())
        # Options of one length class: a far longer or shorter one gives itself away.
        fits = [
            w
            for w in dict.fromkeys(wrong)
            if w.casefold() != claim.casefold()
            and max(words, len(w.split())) <= MAX_LENGTH_RATIO * min(words, len(w.split()))
            and len(w) <= _MAX_OPTION_CHARS
        ]
        return fits[:3]

    def _moved_claims(self, term: str, count: int) -> list[str]:
        """Neighbours' claims with their own key term put in place of ``term``'s."""
        moved: list[str] = []
        siblings = list(self.siblings)
        self.rng.shuffle(siblings)
        for sibling in siblings:
            theirs = title_terms(sibling.title, [sibling.summary, *sibling.key_points])
            for said in (first_sentence(sibling.summary), *map(inline_text, sibling.key_points)):
                if not stands_alone(said) or _QUOTED.search(said):
                    continue
                word = next((w for w in content_words(said) if stem(w) in theirs[:1]), None)
                # "local" in "a local copy" is no noun to put another concept's term for.
                if (
                    word is None
                    or stem(word) in self.notes.focus
                    or not _nominal(word)
                    or not _used_as_noun(word, said, names=True)
                ):
                    continue
                made = _same_number(_match_case(term, word), word)
                if made is not None and not _used_as_noun(made, self.usage):
                    made = None
                changed = swapped(said, word, made) if made else None
                if changed is not None and len(changed.split()) >= _CLAIM_WORDS[0]:
                    moved.append(changed)
                    break
            if len(moved) == count:
                break
        return moved

    def why_question(self) -> ExerciseDraft | None:
        asked: list[tuple[str, Sentence]] = []
        for sentence in self._fresh():
            question = _why(sentence.text)
            if question:
                asked.append((question, sentence))
        if not asked:
            for sentence in self._fresh()[: _CHOICE_WIDTH * 2]:
                if chatty(sentence.text):
                    continue
                terms = self.notes.key_terms(sentence)
                marked = [t for t in terms if t in sentence.marked] or terms
                if marked:
                    term = f"`{marked[0]}`" if marked[0] in sentence.code else marked[0]
                    question = f"Explain how {self.notes.topic} and {term} are connected."
                    asked.append((question, sentence))
        if not asked:
            return None
        question, sentence = self._pick(asked)
        self.used.add(sentence.text)
        relevant = _relevant_points(self.notes.key_points, sentence.text, self.notes.focus)
        return ShortAnswerDraft(
            question=f"About {self.notes.topic}: {question} Answer in a sentence or two.",
            reference_answer=sentence.text,
            key_points=(relevant or [sentence.text])[:6],
        )

    def code_practice(self) -> ExerciseDraft | None:
        return self._code(hard=False)

    def code_challenge(self) -> ExerciseDraft | None:
        return self._code(hard=True)

    def explain_back(self) -> ExerciseDraft | None:
        """Explaining the concept back; each call asks from another angle, then none."""
        notes = self.notes
        if self.explained >= len(_EXPLAIN_ANGLES):
            return None
        angle = _EXPLAIN_ANGLES[self.explained]
        self.explained += 1
        points = list(notes.key_points)
        if not points:
            points = [s.text for s in notes.sentences[:4]]
        if not points:
            summary = first_sentence(notes.concept.summary)
            points = [summary] if summary else [notes.topic]
        return ExplainBackDraft(prompt=angle.format(topic=notes.topic), key_points=points[:8])

    def _code(self, *, hard: bool) -> ExerciseDraft | None:
        # Code the notes mark as failing or unchecked would make a wrong model answer.
        fresh = [b for b in self.notes.blocks if b.runnable]
        # Python that prints is checked by running it: prefer it.
        fresh.sort(key=lambda b: b.language != "python")
        choices = []
        for block in fresh:
            lines = [
                pair
                for pair in _candidate_lines(block)
                if f"{pair[0]}\n{block.code}" not in self.used
            ]
            if lines and block.code not in self.used:
                choices.append((block, lines))
        if not choices:
            return None
        block, lines = self._pick(choices)
        lines.sort(key=lambda pair: (pair[1], pair[0]))
        half = (len(lines) + 1) // 2
        pool = lines[len(lines) - half :] if hard else lines[:half]
        index = self.rng.choice(pool)[0]
        self.used.add(f"{index}\n{block.code}")
        if len(lines) <= 1:
            self.used.add(block.code)
        return _completion(block, index, self.notes.topic)

    def _choice(self, question: str, right: str, wrong: list[str], why: str) -> ExerciseDraft:
        options = [right]
        for option in wrong:
            if option.strip().casefold() not in {o.strip().casefold() for o in options}:
                options.append(option)
        options = options[:4]
        self.rng.shuffle(options)
        return MultipleChoiceDraft(
            question=question,
            options=options,
            answer=options.index(right),
            explanation=why[:1000],
        )

    def _sibling_terms(self, right: str, *, avoid: str = "") -> list[str]:
        """Neighbouring concepts' key terms, as wrong options for ``right``.

        The terms a neighbour introduces come first, then its title's words; a word the
        notes use everywhere, a term of this concept and a word of ``avoid`` are left out.
        Each is made singular or plural as ``right`` is, and given its case.
        """
        own = {stem(w) for w in content_words(right)} | set(self.notes.focus)
        own |= {stem(w) for w in content_words(avoid)}
        size = len(right.split())
        terms = []
        for sibling in self.siblings:
            texts = [sibling.summary, *sibling.key_points]
            titled = [
                next(w for w in content_words(inline_text(sibling.title)) if stem(w) == found)
                for found in title_terms(sibling.title, texts)
            ]
            introduced = [t for t in sibling.terms if "`" not in t and len(t.split()) == size]
            for word in [*introduced, *(titled if size == 1 else [])]:
                words = content_words(word)
                if (
                    not words
                    or len(words) != len(word.split())
                    or any(stem(w) in own or stem(w) in self.notes.keyness for w in words)
                    or any(self.notes.statistics.common(w) for w in words)
                    or stem(words[-1]) in _TITLE_ONLY
                    or not _nominal(words[-1])
                ):
                    continue
                made = _same_number(word, right)
                if made is None or not _used_as_noun(made, self.usage):
                    continue
                terms.append(_match_case(made, right))
                break
        terms = list(dict.fromkeys(terms))
        self.rng.shuffle(terms)
        return terms[:3]

    def _other_terms(self, blank: Blank) -> list[str]:
        # With no siblings the notes' other marked terms are the next best wrong options.
        own = {stem(w) for w in content_words(blank.term)}
        terms = [
            _match_case(term, blank.term)
            for sentence in self.notes.sentences
            if sentence is not blank.sentence
            for term in sentence.marked
            if term not in sentence.code
            and len(term.split()) <= 3
            and not own.intersection(stem(w) for w in content_words(term))
            and not any(stem(w) in self.notes.focus for w in content_words(term))
        ]
        terms = list(dict.fromkeys(terms))
        self.rng.shuffle(terms)
        return terms[:3]


def _cloze(blank: Blank) -> ExerciseDraft:
    return ShortAnswerDraft(
        question=f"Fill in the blank:\n\n{blank.question}",
        reference_answer=blank.term,
        key_points=[blank.term, blank.sentence.text],
    )


def _why(sentence: str) -> str | None:
    body = sentence.rstrip(".")
    if match := _BECAUSE.match(body):
        effect = match["effect"].rstrip(",")
        last = effect.split()[-1].casefold()
        if len(content_words(effect)) >= 2 and last not in STOP_WORDS:
            # "why when x, y" needs a comma to read: "why, when x, y".
            opener = "why," if _SUBORDINATE.match(effect) else "why"
            return f"Explain {opener} {_lower_first(effect)}."
    match = _CONDITION.match(body)
    # "If you like, ..." sets no condition worth asking about.
    if (
        match
        and len(content_words(match["effect"])) >= 3
        and len(content_words(match["condition"])) >= 2
    ):
        return f"What happens {match['word'].lower()} {match['condition']}?"
    return None


def _relevant_points(points: Sequence[str], sentence: str, focus: Sequence[str]) -> list[str]:
    # The concept's key points that this question is about: sharing a word beyond the title.
    words = {stem(w) for w in content_words(sentence)} - set(focus)
    return [p for p in points if words.intersection(stem(w) for w in content_words(p))]


def _topic(concept: ConceptInfo, text: str) -> str:
    title = inline_text(concept.title).strip().rstrip("?.!:").strip()
    title = _WHAT_IS.sub("", title) or title
    if len(title) > _MAX_TOPIC_CHARS:
        # Questions and prompts have length limits; a title is rarely this long.
        title = title[:_MAX_TOPIC_CHARS].rsplit(" ", 1)[0]
    if not title:
        return concept.key.replace("-", " ").replace("_", " ").strip() or "this concept"
    # Inside a sentence "Ownership" reads "ownership", but "Rust" stays "Rust": the title
    # is lowered only when the notes themselves write each of its capitalised words so.
    for word in title.split():
        lowered = word.lower()
        if word == lowered:
            continue
        if word[1:] != word[1:].lower() or not re.search(
            rf"(?<!\w){re.escape(lowered)}(?!\w)", text
        ):
            return title
    return title.lower()


def _nominal(word: str) -> bool:
    """Whether a word may be a noun.

    "-ing", "-ed" and "-ly" words are verbs and adverbs more often than not, and a noun
    swapped for one reads as nonsense.
    """
    return not word.casefold().endswith(("ing", "ed", "ly"))


_VERB_WORDS = frozenset(_VERB_BEFORE.strip("(?:)").casefold().split("|"))


def _used_as_noun(term: str, text: str, *, names: bool = False) -> bool:
    """Whether ``text`` uses ``term``, in this very form, where a noun goes.

    A swapped-in word the notes never write ("cargos", "hellos"), write only as a name
    ("IDE"), or use only before another word ("local documentation", "multiple values")
    or as a verb ("to install") would make an option that reads as nonsense.
    With ``names``, a capitalised use counts too.
    """
    words = term.split()
    if not words or not term[:1].isalpha():
        return False
    lowered = words[0][:1].lower() + term[1:]
    pattern = re.compile(
        rf"(?<![\w-])({re.escape(lowered)})(?![\w-])\s*(\w+)?", re.IGNORECASE if names else 0
    )
    for match in pattern.finditer(text):
        before = text[: match.start()].split()
        if before and before[-1].casefold() in _VERB_WORDS:
            continue
        after = match.group(2)
        if after is None or after.casefold() in STOP_WORDS:
            return True
    return False


def _same_number(word: str, like: str) -> str | None:
    """``word`` made plural or singular as ``like``'s last word is, or None if unsure.

    English plurals by their common rules ("-ies", "-es", "-s"); a word that reads as
    uncountable ("mutability", "ownership") is not made plural.
    """
    last, mine = like.split()[-1], word.split()[-1]
    if not last.isalpha() or not mine.isalpha():
        return word
    if _is_plural(last) == _is_plural(mine):
        return word
    head = word[: len(word) - len(mine)]
    if _is_plural(last):
        if mine.casefold().endswith(_UNCOUNTABLE):
            return None
        if re.search(r"[^aeiou]y$", mine):
            return head + mine[:-1] + "ies"
        if mine.endswith(("s", "x", "z", "ch", "sh")):
            return head + mine + "es"
        return head + mine + "s"
    if mine.endswith("ies"):
        return head + mine[:-3] + "y"
    if mine.endswith(("sses", "xes", "ches", "shes", "zes")):
        return head + mine[:-2]
    return head + mine[:-1]


def _is_plural(word: str) -> bool:
    folded = word.casefold()
    return folded.endswith("s") and not folded.endswith(("ss", "us", "is", "ics"))


def _match_case(word: str, like: str) -> str:
    if not word or "`" in like or not like[:1].isalpha():
        return word
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word[:1].lower() + word[1:] if word[1:] == word[1:].lower() else word


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text if first[1:] != first[1:].lower() or first == "I" else text[:1].lower() + text[1:]


def _code_blocks(markdown: str) -> list[_CodeBlock]:
    blocks = []
    for token in _markdown().parse(markdown):
        if token.type != "fence":
            continue
        marks = code_marks(token.info)
        language = _ALIASES.get(marks.language, marks.language)
        if language not in _PLACEHOLDER:
            continue
        # What the learner is shown: rustdoc's hidden lines stay hidden.
        code = shown_code(token.content.rstrip("\n"), language)
        # Excerpts of a larger listing keep its indentation, which only gets in the way.
        code = textwrap.dedent(code).strip("\n")
        if code.strip() and code.count("\n") < _MAX_CODE_LINES:
            blocks.append(_CodeBlock(language, code, marks.checked))
    return blocks


def _candidate_lines(block: _CodeBlock) -> list[tuple[int, int]]:
    """(line index, difficulty) of the lines worth removing; none if the block won't do."""
    lines = block.code.split("\n")
    if sum(1 for line in lines if line.strip()) < 2:
        return []
    if block.language == "python":
        return _python_lines(block.code)
    comment = _PLACEHOLDER[block.language].split(" ", 1)[0]
    found = []
    for index, line in enumerate(lines):
        body = _split_comment(line, comment)[0].strip()
        if (
            not body
            or _BRACKETS_ONLY.match(body)
            or body.endswith(("{", ":", "(", "[", ","))
            or _IMPORT_LINE.match(body)
        ):
            continue
        size = len(_TOKENS.findall(body))
        if size >= 3:
            found.append((index, size))
    return found


def _python_lines(code: str) -> list[tuple[int, int]]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    imports = [
        (alias.name if isinstance(n, ast.Import) else n.module or "").split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for alias in n.names
    ]
    # The grader runs the program and compares what it prints; it must print, need no
    # input, and import only what the sandbox has.
    if "print" not in names or {"input", "open"} & names:
        return []
    if any(module not in sys.stdlib_module_names for module in imports):
        return []
    lines = code.split("\n")
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        simple = isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Return) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        )
        if not simple or node.lineno != node.end_lineno or _defines_data(node):
            continue
        line = lines[node.lineno - 1]
        if line.strip() != ast.get_source_segment(code, node):
            continue
        found.append((node.lineno - 1, len(_TOKENS.findall(line))))
    return found


def _defines_data(node: ast.stmt) -> bool:
    """Whether the statement only binds literal data, which no learner could guess."""
    if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
        return False
    try:
        ast.literal_eval(node.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _split_comment(line: str, comment: str) -> tuple[str, str]:
    """The line's code and its trailing comment's text (a marker inside a string stays)."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char == '"' or (char == "'" and comment != "//"):
            # In C-like languages ' also starts lifetimes ('a); only " is a string there.
            quote = char
        elif line.startswith(comment, index):
            return line[:index].rstrip(), line[index + len(comment) :].strip()
        index += 1
    return line.rstrip(), ""


def _completion(block: _CodeBlock, index: int, topic: str) -> ExerciseDraft:
    lines = block.code.split("\n")
    removed = lines[index]
    indent = removed[: len(removed) - len(removed.lstrip())]
    placeholder = _PLACEHOLDER[block.language]
    mark = placeholder.split(" ", 1)[0]
    code, note = _split_comment(removed, mark)
    # The removed line's own comment stays as a hint, as it would be read in the notes.
    shown = f"{placeholder} ({note})" if note and placeholder == f"{mark} ???" else placeholder
    starter = "\n".join([*lines[:index], indent + shown, *lines[index + 1 :]])
    name = _DISPLAY.get(block.language, block.language.capitalize())
    if block.language == "python":
        return CodeDraft(
            prompt=(
                f"This Python program from your notes on {topic} is missing one line, "
                f"marked `{placeholder}`. Write the whole program with that line filled in; "
                "it is checked by running it: it should print what the original prints."
            ),
            language="python",
            starter_code=starter,
            solution=block.code,
        )
    return CodeDraft(
        prompt=(
            f"One line of this {name} code from your notes on {topic} is missing, marked "
            f"`{placeholder}`. Write the missing line. It is checked against the notes' "
            "line token by token (spacing, quote style and a final semicolon do not matter)."
        ),
        language=block.language,
        starter_code=starter,
        solution=code.strip(),
    )
