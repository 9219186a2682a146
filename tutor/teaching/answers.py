"""Judge a learner's answer to an exercise draft.

Multiple choice is exact; short answers go to the calibrated short-answer grader (after a
shortcut for one-term cloze answers); Python code runs in the sandbox, against the tests or
against the output of the solution; code in other languages, which nothing here can run, is
compared with the solution token by token (:mod:`tutor.teaching.code_tokens`: whitespace,
comments, quotes, trailing semicolons and equivalent literal forms aside). The feedback
says which was done ("ran it" or "compared with the notes' code"). Explain-back is
compared with the key points (:mod:`tutor.teaching.explain`). Whatever the learner's code
does in the sandbox (loops forever, eats memory, forks, reaches the network), the result is a
failed attempt, never an exception.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Literal

from langchain_core.embeddings import Embeddings

from tutor.grading import GradingItem, ShortAnswerGrader
from tutor.grading.contradiction import antonym_conflicts, quantity_conflicts
from tutor.grading.feedback import join, sentence
from tutor.grading.text import stem, words
from tutor.sandbox import Limits, RunResult, SandboxError, arun_python
from tutor.teaching.code_tokens import compare_code
from tutor.teaching.exercises import (
    CodeDraft,
    ExerciseDraft,
    ExplainBackDraft,
    MultipleChoiceDraft,
    ShortAnswerDraft,
)
from tutor.teaching.explain import compare_explanation
from tutor.teaching.material import ConceptInfo

Verdict = Literal["correct", "partial", "incorrect"]

"""Language names of code the sandbox can run."""

TERM_WORDS = 3
"""Words a reference answer may have and still be a term (a blank's answer)."""

DEFAULT_LIMITS = Limits()
"""Resource limits of a sandbox run unless the caller gives others."""

_log = logging.getLogger(__name__)
_SHOWN_CHARS = 600
_ARTICLES = frozenset({"a", "an", "the"})
_NON_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^\s*(?:```|~~~)[^\n]*\n(.*?)\n?\s*(?:```|~~~)\s*$", re.DOTALL)


@dataclass(frozen=True)
class AnswerGrade:
    """The grade of one answer to an exercise.

    Attributes:
        score: How right the answer is, from 0 to 1.
        verdict: ``correct``, ``partial`` or ``incorrect``.
        feedback: One or two sentences for the learner; for code, with the failing output
            (trimmed).
        covered: Key points the answer covers (short answers and explain-back).
        missed: Key points it misses or contradicts.
        output: The sandbox output of the learner's code (Python code exercises).
    """

    score: float
    verdict: Verdict
    feedback: str
    covered: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    output: str = ""


async def grade_answer(
    draft: ExerciseDraft,
    answer: str,
    *,
    grader: ShortAnswerGrader,
    limits: Limits = DEFAULT_LIMITS,
    concept: ConceptInfo | None = None,
    embeddings: Embeddings | None = None,
) -> AnswerGrade:
    """Grade a learner's answer to an exercise.

    Args:
        draft: The exercise.
        answer: What the learner answered: an option index or text for multiple choice,
            text for short answers and explain-back, source code for code exercises.
        grader: Grades short answers (its embeddings also judge explain-back).
        limits: Resource limits of each sandbox run.
        concept: The concept an explain-back exercise is about (shapes its follow-up).
        embeddings: Embeddings for explain-back; the grader's when None.

    Returns:
        The grade, with feedback for the learner. When the sandbox cannot be set up at
        all, Python code is compared by tokens instead, and the feedback says so.
    """
    if isinstance(draft, MultipleChoiceDraft):
        return _grade_choice(draft, answer)
    if isinstance(draft, ShortAnswerDraft):
        return await _grade_short(draft, answer, grader)
    if isinstance(draft, CodeDraft):
        return await _grade_code(draft, answer, limits)
    return await _grade_explanation(draft, answer, grader, concept, embeddings)


def _grade_choice(draft: MultipleChoiceDraft, answer: str) -> AnswerGrade:
    chosen = _chosen_option(draft.options, answer)
    explanation = sentence(draft.explanation)
    if chosen == draft.answer:
        return AnswerGrade(1.0, "correct", join("Correct.", explanation))
    option = draft.options[draft.answer].strip().rstrip(".;:, ")
    right = f'Not quite: the right answer is "{option}".'
    return AnswerGrade(0.0, "incorrect", join(right, explanation))


def _chosen_option(options: list[str], answer: str) -> int | None:
    """The option index ``answer`` names, by index or by text; None when neither."""
    text = answer.strip()
    if text.isdigit() and int(text) < len(options):
        return int(text)
    wanted = _SPACE.sub(" ", text).casefold()
    for index, option in enumerate(options):
        if _SPACE.sub(" ", option.strip()).casefold() == wanted:
            return index
    return None


async def _grade_short(
    draft: ShortAnswerDraft, answer: str, grader: ShortAnswerGrader
) -> AnswerGrade:
    reference = draft.reference_answer.strip()
    if not answer.strip():
        return AnswerGrade(
            0.0,
            "incorrect",
            join("No answer was given.", "A correct answer: " + sentence(reference)),
            missed=tuple(draft.key_points),
        )
    if _same_term(answer, reference):
        return AnswerGrade(1.0, "correct", "Correct.", covered=tuple(draft.key_points))
    if _is_term(reference) and _contradicts(answer, reference):
        # "decades" for "years": close in meaning, yet another quantity or the opposite.
        return AnswerGrade(
            0.0,
            "incorrect",
            f'Not quite: the notes say "{reference.strip("` ")}" here, not "{answer.strip()}".',
            missed=tuple(draft.key_points),
        )
    item = GradingItem(
        answer=answer,
        references=(reference,),
        question=draft.question,
        key_points=tuple(draft.key_points),
    )
    grade = await asyncio.to_thread(grader.grade, item)
    if _is_term(reference) and grade.verdict == "correct" and not _shares_a_word(answer, reference):
        # Another word for a blank is at best close: the blank asks for the notes' term.
        top = grader.calibration.correct_threshold
        return AnswerGrade(
            score=min(grade.score, top - 0.01),
            verdict="partial",
            feedback=f'Close: the notes use the word "{reference.strip("` ")}" here.',
            covered=grade.covered,
            missed=grade.extra,
        )
    return AnswerGrade(
        score=grade.score,
        verdict=grade.verdict,
        feedback=grade.feedback,
        covered=grade.covered,
        missed=grade.missed,
    )


def _is_term(reference: str) -> bool:
    """Whether a reference answer is a term (a blank's answer), not a sentence."""
    return len(reference.split()) <= TERM_WORDS and not any(m in reference for m in ".!?")


def _contradicts(answer: str, reference: str) -> bool:
    return bool(quantity_conflicts(answer, reference) or antonym_conflicts(answer, reference))


def _shares_a_word(answer: str, reference: str) -> bool:
    return bool({stem(w) for w in words(answer)} & {stem(w) for w in words(reference)})


def _term(text: str) -> str:
    """``text`` without case, punctuation, backticks or articles."""
    kept = [w for w in _NON_WORD.sub(" ", text.casefold()).split() if w not in _ARTICLES]
    return " ".join(kept)


def _same_term(answer: str, reference: str) -> bool:
    """Whether the answer is the reference up to case, punctuation, backticks and articles."""
    wanted = _term(reference)
    if not wanted:  # a reference of symbols only ("&", "::") is compared as written
        return _SPACE.sub("", answer) == _SPACE.sub("", reference)
    return _term(answer) == wanted


async def _grade_code(draft: CodeDraft, answer: str, limits: Limits) -> AnswerGrade:
    code = _unfenced(answer)
    if not draft.runnable:
        return _compare_source(draft, code)
    if not code.strip():
        return AnswerGrade(0.0, "incorrect", "No code was given.")
    try:
        return await _run_code(draft, code, limits)
    except SandboxError as error:
        # No jail on this machine: the learner still gets a grade, and is told how.
        _log.warning("code graded by tokens, the sandbox cannot run: %s", error)
        return _compare_source(draft, code, how="could not run it here, so compared")


async def _run_code(draft: CodeDraft, code: str, limits: Limits) -> AnswerGrade:
    if draft.tests.strip():
        run = await arun_python(code, draft.tests, limits=limits)
        if run.passed:
            return AnswerGrade(
                1.0, "correct", "Correct: ran it, and all the tests pass.", output=run.stdout
            )
        return _failed_run(run, "Ran it: the tests did not pass.")
    expected, run = await asyncio.gather(
        arun_python(draft.solution, "", limits=limits), arun_python(code, "", limits=limits)
    )
    if not run.passed:
        return _failed_run(run, "Ran it: your code did not run to the end.")
    if not expected.passed:
        # The exercise's own solution failed (or was starved of time): nothing to compare.
        return AnswerGrade(
            0.5,
            "partial",
            "Ran it: your code ran, but its output could not be checked this time.",
            output=run.stdout,
        )
    if _output(run.stdout) == _output(expected.stdout):
        return AnswerGrade(
            1.0, "correct", "Correct: ran it, and its output matches.", output=run.stdout
        )
    feedback = (
        "Ran it: the output is not what was expected.\n"
        f"Expected:\n{_trim(_output(expected.stdout))}\n"
        f"Got:\n{_trim(_output(run.stdout)) or '(nothing)'}"
    )
    return AnswerGrade(0.0, "incorrect", feedback, output=run.stdout)


def _failed_run(run: RunResult, head: str) -> AnswerGrade:
    detail = _trim(run.feedback.strip() or run.stderr.strip() or run.stdout.strip(), tail=True)
    feedback = f"{head}\n{detail}" if detail else head
    return AnswerGrade(0.0, "incorrect", feedback, output=run.stdout)


def _output(stdout: str) -> str:
    """Output to compare: line endings unified, trailing spaces and blank ends dropped."""
    lines = stdout.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _compare_source(draft: CodeDraft, code: str, *, how: str = "compared") -> AnswerGrade:
    solution = _unfenced(draft.solution)
    if not code.strip():
        return AnswerGrade(0.0, "incorrect", "No code was given.")
    compared = compare_code(code, solution, draft.language)
    if compared.same:
        return AnswerGrade(1.0, "correct", f"Correct: {how} with the notes' code, the same tokens.")
    if compared.answer_token and compared.expected_token:
        where = f" (`{compared.answer_token}` where the notes have `{compared.expected_token}`)"
    elif compared.expected_token:
        where = f" (`{compared.expected_token}` is missing)"
    else:
        where = f" (`{compared.answer_token}` is more than the notes have)"
    feedback = (
        f"Not quite: {how} with the notes' code, the tokens differ{where}. "
        f"Expected:\n{_trim(solution.strip())}"
    )
    return AnswerGrade(0.0, "incorrect", feedback)


def _unfenced(text: str) -> str:
    """The body of a Markdown code fence, when the whole text is one; else the text."""
    match = _FENCE.match(text)
    return match.group(1) if match else text


async def _grade_explanation(
    draft: ExplainBackDraft,
    answer: str,
    grader: ShortAnswerGrader,
    concept: ConceptInfo | None,
    embeddings: Embeddings | None,
) -> AnswerGrade:
    about = concept or ConceptInfo(key="", title="this concept")
    # The grader keeps its embeddings private; explain-back uses the same model.
    model = embeddings or grader.embeddings
    result = await asyncio.to_thread(compare_explanation, answer, about, draft.key_points, model)
    if result.passed:
        verdict: Verdict = "correct"
    elif result.covered:
        verdict = "partial"
    else:
        verdict = "incorrect"
    return AnswerGrade(
        score=result.score,
        verdict=verdict,
        feedback=f"{result.feedback} {result.follow_up}",
        covered=result.covered,
        missed=result.missing + result.contradicted,
    )


def _trim(text: str, *, tail: bool = False) -> str:
    """At most a few hundred characters of ``text``: its end when ``tail``, else its start."""
    if len(text) <= _SHOWN_CHARS:
        return text
    return "..." + text[-_SHOWN_CHARS:] if tail else text[:_SHOWN_CHARS] + "..."
