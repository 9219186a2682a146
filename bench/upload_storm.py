"""Uploads against `tutor serve`: pathological files, then many learners at once.

Starts the server on the embedded stack (fake chat model), asks ``/healthz`` every 20 ms
from a thread the whole time, and reports the longest gap between two answers (in each
phase, and overall after a first warm-up upload, which loads the embedding model and
starts a parse worker), each pathological file's answer, and each concurrent upload's
time from request to job done. The last line printed is a JSON object of the figures.

    .venv/bin/python bench/upload_storm.py            # 10 learners, full-size files
    .venv/bin/python bench/upload_storm.py --smoke    # 3 learners, small files, seconds
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._serve import free_port

PASSWORD = "storm bench password 7302"


def pathological(scale: float) -> dict[str, bytes]:
    """The files that froze the event loop before, at ``scale`` of their reported size."""
    return {
        "brackets.md": b"[" * int(2_000_000 * scale),
        "links.md": b"[a](" * int(1_000_000 * scale),
        "headings.md": b"# h\n" * int(300_000 * scale),
        "deep.md": b"> " * int(10_000 * scale) + b"x\n",
        "bracket-lines.md": (b"[" * 60 + b"\n") * int(800 * max(scale, 0.1)),
    }


class HealthProbe:
    """Asks ``/healthz`` in a loop; the time between two answers, by phase of the run."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.phase = "start"
        """What the run is doing now; each gap is counted in the phase it ended in."""
        self.gaps: dict[str, list[float]] = {}
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=120.0) as client:
            last = time.perf_counter()
            while not self._stop.is_set():
                try:
                    ok = client.get("/healthz").status_code == 200
                except httpx.HTTPError:
                    ok = False
                now = time.perf_counter()
                if ok:
                    self.gaps.setdefault(self.phase, []).append(now - last)
                    last = now
                else:
                    self.failures += 1
                time.sleep(0.02)


@contextmanager
def served(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`tutor serve` on the embedded stack with the fake model; its base URL and process.

    Learners sign up, so unlike :func:`bench._serve.serve` no first learner is needed.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env |= {"TUTOR_DATA_DIR": str(data_dir), "TUTOR_PORT": str(port)}
    env["TUTOR_LLM_PROVIDER"] = "fake"
    tutor = Path(sys.executable).with_name("tutor")
    with (data_dir / "server.log").open("wb") as log:
        process = subprocess.Popen([str(tutor), "serve"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise RuntimeError((data_dir / "server.log").read_text(errors="replace")[-3000:])
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=60)


def learner(base_url: str, name: str) -> httpx.Client:
    """A signed-up learner's client (it keeps the session cookie)."""
    client = httpx.Client(base_url=base_url, timeout=600.0)
    response = client.post("/api/v1/auth/signup", json={"name": name, "password": PASSWORD})
    response.raise_for_status()
    return client


def upload_and_wait(client: httpx.Client, name: str, body: bytes) -> dict[str, Any]:
    """Upload one file; its answer, and for an accepted one its job's end and time."""
    started = time.perf_counter()
    response = client.post("/api/v1/documents", files=[("data", (name, body, "text/markdown"))])
    result: dict[str, Any] = {"file": name, "http": response.status_code}
    if response.status_code != 202:
        result["error"] = response.json().get("extra") or response.text[:300]
        result["seconds"] = round(time.perf_counter() - started, 3)
        return result
    job_id = response.json()["job_id"]
    while True:
        job = client.get(f"/api/v1/ingest-jobs/{job_id}").json()
        if job["status"] in {"done", "failed"}:
            break
        time.sleep(0.1)
    result["job"] = job["status"]
    result["files"] = [(f["status"], f["error"]) for f in job["files"]]
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def note(i: int) -> bytes:
    """An ordinary note of a few sections."""
    sections = "\n\n".join(
        f"## Part {j}\n\nPart {j} of topic {i} explains one idea in plain words, "
        f"with an example and [a link](topic{j}.md)." * 3
        for j in range(8)
    )
    return f"# Topic {i}\n\nAn introduction to topic {i}.\n\n{sections}\n".encode()


def run(learners: int, scale: float) -> dict[str, Any]:
    """Start the server, send the files, and gather the figures."""
    with tempfile.TemporaryDirectory(prefix="upload-storm-") as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        with served(data_dir) as (base, _), HealthProbe(base) as probe:
            mallory = learner(base, "mallory")
            # Loads the embedding model, the vector store and a parse worker first: their
            # one-time start is not what is measured.
            probe.phase = "warm-up"
            upload_and_wait(mallory, "warm-up.md", note(-1))
            bad = []
            for name, body in pathological(scale).items():
                probe.phase = name
                bad.append(upload_and_wait(mallory, name, body))
            clients = [learner(base, f"learner{i}") for i in range(learners)]
            probe.phase = "concurrent"
            with ThreadPoolExecutor(max_workers=learners) as pool:
                futures = [
                    pool.submit(upload_and_wait, c, "notes.md", note(i))
                    for i, c in enumerate(clients)
                ]
                good = [f.result() for f in futures]
            probe.phase = "end"
            for client in [mallory, *clients]:
                client.close()
    measured = {k: v for k, v in probe.gaps.items() if k not in {"start", "warm-up", "end"}}
    gaps = sorted(g for phase in measured.values() for g in phase)
    return {
        "learners": learners,
        "scale": scale,
        "healthz_answers": len(gaps),
        "healthz_failures": probe.failures,
        "healthz_max_gap_s": round(gaps[-1], 3) if gaps else None,
        "healthz_p99_gap_s": round(gaps[int(len(gaps) * 0.99)], 3) if gaps else None,
        "healthz_max_gap_s_by_phase": {k: round(max(v), 3) for k, v in probe.gaps.items()},
        "pathological": bad,
        "uploads": [{"seconds": g["seconds"], "job": g.get("job")} for g in good],
        "uploads_done": sum(g.get("job") == "done" for g in good),
        "upload_max_s": max(g["seconds"] for g in good) if good else None,
    }


def main() -> None:
    """Parse arguments, run, print a summary and then the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="3 learners, files at 1/10 size")
    args = parser.parse_args()
    learners, scale = (3, 0.1) if args.smoke else (args.learners, 1.0)
    figures = run(learners, scale)
    for item in figures["pathological"]:
        print(
            f"{item['file']}: HTTP {item['http']} in {item['seconds']} s: "
            f"{item.get('error') or item.get('files')}"
        )
    print(
        f"{figures['uploads_done']}/{learners} concurrent uploads done; "
        f"slowest {figures['upload_max_s']} s"
    )
    print(f"/healthz longest gap by phase: {figures['healthz_max_gap_s_by_phase']}")
    print(
        f"/healthz: {figures['healthz_answers']} answers, longest gap "
        f"{figures['healthz_max_gap_s']} s, p99 {figures['healthz_p99_gap_s']} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
