"""The documents API: upload, follow the job, list, read, delete; the graph for the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import finished, sign_up
from tutor.api.app import create_app
from tutor.config import DatabaseSettings, IngestSettings, LLMSettings, Settings

pytestmark = pytest.mark.integration

NOTES = {
    "SUMMARY.md": b"# Summary\n\n- [Intro](intro.md)\n- [Loops](loops.md)\n",
    "intro.md": b"# Intro\n\nA program is a list of instructions for a computer.\n",
    "loops.md": b"# Loops\n\nA loop repeats a block of code.\n\n## While\n\nRuns while true.\n",
}


@pytest.fixture
async def client(database_url: str, data_dir: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        llm=LLMSettings(provider="fake"),
        # "While" is a sentence long: here it stays a concept of its own.
        ingest=IngestSettings(
            max_file_bytes=10_000, max_upload_bytes=200_000, thin_section_words=0
        ),
    )
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        yield client


def _files(items: dict[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("data", (name, body, "text/markdown")) for name, body in items.items()]


async def test_upload_ingests_in_the_background(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/v1/documents", files=_files(NOTES))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert sorted(accepted["accepted"]) == sorted(NOTES)
    job = await finished(client, accepted["job_id"])
    assert job["status"] == "done", job
    assert job["files_done"] == job["files_total"] == 3
    assert job["chunks_embedded"] == job["chunks_total"] > 0
    assert {f["status"] for f in job["files"]} == {"ingested"}

    documents = (await client.get("/api/v1/documents")).json()
    assert [d["path"] for d in documents] == ["SUMMARY.md", "intro.md", "loops.md"]
    assert documents[0]["kind"] == "toc"
    notes = documents[1:]
    assert all(d["chunks"] == d["embedded_chunks"] > 0 and d["graph_synced"] for d in notes)
    one = await client.get(f"/api/v1/documents/{notes[1]['id']}")
    assert one.json()["title"] == "Loops"

    graph = (await client.get("/api/v1/graph")).json()
    titles = {n["id"]: n["title"] for n in graph["nodes"]}
    assert {"Intro", "Loops", "While"} <= set(titles.values())
    pairs = {(titles[e["source"]], titles[e["target"]], e["kind"]) for e in graph["edges"]}
    assert ("While", "Loops", "part_of") in pairs
    assert ("Intro", "Loops", "prerequisite") in pairs

    deleted = await client.delete(f"/api/v1/documents/{notes[1]['id']}")
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/documents/{notes[1]['id']}")).status_code == 404
    titles_after = {n["title"] for n in (await client.get("/api/v1/graph")).json()["nodes"]}
    assert titles_after == {"Intro"}


async def test_bad_files_are_named_and_good_ones_go_on(client: AsyncTestClient[Litestar]) -> None:
    files = [
        *_files(NOTES),
        ("data", ("photo.png", b"\x89PNG", "image/png")),
        ("data", ("broken.md", b"caf\xe9", "text/markdown")),
        ("data", ("huge.md", b"x" * 10001, "text/markdown")),
    ]
    response = await client.post("/api/v1/documents", files=files)
    assert response.status_code == 202, response.text
    rejected = {r["path"]: r["error"] for r in response.json()["rejected"]}
    assert "only .md" in rejected["photo.png"] and rejected["photo.png"].startswith("photo.png")
    assert "UTF-8" in rejected["broken.md"]
    assert "over the limit" in rejected["huge.md"]
    job = await finished(client, response.json()["job_id"])
    assert sorted(f["path"] for f in job["files"] if f["status"] == "ingested") == sorted(NOTES)


async def test_all_bad_is_422_and_nothing_is_stored(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/api/v1/documents", files=[("data", ("empty.md", b"", "text/markdown"))]
    )
    assert response.status_code == 422, response.text
    assert "empty.md" in response.text
    missing = await client.post("/api/v1/documents", data={"nothing": "here"})
    assert missing.status_code in {400, 415, 422}
    assert (await client.get("/api/v1/documents")).json() == []


async def test_oversized_upload_is_refused(client: AsyncTestClient[Litestar]) -> None:
    body = b"# big\n\n" + b"word " * 60_000  # 300 KB: over the 200 KB request limit
    response = await client.post("/api/v1/documents", files=_files({"big.md": body}))
    assert response.status_code == 413
    assert (await client.get("/api/v1/documents")).json() == []


async def test_unknown_ids_are_404(client: AsyncTestClient[Litestar]) -> None:
    unknown = "00000000-0000-0000-0000-00000000abcd"
    assert (await client.get(f"/api/v1/documents/{unknown}")).status_code == 404
    assert (await client.delete(f"/api/v1/documents/{unknown}")).status_code == 404
    assert (await client.get(f"/api/v1/ingest-jobs/{unknown}")).status_code == 404


async def test_a_100_mb_upload_is_refused_with_the_default_limit(
    database_url: str, data_dir: Path
) -> None:
    settings = Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        llm=LLMSettings(provider="fake"),
    )
    body = b"# big\n\n" + b"x" * (100 * 1024 * 1024)
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        response = await client.post("/api/v1/documents", files=_files({"big.md": body}))
        assert response.status_code == 413, response.text
        assert (await client.get("/api/v1/documents")).json() == []
