"""The learner model over HTTP: evidence, mastery, the plan, preferences, progress, paths."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up, upload
from tutor.api.app import create_app
from tutor.config import Settings

pytestmark = pytest.mark.integration

NOTES = b"""# Basics

Programs run statements in order.

## Variables

A variable names a value.

## Functions

A function groups statements under a name.
"""


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings)) as client:
        await sign_up(client)
        assert (await upload(client, {"basics.md": NOTES}))["status"] == "done"
        yield client


async def _concepts(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    nodes = (await client.get("/api/v1/graph")).json()["nodes"]
    return {n["title"]: n["id"] for n in nodes}


async def _attempt(
    client: AsyncTestClient[Litestar],
    concept: str,
    score: float,
    key: str,
    kind: str = "short_answer",
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/attempts",
        json={
            "concept_id": concept,
            "kind": kind,
            "score": score,
            "idempotency_key": key,
            "answer": "because",
            "latency_ms": 4000,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_attempts_trace_mastery_and_count_once(client: AsyncTestClient[Litestar]) -> None:
    concepts = await _concepts(client)
    basics = concepts["Basics"]
    first = await _attempt(client, basics, 1.0, "a1")
    again = await _attempt(client, basics, 1.0, "a1")  # the same answer sent twice
    assert first["created"] and not again["created"]
    assert again["attempt_id"] == first["attempt_id"] and again["attempts"] == 1
    second = await _attempt(client, basics, 1.0, "a2")
    assert second["p_known"] > first["p_known"] > 0.2
    partial = await _attempt(client, basics, 0.5, "a3")
    assert partial["p_known"] < second["p_known"]
    wrong = await client.post(
        "/api/v1/attempts",
        json={"concept_id": basics, "kind": "essay", "score": 2, "idempotency_key": "x"},
    )
    assert wrong.status_code == 400 and "kind" in wrong.text and "score" in wrong.text
    unknown = await client.post(
        "/api/v1/attempts",
        json={
            "concept_id": "00000000-0000-0000-0000-00000000abcd",
            "kind": "code",
            "score": 1,
            "idempotency_key": "u",
        },
    )
    assert unknown.status_code == 404


async def test_concurrent_attempts_each_count_and_a_repeated_key_once(
    client: AsyncTestClient[Litestar],
) -> None:
    variables = (await _concepts(client))["Variables"]
    results = await asyncio.gather(
        *(_attempt(client, variables, 1.0, f"k{i}") for i in range(8)),
        *(_attempt(client, variables, 1.0, "same") for _ in range(4)),
    )
    assert sum(r["created"] for r in results) == 9
    final = await _attempt(client, variables, 1.0, "last")
    assert final["attempts"] == 10


async def test_plan_follows_prerequisites_then_reviews(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    concepts = await _concepts(client)
    plan = (await client.get("/api/v1/plan")).json()
    assert plan["concept_id"] == concepts["Basics"] and plan["kind"] == "new"
    assert "Basics" in plan["reason"] and plan["difficulty"] == "intro"
    for i in range(6):
        await _attempt(client, concepts["Basics"], 1.0, f"b{i}")
    # Practised: the planner moves on without waiting for the explain-back mastery needs.
    plan = (await client.get("/api/v1/plan")).json()
    assert plan["concept_id"] != concepts["Basics"], plan
    explained = await _attempt(client, concepts["Basics"], 1.0, "e", kind="explain_back")
    assert explained["mastered"]
    plan = (await client.get("/api/v1/plan")).json()
    assert plan["concept_id"] != concepts["Basics"], plan
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("UPDATE mastery SET due_at = now() - interval '1 day'")
    finally:
        await connection.close()
    plan = (await client.get("/api/v1/plan")).json()
    assert plan["kind"] == "review" and plan["reason"] == "Review: Basics is due"


async def test_preferences_round_trip_and_bad_values(
    client: AsyncTestClient[Litestar],
) -> None:
    assert (await client.get("/api/v1/preferences")).json()["lesson_length"] == "concise"
    wanted = {
        "lesson_length": "detailed",
        "lesson_order": "example_first",
        "difficulty_bias": 0.5,
        "interests": ["functions"],
        "daily_goal": 5,
    }
    assert (await client.put("/api/v1/preferences", json=wanted)).status_code == 200
    assert (await client.get("/api/v1/preferences")).json() == wanted
    bad = await client.put("/api/v1/preferences", json={**wanted, "difficulty_bias": 3})
    assert bad.status_code == 400 and "difficulty_bias" in bad.text
    # Booleans are not numbers: true is not taken for a goal of 1 (schemathesis found it).
    for field in ("daily_goal", "difficulty_bias"):
        bad = await client.put("/api/v1/preferences", json={**wanted, field: True})
        assert bad.status_code == 400 and field in bad.text
    assert (await client.get("/api/v1/preferences")).json() == wanted


async def test_progress_and_paths(client: AsyncTestClient[Litestar]) -> None:
    concepts = await _concepts(client)
    for i in range(6):
        await _attempt(client, concepts["Basics"], 1.0, f"p{i}")
    await _attempt(client, concepts["Basics"], 1.0, "explained", kind="explain_back")
    progress = (await client.get("/api/v1/progress")).json()
    assert progress["totals"]["attempts"] == 7 and progress["totals"]["mastered"] == 1
    assert progress["streak_days"] == 1
    assert progress["badges"] == ["first_mastered"]
    assert len(progress["history"]) == 7
    rows = {c["title"]: c for c in progress["concepts"]}
    assert rows["Basics"]["mastered"] and rows["Functions"]["attempts"] == 0

    created = await client.post(
        "/api/v1/paths", json={"name": "to functions", "targets": [concepts["Functions"]]}
    )
    assert created.status_code == 201, created.text
    path = created.json()
    assert path["steps"][-1] == concepts["Functions"]
    assert concepts["Basics"] not in path["steps"]  # mastered: not a step any more
    assert (await client.get("/api/v1/plan")).json()["target"] == concepts["Functions"]
    missing = await client.post(
        "/api/v1/paths",
        json={"name": "x", "targets": ["00000000-0000-0000-0000-00000000abcd"]},
    )
    assert missing.status_code == 404
    assert (await client.delete(f"/api/v1/paths/{path['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/paths/{path['id']}")).status_code == 404


async def test_attempts_cannot_be_rewritten(
    client: AsyncTestClient[Litestar], database_url: str
) -> None:
    await _attempt(client, (await _concepts(client))["Basics"], 1.0, "kept")
    connection = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("UPDATE attempts SET score = 0")
    finally:
        await connection.close()


def test_fit_bkt_reports_the_gain(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutor.cli import main
    from tutor.config import get_settings
    from tutor.db import upgrade
    from tutor.learner import BKTParams, simulate_population

    async def seed() -> None:
        await upgrade(database_url)
        import random
        from uuid import uuid4

        rng = random.Random(3)
        sequences = simulate_population(
            BKTParams(prior=0.3, learn=0.12, slip=0.08, guess=0.25),
            learners=40,
            concepts=10,
            attempts=8,
            rng=rng,
        )
        connection = await asyncpg.connect(database_url)
        try:
            owner = await connection.fetchval("SELECT id FROM users WHERE name = 'local'")
            rows = []
            for sequence in sequences:
                concept = uuid4()
                for step, score in enumerate(sequence):
                    rows.append((owner, concept, score, f"{concept}:{step}", step))
            await connection.executemany(
                "INSERT INTO attempts (owner_id, concept_id, kind, score, verdict, "
                "mastery_after, idempotency_key, created_at) VALUES ($1, $2, 'review', $3, "
                "'correct', 0.5, $4, now() + make_interval(secs => $5))",
                rows,
            )
        finally:
            await connection.close()

    asyncio.run(seed())
    monkeypatch.setenv("TUTOR_DATABASE_URL", database_url)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data_dir))
    monkeypatch.setattr("tutor.cli._setup_logging", lambda verbose: None)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["learner", "fit-bkt"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "3200 attempts in 400 sequences" in result.output
    assert "(saved)" in result.output and "AUC" in result.output


async def test_plans_see_notes_added_later(client: AsyncTestClient[Litestar]) -> None:
    assert (await client.get("/api/v1/plan")).json()["kind"] == "new"  # graph compiled now
    more = b"# Closures\n\nA closure is a function that captures its surroundings.\n"
    await upload(client, {"closures.md": more})
    closures = (await _concepts(client))["Closures"]
    path = await client.post("/api/v1/paths", json={"name": "c", "targets": [closures]})
    assert path.status_code == 201
    assert closures in path.json()["steps"]  # the cached graph was rebuilt


@pytest.mark.parametrize("text", ["nul\u0000byte", "lone \udaaf surrogate"])
async def test_text_the_database_cannot_store_is_a_client_error(
    client: AsyncTestClient[Litestar], text: str
) -> None:
    # JSON can carry NUL and unpaired surrogates; PostgreSQL text cannot hold them.
    body = json.dumps({"interests": [text]}).encode()
    put = await client.put(
        "/api/v1/preferences", content=body, headers={"Content-Type": "application/json"}
    )
    assert put.status_code == 400, put.text
    concept = next(iter((await _concepts(client)).values()))
    path = await client.post(
        "/api/v1/paths",
        content=json.dumps({"name": text, "targets": [concept]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert path.status_code == 400, path.text
    attempt = await client.post(
        "/api/v1/attempts",
        content=json.dumps(
            {"concept_id": concept, "kind": "short_answer", "score": 1, "idempotency_key": text}
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert attempt.status_code == 400, attempt.text
    assert (await client.get("/api/v1/preferences")).json()["interests"] == []
    assert (await client.get("/api/v1/paths")).json() == []
