"""A simulated learner walks a curriculum: Start, then Next after each lesson.

Starts `tutor serve` on a fresh data directory (the real embedded stack and the local
model it configures), uploads every Markdown file of a corpus folder, then plays one
learner over ``/ws``: Start (``start_lesson``), then Next (``next``) after each lesson, N
turns in all. After each lesson it answers the lesson's exercises and explains the concept
back:

- ``perfect`` answers every exercise right, from the exercise as stored (the bench owns
  the data directory, so it reads the answer from the embedded PostgreSQL), and explains
  back with the concept's own key points (``GET /api/v1/graph``);
- ``struggling`` answers every exercise wrong and explains back with nothing useful.

What is measured does not trust the tutor's own classification: a label file per corpus
(``bench/data/learner_walk_<corpus>.json``) names the files and section titles that are
front or back matter, recaps or navigation, and the reading order when the folder has no
SUMMARY.md. Printed over the N turns:

- ``distinct_concepts``: how many concepts got a lesson;
- ``non_teachable_lessons`` (and ``non_teachable_share``): lessons on labelled sections;
- ``longest_run``: the most lessons in a row on one concept;
- ``order_position``: the furthest place in the reading order (1-based, over the
  labelled-teachable concepts, ``order_total`` of them) that got a lesson;
- ``against_verdict``: mastery updates that moved against the grade just shown (a
  ``correct`` grade whose mastery fell, an ``incorrect`` one whose mastery rose);
- ``path_length``: steps of the learning path to ``--target`` (``POST /api/v1/paths``,
  asked before the walk and deleted at once, so it does not steer the planner);
- ``moved_past_failed``: lessons on a concept later in the reading order than a concept
  the learner failed and has not passed since (what a struggling learner must not see).

Each turn prints its plan (title, kind, reason), the exercises' kinds and verdicts, and
the mastery moves, so a reader can follow the walk; the last line is the figures as JSON.

``--smoke`` walks a tiny corpus written here for 3 turns with the fake model, in about a
minute: it checks the bench still runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row
from websockets.sync.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import ServeError, Tutor, serve, upload_notes
from _walk_metrics import (
    Concept,
    Labels,
    Turn,
    figures,
    follow_mastery,
    is_non_teachable,
    rank_concepts,
    reading_order,
    role_disagreements,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "eval" / "rust-book"
LABELS = Path(__file__).resolve().parent / "data"
NOTE_SUFFIXES = (".md", ".markdown")
TURN_TIMEOUT_S = 900.0
WRONG_ANSWER = "I have no idea, maybe it is something about the weather in spring."
WRONG_CODE = "raise SystemExit(3)"
WRONG_EXPLANATION = "I do not remember anything about this; it was about cooking, I think."

SMOKE_NOTES = {
    "README.md": "# About these notes\n\nThese notes were typed up after class. "
    "See [Rivers](01-rivers.md) and [Deltas](02-deltas.md).\n",
    "01-rivers.md": "# Rivers\n\nA **river** is a natural stream of fresh water that flows "
    "toward an ocean, a lake or another river. Rivers carry sediment downstream.\n\n"
    "## Tributaries\n\nA **tributary** is a river that flows into a larger river rather "
    "than into the sea. The larger river is its main stem.\n",
    "02-deltas.md": "# Deltas\n\nA **delta** is a landform of sediment deposited where a "
    "river meets slower water. Deltas grow when a river carries more sediment than the "
    "waves and tides remove.\n\n## Summary\n\nRivers build deltas from sediment.\n",
}
SMOKE_LABELS = {
    "non_teachable_files": ["README.md"],
    "non_teachable_titles": ["summary"],
    "target": "Deltas",
}


def corpus_name(corpus: Path) -> str:
    """The corpus's name: its folder's, or its parent's when the folder is just ``notes``."""
    return corpus.parent.name if corpus.name == "notes" else corpus.name


def note_files(corpus: Path) -> list[Path]:
    """Every Markdown file under ``corpus``, hidden folders skipped."""
    found = [
        path
        for path in sorted(corpus.rglob("*"))
        if path.is_file()
        and path.suffix.lower() in NOTE_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(corpus).parts)
    ]
    return found


def load_labels(corpus: Path, explicit: Path | None) -> Labels:
    """The label file for ``corpus`` (named after its folder, or its parent's)."""
    candidates = (
        [explicit]
        if explicit
        else [LABELS / f"learner_walk_{name}.json" for name in (corpus.name, corpus.parent.name)]
    )
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            return Labels.parse(json.loads(candidate.read_text(encoding="utf-8")))
    sys.exit(
        f"no label file for {corpus}: write bench/data/learner_walk_{corpus.name}.json "
        "(non_teachable_files, non_teachable_titles, reading_order, target) or pass --labels"
    )


def judged_concepts(tutor: Tutor, corpus_order: list[str], labels: Labels) -> dict[str, Concept]:
    """The graph's concepts, each judged teachable or not by the labels, and ranked."""
    with tutor.client() as client:
        documents = {d["id"]: d["path"] for d in client.get("/api/v1/documents").json()}
        graph = client.get("/api/v1/graph").json()
    concepts: dict[str, Concept] = {}
    for node in graph["nodes"]:
        files = [documents[d] for d in node["documents"] if d in documents]
        concepts[node["id"]] = Concept(
            id=node["id"],
            title=node["title"],
            key_points=list(node.get("key_points") or []),
            summary=node.get("summary") or "",
            files=files,
            role=node.get("role", "teachable"),
            teachable=not is_non_teachable(node["title"], files, labels),
        )
    positions = {node["id"]: node["position"] for node in graph["nodes"]}
    rank_concepts(concepts, positions, corpus_order)
    return concepts


class Store:
    """The stored exercises, read from the embedded PostgreSQL of the server's data dir."""

    def __init__(self, data_dir: Path) -> None:
        pgdata = data_dir / "postgres"
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        port, socket_dir = lines[3].strip(), lines[4].strip()
        password = (data_dir / ".postgres.password").read_text().strip()
        self.connection = psycopg.connect(
            host=socket_dir,
            port=port,
            user="postgres",
            password=password,
            dbname="tutor",
            autocommit=True,
            row_factory=dict_row,
        )

    def exercise(self, exercise_id: str) -> dict[str, Any]:
        """The body of an exercise, answer included."""
        row = self.connection.execute(
            "SELECT body FROM exercises WHERE id = %s", (exercise_id,)
        ).fetchone()
        if row is None:
            raise ServeError(f"exercise {exercise_id} is not stored")
        body = row["body"]
        return body if isinstance(body, dict) else json.loads(body)

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()


def answer_for(body: dict[str, Any], perfect: bool, concept: Concept | None) -> str:
    """What the learner answers: the stored answer, or something wrong of the same kind."""
    kind = body["kind"]
    if kind == "multiple_choice":
        options: list[str] = body["options"]
        right = int(body["answer"])
        return options[right] if perfect else options[(right + 1) % len(options)]
    if kind == "short_answer":
        return str(body["reference_answer"]) if perfect else WRONG_ANSWER
    if kind == "code":
        return str(body["solution"]) if perfect else WRONG_CODE
    # explain_back: the concept's own key sentences, else the exercise's key points.
    if not perfect:
        return WRONG_EXPLANATION
    return explanation(concept, body.get("key_points") or [])


def explanation(concept: Concept | None, fallback: Sequence[str]) -> str:
    """The concept's key points as one explanation (its summary when it has none)."""
    points = (concept.key_points if concept else []) or list(fallback)
    if not points and concept is not None:
        points = [concept.summary or concept.title]
    return " ".join(point.strip() for point in points if point.strip())


def events_until_done(ws: ClientConnection) -> Iterator[dict[str, Any]]:
    """The events of one turn, up to and including ``done``."""
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=TURN_TIMEOUT_S))
        yield event
        if event["type"] == "done":
            return


def send(ws: ClientConnection, action: dict[str, Any]) -> None:
    ws.send(json.dumps({"v": 1, **action}))


def play_turn(
    ws: ClientConnection,
    number: int,
    perfect: bool,
    store: Store,
    concepts: dict[str, Concept],
) -> Turn:
    """Press Start (turn 1) or Next, then answer the lesson's exercises and explain back."""
    turn = Turn(number)
    send(ws, {"type": "start_lesson"} if number == 1 else {"type": "next"})
    for event in events_until_done(ws):
        kind = event["type"]
        if kind == "plan":
            turn.plan = event
        elif kind == "lesson":
            turn.lesson = event
        elif kind == "exercise":
            turn.exercises.append(event)
        elif kind == "token" and turn.lesson is None and turn.plan is None:
            turn.said += event["text"]
        elif kind == "error":
            turn.errors.append(f"{event['code']}: {event['message']}")
    if turn.lesson is None:
        return turn
    concept = concepts.get(turn.lesson["concept_id"])
    for exercise in turn.exercises:
        body = store.exercise(exercise["id"])
        answer = answer_for(body, perfect, concepts.get(exercise["concept_id"]))
        send(ws, {"type": "answer", "exercise_id": exercise["id"], "answer": answer})
        events = list(events_until_done(ws))
        for event in events:
            if event["type"] == "grade":
                turn.grades.append((body["kind"], event["verdict"], f"{event['score']:.2f}"))
        follow_mastery(events, turn, concepts)
    text = explanation(concept, []) if perfect else WRONG_EXPLANATION
    if text:
        send(ws, {"type": "explain", "concept_id": turn.lesson["concept_id"], "text": text})
        events = list(events_until_done(ws))
        turn.explained = next(
            (
                "passed" if e["passed"] else "failed"
                for e in events
                if e["type"] == "explain_result"
            ),
            None,
        )
        follow_mastery(events, turn, concepts)
    return turn


def show(turn: Turn, concepts: dict[str, Concept]) -> None:
    """One turn, the way a reader follows the walk."""
    if turn.lesson is None:
        said = " ".join(turn.said.split())[:160]
        print(f"turn {turn.number}: no lesson. {said!r} {turn.errors or ''}", flush=True)
        return
    concept = concepts.get(turn.lesson["concept_id"])
    plan = turn.plan or {}
    label = "" if concept is None or concept.teachable else " [NON-TEACHABLE]"
    rank = "-" if concept is None or concept.rank is None else str(concept.rank)
    files = ",".join(concept.files) if concept else "?"
    print(
        f"turn {turn.number}: {plan.get('kind', '?')} {turn.lesson['title']!r}{label} "
        f"(order {rank}, role {concept.role if concept else '?'}, {files}) "
        f"difficulty={turn.lesson['difficulty']} source={turn.lesson['source']}",
        flush=True,
    )
    print(f"  reason: {plan.get('reason', '')}", flush=True)
    grades = ", ".join(f"{k}:{v}({s})" for k, v, s in turn.grades) or "no exercises"
    print(f"  answers: {grades}; explain-back: {turn.explained}", flush=True)
    for move in turn.moves:
        print(f"  mastery: {move}", flush=True)
    for error in turn.errors:
        print(f"  error: {error}", flush=True)


def path_length(tutor: Tutor, concepts: dict[str, Concept], target: str | None) -> dict[str, Any]:
    """The learning path to ``target`` (a concept title): its length and first steps.

    The path is deleted straight away so that it does not steer the walk.
    """
    if not target:
        return {"path_length": None, "target": None}
    wanted = target.casefold()
    named = [c for c in concepts.values() if c.title.casefold() == wanted] or [
        c for c in concepts.values() if wanted in c.title.casefold()
    ]
    if not named:
        print(f"no concept is called {target!r}", flush=True)
        return {"path_length": None, "target": target}
    chosen = min(named, key=lambda c: c.rank or 10**9)
    with tutor.client() as client:
        made = client.post("/api/v1/paths", json={"name": "bench", "targets": [chosen.id]})
        if made.status_code != 201:
            raise ServeError(f"the path to {target!r} was refused: {made.text}")
        path = made.json()
        client.delete(f"/api/v1/paths/{path['id']}").raise_for_status()
    steps = [concepts[s].title if s in concepts else s for s in path["steps"]]
    print(f"path to {chosen.title!r}: {len(steps)} steps: {steps[:40]}", flush=True)
    return {"path_length": len(steps), "target": chosen.title, "path_head": steps[:10]}


def walk(
    tutor: Tutor, corpus: Path, files: list[Path], labels: Labels, args: argparse.Namespace
) -> dict[str, Any]:
    """Upload, judge the graph, ask for the path, then play the turns."""
    started = time.perf_counter()
    job = upload_notes(tutor, files, root=corpus)
    ingest_s = time.perf_counter() - started
    names = [path.relative_to(corpus).as_posix() for path in files]
    concepts = judged_concepts(tutor, reading_order(corpus, names, labels), labels)
    roles: dict[str, int] = {}
    for concept in concepts.values():
        roles[concept.role] = roles.get(concept.role, 0) + 1
    titles = [c.title.casefold() for c in concepts.values()]
    print(
        f"ingested {len(files)} files, {job['chunks_total']} chunks in {ingest_s:.1f} s; "
        f"{len(concepts)} concepts, by role {roles}; labelled non-teachable "
        f"{sum(not c.teachable for c in concepts.values())}",
        flush=True,
    )
    disagreements = role_disagreements(concepts)
    for kind, names in disagreements.items():
        print(f"roles against the labels, {kind}: {len(names)} {names[:20]}", flush=True)
    found = path_length(tutor, concepts, args.target or labels.target)
    store = Store(tutor.data_dir)
    turns: list[Turn] = []
    try:
        with connect(tutor.ws_url, max_size=None) as ws:
            send(ws, {"type": "hello", "new_thread": True})
            if json.loads(ws.recv(timeout=TURN_TIMEOUT_S))["type"] != "ready":
                raise ServeError("the server did not open the thread")
            for number in range(1, args.turns + 1):
                turn = play_turn(ws, number, args.learner == "perfect", store, concepts)
                show(turn, concepts)
                turns.append(turn)
    finally:
        store.close()
    return {
        **figures(turns, concepts),
        **found,
        "concepts": len(concepts),
        "roles": roles,
        "duplicate_titles": len(titles) - len(set(titles)),
        "labelled_non_teachable": sum(not c.teachable for c in concepts.values()),
        "roles_missed": len(disagreements["missed"]),
        "roles_excluded": len(disagreements["excluded"]),
        "ingest_s": round(ingest_s, 1),
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
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--learner", choices=("perfect", "struggling"), default="perfect")
    parser.add_argument("--target", help="a concept title (default: the label file's)")
    parser.add_argument("--labels", type=Path, help="a label file (default: by corpus name)")
    parser.add_argument("--max-tokens", type=int, help="TUTOR_LLM_MAX_TOKENS for the server")
    parser.add_argument("--smoke", action="store_true", help="a tiny corpus, 3 turns, fake model")
    args = parser.parse_args()
    env: dict[str, str] = {}
    if args.max_tokens:
        env["TUTOR_LLM_MAX_TOKENS"] = str(args.max_tokens)
    with tempfile.TemporaryDirectory(prefix="tutor-walk-") as scratch:
        corpus = args.corpus.resolve()
        if args.smoke:
            corpus = Path(scratch) / "smoke-notes"
            corpus.mkdir()
            for name, text in SMOKE_NOTES.items():
                (corpus / name).write_text(text, encoding="utf-8")
            labels = Labels.parse(SMOKE_LABELS)
            args.turns = min(args.turns, 3)
            env["TUTOR_LLM_PROVIDER"] = "fake"
        else:
            if not corpus.is_dir():
                sys.exit(f"no corpus folder at {corpus}")
            if (corpus / "notes").is_dir():
                # A corpus kept in tests/data: its notes, beside its SOURCE.md and licence.
                corpus = corpus / "notes"
            labels = load_labels(corpus, args.labels)
        files = note_files(corpus)
        if not files:
            sys.exit(f"no Markdown files in {corpus}")
        data_dir = Path(scratch) / "data"
        data_dir.mkdir()
        try:
            with serve(data_dir, env=env) as tutor:
                print(f"server answered after {tutor.startup_s:.1f} s", flush=True)
                result = walk(tutor, corpus, files, labels, args)
                log = tutor.log_text()
                tracebacks = log.count("Traceback")
                if tracebacks:
                    # The last one, so a failed turn can be read without the data dir.
                    last = log[log.rindex("Traceback") :].splitlines()[:60]
                    print("server traceback (last):\n" + "\n".join(last), flush=True)
        except ServeError as error:
            sys.exit(str(error))
    print(
        json.dumps(
            {
                "corpus": "smoke" if args.smoke else corpus_name(corpus),
                "learner": args.learner,
                "turns": args.turns,
                **result,
                "server_tracebacks": tracebacks,
                "smoke": args.smoke,
            }
        )
    )


if __name__ == "__main__":
    main()
