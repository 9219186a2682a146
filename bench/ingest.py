"""Ingest an mdBook-style corpus and measure speed, graph agreement and retrieval.

    bench/ingest.py [CORPUS_DIR] [--questions FILE] [--data-dir DIR]
    bench/ingest.py --smoke    # three short chapters of the corpus and their questions

Runs the real stack in a fresh data directory (embedded PostgreSQL, embedded Chroma, the
real embedding model; the chat model is not needed). Reports: cold ingest seconds,
re-ingest seconds of the unchanged files, chunks, concepts, edges; precision and recall
of the chapter nesting (part_of between documents) against SUMMARY.md; the share of
prerequisite edges that agree with the book's reading order; and recall@5 of questions,
each with the section that answers it, for the tutor's search (hybrid: vectors and words
fused) and for the vector search alone, over every question and for each kind of question
("meaning", "lexical"). The last line is JSON.

``--data-dir`` keeps the data in DIR (made if missing) instead of a scratch directory,
so that a second run on it re-ingests only what changed.

``--smoke`` ingests a copy of three short chapters of the corpus (a chapter, one of its
sections, and another chapter) with SUMMARY.md, scored on the questions about them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_metrics import (
    QUESTION_KINDS,
    load_questions,
    normalize_title,
    order_agreement,
    pair_precision_recall,
    recall_at_k,
    summary_order,
    summary_parent_pairs,
)

from tutor.config import LLMSettings, Settings
from tutor.ingest.files import SourceFile, find_files
from tutor.resources import Resources, open_resources
from tutor.search import PostgresLexicalSearch, hybrid_search

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "eval" / "rust-book"
DEFAULT_QUESTIONS = HERE / "data" / "rust_book_questions.jsonl"
SMOKE_FILES = (
    "ch03-04-comments.md",
    "ch04-00-understanding-ownership.md",
    "ch04-02-references-and-borrowing.md",
)
"""Short files whose nesting SUMMARY.md gives, so that every figure has something to score."""
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def reading_order(corpus: Path, files: list[str]) -> list[str]:
    """Every heading of the book as ``file#title``, in reading order (the reference).

    Titles are normalised (case, punctuation, Markdown code marks) on both sides.
    """
    order = []
    for name in files:
        path = corpus / name
        if not path.exists():
            continue
        fenced = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced and (match := _HEADING.match(line)):
                order.append(f"{name}#{normalize_title(match[2])}")
    return order


async def graph_figures(
    resources: Resources, owner: UUID, corpus: Path, summary_text: str
) -> dict[str, float]:
    files = summary_order(summary_text)
    present = {p.name for p in corpus.glob("*.md")}
    expected = [(c, p) for c, p in summary_parent_pairs(summary_text) if {c, p} <= present]
    sections = await resources.documents.sections(owner)
    concepts = await resources.graph_store.concepts(owner)
    by_key = {c.key: c.id for c in concepts}
    # Each concept named as the reference names sections: the file and heading title.
    label: dict[object, str] = {}
    root_of: dict[object, str] = {}
    for path, items in sections.items():
        for index, item in enumerate(items):
            concept = by_key.get(str(item["key"]))
            if concept is None:
                continue
            label.setdefault(concept, f"{path}#{normalize_title(str(item['title']))}")
            if index == 0:
                root_of.setdefault(concept, path)
    part_of = await resources.graph_store.edges(owner, "part_of")
    predicted = [
        (root_of[e.source], root_of[e.target])
        for e in part_of
        if e.source in root_of and e.target in root_of
    ]
    precision, recall = pair_precision_recall(predicted, expected)
    prerequisites = await resources.graph_store.edges(owner, "prerequisite")
    agreement = order_agreement(
        [
            (label[e.source], label[e.target])
            for e in prerequisites
            if e.source in label and e.target in label
        ],
        reading_order(corpus, files),
    )
    return {
        "part_of_precision": round(precision, 3),
        "part_of_recall": round(recall, 3),
        "prereq_order_agreement": round(agreement, 3),
    }


async def retrieval_figures(
    resources: Resources, owner: UUID, questions_file: Path, k: int = 5
) -> dict[str, float | int]:
    """Recall@k of the tutor's hybrid search and of the vector search alone, by kind."""
    questions = load_questions(questions_file)
    lexical = PostgresLexicalSearch(resources.database.pool)
    found: dict[str, list[list[tuple[str, tuple[str, ...]]]]] = {"hybrid": [], "dense": []}
    for question in questions:
        runs = {
            "hybrid": await hybrid_search(resources.vectors, lexical, str(owner), question.q, k=k),
            "dense": await resources.vectors.search(str(owner), question.q, k=k),
        }
        for name, hits in runs.items():
            found[name].append(
                [
                    (str(h.metadata["path"]), tuple(str(h.metadata["heading_path"]).split(" > ")))
                    for h in hits
                ]
            )
        hybrid_hit = recall_at_k(found["hybrid"][-1:], [question.answer], k=k) == 1.0
        dense_hit = recall_at_k(found["dense"][-1:], [question.answer], k=k) == 1.0
        if hybrid_hit != dense_hit:
            won = "hybrid only" if hybrid_hit else "dense only"
            print(f"{won:>11} [{question.kind}] {question.q}", flush=True)
    figures: dict[str, float | int] = {}
    for kind in (None, *QUESTION_KINDS):
        chosen = [i for i, q in enumerate(questions) if kind is None or q.kind == kind]
        if not chosen:
            continue
        answers = [questions[i].answer for i in chosen]
        suffix = f"_{kind}" if kind else ""
        for name, key in (("hybrid", ""), ("dense", "_dense")):
            results = [found[name][i] for i in chosen]
            figures[f"recall_at_5{suffix}{key}"] = round(recall_at_k(results, answers, k=k), 3)
        figures[f"questions{suffix}"] = len(chosen)
    return figures


async def run(corpus: Path, questions: Path, data_dir: Path) -> dict[str, object]:
    settings = Settings(data_dir=data_dir, llm=LLMSettings(provider="fake"))
    sources = [SourceFile(name, path.read_bytes()) for path, name in find_files([corpus])]
    async with open_resources(settings, warm_up=False) as resources:
        learner = await resources.accounts.by_name("local")
        assert learner is not None, "the embedded setup creates the learner 'local'"
        owner = learner.id
        await resources.embeddings.aembed_query("load the model before timing")
        started = time.perf_counter()
        report = await resources.ingestor.ingest(owner, sources)
        ingest_seconds = time.perf_counter() - started
        failed = [f for f in report.files if f.status == "failed"]
        for outcome in failed:
            print(f"failed: {outcome.error}", flush=True)
        print(f"ingested {len(sources)} files in {ingest_seconds:.1f} s", flush=True)
        started = time.perf_counter()
        again = await resources.ingestor.ingest(owner, sources)
        reingest_seconds = time.perf_counter() - started
        unchanged = sum(f.status == "unchanged" for f in again.files)
        print(f"re-ingested ({unchanged} unchanged) in {reingest_seconds:.2f} s", flush=True)
        summary = corpus / "SUMMARY.md"
        figures = (
            await graph_figures(resources, owner, corpus, summary.read_text(encoding="utf-8"))
            if summary.exists()
            else {}
        )
        retrieval = await retrieval_figures(resources, owner, questions)
        chunks = sum(f.chunks for f in report.files)
    return {
        "corpus": corpus.name,
        "files": len(sources),
        "failed": len(failed),
        "ingest_seconds": round(ingest_seconds, 2),
        "reingest_seconds": round(reingest_seconds, 2),
        "chunks": chunks,
        "concepts": report.concepts,
        "edges": report.edges,
        "cycles_broken": len(report.cycles_broken),
        **figures,
        **retrieval,
    }


def smoke_corpus(corpus: Path, questions: Path, into: Path) -> tuple[Path, Path]:
    """A copy of the smoke files and SUMMARY.md, and the questions those files answer."""
    small = into / corpus.name
    small.mkdir()
    for name in ("SUMMARY.md", *SMOKE_FILES):
        if not (corpus / name).is_file():
            sys.exit(f"{name} not found in {corpus}")
        shutil.copy(corpus / name, small / name)
    kept = [
        line
        for line in questions.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line)["file"] in SMOKE_FILES
    ]
    subset = into / "questions.jsonl"
    subset.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return small, subset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--smoke", action="store_true", help="three short chapters only")
    parser.add_argument("--data-dir", type=Path, help="keep the data here (made if missing)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found: {args.corpus}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="tutor-ingest-bench-") as scratch:
        corpus, questions = args.corpus, args.questions
        if args.smoke:
            corpus, questions = smoke_corpus(corpus, questions, Path(scratch))
        data_dir = args.data_dir or Path(scratch) / "data"
        data_dir.mkdir(parents=True, exist_ok=True)
        figures = asyncio.run(run(corpus, questions, data_dir))
    print(json.dumps({**figures, "smoke": args.smoke}))


if __name__ == "__main__":
    main()
