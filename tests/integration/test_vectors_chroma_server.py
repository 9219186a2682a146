"""The Chroma adapter's server path (``TUTOR_CHROMA_URL``) against a real ``chroma run``."""

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.unit.test_vectors_contract import BOBS, CALCULUS, VectorStoreContract
from tutor.config import ChromaSettings
from tutor.embeddings import FakeEmbeddings
from tutor.vectors import VectorStore, build_vector_store

pytestmark = pytest.mark.integration

_READY_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chroma run exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"chroma run was not ready in {_READY_TIMEOUT_S:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server of our own, from the ``chroma`` CLI in the chromadb wheel."""
    chroma = Path(sys.executable).with_name("chroma")
    directory = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [chroma, "run", "--path", directory / "db", "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(process, url, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _server_store(url: str, collection: str | None = None) -> VectorStore:
    # A collection per test keeps the tests apart on the one server.
    settings = ChromaSettings(url=url, collection=collection or f"t-{uuid.uuid4().hex}")
    return build_vector_store(settings, Path("/nonexistent"), FakeEmbeddings())


class TestChromaServer(VectorStoreContract):
    @pytest.fixture
    async def store(self, chroma_url: str) -> AsyncIterator[VectorStore]:
        store = _server_store(chroma_url)
        yield store
        await store.close()


async def test_vectors_outlive_the_client(chroma_url: str) -> None:
    name = f"t-{uuid.uuid4().hex}"
    first = _server_store(chroma_url, name)
    await first.add(CALCULUS + BOBS)
    await first.close()
    second = _server_store(chroma_url, name)
    try:
        assert second.where == f"Chroma server at {chroma_url}"
        assert await second.count("bob") == 2
        hits = await second.search("bob", "private notes", k=1)
        assert hits[0].id == "b-d9-0"
    finally:
        await second.close()


async def test_an_unreachable_server_fails_the_ping_not_the_build() -> None:
    store = _server_store(f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ValueError, match="Could not connect"):
        await store.ping()
    await store.close()
