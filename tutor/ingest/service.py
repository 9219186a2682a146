"""Ingestion: files to stored documents, chunks, vectors and concept-graph support.

For each file, in the author's order: decode and parse (every refusal happens here, before
anything is written), cut chunks and extract concepts, then write the document and its
chunks in one transaction, then the concept graph, then the vectors. Vectors follow the
rows: a chunk is marked embedded only once Chroma holds it, so an interrupted run leaves
work that the next run (or ``tutor reindex``) finishes, never a half-written document.
"""

from __future__ import annotations

import hashlib
import logging
import math
import posixpath
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from uuid import UUID

from langchain_core.embeddings import Embeddings

from tutor.config import IngestSettings
from tutor.graph.model import Concept, ConceptDraft, EdgeDraft
from tutor.graph.port import GraphStore
from tutor.ingest.chunking import chunk_document
from tutor.ingest.concepts import enforce_dag, extract_concepts, normalise_title
from tutor.ingest.corpus import (
    TOC_NAME,
    TocEntry,
    author_order,
    document_edges,
    link_edges,
    toc_entries,
)
from tutor.ingest.errors import IngestError
from tutor.ingest.files import SourceFile, decode
from tutor.ingest.markdown import ParsedDocument, parse_markdown
from tutor.ingest.store import DocumentStore, DocumentVersion, StoredChunk
from tutor.ingest.summary import parse_summary
from tutor.vectors import VectorRecord, VectorStore

_log = logging.getLogger(__name__)

FileStatus = Literal["ingested", "unchanged", "failed"]
_POSITIONS_PER_DOCUMENT = 10_000
_EMBED_BATCH = 64


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: str
    status: FileStatus
    error: str | None = None
    document_id: UUID | None = None
    chunks: int = 0
    concepts: int = 0


@dataclass
class IngestReport:
    """The outcome of one ingestion run."""

    files: list[FileOutcome] = field(default_factory=list)
    chunks_embedded: int = 0
    concepts: int = 0
    edges: int = 0
    cycles_broken: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0


Progress = Callable[[FileOutcome | None, int], Awaitable[None]]
"""Called after each file (with its outcome) and after each embedded batch (with None and
the chunks embedded so far)."""


@dataclass
class _Prepared:
    source: SourceFile
    text: str
    content_hash: str
    parsed: ParsedDocument | None = None
    toc: list[dict[str, Any]] = field(default_factory=list)


class Ingestor:
    """Ingests files for one owner at a time."""

    def __init__(
        self,
        documents: DocumentStore,
        graph: GraphStore,
        vectors: VectorStore,
        embeddings: Embeddings,
        settings: IngestSettings,
        count_tokens: Callable[[str], int],
    ) -> None:
        self.documents = documents
        self.graph = graph
        self.vectors = vectors
        self.embeddings = embeddings
        self.settings = settings
        self.count_tokens = count_tokens

    async def ingest(
        self, owner: UUID, sources: Sequence[SourceFile], progress: Progress | None = None
    ) -> IngestReport:
        """Ingest ``sources``; a file that fails is reported and the others go on."""
        started = time.perf_counter()
        report = IngestReport()
        prepared: list[_Prepared] = []
        for source in sources:
            try:
                prepared.append(self._prepare(source))
            except IngestError as error:
                outcome = FileOutcome(source.path, "failed", error=str(error))
                report.files.append(outcome)
                if progress:
                    await progress(outcome, report.chunks_embedded)

        tables = [p for p in prepared if p.parsed is None]
        for table in tables:
            current = await self.documents.current_hash(owner, table.source.path)
            if current == (table.content_hash, True):
                report.files.append(FileOutcome(table.source.path, "unchanged"))
            else:
                await self._save_toc(owner, table)
                report.files.append(FileOutcome(table.source.path, "ingested"))
            if progress:
                await progress(report.files[-1], report.chunks_embedded)
        toc = toc_entries(tables[-1].toc if tables else await self.documents.toc(owner))

        notes = {p.source.path: p for p in prepared if p.parsed is not None}
        stored_paths = await self.documents.paths(owner)
        ordered = author_order(set(stored_paths) | set(notes), toc)
        sections = await self.documents.sections(owner)
        root_keys = {path: items[0]["key"] for path, items in sections.items() if items}
        existing = {c.key: c for c in await self.graph.concepts(owner)}

        for path in ordered:
            item = notes.get(path)
            if item is None:
                continue
            current = await self.documents.current_hash(owner, path)
            if current == (item.content_hash, True):
                report.files.append(FileOutcome(path, "unchanged"))
                if progress:
                    await progress(report.files[-1], report.chunks_embedded)
                continue
            outcome = await self._ingest_document(
                owner, item, ordered.index(path), ordered, toc, sections, root_keys, existing
            )
            report.files.append(outcome)
            report.chunks_embedded += await self._embed_pending(
                owner, progress, report.chunks_embedded
            )
            if progress:
                await progress(outcome, report.chunks_embedded)

        report.cycles_broken = await self._break_cycles(owner)
        report.concepts = len(await self.graph.concepts(owner))
        report.edges = len(await self.graph.edges(owner))
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    async def delete(self, owner: UUID, document_id: UUID) -> bool:
        """Delete a document: its rows, its vectors, and the graph only it supported."""
        removed = await self.documents.delete(owner, document_id)
        if removed is None:
            return False
        await self.graph.remove_document(owner, document_id)
        if removed:
            await self.vectors.delete(str(owner), ids=[str(i) for i in removed])
        return True

    async def reindex(self, owner: UUID | None = None) -> int:
        """Rebuild the vector store from PostgreSQL (one owner, or all); chunks written."""
        owners = [owner] if owner is not None else await self.documents.owners()
        written = 0
        for each in owners:
            # Everything goes, orphans included; then every chunk is pending again.
            await self.vectors.delete(str(each), where={})
            await self.documents.mark_all_unembedded(each)
            written += await self._embed_pending(each, None, 0)
        return written

    def check(self, source: SourceFile) -> None:
        """Raise the :class:`IngestError` that ingesting ``source`` would meet, if any.

        Decoding and parsing are cheap, so an upload can refuse bad files at once.
        """
        self._prepare(source)

    # -- one document ----------------------------------------------------------------

    def _prepare(self, source: SourceFile) -> _Prepared:
        text = decode(source, max_bytes=self.settings.max_file_bytes)
        content_hash = hashlib.sha256(source.data).hexdigest()
        if posixpath.basename(source.path) == TOC_NAME:
            entries = parse_summary(text)
            base = posixpath.dirname(source.path)
            toc = [
                {
                    "path": posixpath.normpath(posixpath.join(base, e.path)),
                    "parent_path": (
                        posixpath.normpath(posixpath.join(base, e.parent_path))
                        if e.parent_path
                        else None
                    ),
                    "title": e.title,
                }
                for e in entries
            ]
            return _Prepared(source, text, content_hash, toc=toc)
        parsed = parse_markdown(text, name=source.path)
        return _Prepared(source, text, content_hash, parsed=parsed)

    async def _save_toc(self, owner: UUID, item: _Prepared) -> None:
        version = DocumentVersion(
            path=item.source.path,
            kind="toc",
            title="Table of contents",
            content_hash=item.content_hash,
            size_bytes=len(item.source.data),
            front_matter={},
            sections=[],
            toc=item.toc,
        )
        saved = await self.documents.save(owner, version, [], [])
        await self.documents.mark_graph_synced(owner, saved.id)

    async def _ingest_document(
        self,
        owner: UUID,
        item: _Prepared,
        index: int,
        ordered: Sequence[str],
        toc: Sequence[TocEntry],
        sections: dict[str, list[dict[str, Any]]],
        root_keys: dict[str, str],
        existing: dict[str, Concept],
    ) -> FileOutcome:
        parsed = item.parsed
        assert parsed is not None
        path = item.source.path
        chunks = chunk_document(
            parsed, max_tokens=self.settings.chunk_max_tokens, count_tokens=self.count_tokens
        )
        graph = extract_concepts(parsed, position_base=index * _POSITIONS_PER_DOCUMENT)
        renamed = await self._renames(graph.concepts, existing, parsed.title)
        concepts = [replace(c, key=renamed.get(c.key, c.key)) for c in graph.concepts]
        edges = [
            replace(
                e, source=renamed.get(e.source, e.source), target=renamed.get(e.target, e.target)
            )
            for e in graph.edges
        ]
        key_of_section = {
            position: renamed.get(key, key) for position, key in graph.section_keys.items()
        }
        root_key = key_of_section[parsed.root.position]
        section_list = [
            {"anchor": s.anchor, "key": key_of_section[s.position], "title": s.title}
            for s in parsed.root.walk()
            if s.position in key_of_section
        ]
        version = DocumentVersion(
            path=path,
            kind="notes",
            title=parsed.title,
            content_hash=item.content_hash,
            size_bytes=len(item.source.data),
            front_matter=dict(parsed.front_matter),
            sections=section_list,
            toc=[],
        )
        chunk_keys = [key_of_section.get(c.section_position) for c in chunks]
        saved = await self.documents.save(owner, version, chunks, chunk_keys)
        sections[path] = section_list
        root_keys[path] = root_key

        links = [(renamed.get(k, k), target, anchor) for k, target, anchor in graph.external_links]
        edges += document_edges(path, root_key, ordered, toc, root_keys)
        edges += link_edges(path, links, sections, ordered)
        edges = _without_unknown(edges, {c.key for c in concepts} | set(existing))
        ids = await self.graph.put_document_graph(owner, saved.id, concepts, edges)
        await self.documents.mark_graph_synced(owner, saved.id)
        for concept in concepts:
            existing[concept.key] = Concept(
                id=ids[concept.key],
                owner=owner,
                key=concept.key,
                title=concept.title,
                summary=concept.summary,
                level=concept.level,
                key_points=concept.key_points,
                position=concept.position,
                documents=frozenset({saved.id}),
            )
        if saved.removed:
            await self.vectors.delete(str(owner), ids=[str(i) for i in saved.removed])
        outcome = FileOutcome(
            path, "ingested", document_id=saved.id, chunks=len(chunks), concepts=len(concepts)
        )
        return outcome

    async def _renames(
        self, concepts: Sequence[ConceptDraft], existing: dict[str, Concept], document_title: str
    ) -> dict[str, str]:
        """Keys to change: same title and similar meaning merge, a chance namesake does not.

        A "Summary" section in every chapter has one normalised title but different
        content each time; merging those would wrongly make one concept of them.
        """
        clashes = [c for c in concepts if c.key in existing]
        if not clashes:
            return {}
        texts = [f"{c.title}. {c.summary}" for c in clashes]
        texts += [f"{existing[c.key].title}. {existing[c.key].summary}" for c in clashes]
        vectors = await self.embeddings.aembed_documents(texts)
        qualifier = normalise_title(document_title)
        return {
            concept.key: f"{concept.key} ({qualifier})"
            for index, concept in enumerate(clashes)
            if _cosine(vectors[index], vectors[index + len(clashes)])
            < self.settings.merge_similarity
        }

    async def _break_cycles(self, owner: UUID) -> list[dict[str, object]]:
        stored = await self.graph.edges(owner, "prerequisite")
        drafts = [
            EdgeDraft(str(e.source), str(e.target), e.kind, e.weight, e.origin) for e in stored
        ]
        _, removed = enforce_dag(drafts)
        if not removed:
            return []
        await self.graph.delete_edges(
            owner, [(UUID(e.source), UUID(e.target), e.kind) for e in removed]
        )
        titles = {str(c.id): c.title for c in await self.graph.concepts(owner)}
        broken = [
            {
                "source": titles.get(e.source, e.source),
                "target": titles.get(e.target, e.target),
                "weight": e.weight,
                "origin": e.origin,
            }
            for e in removed
        ]
        _log.info("broke %d prerequisite cycle(s): %s", len(broken), broken)
        return broken

    # -- vectors ---------------------------------------------------------------------

    async def _embed_pending(self, owner: UUID, progress: Progress | None, done: int) -> int:
        """Write the vectors of every chunk not yet embedded; how many were written."""
        pending = await self.documents.unembedded(owner)
        written = 0
        for start in range(0, len(pending), _EMBED_BATCH):
            chunks = await self.documents.chunks(owner, pending[start : start + _EMBED_BATCH])
            await self.vectors.add([_record(owner, c) for c in chunks])
            await self.documents.mark_embedded([c.id for c in chunks])
            written += len(chunks)
            if progress:
                await progress(None, done + written)
        return written


def _record(owner: UUID, chunk: StoredChunk) -> VectorRecord:
    heading = " > ".join(chunk.heading_path)
    return VectorRecord(
        id=str(chunk.id),
        owner=str(owner),
        # The heading path travels with the text: questions often name the section.
        text=f"{heading}\n\n{chunk.text}" if heading else chunk.text,
        metadata={
            "document": str(chunk.document_id),
            "path": chunk.document_path,
            "concept": chunk.concept_key or "",
            "heading_path": heading,
            "kind": chunk.kind,
        },
    )


def _without_unknown(edges: Sequence[EdgeDraft], keys: set[str]) -> list[EdgeDraft]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for edge in edges:
        ident = (edge.source, edge.target, edge.kind)
        known = edge.source in keys and edge.target in keys
        if known and edge.source != edge.target and ident not in seen:
            seen.add(ident)
            kept.append(edge)
    return kept


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0
