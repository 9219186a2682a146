"""Real servers for the integration suite: one embedded PostgreSQL per test session."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from langchain_core.embeddings import Embeddings

from tutor.config import (
    ChromaSettings,
    DatabaseSettings,
    IngestSettings,
    LLMSettings,
    Settings,
    get_settings,
)
from tutor.db import EmbeddedPostgres, ServerAddress, upgrade
from tutor.embeddings import SentenceTransformerEmbeddings
from tutor.graph.postgres import PostgresGraphStore
from tutor.ingest.parsing import FileParser
from tutor.ingest.service import Ingestor
from tutor.ingest.store import DocumentStore
from tutor.vectors import VectorStore, build_vector_store


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ServerAddress]:
    """The real PostgreSQL server, started once for the whole session.

    Its folder is its own rather than under pytest's temporary root: every pytest session
    that starts closes that root (0700) again, and a server running as its own system user
    that can no longer reach its data directory stops at its next checkpoint.
    """
    folder = Path(tempfile.mkdtemp(prefix="tutor-test-pg-"))
    server = EmbeddedPostgres(folder / "postgres")
    try:
        address = server.start()
        yield address
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def database_url(pg_server: ServerAddress) -> AsyncIterator[str]:
    """A fresh, empty database on the session's server, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_server.dsn("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield pg_server.dsn(name)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool on the test's database, migrated."""
    await upgrade(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=6)
    yield pool
    await pool.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


PASSWORD = "correct horse battery"


async def sign_up(client: Any, name: str = "ada") -> dict[str, Any]:
    """Create a learner through the API; the client keeps the session cookie."""
    response = await client.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
    assert response.status_code == 201, response.text
    learner: dict[str, Any] = response.json()
    return learner


async def upload(client: Any, files: dict[str, bytes]) -> dict[str, Any]:
    """Upload Markdown files and wait for their ingestion job to end; the job."""
    parts = [("data", (name, body, "text/markdown")) for name, body in files.items()]
    response = await client.post("/api/v1/documents", files=parts)
    assert response.status_code == 202, response.text
    return await finished(client, response.json()["job_id"])


async def finished(client: Any, job_id: str) -> dict[str, Any]:
    """The ingestion job once it is done or failed (polled for up to a minute)."""
    for _ in range(600):
        job: dict[str, Any] = (await client.get(f"/api/v1/ingest-jobs/{job_id}")).json()
        if job["status"] in {"done", "failed"}:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job still running: {job}")


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    """The app's settings for one test: its own database and data dir, the fake model."""
    return Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        llm=LLMSettings(provider="fake"),
        # The tests' notes hold a sentence or two a section; none is too thin to be a
        # concept here (test_ingest_roles.py tries the default).
        ingest=IngestSettings(thin_section_words=0),
    )


@pytest.fixture(scope="module")
def embeddings() -> Embeddings:
    """The real embedding model, loaded once for each module that asks for it."""
    model = SentenceTransformerEmbeddings(max_tokens=128)
    model.load()
    return model


@pytest.fixture
def env(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """Settings for the CLI's commands, read fresh from the environment for each test."""
    monkeypatch.setattr("tutor.cli._setup_logging", lambda verbose: None)
    values = {
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_DATABASE_URL": database_url,
        "TUTOR_LLM_PROVIDER": "fake",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


@asynccontextmanager
async def real_ingestor(
    database_url: str,
    folder: Path,
    embeddings: Embeddings,
    settings: IngestSettings | None = None,
) -> AsyncIterator[tuple[Ingestor, asyncpg.Pool, VectorStore, UUID]]:
    """The real ingestion (PostgreSQL, Chroma in ``folder``, the model) for a new learner."""
    await upgrade(database_url)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    owner = uuid.uuid4()
    await pool.execute("INSERT INTO users (id, name) VALUES ($1, $2)", owner, f"u{owner}")
    vectors = build_vector_store(ChromaSettings(), folder, embeddings)
    ingestor = Ingestor(
        DocumentStore(pool),
        PostgresGraphStore(pool),
        vectors,
        embeddings,
        settings or IngestSettings(),
        FileParser(IngestSettings()),
    )
    try:
        yield ingestor, pool, vectors, owner
    finally:
        await ingestor.close()
        await vectors.close()
        await pool.close()
