"""Lessons and exercises as a new learner gets them, judged on what the learner sees.

Starts `tutor serve` on a fresh data directory (the real embedded stack and the local
model it configures), uploads every Markdown file of a corpus folder, then asks over
``/ws`` for one lesson on each of the first N teachable concepts in reading order (the
corpus's label file, ``bench/data/learner_walk_<corpus>.json``, says what is teachable
and the order, as for ``bench/learner_walk.py``), and reads each lesson and its
exercises. Then it asks the chat the labelled questions of
``bench/data/chat_coverage.json`` for this corpus. Printed, one line per lesson, then as
JSON on the last line:

- ``own_section_share``: passages the lesson's text cites that come from the concept's
  own section (or one of its subsections), or marked See also, over all those cited
  (target 1.0);
- ``dangling_refs``: lessons naming a listing or figure they never show, or announcing
  "the following code" with none after it;
- ``broken_code_as_working``: failing code (by the notes' own fence marks) quoted with
  nothing near it saying it fails, plus code exercises whose model answer has a line
  only failing listings have;
- ``markup_leaks``: lessons and exercises showing page markup;
- ``repeated_exercises``: exercises the learner had already been set in the run;
- ``exercises_rejected``: what the exercise validator turned down, by reason (from the
  server's log);
- ``exercises_after_lesson_s_p50`` (and p90): from the ``lesson`` event to the first
  exercise; ``start_to_exercises_s_p50``/``p90``: from Start to the first exercise;
- ``first_kept_token_s_p50`` (and p90): from Start to the first token the learner keeps
  (after the turn's last ``reset``); ``resets_per_lesson``;
- ``not_covered_accuracy``: the chat said "not covered" (no citation) exactly when the
  label says the notes do not cover the question.

Every lesson and exercise is written to ``bench/out/lessons.md`` (``--out``) for a person
to read (a smoke run writes it to the temporary folder). ``--smoke`` runs a tiny corpus
written here with the fake model, in about a minute: it checks the bench still runs.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _lesson_metrics import (
    NotesCode,
    broken_code_answer,
    broken_code_shown,
    dangling_references,
    exercise_key,
    exercise_text,
    first_kept_token,
    markup_leaks,
    percentile,
)
from _serve import ServeError, Tutor, serve, upload_notes
from _walk_metrics import Labels
from learner_walk import (
    Store,
    corpus_name,
    events_until_done,
    judged_concepts,
    load_labels,
    note_files,
    reading_order,
    send,
)

from tutor.teaching.citations import cited_numbers

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "eval" / "rust-book"
QUESTIONS = Path(__file__).resolve().parent / "data" / "chat_coverage.json"
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "lessons.md"
_REJECTED = re.compile(r"exercise rejected\W+(?:reason\W+)?(?P<reason>[\w -]+)")

SMOKE_NOTES = {
    "SUMMARY.md": "# Summary\n\n- [Bindings](bindings.md)\n- [Borrowing](borrowing.md)\n",
    "bindings.md": "# Bindings\n\nA **binding** gives a name to a value. Bindings are "
    "immutable by default, so a value bound once cannot change unless the binding is "
    'declared mutable.\n\n```rust\nfn main() {\n    let x = 5;\n    println!("{x}");\n}\n'
    "```\n\n## Shadowing\n\nA later binding with the same name **shadows** the earlier one: "
    "the name now refers to the new value, and the old one can no longer be reached.\n",
    "borrowing.md": "# Borrowing\n\nA **reference** borrows a value without taking "
    "ownership of it. Listing 2-1 tries to change a borrowed value, which does not "
    "compile.\n\n```rust,does_not_compile\nfn change(s: &String) {\n    "
    's.push_str(", world");\n}\n```\n\n<span class="caption">Listing 2-1: Changing a '
    "borrowed value</span>\n\nA mutable reference, `&mut String`, allows the change.\n",
}
SMOKE_LABELS = {"non_teachable_files": ["SUMMARY.md"], "non_teachable_titles": []}
SMOKE_QUESTIONS = [
    {"corpus": "smoke", "question": "What does shadowing a binding do?", "covered": True},
    {"corpus": "smoke", "question": "How do I write a for loop in Python?", "covered": False},
]


@dataclass
class LessonTurn:
    """One Start on a concept, as the client saw it."""

    concept_id: str
    title: str
    lesson: dict[str, Any] | None = None
    exercises: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    first_kept_s: float | None = None
    lesson_s: float | None = None
    first_exercise_s: float | None = None
    resets: int = 0
    own: int = 0
    cited: int = 0
    not_own: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """What counts as a concept's own section: its key and its subsections' keys."""

    keys: frozenset[str]


def sections(tutor: Tutor) -> dict[str, Section]:
    """Each concept's own section, by concept id: itself and every part below it."""
    with tutor.client() as client:
        graph = client.get("/api/v1/graph").json()
    keys = {node["id"]: node["key"] for node in graph["nodes"]}
    parts: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        if edge["kind"] == "part_of":
            parts.setdefault(edge["target"], []).append(edge["source"])
    found: dict[str, Section] = {}
    for concept in keys:
        seen, stack = {concept}, [concept]
        while stack:
            for part in parts.get(stack.pop(), []):
                if part not in seen:
                    seen.add(part)
                    stack.append(part)
        found[concept] = Section(frozenset(keys[c] for c in seen))
    return found


def chunk_concepts(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """The concept key of each stored chunk id."""
    if not ids:
        return {}
    rows = store.connection.execute(
        "SELECT id::text AS id, coalesce(concept_key, '') AS key FROM chunks "
        "WHERE id = ANY(%s::uuid[])",
        (list(ids),),
    ).fetchall()
    return {row["id"]: row["key"] for row in rows}


def lesson_turn(ws: ClientConnection, concept_id: str, title: str) -> LessonTurn:
    """Press Start on the concept and keep every event of the turn with its time."""
    turn = LessonTurn(concept_id, title)
    sent = time.perf_counter()
    send(ws, {"type": "start_lesson", "concept_id": concept_id})
    timeline: list[tuple[float, dict[str, Any]]] = []
    for event in events_until_done(ws):
        at = time.perf_counter() - sent
        timeline.append((at, event))
        kind = event["type"]
        if kind == "lesson":
            turn.lesson, turn.lesson_s = event, at
        elif kind == "exercise":
            turn.exercises.append(event)
            if turn.first_exercise_s is None:
                turn.first_exercise_s = at
        elif kind == "reset":
            turn.resets += 1
        elif kind == "error":
            turn.errors.append(f"{event['code']}: {event['message']}")
    turn.first_kept_s = first_kept_token(timeline)
    return turn


def judge(
    turn: LessonTurn,
    store: Store,
    section: Section | None,
    code: NotesCode,
    seen: list[str],
) -> None:
    """Fill in what the learner would find wrong with the lesson and its exercises."""
    if turn.lesson is None:
        return
    text = turn.lesson["text"]
    citations = turn.lesson["citations"]
    concepts = chunk_concepts(store, [c["chunk_id"] for c in citations])
    # The passages the lesson shows are the ones its text cites.
    shown = set(cited_numbers(text))
    for citation in citations:
        if shown and citation["number"] not in shown:
            continue
        turn.cited += 1
        own = section is not None and concepts.get(citation["chunk_id"]) in section.keys
        if own or citation.get("see_also"):
            turn.own += 1
        else:
            turn.not_own.append(citation.get("heading_path") or citation["chunk_id"])
    turn.dangling = dangling_references(text)
    turn.broken = [f"shown as working: {line}" for line in broken_code_shown(text, code)]
    turn.leaks = [f"lesson: {leak}" for leak in markup_leaks(text)]
    for exercise in turn.exercises:
        body = store.exercise(exercise["id"])
        turn.bodies.append(body)
        turn.leaks += [f"exercise: {leak}" for leak in markup_leaks(exercise_text(exercise))]
        if body["kind"] == "code":
            turn.broken += [
                f"answer: {line}" for line in broken_code_answer(str(body["solution"]), code)
            ]
        key = exercise_key(exercise)
        if key in seen:
            turn.repeated.append(key[:80])
        seen.append(key)


def chat_turn(ws: ClientConnection, question: str) -> tuple[bool, str]:
    """Ask in chat; whether the reply cited the notes, and the reply's text."""
    send(ws, {"type": "chat", "text": question})
    said, cited = "", False
    for event in events_until_done(ws):
        if event["type"] == "token":
            said += event["text"]
        elif event["type"] == "reset":
            said = ""
        elif event["type"] == "citation":
            cited = True
        elif event["type"] == "lesson":
            # A question the router took for "teach me" is answered by a lesson: covered.
            cited, said = bool(event["citations"]), event["text"]
    return cited, said


def questions_for(path: Path, corpus: str) -> list[dict[str, Any]]:
    """The labelled chat questions of one corpus."""
    if not path.is_file():
        return []
    return [q for q in json.loads(path.read_text(encoding="utf-8")) if q["corpus"] == corpus]


def rejections(log: str) -> dict[str, int]:
    """What the exercise validator turned down, by reason, from the server's log."""
    return dict(Counter(m["reason"].strip() for m in _REJECTED.finditer(log)))


def write_out(
    out: Path, corpus: str, turns: Sequence[LessonTurn], chats: Sequence[dict[str, Any]]
) -> None:
    """Every lesson, its exercises with their answers, and the chat answers, for a person."""
    lines = [f"# Lessons on {corpus}", ""]
    for number, turn in enumerate(turns, start=1):
        lines += [f"## {number}. {turn.title}", ""]
        if turn.lesson is None:
            lines += [f"(no lesson: {turn.errors})", ""]
            continue
        lesson = turn.lesson
        lines += [
            f"*difficulty {lesson['difficulty']}, source {lesson['source']}, "
            f"first kept token {_round(turn.first_kept_s)} s, exercises after "
            f"{_after(turn)} s, resets {turn.resets}*",
            "",
            lesson["text"],
            "",
        ]
        for citation in lesson["citations"]:
            mark = " (see also)" if citation.get("see_also") else ""
            lines.append(f"- [{citation['number']}] {citation['heading_path']}{mark}")
        problems = turn.not_own + turn.dangling + turn.broken + turn.leaks + turn.repeated
        if problems:
            lines += ["", "**Problems:** " + "; ".join(problems)]
        lines += ["", "### Exercises", ""]
        for body in turn.bodies:
            lines += [_exercise_lines(body), ""]
    lines += ["## Chat", ""]
    for chat in chats:
        verdict = "right" if chat["right"] else "WRONG"
        said = " ".join(chat["said"].split())[:400]
        lines += [
            f"- **{chat['question']}** (covered: {chat['covered']}; cited: {chat['cited']}; "
            f"{verdict})",
            f"  {said}",
        ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _exercise_lines(body: Mapping[str, Any]) -> str:
    kind = body["kind"]
    if kind == "multiple_choice":
        options = [
            f"  {'*' if index == body['answer'] else '-'} {option}"
            for index, option in enumerate(body["options"])
        ]
        return "\n".join([f"- multiple choice: {body['question']}", *options])
    if kind == "short_answer":
        return f"- short answer: {body['question']}\n  answer: {body['reference_answer']}"
    if kind == "code":
        return (
            f"- code ({body.get('language')}): {body['prompt']}\n\n"
            f"```\n{body.get('starter_code', '')}\n```\n\n  solution:\n\n"
            f"```\n{body['solution']}\n```"
        )
    return f"- {kind}: {body.get('prompt', '')}"


def _after(turn: LessonTurn) -> float | None:
    if turn.first_exercise_s is None or turn.lesson_s is None:
        return None
    return round(turn.first_exercise_s - turn.lesson_s, 3)


def show(turn: LessonTurn) -> None:
    """One lesson, the way a reader follows the run."""
    lesson = turn.lesson or {}
    problems = len(turn.not_own) + len(turn.dangling) + len(turn.broken) + len(turn.leaks)
    print(
        f"{turn.title!r}: source={lesson.get('source')} cited={turn.cited} own={turn.own} "
        f"first_kept_s={_round(turn.first_kept_s)} lesson_s={_round(turn.lesson_s)} "
        f"exercises={len(turn.exercises)} after_lesson_s={_after(turn)} resets={turn.resets} "
        f"problems={problems} repeated={len(turn.repeated)} {turn.errors or ''}",
        flush=True,
    )
    for problem in turn.dangling + turn.broken + turn.leaks:
        print(f"  {problem}", flush=True)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def run(
    tutor: Tutor,
    corpus: Path,
    files: list[Path],
    labels: Labels,
    questions: list[dict[str, Any]],
    args: argparse.Namespace,
) -> tuple[dict[str, Any], list[LessonTurn], list[dict[str, Any]]]:
    """Upload, take the first teachable concepts in order, get a lesson on each, ask chat."""
    upload_notes(tutor, files, root=corpus)
    names = [path.relative_to(corpus).as_posix() for path in files]
    concepts = judged_concepts(tutor, reading_order(corpus, names, labels), labels)
    chosen = sorted(
        (c for c in concepts.values() if c.rank is not None), key=lambda c: c.rank or 0
    )[: args.concepts]
    own = sections(tutor)
    code = NotesCode.of(path.read_text(encoding="utf-8") for path in files)
    store = Store(tutor.data_dir)
    turns: list[LessonTurn] = []
    chats: list[dict[str, Any]] = []
    seen: list[str] = []
    try:
        with connect(tutor.ws_url, max_size=None) as ws:
            send(ws, {"type": "hello", "new_thread": True})
            if json.loads(ws.recv(timeout=900))["type"] != "ready":
                raise ServeError("the server did not open the thread")
            for concept in chosen:
                turn = lesson_turn(ws, concept.id, concept.title)
                judge(turn, store, own.get(concept.id), code, seen)
                show(turn)
                turns.append(turn)
        # Chat on a thread of its own, with no exercise open, as a learner asking.
        with connect(tutor.ws_url, max_size=None) as ws:
            send(ws, {"type": "hello", "new_thread": True})
            json.loads(ws.recv(timeout=900))
            for question in questions:
                cited, said = chat_turn(ws, question["question"])
                right = cited == bool(question["covered"])
                chats.append({**question, "cited": cited, "said": said, "right": right})
                print(f"chat {'ok' if right else 'WRONG'}: {question['question']!r}", flush=True)
    finally:
        store.close()
    return figures(turns, chats), turns, chats


def figures(turns: Sequence[LessonTurn], chats: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The run's figures."""
    taught = [t for t in turns if t.lesson is not None]
    cited = sum(t.cited for t in taught)
    after = [a for t in taught if (a := _after(t)) is not None]
    to_exercises = [t.first_exercise_s for t in taught if t.first_exercise_s is not None]
    kept = [t.first_kept_s for t in taught if t.first_kept_s is not None]
    sources = Counter(str(t.lesson["source"]) for t in taught if t.lesson)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "lessons": len(taught),
        "turns_without_lesson": len(turns) - len(taught),
        "sources": dict(sources),
        "own_section_share": round(sum(t.own for t in taught) / cited, 3) if cited else None,
        "dangling_refs": sum(bool(t.dangling) for t in taught),
        "broken_code_as_working": sum(len(t.broken) for t in taught),
        "markup_leaks": sum(len(t.leaks) for t in taught),
        "exercises": sum(len(t.exercises) for t in taught),
        "lessons_without_exercises": sum(not t.exercises for t in taught),
        "repeated_exercises": sum(len(t.repeated) for t in taught),
        "exercises_after_lesson_s_p50": rounded(statistics.median(after)) if after else None,
        "exercises_after_lesson_s_p90": rounded(percentile(after, 0.9)),
        "start_to_exercises_s_p50": rounded(percentile(to_exercises, 0.5)),
        "start_to_exercises_s_p90": rounded(percentile(to_exercises, 0.9)),
        "first_kept_token_s_p50": rounded(percentile(kept, 0.5)),
        "first_kept_token_s_p90": rounded(percentile(kept, 0.9)),
        "resets_per_lesson": round(sum(t.resets for t in taught) / len(taught), 3)
        if taught
        else None,
        "chat_questions": len(chats),
        "not_covered_accuracy": round(sum(c["right"] for c in chats) / len(chats), 3)
        if chats
        else None,
        "covered_wrong": sum(not c["right"] for c in chats if c["covered"]),
        "not_covered_wrong": sum(not c["right"] for c in chats if not c["covered"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "corpus",
        nargs="?",
        type=Path,
        default=DEFAULT_CORPUS,
        help="a folder of Markdown notes, or a folder whose notes/ holds them",
    )
    parser.add_argument("--concepts", type=int, default=30)
    parser.add_argument("--labels", type=Path, help="a label file (default: by corpus name)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--smoke", action="store_true", help="a tiny corpus, fake model")
    args = parser.parse_args()
    env: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tutor-lessons-") as scratch:
        corpus = args.corpus.resolve()
        if args.smoke:
            corpus = Path(scratch) / "smoke-notes"
            corpus.mkdir()
            for name, text in SMOKE_NOTES.items():
                (corpus / name).write_text(text, encoding="utf-8")
            labels = Labels.parse(SMOKE_LABELS)
            questions = SMOKE_QUESTIONS
            env["TUTOR_LLM_PROVIDER"] = "fake"
            name = "smoke"
        else:
            if not corpus.is_dir():
                sys.exit(f"no corpus folder at {corpus}")
            if (corpus / "notes").is_dir():
                corpus = corpus / "notes"
            labels = load_labels(corpus, args.labels)
            name = corpus_name(corpus)
            questions = questions_for(args.questions, name)
        files = note_files(corpus)
        if not files:
            sys.exit(f"no Markdown files in {corpus}")
        data_dir = Path(scratch) / "data"
        data_dir.mkdir()
        try:
            with serve(data_dir, env=env) as tutor:
                print(f"server answered after {tutor.startup_s:.1f} s", flush=True)
                result, turns, chats = run(tutor, corpus, files, labels, questions, args)
                log = tutor.log_text()
        except ServeError as error:
            sys.exit(str(error))
    # A smoke run leaves the repository as it was.
    out = Path(tempfile.gettempdir()) / "lessons-smoke.md" if args.smoke else args.out
    write_out(out, name, turns, chats)
    print(f"lessons and exercises written to {out}", flush=True)
    print(
        json.dumps(
            {
                "corpus": name,
                "concepts": args.concepts,
                **result,
                "exercises_rejected": rejections(log),
                "server_tracebacks": log.count("Traceback"),
                "smoke": args.smoke,
            }
        )
    )


if __name__ == "__main__":
    main()
