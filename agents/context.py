"""What every node is given at run time: the learner, and the ports, injected per turn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from langchain_core.embeddings import Embeddings

from tutor.config import TeachingSettings
from tutor.grading import ShortAnswerGrader
from tutor.ingest.store import DocumentStore
from tutor.learner.graph_cache import PlanningGraphs
from tutor.learner.store import LearnerStore
from tutor.llm import ChatModel
from tutor.sandbox import Limits
from tutor.search import LexicalSearch
from tutor.teaching.guard import QualityGuard
from tutor.teaching.intents import IntentClassifier
from tutor.teaching.keyness import NoteTerms
from tutor.teaching.lessons import LessonStore
from tutor.teaching.mentions import NoteMentions
from tutor.teaching.pass_rates import PassRates
from tutor.vectors import VectorStore


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TutorContext:
    """The runtime context of the tutor graph for one learner's turn."""

    owner: UUID
    """The learner; every store read and write is scoped to them."""
    thread_id: str
    """The conversation's thread (its checkpoints and lessons)."""
    chat_model: ChatModel
    """Writes lessons and answers (streamed) and structured exercises."""
    embeddings: Embeddings
    vectors: VectorStore
    """The learner's note passages."""
    documents: DocumentStore
    """The notes' chunks in reading order: a concept's own section, a listing it names."""
    planning_graphs: PlanningGraphs
    """The learner's concept graph, compiled for planning, and its concepts."""
    learner: LearnerStore
    """Attempts, mastery, reviews, preferences and paths."""
    lessons: LessonStore
    grader: ShortAnswerGrader
    guard: QualityGuard
    intents: IntentClassifier
    mentions: NoteMentions
    """Finds the chunks of the notes that mention what a question names."""
    note_terms: NoteTerms
    """How the learner's notes spread their words, for the key terms exercises ask about."""
    lexical: LexicalSearch | None = None
    """Finds the notes' chunks by their words, fused with ``vectors``; None: by meaning only."""
    settings: TeachingSettings = field(default_factory=TeachingSettings)
    pass_rates: PassRates = field(default_factory=PassRates)
    """How often the chat model's texts pass the guard; shared by the process's turns."""
    sandbox_limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = _now
    """The current time (timezone-aware); tests pass a fixed clock."""
