"""The data directory is the service's alone, and its secrets stay out of the logs."""

from __future__ import annotations

import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up, upload
from tutor.api.app import create_app
from tutor.config import DatabaseSettings, LLMSettings, Settings
from tutor.data_dir import make_private, private_umask
from tutor.db.embedded import server_group_id
from tutor.errors import StartupError
from tutor.resources import FIRST_PASSWORD_FILE

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _shell_umask() -> Iterator[None]:
    """Start as a shell leaves things (022), and leave the test process as it was."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _open_to_others(data_dir: Path) -> list[str]:
    """Every path under ``data_dir`` that a user other than the service's could use."""
    found = []
    for folder, folders, files in os.walk(data_dir):
        for path in [Path(folder), *(Path(folder) / name for name in (*folders, *files))]:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                continue
            mode = stat.S_IMODE(info.st_mode)
            # The embedded server's own user may pass through the top folder, nothing more.
            passes = path == data_dir and info.st_gid == server_group_id() and mode & 0o070 == 0o010
            if mode & 0o007 or (mode & 0o070 and not passes):
                found.append(f"{path} {mode:04o}")
    return sorted(set(found))


def _seed_an_open_install(data_dir: Path) -> None:
    """What an older version left: folders 0755 and files 0644."""
    for folder in (data_dir, data_dir / "models"):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)
    (data_dir / "models" / "weights.gguf").write_bytes(b"GGUF")
    (data_dir / "server.log").write_text("token=tt_old\n")
    for path in (data_dir / "models" / "weights.gguf", data_dir / "server.log"):
        path.chmod(0o644)


async def test_everything_in_the_data_dir_is_private_and_no_secret_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _seed_an_open_install(data_dir)
    assert _open_to_others(data_dir)
    settings = Settings(
        data_dir=data_dir, database=DatabaseSettings(url=None), llm=LLMSettings(provider="fake")
    )
    app = create_app(settings)
    # The app's logging configuration replaced the root logger's handlers: capture again.
    root = logging.getLogger()
    root.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    async with AsyncTestClient(app, base_url="http://127.0.0.1") as client:
        await sign_up(client)
        job = await upload(client, {"ownership.md": b"# Ownership\n\nEach value has one owner.\n"})
        assert job["status"] == "done", job
        first = (data_dir / FIRST_PASSWORD_FILE).read_text().split()
        assert first[0] == "local"
        signin = await client.post(
            "/api/v1/auth/signin", json={"name": "local", "password": first[1]}
        )
        assert signin.status_code == 200, signin.text
        # What the running service wrote (Chroma, PostgreSQL, the ingested notes) is private
        # too, not only what was there at start.
        assert (data_dir / "chroma" / "chroma.sqlite3").exists()
        assert (data_dir / "postgres" / "PG_VERSION").exists()
        assert _open_to_others(data_dir) == []

    root.removeHandler(caplog.handler)
    assert _open_to_others(data_dir) == []
    assert stat.S_IMODE((data_dir / FIRST_PASSWORD_FILE).stat().st_mode) == 0o600
    database_password = (data_dir / ".postgres.password").read_text().strip()
    logged = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert first[1] not in logged
    assert database_password not in logged
    # The capture saw the service start: the operator was told where the password is.
    assert FIRST_PASSWORD_FILE in caplog.text
    assert "starting embedded PostgreSQL" in caplog.text


def test_a_file_that_cannot_be_made_private_is_refused_by_name(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    stuck = data_dir / "stuck.txt"
    stuck.write_text("readable by all")
    stuck.chmod(0o644)
    # An immutable file: not even root may change its mode.
    if subprocess.run(["chattr", "+i", str(stuck)], check=False).returncode != 0:
        pytest.skip("chattr +i is not supported here")
    try:
        with pytest.raises(StartupError, match=r"stuck\.txt .* open to other users \(mode 0644"):
            make_private(data_dir)
        assert stat.S_IMODE(stuck.stat().st_mode) == 0o644
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=True)


def test_files_made_while_private_are_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with private_umask():
        make_private(data_dir)
        (data_dir / "later").mkdir()
        (data_dir / "later" / "file").write_text("x")
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "later").stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "later" / "file").stat().st_mode) == 0o600
    # Left as it was found (022, from the fixture) for the rest of the process.
    (tmp_path / "outside").write_text("x")
    assert stat.S_IMODE((tmp_path / "outside").stat().st_mode) == 0o644


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_tutor_serve_logs_no_token_or_password(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")},
        "TUTOR_DATA_DIR": str(data_dir),
        "TUTOR_LLM_PROVIDER": "fake",
        "TUTOR_PORT": str(port),
    }
    # Its output goes to a file, as a service manager or a shell redirection would have it.
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("tutor")), "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):
            assert server.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError(f"tutor serve never answered:\n{log_path.read_text()}")
        secret = "tt_" + "Zq9" * 14
        httpx.get(f"{base}/ws?token={secret}")
        httpx.get(f"{base}/api/v1/auth/me?a=1&token={secret}&b=2")
        httpx.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)

    output = log_path.read_text()
    assert "/ws?token=[redacted]" in output
    assert "token=[redacted]&b=2" in output
    assert secret not in output and "Zq9Zq9" not in output
    first_password = (data_dir / FIRST_PASSWORD_FILE).read_text().split()[1]
    assert first_password not in output
    assert (data_dir / ".postgres.password").read_text().strip() not in output
    assert FIRST_PASSWORD_FILE in output
    # Everything serve wrote in the data directory is its user's alone.
    assert _open_to_others(data_dir) == []
