"""Exercises built from the notes themselves, for when the model writes none that are usable.

Everything comes from the passages and the concept's own data: sentences of the notes
become fill-in-the-blank questions, sibling concepts supply wrong options, and the notes'
code blocks become completion tasks. Difficulty changes what is asked:

``intro`` (recognition)
    Multiple choice: "which statement is about <concept>?" (the concept's sentence
    against sibling concepts' summaries and key points) and "which term fills the
    blank?" (sibling titles' terms as wrong options); a fill-in-the-blank whose blank is
    a word of the concept's title, the easiest word to recall.
``practice`` (recall)
    Fill-in-the-blank of a key sentence on a less obvious term (a code identifier, an
    emphasised term, a specific word: never a title word); completion of a simple line
    of one of the notes' code blocks.
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

The same ``seed`` gives the same exercises; another seed picks other sentences, blanks,
lines and option orders where the notes offer alternatives.
"""

from __future__ import annotations

import ast
import random
import re
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from pydantic import ValidationError

from tutor.grading.features import STOP_WORDS
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
    stem,
    stem_counts,
    title_term_in,
    title_terms,
)
from tutor.teaching._cloze import _parser as _markdown
from tutor.teaching.exercises import (
    CodeDraft,
    Difficulty,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.material import ConceptInfo, Passage

__all__ = ["generate_exercises"]

_T = TypeVar("_T")
_MAX_EXERCISES = 4
_CHOICE_WIDTH = 3
"""How many of the best candidates a seed chooses among."""
_MAX_OPTION_CHARS = 300
_MAX_TOPIC_CHARS = 100
_MAX_CODE_LINES = 60
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
_CONDITION = re.compile(r"^(?P<word>If|When) (?P<condition>[^,;]{8,}), (?P<effect>.{8,})$")


def generate_exercises(
    concept: ConceptInfo,
    passages: Sequence[Passage],
    siblings: Sequence[ConceptInfo],
    difficulty: Difficulty,
    *,
    seed: int = 0,
) -> list[ExerciseDraft]:
    """Two to four exercises on `concept`, built only from `passages` and concept data.

    Args:
        concept: The concept to exercise.
        passages: Chunks of the notes about it (prose and code).
        siblings: Neighbouring concepts, whose summaries, key points and titles make the
            wrong options of multiple-choice questions.
        difficulty: What kind of exercise to make (see the module docstring).
        seed: Chooses among alternatives; the same seed gives the same exercises.

    Returns:
        Valid drafts; at least one (an explain-back) even when there is nothing to read.
    """
    notes = _Notes.read(concept, passages)
    maker = _Maker(notes, siblings, random.Random(seed))
    plans: dict[str, list[Callable[[], ExerciseDraft | None]]] = {
        "intro": [maker.statement_choice, maker.easy_cloze, maker.term_choice],
        "practice": [maker.recall_cloze, maker.code_practice, maker.recall_cloze],
        "challenge": [maker.why_question, maker.code_challenge, maker.explain_back],
    }
    spares = [maker.recall_cloze, maker.term_choice, maker.easy_cloze, maker.explain_back]
    drafts: list[ExerciseDraft] = []
    for make in plans[difficulty]:
        maker.add(drafts, make)
    for make in spares:
        if len(drafts) >= 2:
            break
        maker.add(drafts, make)
    if not drafts:
        drafts.append(maker.explain_back())
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
    blocks: tuple[_CodeBlock, ...]
    key_points: tuple[str, ...]
    counts: Mapping[str, int]
    """How often each word's stem occurs in the notes: frequent words are key terms."""

    @classmethod
    def read(cls, concept: ConceptInfo, passages: Sequence[Passage]) -> _Notes:
        # Chunks are cleaned when ingested; cleaning again serves notes stored before.
        passages = [replace(p, text=clean_markdown(p.text)) for p in passages]
        texts = [p.text for p in passages] + [concept.summary, *concept.key_points]
        focus = tuple(title_terms(concept.title, texts))
        found: list[Sentence] = []
        for passage in passages:
            if passage.concept_key and passage.concept_key != concept.key:
                boost = passage.score - 1.0
            else:
                boost = passage.score + (0.5 if passage.concept_key else 0.0)
            found += read_sentences(passage.text, focus=focus, boost=boost)
        # The concept's own summary and key points are material too, a little below the notes.
        for text in (concept.summary, *concept.key_points):
            found += read_sentences(text, focus=focus, boost=-1.0, strict=False)
        best: dict[str, Sentence] = {}
        for sentence in found:
            if sentence.text not in best or best[sentence.text].weight < sentence.weight:
                best[sentence.text] = sentence
        ranked = sorted(best.values(), key=lambda s: -s.weight)
        key_points = tuple(p for p in (inline_text(k) for k in concept.key_points) if p)
        topic = _topic(concept, " ".join(s.text for s in ranked))
        blocks = tuple(block for p in passages for block in _code_blocks(p.text))
        counts = stem_counts(s.text for s in ranked)
        return cls(concept, topic, focus, tuple(ranked), blocks, key_points, counts)


class _Maker:
    """Builds one exercise of each kind on request, never reusing a sentence or block."""

    def __init__(self, notes: _Notes, siblings: Sequence[ConceptInfo], rng: random.Random):
        self.notes = notes
        self.siblings = [s for s in siblings if s.key != notes.concept.key]
        self.rng = rng
        self.used: set[str] = set()

    def add(self, drafts: list[ExerciseDraft], make: Callable[[], ExerciseDraft | None]) -> None:
        if len(drafts) >= _MAX_EXERCISES:
            return
        try:
            draft = make()
        except ValidationError:
            # The notes held something a draft refuses (an over-long line, say): skip it.
            return
        if draft is not None and all(draft != earlier for earlier in drafts):
            drafts.append(draft)

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
            blank = blank_out(sentence, term) if term else None
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
        options: list[Blank] = []
        for sentence in self._fresh():
            terms = plain_terms(sentence, self.notes.focus, self.notes.counts)[:_CHOICE_WIDTH]
            self.rng.shuffle(terms)
            blank = next((b for t in terms if (b := blank_out(sentence, t))), None)
            if blank is not None:
                options.append(blank)
        return _cloze(self._take(self._pick(options))) if options else None

    def term_choice(self) -> ExerciseDraft | None:
        blanks = self._title_blanks()
        if not blanks:
            return None
        blank = self._pick(blanks)
        wrong = self._sibling_terms(blank.term) or self._other_terms(blank)
        if not wrong:
            return None
        self._take(blank)
        return self._choice(
            f"Which term fills the blank?\n\n{blank.question}",
            blank.term,
            wrong,
            f"The notes say: {blank.sentence.text}",
        )

    def statement_choice(self) -> ExerciseDraft | None:
        fresh = [s for s in self._fresh() if title_term_in(s.text, self.notes.focus)]
        # Only sentences worth asking about: naming the concept is not enough when the
        # sentence is talk about the text ("First, let's take a look at ownership.").
        fresh = [s for s in fresh if len(s.text) <= _MAX_OPTION_CHARS and not chatty(s.text)]
        summary = first_sentence(self.notes.concept.summary)
        points = [p for p in self.notes.key_points if len(p) <= _MAX_OPTION_CHARS]
        if fresh:
            right = self._pick(fresh).text
        elif summary and len(summary) <= _MAX_OPTION_CHARS:
            right = summary
        elif points:
            right = self._pick(points)
        else:
            return None
        wrong = self._sibling_statements()
        if not wrong:
            return None
        self.used.add(right)
        others = ", ".join(dict.fromkeys(title for _, title in wrong))
        return self._choice(
            f"Which of these statements is about {self.notes.topic}?",
            right,
            [statement for statement, _ in wrong],
            f"The others are about {others}.",
        )

    def why_question(self) -> ExerciseDraft | None:
        asked: list[tuple[str, Sentence]] = []
        for sentence in self._fresh():
            question = _why(sentence.text)
            if question:
                asked.append((question, sentence))
        if not asked:
            for sentence in self._fresh()[: _CHOICE_WIDTH * 2]:
                terms = plain_terms(sentence, self.notes.focus, self.notes.counts)
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

    def explain_back(self) -> ExerciseDraft:
        notes = self.notes
        points = list(notes.key_points)
        if not points:
            points = [s.text for s in notes.sentences[:4]]
        if not points:
            summary = first_sentence(notes.concept.summary)
            points = [summary] if summary else [notes.topic]
        return ExplainBackDraft(
            prompt=(
                f"Explain {notes.topic} in your own words, as you would to a fellow learner: "
                "the main ideas and why they matter."
            ),
            key_points=points[:8],
        )

    def _code(self, *, hard: bool) -> ExerciseDraft | None:
        # Code the notes mark as failing or unchecked would make a wrong model answer.
        fresh = [b for b in self.notes.blocks if b.runnable and b.code not in self.used]
        # Python that prints is checked by running it: prefer it.
        fresh.sort(key=lambda b: b.language != "python")
        choices = [(b, lines) for b in fresh if (lines := _candidate_lines(b))]
        if not choices:
            return None
        block, lines = self._pick(choices)
        lines.sort(key=lambda pair: (pair[1], pair[0]))
        half = (len(lines) + 1) // 2
        pool = lines[len(lines) - half :] if hard else lines[:half]
        index = self.rng.choice(pool)[0]
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

    def _sibling_terms(self, right: str) -> list[str]:
        own = {stem(w) for w in content_words(right)} | set(self.notes.focus)
        terms = []
        for sibling in self.siblings:
            texts = [sibling.summary, *sibling.key_points]
            for found in title_terms(sibling.title, texts):
                if found in own:
                    continue
                word = next(
                    w for w in content_words(inline_text(sibling.title)) if stem(w) == found
                )
                terms.append(_match_case(word, right))
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

    def _sibling_statements(self) -> list[tuple[str, str]]:
        """Up to three (statement, sibling title) pairs, none naming this concept."""
        focus = set(self.notes.focus)
        picked: list[tuple[str, str]] = []
        siblings = list(self.siblings)
        self.rng.shuffle(siblings)
        for sibling in siblings:
            said = [first_sentence(sibling.summary), *(inline_text(k) for k in sibling.key_points)]
            usable = [
                s
                for s in said
                if len(s.split()) >= 4
                and len(s) <= _MAX_OPTION_CHARS
                and not focus.intersection(stem(w) for w in content_words(s))
            ]
            if usable:
                picked.append((self.rng.choice(usable), inline_text(sibling.title)))
            if len(picked) == 3:
                break
        return picked


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
    if match and len(content_words(match["effect"])) >= 3:
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
                "it should print what the original prints."
            ),
            language="python",
            starter_code=starter,
            solution=block.code,
        )
    return CodeDraft(
        prompt=(
            f"One line of this {name} code from your notes on {topic} is missing, marked "
            f"`{placeholder}`. Write the missing line."
        ),
        language=block.language,
        starter_code=starter,
        solution=code.strip(),
    )
