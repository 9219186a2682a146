"""End to end on the real local model: `tutor serve` on the embedded stack, a real client."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

pytestmark = [pytest.mark.integration, pytest.mark.real_model]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _local_token(port: int, log: Path) -> str:
    """Sign in as the embedded setup's first learner (its password is in the log)."""
    match = re.search(r"name 'local', password '([^']+)'", log.read_text())
    assert match, log.read_text()[-2000:]
    base = f"http://127.0.0.1:{port}/api/v1/auth"
    body = json.dumps({"name": "local", "password": match[1]}).encode()
    headers = {"Content-Type": "application/json"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/signin", body, headers)) as r:
        cookie = r.headers["set-cookie"].split(";")[0]
    request = urllib.request.Request(
        f"{base}/tokens", json.dumps({"name": "test"}).encode(), {**headers, "Cookie": cookie}
    )
    with urllib.request.urlopen(request) as r:
        token: str = json.loads(r.read())["token"]
    return token


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("log") / "server.log"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_log: Path) -> Iterator[str]:
    """The real app, on its embedded Postgres and the real Gemma model, on loopback."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")},
        "TUTOR_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "TUTOR_PORT": str(port),
        "TUTOR_LLM_MAX_TOKENS": "40",
    }
    log = server_log
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("tutor")), "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield f"ws://127.0.0.1:{port}/ws?token={_local_token(port, log)}"
    finally:
        process.terminate()
        process.wait(timeout=60)
    # A clean shutdown stopped the embedded PostgreSQL it started.
    assert "stopping embedded PostgreSQL" in log.read_text()


def test_real_model_tokens_arrive_one_by_one_before_done(server: str) -> None:
    with connect(server) as ws:
        ws.send(json.dumps({"type": "chat", "text": "What is a variable in programming?"}))
        arrivals: list[tuple[float, dict[str, object]]] = []
        while True:
            event = json.loads(ws.recv(timeout=60))
            arrivals.append((time.perf_counter(), event))
            if event["type"] in {"done", "error"}:
                break
    events = [event for _, event in arrivals]
    assert events[-1]["type"] == "done", events[-1]
    tokens = [e for e in events if e["type"] == "token"]
    assert len(tokens) >= 5, events
    assert events[-1]["tokens"] == len(tokens)
    # Streamed, not sent in one burst at the end: the tokens are spread over time.
    token_times = [t for t, e in arrivals if e["type"] == "token"]
    assert token_times[-1] - token_times[0] > 0.05
    assert len({round(t, 3) for t in token_times}) > len(token_times) // 2


def test_client_leaving_mid_reply_is_handled_quietly(server: str, server_log: Path) -> None:
    with connect(server) as ws:
        ws.send(json.dumps({"type": "chat", "text": "Tell me about loops."}))
        first = json.loads(ws.recv(timeout=60))
        assert first["type"] == "token"
    # The server stopped that reply and serves the next learner normally.
    with connect(server) as ws:
        ws.send(json.dumps({"type": "chat", "text": "And functions?"}))
        while (event := json.loads(ws.recv(timeout=60)))["type"] == "token":
            pass
    assert event["type"] == "done", event
    assert "Traceback" not in server_log.read_text()
