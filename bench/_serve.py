"""`tutor serve` on the embedded stack, for the benchmarks and the real-model tests.

Starts the server on a fresh data directory and a free loopback port, waits until it
answers, signs in as the learner the embedded setup creates (its password is in a
private file in the data directory), makes a personal API token, and uploads Markdown notes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

FIRST_PASSWORD_FILE = "first-learner-password"
"""The file, in the data directory, where the embedded setup hands over its first learner."""


class ServeError(RuntimeError):
    """The server did not start, or did not do what was asked of it."""


@dataclass(frozen=True)
class Tutor:
    """A running server and the personal API token of its first learner."""

    base_url: str
    token: str
    log: Path
    data_dir: Path
    startup_s: float
    process: subprocess.Popen[bytes]

    @property
    def ws_url(self) -> str:
        """The ``/ws`` address, authenticated with the token."""
        return f"{self.base_url.replace('http://', 'ws://', 1)}/ws?token={self.token}"

    def client(self, timeout_s: float = 60.0) -> httpx.Client:
        """An HTTP client that sends the token."""
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=timeout_s,
        )

    def first_learner(self) -> tuple[str, str]:
        """The name and password of the learner the embedded setup created."""
        return first_learner(self.data_dir)

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log.read_text(errors="replace")


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve(
    data_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    startup_timeout_s: float = 180.0,
    wrapper: Sequence[str] = (),
) -> Iterator[Tutor]:
    """Run `tutor serve` until the block ends, then stop it and wait for it to exit.

    Args:
        data_dir: An empty directory for the server's data (database, vectors, logs).
        env: ``TUTOR_*`` settings on top of the embedded defaults; other ``TUTOR_*``
            variables of this process are not passed on, so runs are comparable.
        log: Where the server's output goes (default: ``server.log`` in ``data_dir``).
        startup_timeout_s: How long the server may take to answer ``/healthz``.
        wrapper: A command the server runs under, e.g. ``python -m cProfile -o out``.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = log or data_dir / "server.log"
    child_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")},
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_PORT": str(port),
        "TUTOR_LLM_PROVIDER": "llamacpp",
        # Every simulated learner signs up from this one address, like a classroom behind
        # one router; the default limit would refuse all but the first twenty.
        "TUTOR_AUTH_SIGNUPS_PER_ADDRESS": "1000000",
        **(env or {}),
    }
    tutor = Path(sys.executable).with_name("tutor")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*wrapper, str(tutor), "serve"], env=child_env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        startup_s = _wait_healthy(base, process, log, startup_timeout_s)
        token = local_token(base, data_dir)
        yield Tutor(base, token, log, data_dir, startup_s, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(
    base: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float
) -> float:
    started = time.perf_counter()
    with httpx.Client(timeout=2.0) as client:
        while time.perf_counter() - started < timeout_s:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise ServeError(f"server exited with {process.returncode}:\n{tail}")
            try:
                if client.get(f"{base}/healthz").status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise ServeError(f"server did not answer /healthz within {timeout_s:.0f} s")


def first_learner(data_dir: Path) -> tuple[str, str]:
    """The name and password the embedded setup gave its first learner."""
    try:
        name, password = (data_dir / FIRST_PASSWORD_FILE).read_text().split("\n")[:2]
    except (OSError, ValueError) as error:
        raise ServeError(f"the server did not hand over its first learner: {error}") from None
    return name, password


def local_token(base: str, data_dir: Path, name: str = "bench") -> str:
    """Sign in as the embedded setup's first learner and make a personal API token."""
    learner, password = first_learner(data_dir)
    with httpx.Client(base_url=base, timeout=30.0) as client:
        signin = client.post("/api/v1/auth/signin", json={"name": learner, "password": password})
        signin.raise_for_status()
        created = client.post("/api/v1/auth/tokens", json={"name": name})
        created.raise_for_status()
        token: str = created.json()["token"]
    return token


def upload_notes(
    tutor: Tutor, files: Sequence[Path], *, timeout_s: float = 900.0, root: Path | None = None
) -> dict[str, Any]:
    """Upload Markdown files and wait until their ingest job is done.

    Args:
        tutor: The running server.
        files: The files to upload, in one request.
        timeout_s: How long the ingest job may take.
        root: Name each file by its path under this folder (``part1/intro.md``), as the
            CLI does for a folder; by default a file is named by its base name.

    Returns:
        The finished job, as ``GET /api/v1/ingest-jobs/{id}`` shows it.

    Raises:
        ServeError: The upload was refused, a file failed, or the job did not finish.
    """
    parts = [
        ("data", (_upload_name(path, root), path.read_bytes(), "text/markdown")) for path in files
    ]
    with tutor.client() as client:
        accepted = client.post("/api/v1/documents", files=parts)
        if accepted.status_code != 202:
            raise ServeError(f"upload refused ({accepted.status_code}): {accepted.text}")
        body = accepted.json()
        if body["rejected"]:
            raise ServeError(f"files refused: {body['rejected']}")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job: dict[str, Any] = client.get(f"/api/v1/ingest-jobs/{body['job_id']}").json()
            if job["status"] == "failed" or any(f["status"] == "failed" for f in job["files"]):
                raise ServeError(f"ingestion failed: {job}")
            if job["status"] == "done":
                return job
            time.sleep(0.5)
    raise ServeError(f"ingestion did not finish within {timeout_s:.0f} s")


def _upload_name(path: Path, root: Path | None) -> str:
    return path.name if root is None else path.relative_to(root).as_posix()
