"""Many learners on /ws at once, with the fake model streaming at a fixed pace.

Starts `tutor serve` on a fresh data directory with the fake chat model streaming
``--model-rate`` tokens a second (default 50), then:

1. signs up ``--learners`` learners (each makes a personal API token), bounded in
   concurrency, and uploads one small Markdown note on Rust ownership for each of the
   ``--streaming`` learners that will ask questions;
2. runs one trial turn and checks that the tokens arrive spread over time at about the
   model's pace (``--skip-trial`` to skip);
3. connects the idle learners (everyone but the streaming ones), says ``hello`` on each,
   and reads the server's memory before and after: the difference over their count is
   the memory an idle connection costs;
4. connects the streaming learners, and for ``--duration`` seconds each asks questions
   its notes cover, one turn after the other, no faster than ``--turn-interval``
   (so that the per-learner rate limit is not what is measured); the idle learners stay
   connected throughout and answer a ``ping`` at the end.

Added delay per token: the fake writes one token every ``1/rate`` s. The tutor holds back
the first tokens of an answer and sends them as one ``token`` event, then one event per
token. For each turn the first token event's arrival is the origin: it arrived when the
model wrote its ``h``-th token, ``h`` being the tokens it holds (counted as the fake splits
them). An event that brings the turn to ``c`` tokens is then due at
``origin + (c - h) / rate`` - the model's own timing - and its added delay is how much
later than that it arrived (never below 0). Turns the tutor reset are counted apart and
left out. The figures include the bench's own event-loop lag (``client_loop_lag_ms_*``)
and the fake's timer overshoot, which a loaded server loop also causes.

Memory is the resident set (VmRSS) of the server process and its children, and of the
server process alone. The embedded PostgreSQL detaches from the server (its parent is
init), so it is in neither: a connection costs it nothing, as it holds no database
connection while idle.

``--smoke`` runs every phase at a tiny size (3 learners, 2 of them streaming for 3 s,
short pauses) to check the bench still runs; its trial pace is reported, not enforced.

Prints progress lines, then the figures as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import io
import json
import math
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import ServeError, Tutor, serve

from tutor.llm.fake import split_tokens

T = TypeVar("T")

NOTES_NAME = "rust-ownership.md"
# The fake answers by repeating the first 40 words of the best passage's first paragraph,
# then citing it as [1]. The tutor shows nothing of an answer before its first citation
# and gives the answer up (quoting the notes at once instead, not at the model's pace)
# when none came within 32 tokens. So every section here opens with a paragraph of over
# 40 words that carries its source mark [1] within the first 12 words: the fake's answer
# then cites in time, its first 12 tokens are sent together and the rest one by one.
NOTES = """\
# Ownership in Rust

## The rules of ownership

Each value in Rust has one owner [1], and there can only be one owner at a time. When
the owner goes out of scope, the value is dropped: Rust calls the drop function at the
closing curly bracket and frees the heap memory the value used, so nobody frees it by
hand or frees it twice.

## Moving a value

Assigning a String to another variable moves it [1]. Rust does not copy the heap data,
and the first variable is no longer valid after the move, so using it again is a
compile-time error. Only the new owner drops the value when it goes out of scope, which
prevents a double free.

## Borrowing with references

A reference lets a function use a value [1] without taking ownership of it, and
creating a reference is called borrowing. At any given time you can have either one
mutable reference or any number of immutable references to a value, and the compiler
rejects a dangling reference.

## Slices

A string slice is a reference to part [1] of a String, written with a range such as
&s[0..5]. Slices let a function return a view into a collection without owning it, and
the borrowing rules keep the slice valid, so the String cannot be cleared while a slice
of it is alive.

## Sources

[1] The Rust Programming Language, chapter 4: Understanding Ownership.
"""
QUESTIONS = (
    "What happens when the owner goes out of scope?",
    "What does Rust do when a String is moved to another variable?",
    "How many mutable references can I have to a value at one time?",
    "What is a string slice in Rust?",
    "Why does Rust drop a value when its owner goes out of scope?",
    "What is borrowing in Rust?",
)
PASSWORD = "load-test-password"
SIGNUP_CONCURRENCY = 4
"""Passwords are hashed with argon2 on the server: more at once only queue there."""
UPLOAD_CONCURRENCY = 8
CONNECT_CONCURRENCY = 50
TURN_TIMEOUT_S = 120.0
"""A turn still running after this counts as an error (it may wait for the CPU a long time)."""
HELLO_TIMEOUT_S = 30.0
LATE_S = 0.1
"""Added delay from which a token event counts as late in the stall analysis."""
SETTLE_S = 3.0
"""Pause before reading the server's memory, so that it reflects connections at rest."""
SMOKE_SETTLE_S = 0.5


# --- measurement -------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by the nearest-rank method, or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def added_delays(arrivals: Sequence[tuple[float, int]], rate: float) -> list[float]:
    """Seconds by which each token event after the first came later than the model's timing.

    Args:
        arrivals: ``(arrival time in s, tokens in the event)`` for the token events of one
            turn, in order.
        rate: The model's tokens per second.

    Returns:
        One delay per event after the first, never below 0.
    """
    if not arrivals:
        return []
    origin, held = arrivals[0]
    delays = []
    total = held
    for arrived, count in arrivals[1:]:
        total += count
        due = origin + (total - held) / rate
        delays.append(max(0.0, arrived - due))
    return delays


@dataclass
class Tree:
    """Memory and CPU of a process and its children."""

    rss_bytes: int
    main_rss_bytes: int
    cpu_s: float


def process_tree(pid: int) -> Tree:
    """VmRSS and CPU time of ``pid`` and of every process under it."""
    main = psutil.Process(pid)
    rss = cpu = 0.0
    main_rss = 0
    for process in [main, *main.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            memory = process.memory_info().rss
            times = process.cpu_times()
            rss += memory
            cpu += times.user + times.system
            if process.pid == pid:
                main_rss = memory
    return Tree(int(rss), main_rss, cpu)


def thread_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds of each of a process's threads so far, summed by thread name.

    The event loop runs on the main thread; ``asyncio.to_thread`` work on threads named
    ``asyncio_N``; torch, tokenizers and the database driver on threads of their own.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    by_name: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            stat = (task / "stat").read_text()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            # utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
            cpu = (int(fields[11]) + int(fields[12])) / ticks
            if task.name == str(pid):
                key = "main (event loop)"
            elif name.startswith("asyncio_"):
                key = "asyncio_workers"
            else:
                key = f"other ({name})"
            by_name[key] = by_name.get(key, 0.0) + cpu
    return by_name


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


class LoopLag:
    """How late this process's own event loop wakes up: it adds to every measured delay."""

    def __init__(self, tick_s: float = 0.01) -> None:
        self._tick = tick_s
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self._tick)
            self.lags.append(max(0.0, time.perf_counter() - before - self._tick))


@dataclass
class Errors:
    """What went wrong, by kind, with a few examples."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, kind: str, detail: str = "") -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {detail}"[:300])

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Turn:
    """One chat turn as a client saw it."""

    sent: float
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    status: str | None = None
    done_tokens: int | None = None
    resets: int = 0
    citations: int = 0
    error: str | None = None

    @property
    def first_token_s(self) -> float | None:
        return self.arrivals[0][0] - self.sent if self.arrivals else None


@dataclass
class Streams:
    """The streaming phase's turns, and how many were streaming at each moment."""

    turns: list[Turn] = field(default_factory=list)
    in_flight: int = 0
    samples: list[int] = field(default_factory=list)


# --- learners ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Learner:
    """An account and its personal API token."""

    name: str
    token: str


async def bounded(limit: int, jobs: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run ``jobs`` with at most ``limit`` at once; results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def sign_up(base_url: str, name: str) -> Learner:
    """Create an account (its session cookie signs it in) and a personal API token."""
    async with httpx.AsyncClient(base_url=base_url, timeout=120.0) as client:
        created = await client.post(
            "/api/v1/auth/signup", json={"name": name, "password": PASSWORD}
        )
        if created.status_code != 201:
            raise ServeError(f"sign-up of {name} refused ({created.status_code}): {created.text}")
        token = await client.post("/api/v1/auth/tokens", json={"name": "ws-load"})
        if token.status_code != 201:
            raise ServeError(f"token for {name} refused ({token.status_code}): {token.text}")
        return Learner(name, str(token.json()["token"]))


async def upload_note(base_url: str, learner: Learner, timeout_s: float) -> float:
    """Upload the learner's note and wait until it is ingested; returns the seconds taken."""
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {learner.token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120.0) as client:
        files = [("data", (NOTES_NAME, NOTES.encode(), "text/markdown"))]
        accepted = await client.post("/api/v1/documents", files=files)
        if accepted.status_code != 202:
            raise ServeError(f"upload refused ({accepted.status_code}): {accepted.text}")
        job_id = accepted.json()["job_id"]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = (await client.get(f"/api/v1/ingest-jobs/{job_id}")).json()
            if job["status"] == "failed" or any(f["status"] == "failed" for f in job["files"]):
                raise ServeError(f"ingestion failed: {job}")
            if job["status"] == "done":
                return time.perf_counter() - started
            await asyncio.sleep(0.5)
    raise ServeError(f"ingestion did not finish within {timeout_s:.0f} s")


def ws_address(tutor: Tutor) -> str:
    """The ``/ws`` address without the token: the learners send theirs in a header."""
    return f"{tutor.base_url.replace('http://', 'ws://', 1)}/ws"


def _frame(kind: str, **fields: Any) -> str:
    return json.dumps({"v": 1, "type": kind, **fields})


async def open_learner(ws_url: str, learner: Learner, compression: bool) -> ClientConnection:
    """Connect with the token in the header and say hello; returns once ``ready`` came."""
    ws = await connect(
        ws_url,
        additional_headers={"Authorization": f"Bearer {learner.token}"},
        compression="deflate" if compression else None,
        # The server keeps connections alive; the idle learners should stay truly idle.
        ping_interval=None,
        open_timeout=HELLO_TIMEOUT_S,
        max_size=None,
    )
    try:
        await ws.send(_frame("hello"))
        async with asyncio.timeout(HELLO_TIMEOUT_S):
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") == "ready":
                    return ws
                if event.get("type") == "error":
                    raise ServeError(f"hello refused: {event}")
    except BaseException:
        await ws.close()
        raise


async def chat_turn(ws: ClientConnection, question: str, streams: Streams | None) -> Turn:
    """Ask one question and read the turn's events up to ``done``."""
    turn = Turn(sent=time.perf_counter())
    await ws.send(_frame("chat", text=question))
    streaming = False
    try:
        async with asyncio.timeout(TURN_TIMEOUT_S):
            while True:
                raw = await ws.recv()
                arrived = time.perf_counter()
                event = json.loads(raw)
                kind = event.get("type")
                if kind == "token":
                    turn.arrivals.append((arrived, len(split_tokens(event["text"]))))
                    if streams is not None and not streaming:
                        streaming = True
                        streams.in_flight += 1
                elif kind == "reset":
                    turn.resets += 1
                elif kind == "citation":
                    turn.citations += 1
                elif kind == "error":
                    turn.error = f"{event.get('code')}: {event.get('message')}"
                elif kind == "done":
                    turn.status = event.get("status")
                    turn.done_tokens = event.get("tokens")
                    return turn
    except TimeoutError:
        turn.error = f"no done within {TURN_TIMEOUT_S:.0f} s"
        return turn
    finally:
        if streams is not None and streaming:
            streams.in_flight -= 1


def check_turn(turn: Turn, errors: Errors) -> None:
    """Count what is wrong with a finished turn."""
    if turn.error is not None:
        errors.add(f"turn_error:{turn.error.split(':', 1)[0]}", turn.error)
    elif turn.status != "complete":
        errors.add("turn_not_complete", str(turn.status))
    elif not turn.arrivals:
        errors.add("turn_without_tokens", "the answer streamed no token events")
    elif turn.done_tokens is not None and turn.done_tokens != len(turn.arrivals):
        errors.add(
            "token_count_mismatch", f"done says {turn.done_tokens}, saw {len(turn.arrivals)}"
        )


async def ping(ws: ClientConnection, nonce: str) -> bool:
    """Whether the connection answers an application ``ping`` with its ``pong``."""
    await ws.send(_frame("ping", nonce=nonce))
    async with asyncio.timeout(HELLO_TIMEOUT_S):
        while True:
            event = json.loads(await ws.recv())
            if event.get("type") == "pong":
                return bool(event.get("nonce") == nonce)


# --- phases ----------------------------------------------------------------------------------


def say(message: str) -> None:
    print(message, flush=True)


async def trial(tutor: Tutor, learner: Learner, args: argparse.Namespace) -> dict[str, Any]:
    """One turn on its own: do the tokens arrive spread over time at the model's pace?"""
    ws = await open_learner(ws_address(tutor), learner, args.compression)
    try:
        turn = await chat_turn(ws, QUESTIONS[0], None)
    finally:
        await ws.close()
    if turn.error or turn.status != "complete" or len(turn.arrivals) < 5:
        raise ServeError(f"trial turn did not stream: {turn}")
    first, last = turn.arrivals[0][0], turn.arrivals[-1][0]
    later_tokens = sum(count for _, count in turn.arrivals[1:])
    pace = later_tokens / (last - first) if last > first else float("inf")
    result = {
        "trial_token_events": len(turn.arrivals),
        "trial_first_event_tokens": turn.arrivals[0][1],
        "trial_tokens": sum(count for _, count in turn.arrivals),
        "trial_tokens_per_s": round(pace, 1),
        "trial_first_token_ms": _ms(turn.first_token_s),
        "trial_added_delay_ms_max": _ms(max(added_delays(turn.arrivals, args.model_rate))),
    }
    say(f"trial: {result}")
    # A smoke run only checks that the bench works: a busy machine may slow its one turn.
    if not args.smoke and not 0.6 * args.model_rate <= pace <= 1.4 * args.model_rate:
        raise ServeError(f"trial turn streamed {pace:.1f} tokens/s, not ~{args.model_rate}")
    return result


async def connect_all(
    tutor: Tutor, learners: Sequence[Learner], args: argparse.Namespace, errors: Errors
) -> list[ClientConnection]:
    """Open and greet every learner's connection; failures are counted, not raised."""

    async def one(learner: Learner) -> ClientConnection | None:
        try:
            return await open_learner(ws_address(tutor), learner, args.compression)
        except (OSError, TimeoutError, WebSocketException, ServeError) as error:
            errors.add("connect", f"{learner.name}: {error!r}")
            return None

    opened = await bounded(CONNECT_CONCURRENCY, [functools.partial(one, x) for x in learners])
    return [ws for ws in opened if ws is not None]


async def stream_learner(
    ws: ClientConnection,
    index: int,
    until: float,
    args: argparse.Namespace,
    streams: Streams,
    errors: Errors,
) -> None:
    """Ask questions one after the other until ``until``, paced by ``--turn-interval``."""
    # Spread the first questions over one interval, so that turns do not march in step.
    await asyncio.sleep(random.uniform(0, args.turn_interval))
    asked = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        question = QUESTIONS[(index + asked) % len(QUESTIONS)]
        asked += 1
        try:
            turn = await chat_turn(ws, question, streams)
        except (OSError, WebSocketException) as error:
            errors.add("connection_lost", repr(error))
            return
        streams.turns.append(turn)
        check_turn(turn, errors)
        wait = started + args.turn_interval - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)


async def sample_in_flight(streams: Streams) -> None:
    while True:
        await asyncio.sleep(0.1)
        streams.samples.append(streams.in_flight)


async def run(tutor: Tutor, args: argparse.Namespace) -> dict[str, Any]:
    """Every phase against a running server; returns the figures."""
    errors = Errors()
    result: dict[str, Any] = {
        "smoke": args.smoke,
        "learners": args.learners,
        "streaming_learners": args.streaming,
        "model_tokens_per_s": args.model_rate,
        "server_startup_s": round(tutor.startup_s, 1),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    pid = tutor.process.pid

    started = time.perf_counter()
    names = [f"learner{i:04d}" for i in range(args.learners)]
    learners = await bounded(
        SIGNUP_CONCURRENCY, [functools.partial(sign_up, tutor.base_url, n) for n in names]
    )
    result["signup_s"] = round(time.perf_counter() - started, 1)
    result["signup_ms_each"] = round(result["signup_s"] * 1000 / len(learners), 1)
    say(f"signed up {len(learners)} learners in {result['signup_s']} s")
    streamers, idlers = learners[: args.streaming], learners[args.streaming :]

    started = time.perf_counter()
    ingest = await bounded(
        UPLOAD_CONCURRENCY,
        [functools.partial(upload_note, tutor.base_url, x, args.setup_timeout) for x in streamers],
    )
    result["upload_s"] = round(time.perf_counter() - started, 1)
    result["ingest_s_p50"] = round(percentile(ingest, 50) or 0.0, 2)
    say(f"uploaded notes for {len(streamers)} learners in {result['upload_s']} s")

    if not args.skip_trial:
        result.update(await trial(tutor, streamers[0], args))

    settle_s = SMOKE_SETTLE_S if args.smoke else SETTLE_S
    await asyncio.sleep(settle_s)
    before = process_tree(pid)
    started = time.perf_counter()
    idle = await connect_all(tutor, idlers, args, errors)
    result["connect_idle_s"] = round(time.perf_counter() - started, 1)
    await asyncio.sleep(settle_s)
    after = process_tree(pid)
    result.update(
        {
            "idle_connected": len(idle),
            "server_rss_before_idle_bytes": before.rss_bytes,
            "server_rss_after_idle_bytes": after.rss_bytes,
            "server_main_rss_before_idle_bytes": before.main_rss_bytes,
            "server_main_rss_after_idle_bytes": after.main_rss_bytes,
            "bytes_per_idle_connection": (
                round((after.rss_bytes - before.rss_bytes) / len(idle)) if idle else None
            ),
            "main_bytes_per_idle_connection": (
                round((after.main_rss_bytes - before.main_rss_bytes) / len(idle)) if idle else None
            ),
        }
    )
    say(
        f"{len(idle)} idle learners connected in {result['connect_idle_s']} s: server RSS "
        f"{before.rss_bytes / 2**20:.1f} -> {after.rss_bytes / 2**20:.1f} MiB, "
        f"{result['bytes_per_idle_connection']} bytes each"
    )

    started = time.perf_counter()
    streaming = await connect_all(tutor, streamers, args, errors)
    result["connect_streaming_s"] = round(time.perf_counter() - started, 1)
    result["connected"] = len(idle) + len(streaming)
    result["streaming"] = len(streaming)
    say(f"{len(streaming)} streaming learners connected; streaming for {args.duration} s")

    streams = Streams()
    lag = LoopLag()
    lag.start()
    sampler = asyncio.create_task(sample_in_flight(streams))
    tree_before, own_before, busy_before = process_tree(pid), _own_cpu_s(), _busy_cpu_s()
    threads_before = thread_cpu_s(pid)
    phase_started = time.perf_counter()
    until = phase_started + args.duration
    try:
        async with asyncio.timeout(args.duration + TURN_TIMEOUT_S + 30):
            await asyncio.gather(
                *(
                    stream_learner(ws, i, until, args, streams, errors)
                    for i, ws in enumerate(streaming)
                )
            )
    except TimeoutError:
        errors.add("streaming_phase_timeout", f"turns still running {streams.in_flight}")
    phase_s = time.perf_counter() - phase_started
    tree_after, own_after, busy_after = process_tree(pid), _own_cpu_s(), _busy_cpu_s()
    threads_after = thread_cpu_s(pid)
    sampler.cancel()
    await lag.stop()

    pings = await bounded(
        CONNECT_CONCURRENCY,
        [functools.partial(_ping_or_false, ws, f"idle{i}") for i, ws in enumerate(idle)],
    )
    lost = pings.count(False)
    for _ in range(lost):
        errors.add("idle_ping_unanswered")
    result["idle_alive_after"] = len(idle) - lost

    clean = [t for t in streams.turns if t.resets == 0 and t.error is None and t.arrivals]
    delays = [d for t in clean for d in added_delays(t.arrivals, args.model_rate)]
    firsts = [t.first_token_s for t in clean if t.first_token_s is not None]
    # Late events that many turns share in one instant point at the server's event loop
    # (or the GIL) being held, rather than at one turn's own work.
    late: dict[int, set[int]] = {}
    for number, turn in enumerate(clean):
        for (arrived, _), delay in zip(
            turn.arrivals[1:], added_delays(turn.arrivals, args.model_rate), strict=True
        ):
            if delay > LATE_S:
                late.setdefault(int(arrived / 0.1), set()).add(number)
    completed = sum(t.status == "complete" for t in streams.turns)
    busy = busy_after - busy_before
    server_cpu = tree_after.cpu_s - tree_before.cpu_s
    own_cpu = own_after - own_before
    result.update(
        {
            "added_delay_ms_p50": _ms(percentile(delays, 50)),
            "added_delay_ms_p90": _ms(percentile(delays, 90)),
            "added_delay_ms_p99": _ms(percentile(delays, 99)),
            "added_delay_ms_max": _ms(max(delays) if delays else None),
            "token_events_measured": len(delays),
            "late_events": sum(d > LATE_S for d in delays),
            "late_windows_100ms": len(late),
            "late_turns_in_one_window_max": max((len(x) for x in late.values()), default=0),
            "first_token_ms_p50": _ms(percentile(firsts, 50)),
            "first_token_ms_p99": _ms(percentile(firsts, 99)),
            "turns": len(streams.turns),
            "turns_completed": completed,
            "turns_reset": sum(t.resets > 0 for t in streams.turns),
            "tokens_received": sum(c for t in streams.turns for _, c in t.arrivals),
            "token_events_received": sum(len(t.arrivals) for t in streams.turns),
            "streaming_phase_s": round(phase_s, 1),
            "streaming_in_flight_mean": (
                round(sum(streams.samples) / len(streams.samples), 1) if streams.samples else 0
            ),
            "streaming_in_flight_max": max(streams.samples, default=0),
            "server_cpu_percent": round(100 * server_cpu / phase_s, 1),
            "server_thread_cpu_percent": {
                name: round(100 * (cpu - threads_before.get(name, 0.0)) / phase_s, 1)
                for name, cpu in sorted(threads_after.items())
                if cpu - threads_before.get(name, 0.0) >= 0.01 * phase_s
            },
            "bench_cpu_percent": round(100 * own_cpu / phase_s, 1),
            "other_cpu_percent": round(100 * (busy - server_cpu - own_cpu) / phase_s, 1),
            "client_loop_lag_ms_p50": _ms(percentile(lag.lags, 50)),
            "client_loop_lag_ms_p99": _ms(percentile(lag.lags, 99)),
            "server_rss_after_streaming_bytes": tree_after.rss_bytes,
            "server_main_rss_after_streaming_bytes": tree_after.main_rss_bytes,
        }
    )
    for ws in [*idle, *streaming]:
        with contextlib.suppress(Exception):
            await ws.close()
    result["errors"] = errors.total
    result["errors_by_kind"] = errors.counts
    result["error_examples"] = errors.examples
    return result


async def _ping_or_false(ws: ClientConnection, nonce: str) -> bool:
    try:
        return await ping(ws, nonce)
    except (OSError, TimeoutError, WebSocketException):
        return False


def raise_open_files(wanted: int) -> int:
    """Raise this process's open-file limit (the server started from it inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000, help="connected learners")
    parser.add_argument("--streaming", type=int, default=200, help="of them, asking questions")
    parser.add_argument("--duration", type=float, default=60.0, help="streaming phase, s")
    parser.add_argument("--model-rate", type=float, default=50.0, help="fake tokens/s")
    parser.add_argument(
        "--turn-interval",
        type=float,
        default=1.1,
        help="least time between the starts of one learner's turns, s (the rate limit)",
    )
    parser.add_argument("--no-compression", dest="compression", action="store_false")
    parser.add_argument("--skip-trial", action="store_true")
    parser.add_argument("--setup-timeout", type=float, default=900.0, help="per phase, s")
    parser.add_argument("--data-dir", type=Path, help="keep the server's data here")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="run the server under cProfile (its event-loop thread) and write the stats here",
    )
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="KEY=VALUE", help="TUTOR_* setting"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="3 learners, 2 streaming for 3 s: checks it runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.learners, args.streaming, args.duration, args.setup_timeout = 3, 2, 3.0, 120.0
    if not 0 < args.streaming <= args.learners:
        parser.error("--streaming must be between 1 and --learners")
    open_files = raise_open_files(2 * args.learners + 1024)
    env = {
        "TUTOR_LLM_PROVIDER": "fake",
        "TUTOR_LLM_FAKE_TOKENS_PER_SECOND": str(args.model_rate),
        **dict(item.split("=", 1) for item in args.server_env),
    }
    with contextlib.ExitStack() as stack:
        data_dir = args.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="ws-load-"))
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        wrapper = (
            [sys.executable, str(Path(__file__).with_name("_profiled.py")), str(args.profile)]
            if args.profile
            else []
        )
        tutor = stack.enter_context(serve(data_dir, env=env, wrapper=wrapper))
        say(f"server up at {tutor.base_url} in {tutor.startup_s:.1f} s (pid {tutor.process.pid})")
        overall = args.setup_timeout * 3 + args.duration + 300
        result = uvloop.run(asyncio.wait_for(run(tutor, args), overall))
    result["open_files_limit"] = open_files
    if args.profile:
        show_profile(args.profile)
    print(json.dumps(result), flush=True)


def show_profile(path: Path, top: int = 25) -> None:
    """The functions the server's event loop spent most time in, as progress lines."""
    if not path.exists():
        say(f"no profile at {path}: the server did not exit cleanly")
        return
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("tottime").print_stats(top)
    say(out.getvalue())
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("cumulative").print_stats(top)
    say(out.getvalue())


if __name__ == "__main__":
    main()
