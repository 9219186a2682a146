"""Exercises: the drafts a model or a generator writes, and the stored exercise around one.

Drafts are pydantic models because they are validated from a model's JSON output and sent
to clients. The stored :class:`Exercise` adds identity; :meth:`Exercise.public` is what a
learner may see (never the answer, the reference answer or the solution).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

Difficulty = Literal["intro", "practice", "challenge"]
PYTHON_NAMES = frozenset({"python", "python3", "py"})
"""Fence languages that name Python."""


class _Draft(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MultipleChoiceDraft(_Draft):
    """Pick the one right option."""

    kind: Literal["multiple_choice"] = "multiple_choice"
    question: str = Field(min_length=3, max_length=600)
    options: list[str] = Field(min_length=2, max_length=6)
    answer: int = Field(ge=0, description="Index of the right option in `options`.")
    explanation: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _check(self) -> MultipleChoiceDraft:
        if self.answer >= len(self.options):
            raise ValueError(f"answer {self.answer} is not an option index")
        cleaned = [option.strip().casefold() for option in self.options]
        if any(not option for option in cleaned) or len(set(cleaned)) != len(cleaned):
            raise ValueError("options must be distinct and non-empty")
        return self


class ShortAnswerDraft(_Draft):
    """Answer in a sentence or two; graded against the reference answer and key points."""

    kind: Literal["short_answer"] = "short_answer"
    question: str = Field(min_length=3, max_length=600)
    reference_answer: str = Field(min_length=1, max_length=2000)
    key_points: list[str] = Field(min_length=1, max_length=6)


class CodeDraft(_Draft):
    """Write or complete code.

    Python code is run in the sandbox: with ``tests``, the learner's code followed by the
    tests must pass; without, it must print what ``solution`` prints. Code in any other
    language cannot be run here, so the answer is compared with ``solution`` token by token
    (see :mod:`tutor.teaching.code_tokens`).
    """

    kind: Literal["code"] = "code"
    prompt: str = Field(min_length=3, max_length=1500)
    language: str = Field(default="python", max_length=40)
    starter_code: str = Field(default="", max_length=8000)
    tests: str = Field(default="", max_length=8000)
    solution: str = Field(min_length=1, max_length=8000)

    @property
    def runnable(self) -> bool:
        """Whether the code is Python, which the sandbox runs."""
        return self.language.strip().casefold() in PYTHON_NAMES


class ExplainBackDraft(_Draft):
    """Explain the concept in your own words; compared with its key points."""

    kind: Literal["explain_back"] = "explain_back"
    prompt: str = Field(min_length=3, max_length=600)
    key_points: list[str] = Field(min_length=1, max_length=8)


ExerciseDraft = Annotated[
    MultipleChoiceDraft | ShortAnswerDraft | CodeDraft | ExplainBackDraft,
    Field(discriminator="kind"),
]
ExerciseSource = Literal["model", "generated"]


class ExerciseSet(_Draft):
    """What the model is asked for after a lesson: a few exercises on its concept."""

    exercises: list[ExerciseDraft] = Field(min_length=1, max_length=4)


class Exercise(BaseModel):
    """A stored exercise."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    concept_id: UUID
    lesson_id: UUID | None
    difficulty: Difficulty
    source: ExerciseSource
    """Written by the model, or by a deterministic generator from the notes."""
    body: ExerciseDraft

    def public(self) -> dict[str, Any]:
        """The exercise as the learner sees it: the question, never the answer."""
        body = self.body
        shown: dict[str, Any] = {"kind": body.kind}
        if isinstance(body, MultipleChoiceDraft):
            shown |= {"question": body.question, "options": list(body.options)}
        elif isinstance(body, ShortAnswerDraft):
            shown |= {"question": body.question}
        elif isinstance(body, CodeDraft):
            shown |= {
                "prompt": body.prompt,
                "language": body.language,
                "starter_code": body.starter_code,
                "runnable": body.runnable,
            }
        else:
            shown |= {"prompt": body.prompt}
        return {
            "id": str(self.id),
            "concept_id": str(self.concept_id),
            "lesson_id": str(self.lesson_id) if self.lesson_id else None,
            "difficulty": self.difficulty,
            **shown,
        }
