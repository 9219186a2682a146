"""Tokens per second and time to first token of the real local model, through /ws.

Starts `tutor serve` on the embedded stack (a fresh data directory, a free loopback port),
uploads a few chapters of the Rust book as notes (chat answers only from the learner's
notes), then sends chat questions the notes cover over a real WebSocket: first one at a
time, then several at once. Prints one line per turn, then the figures as JSON on the
last line.

``--smoke`` asks two questions on one chapter, one at a time and then two at once, with
answers of a handful of tokens: it checks the bench still runs, in well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import ServeError, serve, upload_notes

DEFAULT_NOTES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "rust-book"
DEFAULT_FILES = (
    "ch04-01-what-is-ownership.md",
    "ch04-02-references-and-borrowing.md",
    "ch08-01-vectors.md",
)
QUOTED_OPENING = "Here is what your notes say"
NOT_COVERED_OPENING = "Your notes don't seem to cover"
PROMPTS = [
    "What is ownership in Rust?",
    "What are the ownership rules?",
    "What happens to a String when it goes out of scope?",
    "What is the difference between a mutable and an immutable reference?",
    "How is a vector different from an array?",
]


async def _turn(url: str, prompt: str) -> dict[str, float]:
    async with connect(url) as ws:
        # A thread of its own, so that turns sent at once do not queue on one thread.
        await ws.send(json.dumps({"v": 1, "type": "hello", "new_thread": True}))
        ready = json.loads(await ws.recv())
        if ready["type"] != "ready":
            raise RuntimeError(f"the server did not open the thread: {ready}")
        if ready["running"]:
            while json.loads(await ws.recv())["type"] != "done":
                pass
        sent = time.perf_counter()
        await ws.send(json.dumps({"v": 1, "type": "chat", "text": prompt}))
        arrivals: list[float] = []
        text = ""
        citations = 0
        withdrawn_at: int | None = None
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "token":
                arrivals.append(time.perf_counter())
                text += event["text"]
            elif event["type"] == "reset":
                text = ""
                withdrawn_at = len(arrivals) if withdrawn_at is None else withdrawn_at
            elif event["type"] == "citation":
                citations += 1
            elif event["type"] == "done":
                break
            elif event["type"] == "error":
                raise RuntimeError(f"the turn failed: {event}")
            # Other events (the echoed request, plans, mastery) carry no tokens: they do
            # not change what is measured, and new kinds must not stop the bench.
    # When the model's answer fails the quality guard the notes are quoted instead, sent
    # at once; only the model's own tokens (those shown before a reset, or the whole
    # answer when it was kept) say how fast the model writes.
    quoted = text.startswith(QUOTED_OPENING)
    kept = withdrawn_at is None and not quoted
    model = arrivals if kept else arrivals[: withdrawn_at or 0]
    span = model[-1] - model[0] if len(model) > 1 else 0.0
    return {
        "tokens": len(arrivals),
        "model_tokens": len(model),
        "ttft_ms": (arrivals[0] - sent) * 1000 if arrivals else float("nan"),
        "tokens_per_s": (len(model) - 1) / span if span > 0 else float("nan"),
        "total_s": (arrivals[-1] if arrivals else time.perf_counter()) - sent,
        "resets": float(withdrawn_at is not None),
        "citations": citations,
        "quoted": float(quoted),
        "not_covered": float(text.startswith(NOT_COVERED_OPENING)),
    }


def _median(values: list[float]) -> float | None:
    kept = [v for v in values if not math.isnan(v)]
    return round(statistics.median(kept), 1) if kept else None


async def _measure(url: str, concurrency: int, prompts: list[str]) -> dict[str, object]:
    sequential = []
    for prompt in prompts:
        result = await _turn(url, prompt)
        sequential.append(result)
        print(f"one at a time: {result}", flush=True)
    started = time.perf_counter()
    together = await asyncio.gather(
        *(_turn(url, prompts[i % len(prompts)]) for i in range(concurrency))
    )
    wall = time.perf_counter() - started
    for result in together:
        print(f"{concurrency} at once: {result}", flush=True)
    return {
        "model": "gemma3-270m-q4_k_m (llama.cpp, embedded)",
        "turns": len(sequential),
        "ttft_ms_p50": round(statistics.median(r["ttft_ms"] for r in sequential), 1),
        "ttft_ms_max": round(max(r["ttft_ms"] for r in sequential), 1),
        # Over the model's own tokens; the first token event holds the guard's first words.
        "tokens_per_s_p50": _median([r["tokens_per_s"] for r in sequential]),
        "concurrent_turns": concurrency,
        "concurrent_ttft_ms_p50": round(statistics.median(r["ttft_ms"] for r in together), 1),
        "concurrent_tokens_per_s_total": round(sum(r["model_tokens"] for r in together) / wall, 1),
        "answers_quoted": int(sum(r["quoted"] for r in [*sequential, *together])),
        "answers_not_covered": int(sum(r["not_covered"] for r in [*sequential, *together])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--notes", type=Path, default=DEFAULT_NOTES)
    parser.add_argument("--files", nargs="+", default=list(DEFAULT_FILES))
    parser.add_argument(
        "--smoke", action="store_true", help="one chapter, two questions, 8-token answers"
    )
    args = parser.parse_args()
    prompts = PROMPTS
    if args.smoke:
        args.concurrency, args.max_tokens, args.files = 2, 8, [DEFAULT_FILES[0]]
        prompts = PROMPTS[:2]
    if not args.notes.is_dir():
        sys.exit(f"no notes folder at {args.notes}: pass the Rust book's chapters with --notes")
    files = sorted({path for pattern in args.files for path in args.notes.glob(pattern)})
    if not files:
        sys.exit(f"none of {args.files} in {args.notes}")
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as data_dir:
        try:
            with serve(Path(data_dir), env={"TUTOR_LLM_MAX_TOKENS": str(args.max_tokens)}) as tutor:
                print(f"server answered after {tutor.startup_s:.1f} s", flush=True)
                job = upload_notes(tutor, files)
                print(f"ingested {len(files)} files, {job['chunks_total']} chunks", flush=True)
                figures = asyncio.run(_measure(tutor.ws_url, args.concurrency, prompts))
                figures["server_tracebacks"] = tutor.log_text().count("Traceback")
        except ServeError as error:
            sys.exit(str(error))
    figures["server_start_s"] = round(tutor.startup_s, 2)
    figures["files"] = [path.name for path in files]
    figures["smoke"] = args.smoke
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
