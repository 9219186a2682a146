"""A soak: many learners for many minutes, watching memory, the event log and /healthz.

Each phase starts `tutor serve` on the embedded stack in a fresh data directory, signs up
``--learners`` learners, uploads each one a small Markdown note, then for the phase's
duration every learner, on its own WebSocket, takes lessons, answers their exercises and
asks questions, one turn after the other (no faster than ``--turn-interval``). Every
``--drop-every``-th lesson (counted over all learners) its learner drops the connection
after a few events, reconnects and resumes with ``last_seq``. The phases:

1. ``fake``: the fake chat model streaming ``--model-rate`` tokens a second, for
   ``--fake-minutes``; meanwhile one more learner uploads a pathological Markdown file
   (``--storm-bytes`` of ``[``) and waits for its ingest job;
2. ``real``: the local model (llama.cpp, replies of at most ``--real-max-tokens``) for
   ``--real-minutes`` (0 to skip), with ``--real-learners``. It serves four turns at once
   and shares two cores with everything else, so a turn may wait minutes for its turn:
   the turn timeout of this phase is ``--real-turn-timeout``.

It reports, per phase:

- errors by kind (expected 0): failed connections, turns that did not complete, error
  events, turns with no ``done`` within the turn timeout;
- the server's resident memory (VmRSS from ``/proc/<pid>/status``, of the server alone and
  with its children) every ``--rss-interval`` seconds, and once more after the learners
  have stopped and the server was idle for ``--idle-seconds``;
- lost and duplicated events: each connection checks that the seqs it receives follow one
  another (a gap is a lost event, a seq it already had is a duplicate), and every few
  turns each learner reads its thread's log back (``hello`` with ``last_seq``) and compares
  it with what it received live: an event missing from the log, an event in the log it
  never received, or one whose content differs, counts as lost;
- ``/healthz``: polled every 100 ms from a thread of its own; the largest interval between
  answered polls, over the phase and during the pathological upload.

``--smoke`` runs a short fake phase only (a few learners, seconds). Progress goes to
stdout as lines; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import ServeError, Tutor, serve
from ws_load import (
    QUESTIONS,
    SIGNUP_CONCURRENCY,
    UPLOAD_CONCURRENCY,
    Errors,
    Learner,
    bounded,
    sign_up,
    upload_note,
    ws_address,
)

HEALTH_POLL_S = 0.1
CONNECT_TIMEOUT_S = 60.0
EVENTS_BEFORE_DROP = 3
"""Events a dropping learner reads of its lesson before it goes away."""
VERIFY_EVERY_TURNS = 10
"""Turns between two reads of a learner's log; well under the server's replay limit."""
UNLOGGED = frozenset({"ready", "pong", "ack"})
"""Events that carry the thread's latest seq rather than a seq of their own."""
ANSWERS = {
    "multiple_choice": "1",
    "short_answer": "The owner drops the value when it goes out of scope.",
    "explain_back": "Each value has one owner, and the value is dropped with its owner.",
}


def say(message: str) -> None:
    print(message, flush=True)


def _frame(kind: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": kind, **fields})


# --- the server's memory ------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (0 when it is gone or a kernel thread)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> Iterator[int]:
    """Every process under ``pid`` (children of each of its threads, recursively)."""
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    yield int(child)
                    yield from _children(int(child))


@dataclass(frozen=True)
class RssSample:
    """The server's memory at one moment."""

    at_s: float
    main_mib: float
    tree_mib: float
    load1: float

    def row(self) -> list[float]:
        return [
            round(self.at_s),
            round(self.main_mib, 1),
            round(self.tree_mib, 1),
            round(self.load1, 2),
        ]


def rss_sample(pid: int, since: float) -> RssSample:
    """The server's VmRSS, alone and with its children, and the machine's load."""
    main = _rss_kib(pid)
    tree = main + sum(_rss_kib(child) for child in set(_children(pid)))
    return RssSample(time.monotonic() - since, main / 1024, tree / 1024, os.getloadavg()[0])


# --- /healthz ----------------------------------------------------------------------------


class HealthPoller:
    """Polls ``/healthz`` from a thread of its own, so the bench's own loop cannot delay it."""

    def __init__(self, base_url: str) -> None:
        self._base = base_url
        self.answered: list[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthz", daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self._base, timeout=120.0) as client:
            while not self._stop.is_set():
                asked = time.monotonic()
                try:
                    if client.get("/healthz").status_code == 200:
                        self.answered.append(time.monotonic())
                    else:
                        self.failures += 1
                except httpx.HTTPError:
                    self.failures += 1
                self._stop.wait(max(0.0, asked + HEALTH_POLL_S - time.monotonic()))

    def largest_gap_s(self, start: float | None = None, end: float | None = None) -> float:
        """The longest time between two answered polls, within ``[start, end]`` if given."""
        times = [
            t for t in self.answered if (start is None or t >= start) and (end is None or t <= end)
        ]
        if start is not None:
            # A poll asked in the window but answered after it still closes the gap.
            later = [t for t in self.answered if end is not None and t > end]
            times = [start, *times, *later[:1]]
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


# --- one learner ---------------------------------------------------------------------------


@dataclass
class Counts:
    """What every learner of a phase did and saw."""

    errors: Errors = field(default_factory=Errors)
    turns: int = 0
    lessons: int = 0
    answers: int = 0
    chats: int = 0
    drops: int = 0
    resumes: int = 0
    events: int = 0
    lost_live: int = 0
    duplicated: int = 0
    verified_events: int = 0
    lost_in_log: int = 0
    missed_from_log: int = 0
    differing: int = 0


class TurnTimeout(Exception):
    """A turn sent no ``done`` within the turn timeout."""


class Session:
    """One learner's thread, over connections that come and go."""

    def __init__(
        self, ws_url: str, learner: Learner, counts: Counts, turn_timeout_s: float
    ) -> None:
        self.ws_url = ws_url
        self.learner = learner
        self.counts = counts
        self.turn_timeout_s = turn_timeout_s
        self.thread: str | None = None
        self.last_seq = 0
        """The latest seq received on the thread."""
        self.received: dict[int, dict[str, Any]] = {}
        """Events received since the last check against the log, by seq."""
        self.verified = 0
        """Seqs up to this one were checked against the log."""
        self.exercise: dict[str, Any] | None = None
        self.ws: ClientConnection | None = None
        self.turns_since_verify = 0

    async def _open(self, last_seq: int | None) -> ClientConnection:
        ws = await connect(
            self.ws_url,
            additional_headers={"Authorization": f"Bearer {self.learner.token}"},
            open_timeout=CONNECT_TIMEOUT_S,
            max_size=None,
        )
        hello: dict[str, Any] = {}
        if self.thread is not None:
            hello["thread"] = self.thread
        if last_seq is not None:
            hello["last_seq"] = last_seq
        await ws.send(_frame("hello", **hello))
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "ready":
                    self.thread = str(event["thread"])
                    if last_seq is None:
                        self.last_seq = self.verified = int(event["seq"])
                    return ws
                if event["type"] == "error":
                    await ws.close()
                    raise ServeError(f"hello refused: {event}")

    async def connect(self, *, resume: bool) -> None:
        self.ws = await self._open(self.last_seq if resume else None)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    def _take(self, event: dict[str, Any]) -> None:
        """Check one event's seq against the ones before it on this thread."""
        seq = int(event.get("seq", 0))
        kind = event.get("type")
        if kind in UNLOGGED:
            return
        if seq <= self.last_seq:
            # Errors about a frame are not logged and carry the latest seq; any other
            # event at or below it was sent before.
            if kind != "error":
                self.counts.duplicated += 1
            return
        if seq > self.last_seq + 1:
            self.counts.lost_live += seq - self.last_seq - 1
            self.counts.errors.add("lost_live", f"{self.learner.name}: {self.last_seq} -> {seq}")
        self.last_seq = seq
        self.received[seq] = event
        self.counts.events += 1

    async def _recv(self) -> dict[str, Any]:
        assert self.ws is not None
        event: dict[str, Any] = json.loads(await self.ws.recv())
        self._take(event)
        return event

    async def turn(self, action: str, drop: bool = False, **fields: Any) -> str | None:
        """Send one action and read its events up to ``done``; returns the done status.

        With ``drop``, goes away after a few events, comes back with ``last_seq`` and
        reads the rest as the server replays and streams it.
        """
        assert self.ws is not None
        await self.ws.send(_frame(action, **fields))
        self.counts.turns += 1
        self.turns_since_verify += 1
        seen = 0
        async with asyncio.timeout(self.turn_timeout_s):
            while True:
                if drop and seen == EVENTS_BEFORE_DROP:
                    drop = False
                    await self.close()
                    self.counts.drops += 1
                    await self.connect(resume=True)
                    self.counts.resumes += 1
                event = await self._recv()
                kind = event["type"]
                seen += kind not in UNLOGGED
                if kind == "exercise":
                    self.exercise = event
                elif kind == "error":
                    self.counts.errors.add(f"error:{event.get('code')}", f"{action}: {event}")
                    if event.get("code") in {"busy", "rate_limited", "invalid", "not_found"}:
                        return None  # refused: no turn runs
                elif kind == "done":
                    status = str(event["status"])
                    if status != "complete":
                        self.counts.errors.add(f"done:{status}", f"{action}: {event}")
                    return status

    async def verify(self) -> None:
        """Read the thread's log after the last check and compare it with what came live."""
        upto = self.last_seq
        if upto <= self.verified:
            return
        ws = await self._open(self.verified)
        logged: dict[int, dict[str, Any]] = {}
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                while len(logged) < upto - self.verified:
                    event = json.loads(await ws.recv())
                    seq = int(event.get("seq", 0))
                    if event["type"] in UNLOGGED or seq <= self.verified:
                        continue
                    if seq > upto:
                        break
                    logged[seq] = event
        except TimeoutError:
            pass  # whatever did not come is missing from the log
        finally:
            await ws.close()
        for seq in range(self.verified + 1, upto + 1):
            live, stored = self.received.get(seq), logged.get(seq)
            if live is not None and stored is None:
                self.counts.lost_in_log += 1
            elif live is None and stored is not None:
                self.counts.missed_from_log += 1
            elif live is not None and stored is not None and live != stored:
                self.counts.differing += 1
        self.counts.verified_events += upto - self.verified
        self.received = {seq: e for seq, e in self.received.items() if seq > upto}
        self.verified = upto
        self.turns_since_verify = 0


async def reconnect(session: Session, until: float) -> None:
    """Come back to the thread where the learner left it, retrying until ``until``."""
    await session.close()
    while True:
        try:
            await session.connect(resume=True)
            session.counts.resumes += 1
            return
        except (OSError, TimeoutError, WebSocketException, ServeError) as error:
            session.counts.errors.add("reconnect", f"{session.learner.name}: {error!r}")
            if time.monotonic() > until:
                raise
            await asyncio.sleep(1.0)


async def learner_loop(
    session: Session, index: int, until: float, args: argparse.Namespace
) -> None:
    """Lessons, answers to their exercises, and questions, paced, until ``until``."""
    counts = session.counts
    await asyncio.sleep((index % 10) * args.turn_interval / 10)
    try:
        await session.connect(resume=False)
    except (OSError, TimeoutError, WebSocketException, ServeError) as error:
        counts.errors.add("connect", f"{session.learner.name}: {error!r}")
        return
    step = 0
    try:
        while time.monotonic() < until:
            started = time.monotonic()
            kind = ("lesson", "answer", "chat")[step % 3]
            try:
                if kind == "lesson":
                    counts.lessons += 1
                    drop = args.drop_every > 0 and counts.lessons % args.drop_every == 0
                    session.exercise = None
                    await session.turn("start_lesson", drop=drop)
                elif kind == "answer" and session.exercise is not None:
                    counts.answers += 1
                    exercise, session.exercise = session.exercise, None
                    answer = ANSWERS.get(exercise["kind"]) or exercise.get("starter_code") or "1"
                    await session.turn(
                        "answer",
                        exercise_id=exercise["id"],
                        answer=answer,
                        idempotency_key=f"{session.learner.name}-{step}",
                    )
                else:
                    counts.chats += 1
                    question = QUESTIONS[(index + step) % len(QUESTIONS)]
                    await session.turn("chat", text=question)
            except TimeoutError:
                counts.errors.add("turn_timeout", f"{session.learner.name}: {kind}")
                await reconnect(session, until)
            except (OSError, WebSocketException) as error:
                counts.errors.add("connection_lost", f"{session.learner.name}: {error!r}")
                await reconnect(session, until)
            step += 1
            if session.turns_since_verify >= VERIFY_EVERY_TURNS:
                await session.verify()
            wait = started + args.turn_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        await session.verify()
    except (OSError, WebSocketException, ServeError) as error:
        counts.errors.add("connection_lost", f"{session.learner.name}: {error!r}")
    finally:
        await session.close()


# --- a pathological upload ------------------------------------------------------------------


async def storm_upload(tutor: Tutor, learner: Learner, size: int) -> dict[str, Any]:
    """Upload ``size`` bytes of ``[`` and wait for the job; the outcome, not an error."""
    headers = {"Authorization": f"Bearer {learner.token}"}
    started = time.monotonic()
    outcome: dict[str, Any] = {"bytes": size, "started": started}
    async with httpx.AsyncClient(base_url=tutor.base_url, headers=headers, timeout=600) as client:
        try:
            files = [("data", ("brackets.md", b"[" * size, "text/markdown"))]
            accepted = await client.post("/api/v1/documents", files=files)
            outcome["http_status"] = accepted.status_code
            if accepted.status_code != 202:
                outcome["result"] = f"refused: {accepted.text[:200]}"
            elif accepted.json().get("rejected"):
                outcome["result"] = f"file refused: {accepted.json()['rejected']}"[:300]
            else:
                job_id = accepted.json()["job_id"]
                while True:
                    job = (await client.get(f"/api/v1/ingest-jobs/{job_id}")).json()
                    if job["status"] in {"done", "failed"}:
                        files_status = [(f["status"], f.get("error")) for f in job["files"]]
                        outcome["result"] = f"job {job['status']}: {files_status}"[:300]
                        break
                    await asyncio.sleep(0.5)
        except httpx.HTTPError as error:
            outcome["result"] = f"transport error: {error!r}"
    outcome["ended"] = time.monotonic()
    outcome["seconds"] = round(outcome["ended"] - started, 1)
    return outcome


# --- a phase -------------------------------------------------------------------------------


async def rss_every(pid: int, interval: float, since: float, samples: list[RssSample]) -> None:
    while True:
        sample = rss_sample(pid, since)
        samples.append(sample)
        say(
            f"  t={sample.at_s:5.0f} s  RSS {sample.main_mib:7.1f} MiB "
            f"(with children {sample.tree_mib:7.1f})  load {sample.load1:.2f}"
        )
        await asyncio.sleep(interval)


async def run_phase(
    tutor: Tutor, name: str, minutes: float, args: argparse.Namespace, storm: bool
) -> dict[str, Any]:
    """Sign up, upload, soak for ``minutes``, idle, and return the phase's figures."""
    pid = tutor.process.pid
    counts = Counts()
    names = [f"{name}{i:03d}" for i in range(args.learners + storm)]
    learners = await bounded(
        SIGNUP_CONCURRENCY, [functools.partial(sign_up, tutor.base_url, n) for n in names]
    )
    storm_learner = learners.pop() if storm else None
    await bounded(
        UPLOAD_CONCURRENCY,
        [functools.partial(upload_note, tutor.base_url, x, args.setup_timeout) for x in learners],
    )
    say(f"[{name}] {len(learners)} learners signed up, notes ingested; soaking {minutes} min")
    samples: list[RssSample] = []
    started = time.monotonic()
    sampler = asyncio.create_task(rss_every(pid, args.rss_interval, started, samples))
    sessions = [Session(ws_address(tutor), x, counts, args.turn_timeout) for x in learners]
    until = started + minutes * 60
    storm_task = None
    with HealthPoller(tutor.base_url) as health:
        tasks = [
            asyncio.create_task(learner_loop(s, i, until, args)) for i, s in enumerate(sessions)
        ]
        if storm_learner is not None:
            await asyncio.sleep(min(minutes * 60 / 3, 60))
            say(f"[{name}] uploading {args.storm_bytes} bytes of '['")
            storm_task = asyncio.create_task(storm_upload(tutor, storm_learner, args.storm_bytes))
        try:
            async with asyncio.timeout(minutes * 60 + args.turn_timeout + 120):
                await asyncio.gather(*tasks)
        except TimeoutError:
            counts.errors.add("phase_timeout", "learners still running")
        soak_s = time.monotonic() - started
        storm_result = await storm_task if storm_task is not None else None
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        end_of_soak = rss_sample(pid, started)
        samples.append(end_of_soak)
        say(f"[{name}] learners stopped after {soak_s:.0f} s; idle for {args.idle_seconds} s")
        await asyncio.sleep(args.idle_seconds)
        idle = rss_sample(pid, started)
    result: dict[str, Any] = {
        "learners": len(learners),
        "minutes": minutes,
        "soak_s": round(soak_s, 1),
        "errors": counts.errors.total,
        "errors_by_kind": counts.errors.counts,
        "error_examples": counts.errors.examples,
        "turns": counts.turns,
        "lessons": counts.lessons,
        "answers": counts.answers,
        "chats": counts.chats,
        "drops_resumed": counts.resumes,
        "events_received": counts.events,
        "events_verified": counts.verified_events,
        "lost_events": counts.lost_live + counts.lost_in_log + counts.missed_from_log,
        "lost_live": counts.lost_live,
        "lost_in_log": counts.lost_in_log,
        "missed_from_log": counts.missed_from_log,
        "differing_events": counts.differing,
        "duplicated_events": counts.duplicated,
        "rss_series_s_main_tree_load": [s.row() for s in samples],
        "rss_idle_mib": round(idle.main_mib, 1),
        "rss_idle_tree_mib": round(idle.tree_mib, 1),
        "healthz_polls": len(health.answered),
        "healthz_failures": health.failures,
        "healthz_largest_gap_s": round(health.largest_gap_s(), 2),
    }
    if len(samples) >= 3:
        # Growth after warm-up: from the second sample to the last one of the soak.
        warm = samples[1]
        result["rss_growth_after_warmup_mib"] = round(end_of_soak.main_mib - warm.main_mib, 1)
        result["rss_max_mib"] = round(max(s.main_mib for s in samples), 1)
    if storm_result is not None:
        result["storm_upload"] = {
            k: v for k, v in storm_result.items() if k not in {"started", "ended"}
        }
        result["healthz_largest_gap_during_storm_s"] = round(
            health.largest_gap_s(storm_result["started"], storm_result["ended"]), 2
        )
    say(f"[{name}] {json.dumps({k: v for k, v in result.items() if k != 'error_examples'})}")
    return result


def phase(
    name: str, minutes: float, env: dict[str, str], args: argparse.Namespace, storm: bool
) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        if args.data_dir:
            data_dir = args.data_dir / name
            data_dir.mkdir(parents=True, exist_ok=True)
        else:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="soak-")))
        server_env = {**env, **dict(item.split("=", 1) for item in args.server_env)}
        wrapper: Sequence[str] = args.server_wrapper.split() if args.server_wrapper else ()
        tutor = stack.enter_context(serve(data_dir, env=server_env, wrapper=wrapper))
        say(f"[{name}] server up at {tutor.base_url} in {tutor.startup_s:.1f} s")
        result = asyncio.run(run_phase(tutor, name, minutes, args, storm))
        result["server_tracebacks"] = tutor.log_text().count("Traceback")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--fake-minutes", type=float, default=10.0, help="0 skips the phase")
    parser.add_argument("--real-minutes", type=float, default=5.0, help="0 skips the phase")
    parser.add_argument("--model-rate", type=float, default=30.0, help="fake tokens/s")
    parser.add_argument(
        "--turn-interval", type=float, default=3.0, help="least time between turns, s"
    )
    parser.add_argument("--real-turn-interval", type=float, default=10.0)
    parser.add_argument(
        "--real-learners", type=int, help="learners in the real phase (default: --learners)"
    )
    parser.add_argument(
        "--real-turn-timeout",
        type=float,
        default=900.0,
        help="s; the real model serves four turns at once, the others wait their turn",
    )
    parser.add_argument("--real-max-tokens", type=int, default=128, help="per model reply")
    parser.add_argument("--drop-every", type=int, default=4, help="lessons; 0: never drop")
    parser.add_argument("--rss-interval", type=float, default=30.0, help="s")
    parser.add_argument("--idle-seconds", type=float, default=60.0)
    parser.add_argument("--storm-bytes", type=int, default=2 * 2**20, help="0: no upload")
    parser.add_argument("--turn-timeout", type=float, default=300.0, help="s")
    parser.add_argument("--setup-timeout", type=float, default=600.0, help="s")
    parser.add_argument("--data-dir", type=Path, help="keep the servers' data here")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="KEY=VALUE", help="TUTOR_* setting"
    )
    parser.add_argument("--server-wrapper", help="a command the server runs under")
    parser.add_argument(
        "--smoke", action="store_true", help="3 learners, 20 s, fake model only, small upload"
    )
    args = parser.parse_args()
    if args.smoke:
        args.learners, args.fake_minutes, args.real_minutes = 3, 20 / 60, 0.0
        args.rss_interval, args.idle_seconds, args.turn_interval = 5.0, 2.0, 1.5
        args.storm_bytes = min(args.storm_bytes, 64 * 2**10)
        args.drop_every, args.turn_timeout = 2, 120.0
    figures: dict[str, Any] = {
        "smoke": args.smoke,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    fake_env = {
        "TUTOR_LLM_PROVIDER": "fake",
        "TUTOR_LLM_FAKE_TOKENS_PER_SECOND": str(args.model_rate),
    }
    try:
        if args.fake_minutes > 0:
            storm = args.storm_bytes > 0
            figures["fake"] = phase("fake", args.fake_minutes, fake_env, args, storm)
        if args.real_minutes > 0:
            real = argparse.Namespace(**vars(args))
            real.turn_interval, real.turn_timeout = args.real_turn_interval, args.real_turn_timeout
            real.learners = args.real_learners or args.learners
            real_env = {
                "TUTOR_LLM_PROVIDER": "llamacpp",
                "TUTOR_LLM_MAX_TOKENS": str(args.real_max_tokens),
            }
            figures["real"] = phase("real", args.real_minutes, real_env, real, False)
    except ServeError as error:
        sys.exit(str(error))
    phases = [figures[p] for p in ("fake", "real") if p in figures]
    figures["errors"] = sum(p["errors"] for p in phases)
    figures["lost_events"] = sum(p["lost_events"] + p["differing_events"] for p in phases)
    figures["duplicated_events"] = sum(p["duplicated_events"] for p in phases)
    figures["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
