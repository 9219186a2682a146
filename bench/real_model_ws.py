"""Tokens per second and time to first token of the real local model, through /ws.

Starts `tutor serve` on the embedded stack (a fresh data directory, a free loopback port),
then sends chat turns over a real WebSocket: first one at a time, then several at once.
Prints one line per turn, then the figures as JSON on the last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.asyncio.client import connect

PROMPTS = [
    "What is ownership in Rust?",
    "Explain what a variable is.",
    "Why do programs need loops?",
    "What does a compiler do?",
    "How is a vector different from an array?",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_healthy(base: str, server: subprocess.Popen[bytes], timeout_s: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if server.poll() is not None:
            sys.exit(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server did not answer within {timeout_s} s")


def _local_token(base: str, log: Path) -> str:
    """Sign in as the embedded setup's first learner, whose password the server logged."""
    match = re.search(r"name 'local', password '([^']+)'", log.read_text())
    if match is None:
        sys.exit("the server did not log the first learner's password")
    headers = {"Content-Type": "application/json"}
    body = json.dumps({"name": "local", "password": match[1]}).encode()
    signin = urllib.request.Request(f"{base}/api/v1/auth/signin", body, headers)
    with urllib.request.urlopen(signin) as response:
        cookie = response.headers["set-cookie"].split(";")[0]
    tokens = urllib.request.Request(
        f"{base}/api/v1/auth/tokens",
        json.dumps({"name": "bench"}).encode(),
        {**headers, "Cookie": cookie},
    )
    with urllib.request.urlopen(tokens) as response:
        token: str = json.loads(response.read())["token"]
    return token


async def _turn(url: str, prompt: str) -> dict[str, float]:
    async with connect(url) as ws:
        sent = time.perf_counter()
        await ws.send(json.dumps({"type": "chat", "text": prompt}))
        arrivals: list[float] = []
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "token":
                arrivals.append(time.perf_counter())
            elif event["type"] == "done":
                break
            else:
                raise RuntimeError(f"unexpected event: {event}")
    tokens = len(arrivals)
    span = arrivals[-1] - arrivals[0] if tokens > 1 else 0.0
    return {
        "tokens": tokens,
        "ttft_ms": (arrivals[0] - sent) * 1000 if arrivals else float("nan"),
        "tokens_per_s": (tokens - 1) / span if span > 0 else float("nan"),
        "total_s": (arrivals[-1] if arrivals else time.perf_counter()) - sent,
    }


async def _measure(url: str, concurrency: int) -> dict[str, object]:
    sequential = []
    for prompt in PROMPTS:
        result = await _turn(url, prompt)
        sequential.append(result)
        print(f"one at a time: {result}", flush=True)
    started = time.perf_counter()
    together = await asyncio.gather(
        *(_turn(url, PROMPTS[i % len(PROMPTS)]) for i in range(concurrency))
    )
    wall = time.perf_counter() - started
    for result in together:
        print(f"{concurrency} at once: {result}", flush=True)
    return {
        "model": "gemma3-270m-q4_k_m (llama.cpp, embedded)",
        "turns": len(sequential),
        "ttft_ms_p50": round(statistics.median(r["ttft_ms"] for r in sequential), 1),
        "ttft_ms_max": round(max(r["ttft_ms"] for r in sequential), 1),
        "tokens_per_s_p50": round(statistics.median(r["tokens_per_s"] for r in sequential), 1),
        "concurrent_turns": concurrency,
        "concurrent_ttft_ms_p50": round(statistics.median(r["ttft_ms"] for r in together), 1),
        "concurrent_tokens_per_s_total": round(sum(r["tokens"] for r in together) / wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as data_dir:
        env = {
            **os.environ,
            "TUTOR_DATA_DIR": data_dir,
            "TUTOR_PORT": str(port),
            "TUTOR_LLM_PROVIDER": "llamacpp",
            "TUTOR_LLM_MAX_TOKENS": str(args.max_tokens),
        }
        tutor = Path(sys.executable).with_name("tutor")
        log = Path(data_dir) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [str(tutor), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            startup_s = _wait_healthy(base, server, timeout_s=120)
            print(f"server answered after {startup_s:.1f} s", flush=True)
            token = _local_token(base, log)
            figures = asyncio.run(
                _measure(f"ws://127.0.0.1:{port}/ws?token={token}", args.concurrency)
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
    figures["server_start_s"] = round(startup_s, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
