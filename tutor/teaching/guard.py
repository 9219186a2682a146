"""A quality guard for generated lessons and answers: is this text fit to show a learner?

A small local model often loops, leaks its chat template, echoes its prompt, switches
language or drifts off topic. :meth:`QualityGuard.check_prefix` runs the cheap checks on
a growing prefix while the text streams, so a bad generation can be stopped early;
:meth:`QualityGuard.check` runs them all on the finished text, adding length, a cut-off
ending and relevance (sentence embeddings) to the concept and the passages.

Every check is a plain rule with a threshold, so a rejection can be explained by its
reason: ``empty``, ``too short``, ``repetition loop``, ``template markers``,
``prompt echo``, ``junk``, ``wrong language``, ``cut off`` or ``low relevance``.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings

from tutor.teaching.citations import CITATION, fenced_blocks, mask_code
from tutor.teaching.material import ConceptInfo, Passage

EMPTY = "empty"
TOO_SHORT = "too short"
REPETITION = "repetition loop"
TEMPLATE_MARKERS = "template markers"
PROMPT_ECHO = "prompt echo"
JUNK = "junk"
WRONG_LANGUAGE = "wrong language"
CUT_OFF = "cut off"
LOW_RELEVANCE = "low relevance"
_REFERENCES_KEPT = 4096
"""Concept and passage embeddings remembered (6 MiB of float32 rows at 384 dimensions)."""


@dataclass(frozen=True)
class GuardResult:
    """The verdict on a text: ``ok``, or the short ``reason`` it was rejected for."""

    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Relevance:
    """How closely a text keeps to its concept and passages.

    Attributes:
        score: Word-weighted mean, over the text's segments, of each segment's best
            cosine similarity to the concept (title and summary) or to a passage.
        off_topic_share: Share of the text's words in segments scoring below the
            guard's ``min_relevance``.
    """

    score: float
    off_topic_share: float


PASSED = GuardResult(ok=True)

_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_CHAT_TOKENS = re.compile(
    r"<start_of_turn>|<end_of_turn>|<bos>|<eos>|<pad>|<unk>|\[/?INST\]|<</?SYS>>", re.IGNORECASE
)
_CHAT_PROSE = re.compile(
    r"<\|[a-z_]{2,}|^[ \t]*#+[ \t]*(?:instruction|response|input|human|assistant|system)\b",
    re.IGNORECASE | re.MULTILINE,
)
# Gemma's turns open with a bare lower-case role on its own line ("model").
_ROLE_LINE = re.compile(r"^[ \t]*(?:user|model|assistant|system)[ \t]*:?[ \t]*$", re.MULTILINE)
_PROMPT_ECHO = re.compile(
    r"^[ \t>#*]*you are an? (?:[\w-]+ ){0,3}?"
    r"(?:tutor|student|teacher|assistant|expert|model|chatbot|ai)\b",
    re.IGNORECASE | re.MULTILINE,
)
_EMPTY_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*$|#{7,}", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]")
_SAME_LETTER_RUN = re.compile(r"([^\W\d_])\1{5,}")
_SAME_MARK_RUN = re.compile(r"([^\w\s\-=*_~#.])\1{29,}")
_GLUED_LOOP = re.compile(r"(\S{2,12}?)\1{4,}")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]+")
_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_TRAILING_CITATIONS = re.compile(r"(?:\s*\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\])+\s*$")
_TRAILING_CLOSERS = "*_)]\"'\u2019\u201d\u00bb`"
_SENTENCE_END = ".!?\u2026\u3002\uff01\uff1f"
_DANGLING = frozenset(
    "a an the and or but of to with for in on at by from as is are was were that which "  # noqa: SIM905
    "this these its their your our if when than then so because into".split()
)
_UNSPACED_SCRIPTS = frozenset(
    {"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"}
)


class QualityGuard:
    """Judges generated text against the concept and the passages it should teach from.

    Embedding calls are synchronous; callers on an event loop run :meth:`check` in a
    worker thread. :meth:`check_prefix` never embeds and is cheap enough to call every
    few tokens.
    """

    def __init__(
        self,
        embeddings: Embeddings,
        *,
        min_relevance: float = 0.3,
        max_off_topic: float = 0.5,
        min_words: int = 12,
        min_letter_share: float = 0.5,
        language_words: int = 12,
        min_language_share: float = 0.4,
        max_foreign_script: float = 0.3,
    ) -> None:
        """Set the thresholds.

        Args:
            embeddings: Sentence embeddings for the relevance check.
            min_relevance: Lowest relevance score (cosine similarity) a text may have;
                also the score under which a segment counts as off topic.
            max_off_topic: Largest share of the text's words that may be off topic.
            min_words: Fewest words a finished text may have.
            min_letter_share: Lowest share of letters among the visible characters of
                the text's prose (code left out).
            language_words: How many of the text's most frequent short words the
                language check looks up in the passages.
            min_language_share: Lowest share of those words' occurrences that must be
                words the passages use too.
            max_foreign_script: Largest share of the text's letters that may be in a
                script the passages hardly use.
        """
        self._embeddings = embeddings
        self._known: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()
        self.min_relevance = min_relevance
        self.max_off_topic = max_off_topic
        self.min_words = min_words
        self.min_letter_share = min_letter_share
        self.language_words = language_words
        self.min_language_share = min_language_share
        self.max_foreign_script = max_foreign_script

    def check_prefix(self, text: str, passages: Sequence[Passage]) -> GuardResult:
        """Run the cheap checks, fit for a text that is still being written.

        Args:
            text: The text so far.
            passages: The passages the text should teach from.

        Returns:
            The verdict; a rejection's reason is one of ``template markers``,
            ``prompt echo``, ``repetition loop``, ``junk`` or ``wrong language``.
        """
        prose = mask_code(text)
        if _CHAT_TOKENS.search(text) or _CHAT_PROSE.search(prose) or _ROLE_LINE.search(prose):
            return GuardResult(False, TEMPLATE_MARKERS)
        if _PROMPT_ECHO.search(prose):
            return GuardResult(False, PROMPT_ECHO)
        if _has_loop(text, prose):
            return GuardResult(False, REPETITION)
        if self._is_junk(prose):
            return GuardResult(False, JUNK)
        if self._wrong_language(prose, passages):
            return GuardResult(False, WRONG_LANGUAGE)
        return PASSED

    def check(self, text: str, concept: ConceptInfo, passages: Sequence[Passage]) -> GuardResult:
        """Run every check on a finished text.

        Args:
            text: The whole text.
            concept: The concept the text should teach.
            passages: The passages it should teach from.

        Returns:
            The verdict; on top of :meth:`check_prefix`'s reasons, ``empty``,
            ``too short``, ``cut off`` or ``low relevance``.
        """
        if not text.strip():
            return GuardResult(False, EMPTY)
        early = self.check_prefix(text, passages)
        if not early.ok:
            return early
        if len(_LETTER_WORD.findall(text)) < self.min_words:
            return GuardResult(False, TOO_SHORT)
        if is_cut_off(text):
            return GuardResult(False, CUT_OFF)
        found = self.relevance(text, concept, passages)
        if found.score < self.min_relevance or found.off_topic_share > self.max_off_topic:
            return GuardResult(False, LOW_RELEVANCE)
        return PASSED

    def relevance(self, text: str, concept: ConceptInfo, passages: Sequence[Passage]) -> Relevance:
        """Measure how closely a text keeps to the concept and the passages.

        The text is cut into segments of a paragraph or so, each compared with the
        concept and every passage, so that a text drifting off topic half way shows.

        Args:
            text: The text.
            concept: The concept it should teach.
            passages: The passages it should teach from.

        Returns:
            The text's relevance (a score of 0 for a text without words).
        """
        segments = _segments(text)
        if not segments:
            return Relevance(0.0, 1.0)
        about = f"{concept.title}: {concept.summary}" if concept.summary else concept.title
        references = [about, *(passage.text for passage in passages)]
        vectors = np.vstack(
            [
                np.asarray(self._embeddings.embed_documents(segments), dtype=np.float64),
                self._references(references).astype(np.float64),
            ]
        )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0.0, 1.0, norms)
        similarity = vectors[: len(segments)] @ vectors[len(segments) :].T
        best = similarity.max(axis=1)
        weights = np.asarray([len(_WORD.findall(segment)) for segment in segments], dtype=float)
        total = float(weights.sum())
        score = float((best * weights).sum() / total)
        off_topic = float(weights[best < self.min_relevance].sum() / total)
        return Relevance(score, off_topic)

    def _references(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Embeddings of the concept and passages, remembered.

        A turn checks its text against the same ones more than once, and the next turn
        on the concept often does too.
        """
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        if missing:
            # Rows of float32 rather than lists of Python floats: a sixth of the memory.
            found = np.asarray(self._embeddings.embed_documents(missing), dtype=np.float32)
            with self._lock:
                self._known.update(zip(missing, found, strict=True))
        with self._lock:
            for text in texts:
                self._known.move_to_end(text)
            while len(self._known) > _REFERENCES_KEPT:
                self._known.popitem(last=False)
            return np.stack([self._known[text] for text in texts])

    def _is_junk(self, prose: str) -> bool:
        if len(_EMPTY_HEADING.findall(prose)) >= 2:
            return True
        lines = [line for line in prose.splitlines() if line.strip()]
        headings = sum(1 for line in lines if _HEADING.match(line))
        if headings >= 4 and headings > len(lines) / 2:
            return True
        visible = [char for char in prose if not char.isspace()]
        if len(visible) < 40:
            return False
        letters = sum(1 for char in visible if char.isalpha())
        return letters / len(visible) < self.min_letter_share

    def _wrong_language(self, prose: str, passages: Sequence[Passage]) -> bool:
        source = "\n".join(mask_code(passage.text) for passage in passages)
        text_scripts = _scripts(prose)
        source_scripts = _scripts(source)
        text_letters = sum(text_scripts.values())
        source_letters = sum(source_scripts.values())
        if text_letters < 20 or source_letters < 50:
            return False
        foreign = sum(
            count
            for script, count in text_scripts.items()
            if source_scripts[script] / source_letters < 0.05
        )
        if foreign / text_letters > self.max_foreign_script:
            return True
        main_script = text_scripts.most_common(1)[0][0]
        if main_script in _UNSPACED_SCRIPTS:
            return False  # without spaces between words there are no short words to compare
        short = Counter(word for word in _words(prose) if len(word) <= 4)
        source_words = set(_words(source))
        if sum(short.values()) < 8 or len(source_words) < 30:
            return False
        top = short.most_common(self.language_words)
        shared = sum(count for word, count in top if word in source_words)
        return shared / sum(count for _word, count in top) < self.min_language_share


def is_cut_off(text: str) -> bool:
    """Tell whether a text stops mid-way: an open code fence, or a last sentence unfinished.

    A last line that ends without closing punctuation passes when it is a list item or
    a table row that does not end on a comma or a dangling word ("the", "and", ...).

    Args:
        text: The finished text.

    Returns:
        True when the text looks cut off.
    """
    blocks = fenced_blocks(text)
    if blocks and not blocks[-1][2]:
        return True
    stripped = text.rstrip()
    if not stripped:
        return False
    if blocks and blocks[-1][1] >= len(stripped):
        return False  # ends with a closed code block
    line = _QUOTE.sub("", stripped.splitlines()[-1].strip()).strip()
    line = _strip_trailing_citations(line)
    if _HEADING.match(line) or line.endswith((",", ":", ";", "-")):
        return True
    bare = line.rstrip(_TRAILING_CLOSERS)
    if bare.endswith(tuple(_SENTENCE_END)):
        return False
    if _LIST_ITEM.match(line) or line.startswith("|") or line.endswith("|"):
        words = _words(bare)
        return bool(words) and words[-1] in _DANGLING
    return True


def _strip_trailing_citations(line: str) -> str:
    return _TRAILING_CITATIONS.sub("", line).rstrip()


def _words(text: str) -> list[str]:
    return [word.lower() for word in _LETTER_WORD.findall(text)]


@lru_cache(maxsize=4096)
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _scripts(text: str) -> Counter[str]:
    return Counter(_script(char) for char in text if char.isalpha())


def _has_loop(text: str, prose: str) -> bool:
    lowered = prose.lower()
    if _SAME_MARK_RUN.search(lowered):
        return True
    for run in _SAME_LETTER_RUN.finditer(lowered):
        # Hexadecimal numbers and colours ("0xffffffff", "#ffffff") are not loops.
        if not lowered.endswith(("0x", "#"), 0, run.start()):
            return True
    if any(re.search(r"[^\W\d_]", m.group(1)) for m in _GLUED_LOOP.finditer(lowered)):
        return True
    if _repeated_lines(text, prose):
        return True
    # Code is left to the line checks: "v.push(1); v.push(2); v.push(3);" is no loop.
    words = [word.lower() for word in _WORD.findall(prose) if not word.isdigit()]
    if _periodic_run(words):
        return True
    prose_words = _words(prose)
    if _ngram_repeats(prose_words, 8) >= 3 or _ngram_repeats(prose_words, 5) >= 5:
        return True
    if len(prose_words) >= 40:
        trigrams = list(zip(*(prose_words[i:] for i in range(3)), strict=False))
        if len(set(trigrams)) / len(trigrams) < 0.5:
            return True
    return False


def _ngram_repeats(words: Sequence[str], size: int) -> int:
    grams = Counter(zip(*(words[i:] for i in range(size)), strict=False))
    return grams.most_common(1)[0][1] if grams else 0


def _periodic_run(words: Sequence[str], longest: int = 40) -> bool:
    """Whether some run of 1 to ``longest`` words repeats back to back.

    One word must come four times in a row ("the the the the"); a longer run, three
    times (a sentence said three times over).
    """
    for period in range(1, min(longest, len(words) // 3) + 1):
        needed = period * (3 if period == 1 else 2)
        streak = 0
        for index in range(period, len(words)):
            streak = streak + 1 if words[index] == words[index - period] else 0
            if streak >= needed:
                return True
    return False


def _repeated_lines(text: str, prose: str) -> bool:
    """Whether a line or a code block comes back too often.

    A prose line may come three times anywhere. Code is judged block by block, since
    separate examples share lines (``$ cargo run``): within a block a line may come four
    times, or run six times in a row if it is short; a whole block may come three times.
    """
    counts: Counter[str] = Counter()
    for original, masked in zip(text.split("\n"), prose.split("\n"), strict=True):
        line = " ".join(original.lower().split())
        if masked.strip() and len(line) >= 12 and _LETTER.search(line):
            counts[line] += 1
    if counts and counts.most_common(1)[0][1] >= 3:
        return True
    bodies: Counter[str] = Counter()
    for start, end, _closed in fenced_blocks(text):
        lines = text[start:end].split("\n")[1:]
        bodies["\n".join(line.strip() for line in lines if line.strip())] += 1
        in_block: Counter[str] = Counter()
        previous, run = "", 0
        for line in lines:
            lettered = _LETTER.search(line) is not None
            run = run + 1 if lettered and line == previous else 1
            previous = line
            if run >= 6:
                return True
            if lettered and len(line.strip()) >= 8:
                in_block[" ".join(line.split())] += 1
        if in_block and in_block.most_common(1)[0][1] >= 4:
            return True
    return any(count >= 3 and _LETTER.search(body) for body, count in bodies.items())


def _segments(text: str, target_words: int = 60) -> list[str]:
    """Cut a text into pieces of about ``target_words`` words, at paragraph breaks."""
    paragraphs = [
        " ".join(CITATION.sub(" ", part).split()) for part in re.split(r"\n[ \t]*\n", text)
    ]
    segments: list[str] = []
    current: list[str] = []
    count = 0
    for paragraph in paragraphs:
        words = len(_WORD.findall(paragraph))
        if not words:
            continue
        if current and count + words > target_words * 3 // 2:
            segments.append(" ".join(current))
            current, count = [], 0
        current.append(paragraph)
        count += words
        if count >= target_words:
            segments.append(" ".join(current))
            current, count = [], 0
    if current:
        if segments and count < target_words // 4:
            segments[-1] = f"{segments[-1]} {' '.join(current)}"
        else:
            segments.append(" ".join(current))
    return segments
