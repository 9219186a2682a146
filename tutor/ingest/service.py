"""Ingestion: files to stored documents, chunks, vectors and concept-graph support.

Files are checked, parsed and chunked in worker processes (:mod:`tutor.ingest.parsing`);
every refusal happens there, before anything is written. Then, for each file in the
author's order: extract concepts, write the vectors of its new chunks (their ids staged
first), then its row and chunks in one transaction, which makes the whole version visible
at once, then the concept graph. A run that fails leaves the stored version as it was:
its staged vectors are deleted then, or at the owner's next run, and ``tutor reindex``
rebuilds every vector from the rows.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from uuid import UUID

from langchain_core.embeddings import Embeddings

from tutor.config import IngestSettings
from tutor.graph.model import Concept, ConceptDraft, EdgeDraft
from tutor.graph.port import GraphStore
from tutor.ingest.concepts import (
    enforce_dag,
    extract_concepts,
    normalise_title,
    with_central_claims,
)
from tutor.ingest.corpus import (
    TOC_NAME,
    TocEntry,
    author_order,
    document_context,
    document_edges,
    link_edges,
    missing_entries,
    toc_entries,
)
from tutor.ingest.errors import IngestError
from tutor.ingest.files import SourceFile
from tutor.ingest.index_page import index_toc, toc_rows
from tutor.ingest.parsing import FileParser
from tutor.ingest.prepare import PreparedFile
from tutor.ingest.roles import RoleRules
from tutor.ingest.store import (
    ChunkPlan,
    DocumentChangedError,
    DocumentStore,
    DocumentVersion,
    SavedDocument,
    StoredChunk,
)
from tutor.ingest.terms import document_term_edges
from tutor.ingest.titles import is_generic, placed_headings, repeated_headings
from tutor.vectors import VectorRecord, VectorStore

_log = logging.getLogger(__name__)

FileStatus = Literal["ingested", "unchanged", "failed"]
_POSITIONS_PER_DOCUMENT = 10_000
_EMBED_BATCH = 64
_CLEANUP_TIMEOUT_S = 10.0


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
    roles: dict[str, int] = field(default_factory=dict)
    """The owner's concepts by role (teachable, chapter, front_matter, ...)."""
    merged: dict[str, int] = field(default_factory=dict)
    """Sections of this run's documents that joined their parent's concept, by why:
    ``thin`` (too little text to teach alone) or ``recap`` (a summary of its parent)."""
    duplicate_titles: list[str] = field(default_factory=list)
    """Titles two of the owner's concepts share (none, unless something is wrong)."""
    notices: list[str] = field(default_factory=list)
    """What the learner should know about the notes: table-of-contents entries whose file
    is missing, documents with nothing to teach, no teachable concept at all."""


Progress = Callable[[FileOutcome | None, int], Awaitable[None]]
"""Called after each file (with its outcome) and after each embedded batch (with None and
the chunks embedded so far)."""


class Ingestor:
    """Ingests files for one owner at a time."""

    def __init__(
        self,
        documents: DocumentStore,
        graph: GraphStore,
        vectors: VectorStore,
        embeddings: Embeddings,
        settings: IngestSettings,
        parser: FileParser,
    ) -> None:
        self.documents = documents
        self.graph = graph
        self.vectors = vectors
        self.embeddings = embeddings
        self.settings = settings
        self.parser = parser

    async def ingest(
        self, owner: UUID, sources: Sequence[SourceFile], progress: Progress | None = None
    ) -> IngestReport:
        """Ingest ``sources``; a file that fails is reported and the others go on.

        One ingestion per owner runs at a time, across processes; this waits its turn.
        """
        async with self.documents.ingest_lock(owner):
            return await self._ingest(owner, sources, progress)

    async def _ingest(
        self, owner: UUID, sources: Sequence[SourceFile], progress: Progress | None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        await self._discard_staged(owner)
        report.chunks_embedded += await self._embed_pending(owner, progress, 0)
        prepared: list[PreparedFile] = []
        for source in sources:
            try:
                prepared.append(await self.parser.prepare(source))
            except IngestError as error:
                outcome = FileOutcome(source.path, "failed", error=str(error))
                report.files.append(outcome)
                if progress:
                    await progress(outcome, report.chunks_embedded)

        tables = [p for p in prepared if p.parsed is None]
        for table in tables:
            current = await self.documents.current_hash(owner, table.path)
            if current == (table.content_hash, True):
                report.files.append(FileOutcome(table.path, "unchanged"))
            else:
                await self._save_toc(owner, table)
                report.files.append(FileOutcome(table.path, "ingested"))
            if progress:
                await progress(report.files[-1], report.chunks_embedded)
        toc = toc_entries(tables[-1].toc if tables else await self.documents.toc(owner))

        notes = {p.path: p for p in prepared if p.parsed is not None}
        index = None
        if not toc:
            index = index_toc({path: p.parsed for path, p in notes.items() if p.parsed})
            if index is not None:
                toc = index[1]
        stored_paths = await self.documents.paths(owner)
        ordered = author_order(set(stored_paths) | set(notes), toc)
        sections = await self.documents.sections(owner)
        root_keys = {path: items[0]["key"] for path, items in sections.items() if items}
        existing = {c.key: c for c in await self.graph.concepts(owner)}
        repeated = _repeated_headings(notes, sections)

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
            try:
                outcome = await self._ingest_document(
                    owner,
                    item,
                    ordered.index(path),
                    ordered,
                    toc,
                    sections,
                    root_keys,
                    existing,
                    stored_paths.get(path),
                    progress,
                    report,
                    repeated,
                )
            except DocumentChangedError as error:
                # Deleted while it was being read: this file fails, the others go on.
                outcome = FileOutcome(path, "failed", error=str(error))
            report.files.append(outcome)
            if progress:
                await progress(outcome, report.chunks_embedded)

        if index is not None:
            # Kept with the index page, so that a later upload of one chapter finds it.
            await self.documents.set_toc(owner, index[0], toc_rows(index[1]))
        report.cycles_broken = await self._break_cycles(owner)
        stored = await self.graph.concepts(owner)
        report.concepts = len(stored)
        report.edges = len(await self.graph.edges(owner))
        _describe_curriculum(report, stored, toc, ordered)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    async def delete(self, owner: UUID, document_id: UUID) -> bool:
        """Delete a document: its rows, its vectors, and the graph only it supported."""
        removed = await self.documents.delete(owner, document_id)
        if removed is None:
            return False
        await self._forget_vectors(owner, removed)
        await self.graph.remove_document(owner, document_id)
        return True

    async def reindex(self, owner: UUID | None = None) -> int:
        """Rebuild the vector store from PostgreSQL (one owner, or all); chunks written."""
        owners = [owner] if owner is not None else await self.documents.owners()
        written = 0
        for each in owners:
            async with self.documents.ingest_lock(each):
                # Everything goes, orphans included; then every chunk is pending again.
                await self.vectors.delete(str(each), where={})
                await self.documents.mark_all_unembedded(each)
                written += await self._embed_pending(each, None, 0)
        return written

    async def check(self, source: SourceFile) -> None:
        """Raise the :class:`IngestError` of the checks an upload makes at once, if any.

        Type, size, encoding and structural limits; parsing, which may take seconds,
        happens in the ingestion job, and its refusals are reported there.
        """
        await self.parser.check(source)

    async def close(self) -> None:
        """Stop the parse workers."""
        await self.parser.close()

    # -- one document ----------------------------------------------------------------

    async def _save_toc(self, owner: UUID, item: PreparedFile) -> None:
        version = DocumentVersion(
            path=item.path,
            kind="toc",
            title="Table of contents",
            content_hash=item.content_hash,
            size_bytes=item.size_bytes,
            front_matter={},
            sections=[],
            toc=item.toc,
        )
        plan = await self.documents.plan(owner, item.path, [], [])
        saved = await self.documents.commit(owner, version, plan)
        await self._forget_vectors(owner, saved.removed)
        await self.documents.mark_graph_synced(owner, saved.id)

    async def _ingest_document(
        self,
        owner: UUID,
        item: PreparedFile,
        index: int,
        ordered: Sequence[str],
        toc: Sequence[TocEntry],
        sections: dict[str, list[dict[str, Any]]],
        root_keys: dict[str, str],
        existing: dict[str, Concept],
        previous: UUID | None,
        progress: Progress | None,
        report: IngestReport,
        repeated: frozenset[str],
    ) -> FileOutcome:
        parsed = item.parsed
        assert parsed is not None
        path = item.path
        chunks = item.chunks
        context = document_context(path, toc, ordered)
        graph = extract_concepts(
            parsed,
            position_base=index * _POSITIONS_PER_DOCUMENT,
            rules=self._rules(),
            context=context,
            repeated=repeated,
        )
        graph = await with_central_claims(graph, self.embeddings.aembed_documents)
        for kind, count in graph.merged.items():
            report.merged[kind] = report.merged.get(kind, 0) + count
        renamed = await self._renames(
            graph.concepts, existing, parsed.title, path, previous, graph.qualified_keys
        )
        concepts = [
            replace(
                c,
                key=renamed.get(c.key, c.key),
                title=_qualified_titles(c.title, parsed.title, path)[0]
                if c.key in renamed
                else c.title,
            )
            for c in graph.concepts
        ]
        concepts = _unique_titles(concepts, existing, previous, parsed.title, path)
        # Front matter or a chapter whose parts are other files is expected to teach
        # nothing; a file of headings alone deserves a word.
        if not context.has_parts and all(c.role == "chapter" for c in concepts):
            report.notices.append(f"{path}: nothing to teach here (no teachable section)")
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
            size_bytes=item.size_bytes,
            front_matter=dict(parsed.front_matter),
            sections=section_list,
            toc=[],
        )
        chunk_keys = [key_of_section.get(c.section_position) for c in chunks]
        plan = await self.documents.plan(owner, path, chunks, chunk_keys)
        saved = await self._write_version(owner, version, plan, progress, report)
        # The old version's vectors go now that no row names them (or at the next run).
        await self._forget_vectors(owner, saved.removed)
        sections[path] = section_list
        root_keys[path] = root_key

        links = [(renamed.get(k, k), target, anchor) for k, target, anchor in graph.external_links]
        edges += document_edges(path, root_key, ordered, toc, root_keys)
        edges += link_edges(path, links, sections, ordered)
        edges += document_term_edges(
            parsed, concepts, key_of_section, existing.values(), edges, replaced=previous
        )
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
                role=concept.role,
                terms=concept.terms,
            )
        outcome = FileOutcome(
            path, "ingested", document_id=saved.id, chunks=len(chunks), concepts=len(concepts)
        )
        return outcome

    async def _renames(
        self,
        concepts: Sequence[ConceptDraft],
        existing: dict[str, Concept],
        document_title: str,
        path: str,
        previous: UUID | None,
        qualified_keys: frozenset[str] = frozenset(),
    ) -> dict[str, str]:
        """Keys to change: same title and similar meaning merge, a chance namesake does not.

        Two chapters' "Notes" have one normalised title but different content each time;
        merging those would wrongly make one concept of them. A generic heading (named with
        its parent) never merges: its namesake in another document is another chapter's.
        A concept that only the document's previous version holds is the same concept,
        however much its text changed: comparing it would cost an embedding per section
        of every re-upload, and rename the sections that were rewritten.
        """
        clashes = [
            c for c in concepts if c.key in existing and not existing[c.key].documents <= {previous}
        ]

        def new_key(key: str) -> str:
            # The document's title names the new key, unless the key holds it already or
            # another document took that name: then its path, unique among the owner's.
            title = normalise_title(document_title)
            named = f"{key} ({title})"
            if title and title not in key and named not in existing:
                return named
            return f"{key} ({normalise_title(path) or path})"

        renamed = {c.key: new_key(c.key) for c in clashes if c.key in qualified_keys}
        clashes = [c for c in clashes if c.key not in qualified_keys]
        if not clashes:
            return renamed
        texts = [f"{c.title}. {c.summary}" for c in clashes]
        texts += [f"{existing[c.key].title}. {existing[c.key].summary}" for c in clashes]
        vectors = await self.embeddings.aembed_documents(texts)
        renamed.update(
            (concept.key, new_key(concept.key))
            for index, concept in enumerate(clashes)
            if _cosine(vectors[index], vectors[index + len(clashes)])
            < self.settings.merge_similarity
        )
        return renamed

    def _rules(self) -> RoleRules:
        return RoleRules(
            thin_words=self.settings.thin_section_words,
            chapter_words=self.settings.chapter_intro_words,
            navigation_link_share=self.settings.navigation_link_share,
        )

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

    async def _write_version(
        self,
        owner: UUID,
        version: DocumentVersion,
        plan: ChunkPlan,
        progress: Progress | None,
        report: IngestReport,
    ) -> SavedDocument:
        """Write the new chunks' vectors, then commit the version; undo the vectors on failure."""
        ids = [c.id for c in plan.fresh]
        await self.documents.stage_vectors(owner, ids)
        try:
            for start in range(0, len(plan.fresh), _EMBED_BATCH):
                batch = plan.fresh[start : start + _EMBED_BATCH]
                await self.vectors.add(
                    [
                        _record(
                            owner,
                            StoredChunk(
                                id=c.id,
                                document_id=plan.document_id,
                                document_path=version.path,
                                heading_path=c.draft.heading_path,
                                concept_key=c.concept_key,
                                kind=c.draft.kind,
                                text=c.draft.text,
                            ),
                        )
                        for c in batch
                    ]
                )
                report.chunks_embedded += len(batch)
                if progress:
                    await progress(None, report.chunks_embedded)
            return await self.documents.commit(owner, version, plan)
        except BaseException:
            await asyncio.shield(self._forget_vectors(owner, ids))
            raise

    async def _forget_vectors(self, owner: UUID, ids: Sequence[UUID]) -> None:
        """Delete vectors no stored chunk names (staged); if not now, at the next run."""
        if not ids:
            return
        try:
            async with asyncio.timeout(_CLEANUP_TIMEOUT_S):
                await self.vectors.delete(str(owner), ids=[str(i) for i in ids])
                await self.documents.unstage_vectors(ids)
        except Exception:
            _log.warning("staged vectors of %s stay until its next ingestion", owner, exc_info=True)

    async def _discard_staged(self, owner: UUID) -> None:
        # Left by a run that died between writing vectors and committing their rows.
        staged = await self.documents.staged_vectors(owner)
        if staged:
            _log.info("deleting %d vectors of an unfinished ingestion", len(staged))
            await self.vectors.delete(str(owner), ids=[str(i) for i in staged])
            await self.documents.unstage_vectors(staged)

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


def _repeated_headings(
    notes: dict[str, PreparedFile], sections: dict[str, list[dict[str, Any]]]
) -> frozenset[str]:
    """Headings the corpus repeats under different parents.

    This run's documents count by their sections' parents; the stored sections of the
    others by their document (their parents are not stored).
    """
    placed: list[tuple[str, str]] = []
    for path, item in notes.items():
        if item.parsed is not None:
            placed += placed_headings(path, item.parsed.root)
    for path, items in sections.items():
        if path not in notes:
            placed += [(str(s["title"]), path) for s in items[1:]]
    return repeated_headings(placed)


def _qualified_titles(title: str, document_title: str, path: str) -> list[str]:
    """``title`` named with its document: "Terms (Week 2)", or with its path.

    The document's title serves unless it is no help: empty, generic such as "Notes", or
    already in the title.
    """
    names = []
    if (
        document_title.strip()
        and not is_generic(document_title)
        and normalise_title(document_title) not in normalise_title(title)
    ):
        names.append(f"{title} ({document_title.strip()})")
    names.append(f"{title} ({path})")
    return names


def _unique_titles(
    concepts: Sequence[ConceptDraft],
    existing: dict[str, Concept],
    previous: UUID | None,
    document_title: str,
    path: str,
) -> list[ConceptDraft]:
    """Give a concept whose title another concept of the owner holds a qualified title.

    Titles compare as keys do (case and punctuation aside). The other concepts are those
    of other documents (not this document's previous version) and those of this one
    already named; the qualifier is the document's title, else its path.
    """
    taken = {
        normalise_title(c.title): c.key
        for c in existing.values()
        if not c.documents <= ({previous} if previous else set())
    }
    unique: list[ConceptDraft] = []
    for concept in concepts:
        title = concept.title
        for candidate in _qualified_titles(concept.title, document_title, path):
            holder = taken.get(normalise_title(title))
            if holder is None or holder == concept.key:
                break
            title = candidate
        taken[normalise_title(title)] = concept.key
        unique.append(replace(concept, title=title) if title != concept.title else concept)
    return unique


def _describe_curriculum(
    report: IngestReport, stored: Sequence[Concept], toc: Sequence[TocEntry], ordered: Sequence[str]
) -> None:
    """Fill the report's counts by role, duplicate titles and notices about the corpus."""
    roles: dict[str, int] = {}
    titles: dict[str, list[str]] = {}
    for concept in stored:
        roles[concept.role] = roles.get(concept.role, 0) + 1
        titles.setdefault(normalise_title(concept.title), []).append(concept.title)
    report.roles = roles
    report.duplicate_titles = sorted(t[0] for t in titles.values() if len(t) > 1)
    missing = missing_entries(toc, ordered)
    if missing:
        names = ", ".join(e.path for e in missing[:5]) + (", ..." if len(missing) > 5 else "")
        report.notices.append(
            f"{TOC_NAME} names {len(missing)} file(s) that were not uploaded: {names}"
        )
    if stored and not roles.get("teachable"):
        report.notices.append("no section of these notes has enough text to teach")


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
