"""``POST /api/v1/sandbox/run``, the editor's Run button, and the UI served at ``/``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up
from tutor.api.app import create_app
from tutor.config import ServerSettings, Settings
from tutor.errors import ConfigurationError
from tutor.sandbox import jail

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


async def test_running_code_needs_a_learner(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/v1/sandbox/run", json={"code": "print(1)"})
    assert response.status_code == 401, response.text


async def test_code_runs_in_the_sandbox_and_its_output_comes_back(
    client: AsyncTestClient[Litestar],
) -> None:
    await sign_up(client)
    ran = await client.post("/api/v1/sandbox/run", json={"code": "print(6 * 7)"})
    assert ran.status_code == 200, ran.text
    assert ran.json()["status"] == "passed" and ran.json()["stdout"] == "42\n"
    failed = await client.post("/api/v1/sandbox/run", json={"code": "1 / 0"})
    assert failed.json()["status"] == "error"
    assert "ZeroDivisionError" in failed.json()["stderr"] + failed.json()["feedback"]
    # The grader's limits hold here too: a loop is stopped, a file outside is not read.
    looped = await client.post("/api/v1/sandbox/run", json={"code": "while True: pass"})
    assert looped.json()["status"] == "timeout", looped.text
    secret = await client.post(
        "/api/v1/sandbox/run", json={"code": "print(open('/etc/shadow').read())"}
    )
    assert secret.json()["status"] != "passed" and "root:" not in secret.json()["stdout"]


async def test_code_cannot_read_the_data_directory_by_any_route(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    await sign_up(client)
    planted = settings.data_dir / "chroma" / "chroma.sqlite3"
    planted.parent.mkdir(parents=True, exist_ok=True)
    secret = "passages and owner ids of another learner"
    planted.write_text(secret)
    path = str(planted)
    code = (
        "import ctypes, subprocess\n"
        f"print(subprocess.run(['cat', {path!r}], capture_output=True).returncode)\n"
        f"print(ctypes.CDLL(None).open({path.encode()!r}, 0))\n"
        f"print(open({path!r}).read())\n"
    )
    ran = await client.post("/api/v1/sandbox/run", json={"code": code})
    body = ran.json()
    assert body["status"] == "error", body
    assert secret not in body["stdout"] + body["stderr"]
    cat, libc = body["stdout"].split()
    assert int(cat) != 0 and int(libc) == -1
    assert "FileNotFoundError" in body["feedback"]


async def test_without_bubblewrap_the_api_refuses_to_run_code(
    client: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await sign_up(client)
    monkeypatch.setattr(jail, "TOOL_PATH", str(tmp_path))
    ran = await client.post("/api/v1/sandbox/run", json={"code": "print('ran')"})
    assert ran.status_code >= 400, ran.text
    assert "bubblewrap" in ran.json()["detail"] and "ran" not in ran.json().get("stdout", "")


async def test_runs_are_rate_limited_per_learner(settings: Settings) -> None:
    limited = settings.model_copy(update={"server": ServerSettings(ws_actions_per_minute=2)})
    async with AsyncTestClient(create_app(limited)) as client:
        await sign_up(client)
        for _ in range(2):
            ran = await client.post("/api/v1/sandbox/run", json={"code": "pass"})
            assert ran.status_code == 200, ran.text
        refused = await client.post("/api/v1/sandbox/run", json={"code": "pass"})
        assert refused.status_code == 429 and "too many runs" in refused.text
        assert int(refused.headers["retry-after"]) >= 1


async def test_bad_code_requests_are_refused(client: AsyncTestClient[Litestar]) -> None:
    await sign_up(client)
    for body in [{}, {"code": ""}, {"code": 5}, {"code": "x" * 20_001}, {"code": "a\x00b"}]:
        response = await client.post("/api/v1/sandbox/run", json=body)
        assert response.status_code == 400, (body, response.text)


async def test_the_web_ui_is_served_at_the_root_beside_the_api(
    settings: Settings, tmp_path: Path
) -> None:
    web = tmp_path / "out"
    (web / "learn").mkdir(parents=True)
    (web / "index.html").write_text("<title>home</title>")
    (web / "learn" / "index.html").write_text("<title>learn</title>")
    (web / "404.html").write_text("<title>lost</title>")
    served = settings.model_copy(update={"server": ServerSettings(web_dir=web)})
    async with AsyncTestClient(create_app(served)) as client:
        assert "home" in (await client.get("/")).text
        assert "learn" in (await client.get("/learn")).text
        assert "learn" in (await client.get("/learn/")).text
        missing = await client.get("/no-such-page")
        assert missing.status_code == 404 and "lost" in missing.text
        # The API is not shadowed by the pages.
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/api/v1/auth/me")).status_code == 401
        assert (await client.get("/schema/openapi.json")).status_code == 200


def test_a_web_dir_without_a_build_is_refused(settings: Settings, tmp_path: Path) -> None:
    empty = settings.model_copy(update={"server": ServerSettings(web_dir=tmp_path)})
    with pytest.raises(ConfigurationError, match=r"index\.html"):
        create_app(empty)
