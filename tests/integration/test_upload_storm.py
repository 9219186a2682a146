"""Many uploads at once, and pathological files, while the rest of the service answers."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from websockets.sync.client import connect

from bench.upload_storm import served
from tests.integration.conftest import PASSWORD, finished
from tests.integration.test_ws_protocol import hello, new_database, send, tokens, until_done
from tests.integration.test_ws_protocol import learner as ws_learner
from tests.integration.test_ws_protocol import serve as ws_serve
from tutor.api.app import create_app
from tutor.config import DatabaseSettings, IngestSettings, LLMSettings, Settings
from tutor.db import ServerAddress
from tutor.ingest.jobs import INTERRUPTED_BY_SHUTDOWN

pytestmark = pytest.mark.integration


def _note(i: int) -> bytes:
    return (
        f"# Topic {i}\n\nTopic {i} is explained here in a few plain sentences.\n\n"
        f"## Detail {i}\n\nA detail of topic {i}, with [a link](other.md).\n"
    ).encode()


@pytest.fixture
async def client(database_url: str, data_dir: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),  # the default pool of 10
        llm=LLMSettings(provider="fake"),
        # A small budget, so a file under every structural limit can still run out of it
        # (on an idle core too: CPU time per parse is lower when the core's sibling rests).
        ingest=IngestSettings(parse_budget_s=0.25),
    )
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def _learner(client: AsyncTestClient[Litestar], name: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    cookies = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items())}
    client.cookies.clear()
    return cookies


async def _upload(
    client: AsyncTestClient[Litestar], who: dict[str, str], name: str, body: bytes
) -> Any:
    return await client.post(
        "/api/v1/documents", files=[("data", (name, body, "text/markdown"))], headers=who
    )


async def _while_answering(
    client: AsyncTestClient[Litestar], work: Callable[[], Awaitable[Any]]
) -> tuple[Any, list[int]]:
    """Run ``work`` while asking /healthz and signing in, over and over; every status."""
    done = asyncio.Event()
    statuses: list[int] = []

    async def probe() -> None:
        while not done.is_set():
            statuses.append((await client.get("/healthz")).status_code)
            signin = await client.post(
                "/api/v1/auth/signin", json={"name": "probe", "password": PASSWORD}
            )
            statuses.append(signin.status_code)
            client.cookies.clear()
            await asyncio.sleep(0.05)

    prober = asyncio.create_task(probe())
    try:
        result = await work()
    finally:
        done.set()
        await prober
    return result, statuses


async def test_ten_learners_and_twelve_uploads_at_once_all_finish(
    client: AsyncTestClient[Litestar],
) -> None:
    await _learner(client, "probe")
    learners = [await _learner(client, f"learner{i}") for i in range(10)]
    busy = learners[0]

    async def storm() -> list[dict[str, Any]]:
        uploads = [_upload(client, who, "notes.md", _note(i)) for i, who in enumerate(learners)]
        uploads += [_upload(client, busy, f"more{i}.md", _note(100 + i)) for i in range(12)]
        async with asyncio.timeout(600):  # a hang fails the test instead of stalling it
            responses = await asyncio.gather(*uploads)
            assert [r.status_code for r in responses] == [202] * 22, [r.text for r in responses]
            owners = [*learners, *[busy] * 12]
            return [
                await _finished_as(client, who, r.json()["job_id"])
                for who, r in zip(owners, responses, strict=True)
            ]

    jobs, statuses = await _while_answering(client, storm)
    assert [job["status"] for job in jobs] == ["done"] * 22, jobs
    # The service answered all along: health checks and sign-ins, each one.
    assert statuses and set(statuses) == {200}
    listed = (await client.get("/api/v1/documents", headers=busy)).json()
    assert len(listed) == 13 and all(d["ready"] for d in listed)


async def _finished_as(
    client: AsyncTestClient[Litestar], who: dict[str, str], job_id: str
) -> dict[str, Any]:
    client.headers.update(who)
    try:
        return await finished(client, job_id)
    finally:
        client.headers.pop("Cookie")


PATHOLOGICAL = {
    "brackets.md": (b"[" * 2_000_000, "'[' characters"),
    "links.md": (b"[a](" * 1_000_000, "'[' characters"),
    "headings.md": (b"# h\n" * 300_000, "heading lines"),
    "long-line.md": (b"word " * 100_000, "a line of"),
}
PARSED_LATER = {
    "deep.md": (b"> " * 5_000 + b"x\n", "nest more than"),
    # Under every structural limit, but unclosed brackets cost the parser more than the
    # quarter of a CPU second this test allows.
    "slow.md": ((b"[" * 60 + b"\n") * 800, "budget"),
}


async def test_pathological_files_are_refused_by_name_while_the_service_answers(
    client: AsyncTestClient[Litestar],
) -> None:
    await _learner(client, "probe")
    who = await _learner(client, "mallory")

    async def attack() -> tuple[list[Any], list[dict[str, Any]]]:
        async with asyncio.timeout(600):
            refused = await asyncio.gather(
                *(_upload(client, who, name, body) for name, (body, _) in PATHOLOGICAL.items())
            )
            accepted = await asyncio.gather(
                *(_upload(client, who, name, body) for name, (body, _) in PARSED_LATER.items())
            )
            assert [r.status_code for r in accepted] == [202] * len(accepted)
            jobs = [await _finished_as(client, who, r.json()["job_id"]) for r in accepted]
            return refused, jobs

    (refused, jobs), statuses = await _while_answering(client, attack)
    assert statuses and set(statuses) == {200}
    for response, (name, (_, words)) in zip(refused, PATHOLOGICAL.items(), strict=True):
        assert response.status_code == 422, response.text
        [error] = response.json()["extra"]
        assert error["path"] == name and error["error"].startswith(name), error
        assert words in error["error"] and "limit" in error["error"], error
    for job, (name, (_, words)) in zip(jobs, PARSED_LATER.items(), strict=True):
        [file] = job["files"]
        assert file["status"] == "failed" and file["path"] == name, job
        assert file["error"].startswith(name) and words in file["error"], job
    assert (await client.get("/api/v1/documents", headers=who)).json() == []
    # The parse workers live on: an ordinary file goes through after all that.
    ok = await _upload(client, who, "fine.md", _note(1))
    assert (await _finished_as(client, who, ok.json()["job_id"]))["status"] == "done"


def _raw_multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart body written by hand: clients escape what an attacker's need not."""
    boundary = "storm-boundary-7302"
    body = b""
    for name, data in files:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="data"; '
                f'filename="{name}"\r\nContent-Type: text/markdown\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("name", ["a\x00b.md", "bell\x07.md", "tab\tname.md"])
async def test_a_control_character_in_a_file_name_is_refused_by_name(
    client: AsyncTestClient[Litestar], name: str
) -> None:
    who = await _learner(client, "ada")
    body, headers = _raw_multipart([(name, _note(1))])
    alone = await client.post("/api/v1/documents", content=body, headers={**who, **headers})
    assert alone.status_code == 422, alone.text
    [error] = alone.json()["extra"]
    assert "control or invalid character" in error["error"], error
    assert not any(ch in error["path"] for ch in "\x00\x07\t"), error
    # Beside a good file, the bad name is listed and the job (stored as JSON) goes on.
    body, headers = _raw_multipart([(name, _note(1)), ("good.md", _note(2))])
    both = await client.post("/api/v1/documents", content=body, headers={**who, **headers})
    assert both.status_code == 202, both.text
    job = await _finished_as(client, who, both.json()["job_id"])
    assert job["status"] == "done"
    assert {f["status"] for f in job["files"]} == {"failed", "ingested"}


def test_the_upload_storm_bench_runs_in_smoke_mode() -> None:
    bench = Path(__file__).resolve().parents[2] / "bench" / "upload_storm.py"
    run = subprocess.run(
        [sys.executable, str(bench), "--smoke"], capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["uploads_done"] == figures["learners"] == 3
    assert figures["healthz_answers"] > 0 and figures["healthz_failures"] == 0
    refused = {p["file"]: p["http"] for p in figures["pathological"]}
    assert refused["brackets.md"] == refused["headings.md"] == 422


def test_a_lesson_streams_to_the_end_while_ten_learners_upload(
    pg_server: ServerAddress, tmp_path: Path
) -> None:
    with ws_serve(new_database(pg_server), tmp_path) as served:
        reader = ws_learner(served)
        http = httpx.Client(base_url=served.base_url, timeout=600)
        for i in range(10):
            name = f"storm{i}"
            assert http.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
            http.cookies.clear()

        def upload_as(i: int, files: list[tuple[str, bytes]]) -> list[str]:
            with httpx.Client(base_url=served.base_url, timeout=600) as client:
                signin = {"name": f"storm{i}", "password": PASSWORD}
                assert client.post("/api/v1/auth/signin", json=signin).status_code == 200
                ids = []
                for name, body in files:
                    parts = [("data", (name, body, "text/markdown"))]
                    response = client.post("/api/v1/documents", files=parts)
                    assert response.status_code == 202, response.text
                    ids.append(response.json()["job_id"])
                ends = []
                for job in ids:
                    for _ in range(6000):  # ten minutes at most: a hang ends as "stuck"
                        status = client.get(f"/api/v1/ingest-jobs/{job}").json()["status"]
                        if status in {"done", "failed"}:
                            break
                        time.sleep(0.1)
                    ends.append(status)
                return ends

        def lesson() -> list[dict[str, Any]]:
            with connect(reader.url) as ws:
                hello(ws)
                send(ws, "start_lesson")
                return until_done(ws)

        with ThreadPoolExecutor(max_workers=24) as pool:
            streamed = pool.submit(lesson)
            uploads = [pool.submit(upload_as, i, [("notes.md", _note(i))]) for i in range(10)]
            # One learner sends twelve more, each in its own request, all at once.
            uploads += [
                pool.submit(upload_as, 0, [(f"more{j}.md", _note(50 + j))]) for j in range(12)
            ]
            answered = []
            hang = time.monotonic() + 600  # a hang fails the test instead of stalling it
            while not all(f.done() for f in [streamed, *uploads]):
                assert time.monotonic() < hang, "uploads or the lesson never finished"
                answered.append(http.get("/healthz").status_code)
                time.sleep(0.05)
            events = streamed.result()
            ends = [end for f in uploads for end in f.result()]
        http.close()
    assert ends == ["done"] * 22
    assert events[-1]["type"] == "done" and events[-1]["status"] == "complete", events[-1]
    assert tokens(events), "the lesson streamed no text"
    assert answered and set(answered) == {200}


def test_sigterm_stops_the_server_with_uploads_queued_and_says_which_to_send_again(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    big = b"\n\n".join(_note(i) for i in range(400))  # seconds of embedding each
    with served(data_dir) as (base, process), httpx.Client(base_url=base, timeout=60) as http:
        signup = {"name": "ada", "password": PASSWORD}
        assert http.post("/api/v1/auth/signup", json=signup).status_code == 201
        jobs = []
        for i in range(12):
            parts = [
                ("data", (f"big{i}.md", big.replace(b"Topic", b"Theme %d" % i), "text/markdown"))
            ]
            response = http.post("/api/v1/documents", files=parts)
            assert response.status_code == 202, response.text
            jobs.append(response.json()["job_id"])
        for _ in range(600):
            if http.get(f"/api/v1/ingest-jobs/{jobs[0]}").json()["status"] == "running":
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        # It stops by itself, having shut down in order (uvicorn then re-raises the
        # signal, hence -SIGTERM); a hang fails here (subprocess.TimeoutExpired).
        assert process.wait(timeout=120) in {0, -signal.SIGTERM}
        assert "Application shutdown complete" in (data_dir / "server.log").read_text()
    with served(data_dir) as (base, _), httpx.Client(base_url=base, timeout=60) as http:
        signin = {"name": "ada", "password": PASSWORD}
        assert http.post("/api/v1/auth/signin", json=signin).status_code == 200
        ends = [http.get(f"/api/v1/ingest-jobs/{job}").json() for job in jobs]
    assert all(job["status"] in {"done", "failed"} for job in ends)
    interrupted = [job for job in ends if job["status"] == "failed"]
    assert interrupted, "every upload finished before the signal: nothing was tested"
    for job in interrupted:
        assert {f["error"] for f in job["files"] if f["status"] == "failed"} == {
            INTERRUPTED_BY_SHUTDOWN
        }, job


async def test_uploads_waiting_past_their_share_are_refused_until_some_are_done(
    database_url: str, data_dir: Path
) -> None:
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        llm=LLMSettings(provider="fake"),
        ingest=IngestSettings(max_waiting_bytes=2 * len(_note(1))),
    )
    async with AsyncTestClient(create_app(settings)) as client:
        who = await _learner(client, "ada")
        learner_id = (await client.get("/api/v1/auth/me", headers=who)).json()["id"]
        # Another process ingests for her: her uploads wait their turn.
        other = await asyncpg.connect(database_url)
        try:
            await other.execute("SELECT pg_advisory_lock(7302, hashtext($1))", learner_id)
            first = [await _upload(client, who, f"n{i}.md", _note(i)) for i in range(2)]
            assert [r.status_code for r in first] == [202, 202]
            refused = await _upload(client, who, "n2.md", _note(2))
            assert refused.status_code == 429, refused.text
            assert "TUTOR_INGEST_MAX_WAITING_BYTES" in refused.json()["detail"]
            assert refused.headers["retry-after"]
        finally:
            await other.close()  # her turn comes
        for response in first:
            assert (await _finished_as(client, who, response.json()["job_id"]))["status"] == "done"
        again = await _upload(client, who, "n2.md", _note(2))
        assert again.status_code == 202
        assert (await _finished_as(client, who, again.json()["job_id"]))["status"] == "done"
