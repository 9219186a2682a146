"""Real notes cut as ingestion cuts them, for exercise tests: concepts and their passages.

No database: the Markdown is parsed, chunked and turned into concepts by the ingestion
code itself, and each chunk becomes a passage of the concept whose section holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tutor.graph.model import ConceptDraft
from tutor.ingest.chunking import chunk_document
from tutor.ingest.concepts import extract_concepts
from tutor.ingest.markdown import parse_markdown
from tutor.teaching.keyness import TermStatistics
from tutor.teaching.material import ConceptInfo, Passage

_ROOT = Path(__file__).resolve().parents[2]
MACRO = _ROOT / "tests" / "data" / "macroeconomics" / "notes"
_BOOK = _ROOT.parent / "shared" / "eval" / "rust-book"
BOOK = _BOOK if _BOOK.is_dir() else None
_NOT_NOTES = {"SUMMARY.md", "README_EVALDATA.md"}


@dataclass(frozen=True)
class Notes:
    """A corpus of notes as the tutor would hold it."""

    concepts: list[ConceptDraft]
    """In the author's order."""
    passages: dict[str, list[Passage]]
    """Concept key to the chunks of its own section, in reading order."""

    def statistics(self) -> TermStatistics:
        """How the notes spread their words over sections."""
        return TermStatistics.of([p.text for p in ps] for ps in self.passages.values())

    def teachable(self) -> list[ConceptDraft]:
        """Concepts with a section of their own to read."""
        return [c for c in self.concepts if c.role == "teachable" and self.passages.get(c.key)]

    def siblings(self, concept: ConceptDraft, width: int = 6) -> list[ConceptInfo]:
        """The concepts around ``concept`` in the author's order."""
        at = self.concepts.index(concept)
        near = self.concepts[max(0, at - width) : at + width + 1]
        return [info(c) for c in near if c.key != concept.key and c.role == "teachable"]


def info(concept: ConceptDraft) -> ConceptInfo:
    """The parts of a concept that teaching uses."""
    return ConceptInfo(
        concept.key, concept.title, concept.summary, concept.key_points, concept.terms
    )


def load(root: Path) -> Notes:
    """Every Markdown file under ``root``, in path order."""
    concepts: list[ConceptDraft] = []
    passages: dict[str, list[Passage]] = {}
    for number, path in enumerate(sorted(root.rglob("*.md"))):
        if path.name in _NOT_NOTES:
            continue
        name = str(path.relative_to(root))
        doc = parse_markdown(path.read_text(encoding="utf-8"), name=name)
        graph = extract_concepts(doc, position_base=number * 1000)
        concepts += graph.concepts
        for chunk in chunk_document(doc):
            key = graph.section_keys.get(chunk.section_position, "")
            passages.setdefault(key, []).append(
                Passage(
                    chunk_id=f"{name}:{chunk.position}",
                    text=chunk.text,
                    heading_path=" > ".join(chunk.heading_path),
                    document_path=name,
                    concept_key=key,
                    kind=chunk.kind,
                    score=0.8,
                )
            )
    return Notes(concepts, passages)
