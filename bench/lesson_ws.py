"""Lessons through /ws on the embedded stack with the real local model.

Starts `tutor serve` on a fresh data directory, uploads chapters of the Rust book as
notes, then asks for lessons over a real WebSocket and measures:

- time to the first lesson token, and to the ``lesson`` event, for the first lesson on
  each of several concepts;
- lesson novelty over several lessons in a row on one concept (the ``novelty`` field:
  1 - the highest cosine to the learner's earlier lessons on it), and ``rewritten``;
- the share of lessons whose every citation points at a retrieved passage: each ``[n]``
  of the text has a citation entry, and each entry's text occurs verbatim in the notes;
- how many lessons the model wrote and how many were quoted from the notes.

``--smoke`` asks for lessons on one concept of one chapter, then one on another,
with a handful of tokens each: it checks the bench still runs, in about a minute.

Prints one line per lesson, then the figures as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import ServeError, Tutor, serve, upload_notes

from tutor.teaching.citations import cited_numbers

DEFAULT_NOTES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "rust-book"
DEFAULT_FILES = (
    "ch04-*.md",
    "ch03-01-variables-and-mutability.md",
    "ch08-01-vectors.md",
)
OWNERSHIP_FILES = "ch04-"
"""Concepts of the ownership chapter are the ones lessons are asked on."""
TURN_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Lesson:
    """One lesson turn as the client saw it."""

    concept_id: str
    title: str
    ttft_ms: float | None
    lesson_ms: float
    source: str
    novelty: float
    rewritten: bool
    citations: int
    citation_problems: tuple[str, ...]
    citations_blockwise: bool
    text_matches_stream: bool
    exercises: int
    resets: int


def _lesson_turn(ws: ClientConnection, concept_id: str, notes: list[str]) -> Lesson:
    sent = time.perf_counter()
    ws.send(json.dumps({"v": 1, "type": "start_lesson", "concept_id": concept_id}))
    first_token: float | None = None
    streamed = ""
    resets = 0
    lesson: dict[str, Any] | None = None
    lesson_at = 0.0
    exercises = 0
    while True:
        event = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        kind = event["type"]
        if kind == "token":
            if first_token is None:
                first_token = time.perf_counter()
            if lesson is None:
                streamed += event["text"]
        elif kind == "reset" and lesson is None:
            streamed = ""
            resets += 1
        elif kind == "lesson":
            lesson, lesson_at = event, time.perf_counter()
        elif kind == "exercise":
            exercises += 1
        elif kind == "error":
            raise RuntimeError(f"lesson on {concept_id} failed: {event}")
        elif kind == "done":
            break
    if lesson is None:
        raise RuntimeError(f"no lesson event for {concept_id}")
    return Lesson(
        concept_id=concept_id,
        title=lesson["title"],
        ttft_ms=None if first_token is None else (first_token - sent) * 1000,
        lesson_ms=(lesson_at - sent) * 1000,
        source=lesson["source"],
        novelty=float(lesson["novelty"]),
        rewritten=bool(lesson["rewritten"]),
        citations=len(lesson["citations"]),
        citation_problems=tuple(citation_problems(lesson, notes)),
        citations_blockwise=citations_blockwise(lesson, notes),
        text_matches_stream=lesson["text"] == streamed,
        exercises=exercises,
        resets=resets,
    )


def citation_problems(lesson: dict[str, Any], notes: list[str]) -> list[str]:
    """Cited numbers without an entry, and entries whose text is not cut from the notes."""
    entries = {c["number"]: c for c in lesson["citations"]}
    problems = [f"[{n}] has no entry" for n in cited_numbers(lesson["text"]) if n not in entries]
    problems += [
        f"[{n}] text is not in the notes: {entry['text'][:120]!r}"
        for n, entry in sorted(entries.items())
        if not any(entry["text"] in text for text in notes)
    ]
    return problems


def citations_blockwise(lesson: dict[str, Any], notes: list[str]) -> bool:
    """Whether each blank-line-separated part of every citation occurs verbatim in the notes.

    Looser than :func:`citation_problems`: a passage that joins blocks of the notes which
    are not adjacent there (around a skipped image, or paragraphs of a block quote) still
    counts, while text the notes do not hold does not.
    """
    return all(
        any(part in text for text in notes)
        for entry in lesson["citations"]
        for part in entry["text"].split("\n\n")
        if part.strip()
    )


def _concepts(tutor: Tutor, limit: int) -> list[dict[str, Any]]:
    """Concepts of the ownership chapter (at least ``limit``), in the author's order."""
    with tutor.client() as client:
        documents = client.get("/api/v1/documents").json()
        graph = client.get("/api/v1/graph").json()
    chapter = {d["id"] for d in documents if Path(d["path"]).name.startswith(OWNERSHIP_FILES)}
    nodes = sorted(graph["nodes"], key=lambda n: (n["position"], n["level"]))
    chosen = [n for n in nodes if chapter & set(n["documents"])]
    if len(chosen) < limit:
        raise ServeError(f"only {len(chosen)} concepts in the ownership chapter")
    return chosen


def _show(label: str, lesson: Lesson) -> None:
    ttft = "-" if lesson.ttft_ms is None else f"{lesson.ttft_ms:.0f}"
    print(
        f"{label} {lesson.title!r}: ttft_ms={ttft} lesson_ms={lesson.lesson_ms:.0f} "
        f"source={lesson.source} novelty={lesson.novelty:.3f} rewritten={lesson.rewritten} "
        f"citations={lesson.citations} valid={not lesson.citation_problems} "
        f"text_matches_stream={lesson.text_matches_stream} resets={lesson.resets} "
        f"exercises={lesson.exercises}",
        flush=True,
    )
    for problem in lesson.citation_problems:
        print(f"  citation problem: {problem}", flush=True)


def _measure(
    tutor: Tutor, notes: list[str], concepts: int, repeats: int, novelty_title: str
) -> dict[str, Any]:
    chapter = _concepts(tutor, concepts + 1)
    named = [n for n in chapter if n["title"].casefold() == novelty_title.casefold()]
    # The repeated concept gets no other lesson first, so its first novelty is 1.0.
    repeated = named[0] if named else chapter[0]
    spread = [n for n in chapter if n["id"] != repeated["id"]][:concepts]
    lessons: list[Lesson] = []
    with connect(tutor.ws_url, max_size=None) as ws:
        ws.send(json.dumps({"v": 1, "type": "hello"}))
        if json.loads(ws.recv(timeout=TURN_TIMEOUT_S))["type"] != "ready":
            sys.exit("the server did not open the thread")
        firsts: list[Lesson] = []
        for node in spread:
            lesson = _lesson_turn(ws, node["id"], notes)
            _show("first lesson", lesson)
            firsts.append(lesson)
        series: list[Lesson] = []
        for n in range(1, repeats + 1):
            lesson = _lesson_turn(ws, repeated["id"], notes)
            _show(f"lesson {n}/{repeats} on the same concept", lesson)
            series.append(lesson)
        lessons = firsts + series
    ttfts = [lesson.ttft_ms for lesson in firsts if lesson.ttft_ms is not None]
    sources: dict[str, int] = {}
    for lesson in lessons:
        sources[lesson.source] = sources.get(lesson.source, 0) + 1
    novelty = [round(lesson.novelty, 4) for lesson in series]
    return {
        "model": "gemma3-270m-q4_k_m (llama.cpp, embedded)",
        "lessons": len(lessons),
        "ttft_concepts": len(firsts),
        "ttft_ms_p50": round(statistics.median(ttfts), 1) if ttfts else None,
        "ttft_ms_max": round(max(ttfts), 1) if ttfts else None,
        "lesson_ms_p50": round(statistics.median(x.lesson_ms for x in firsts), 1),
        "lesson_ms_max": round(max(x.lesson_ms for x in firsts), 1),
        "novelty_concept": repeated["title"],
        "novelty": novelty,
        "novelty_min_after_first": min(novelty[1:]) if len(novelty) > 1 else None,
        "rewritten": [lesson.rewritten for lesson in series],
        "citations_valid_share": round(
            sum(not lesson.citation_problems for lesson in lessons) / len(lessons), 3
        ),
        "citations_blockwise_valid_share": round(
            sum(lesson.citations_blockwise for lesson in lessons) / len(lessons), 3
        ),
        "uncited_lessons": sum(lesson.citations == 0 for lesson in lessons),
        "text_matches_stream_share": round(
            sum(lesson.text_matches_stream for lesson in lessons) / len(lessons), 3
        ),
        "sources": sources,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    parser.add_argument("--files", nargs="+", default=list(DEFAULT_FILES))
    parser.add_argument("--concepts", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument(
        "--novelty-title",
        default="What Is Ownership?",
        help="the concept asked for lessons in a row (default: the chapter's main section)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="one chapter, 2 lessons of 8 tokens: checks it runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.files, args.concepts, args.repeats = ["ch04-02-references-and-borrowing.md"], 1, 1
        args.max_tokens, args.novelty_title = 8, "References and Borrowing"
    if not args.notes.is_dir():
        sys.exit(f"no notes folder at {args.notes}: pass the Rust book's chapters with --notes")
    files = sorted({path for pattern in args.files for path in args.notes.glob(pattern)})
    if not any(path.name.startswith(OWNERSHIP_FILES) for path in files):
        sys.exit(f"no ownership chapter ({OWNERSHIP_FILES}*.md) in {args.notes}")
    notes = [path.read_text() for path in files]
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as data_dir:
        try:
            with serve(Path(data_dir), env={"TUTOR_LLM_MAX_TOKENS": str(args.max_tokens)}) as tutor:
                print(f"server answered after {tutor.startup_s:.1f} s", flush=True)
                started = time.perf_counter()
                job = upload_notes(tutor, files)
                ingest_s = time.perf_counter() - started
                print(
                    f"ingested {len(files)} files, {job['chunks_total']} chunks "
                    f"in {ingest_s:.1f} s",
                    flush=True,
                )
                figures = _measure(tutor, notes, args.concepts, args.repeats, args.novelty_title)
                tracebacks = tutor.log_text().count("Traceback")
        except ServeError as error:
            sys.exit(str(error))
    figures |= {
        "smoke": args.smoke,
        "files": [path.name for path in files],
        "ingest_s": round(ingest_s, 1),
        "server_tracebacks": tracebacks,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
