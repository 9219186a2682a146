"""Security headers on every answer: the UI's pages, the API, errors and files."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.conftest import sign_up
from tutor.api.app import create_app
from tutor.config import ServerSettings, Settings

pytestmark = pytest.mark.integration

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
SCRIPTS = [
    "(self.__next_f=self.__next_f||[]).push([0])",
    'self.__next_f.push([1,"page \\u003c/b\\u003e data"])',
]
PAGE = (
    '<!DOCTYPE html><html><head><script src="/_next/static/app.js" async></script>'
    f"<script>{SCRIPTS[0]}</script></head><body><p>Tutor</p>"
    f'<script id="_R_">{SCRIPTS[1]}</script></body></html>'
)


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _policy(answer: object) -> dict[str, list[str]]:
    headers = answer.headers  # type: ignore[attr-defined]
    for name, value in EVERYWHERE.items():
        assert headers.get(name) == value, (name, dict(headers))
    directives = [d.strip().split() for d in headers["content-security-policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    """A UI export with inline scripts, as Next.js writes one."""
    out = tmp_path / "out"
    (out / "learn").mkdir(parents=True)
    (out / "index.html").write_text(PAGE)
    (out / "learn" / "index.html").write_text(PAGE.replace("Tutor", "Learn"))
    (out / "404.html").write_text("<html><body><script>notFound()</script></body></html>")
    (out / "app.js").write_text("console.log(1)")
    return out


@pytest.fixture
async def client(settings: Settings, web_dir: Path) -> AsyncIterator[AsyncTestClient[Litestar]]:
    server = ServerSettings(web_dir=web_dir)
    async with AsyncTestClient(create_app(settings.model_copy(update={"server": server}))) as c:
        yield c


async def test_api_answers_and_errors_may_load_nothing(client: AsyncTestClient[Litestar]) -> None:
    answers = [
        await client.get("/healthz"),
        await client.get("/api/v1/auth/me"),  # 401
        await client.get("/api/v1/nothing-here"),  # 404 from the router
        await client.post("/api/v1/auth/signin", json={"name": 1}),  # 400
        await client.post(
            "/api/v1/auth/signin", content=b"{}", headers={"Content-Type": "text/plain"}
        ),  # 415
        await client.post("/api/v1/auth/signout", headers={"Origin": "http://evil.example"}),
        await client.get("/healthz", headers={"Host": "evil.example"}),  # 400 host
        await client.get("/schema/openapi.json"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 400, 415, 403, 400, 200]
    for answer in answers:
        policy = _policy(answer)
        assert policy["default-src"] == ["'none'"], answer.request.url
        assert policy["frame-ancestors"] == ["'none'"]
    await sign_up(client)
    signed_in = await client.get("/api/v1/documents")
    assert _policy(signed_in)["default-src"] == ["'none'"]


async def test_ui_pages_may_run_their_own_inline_scripts_and_no_others(
    client: AsyncTestClient[Litestar],
) -> None:
    for path in ("/", "/learn/", "/no-such-page/"):
        page = await client.get(path)
        assert page.headers["content-type"].startswith("text/html"), path
        policy = _policy(page)
        scripts = policy["script-src"]
        assert "'self'" in scripts and "'unsafe-inline'" not in scripts, scripts
        assert "'unsafe-eval'" not in scripts
        assert {_hash(SCRIPTS[0]), _hash(SCRIPTS[1]), _hash("notFound()")} <= set(scripts)
        assert len(scripts) == 4, scripts  # 'self' and the three distinct scripts
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["connect-src"] == ["'self'"]
    asset = await client.get("/app.js")
    assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff"


async def test_every_inline_script_of_the_built_ui_is_allowed(settings: Settings) -> None:
    built = Path(__file__).resolve().parents[2] / "web" / "out"
    if not (built / "index.html").is_file():
        pytest.skip("the UI is not built (make web)")
    server = ServerSettings(web_dir=built)
    async with AsyncTestClient(create_app(settings.model_copy(update={"server": server}))) as c:
        for page in sorted(built.rglob("*.html")):
            path = "/" + str(page.relative_to(built)).removesuffix("index.html")
            answer = await c.get(path)
            assert answer.status_code in {200, 404}, path
            allowed = set(_policy(answer)["script-src"])
            inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", answer.text, re.S)
            assert inline, path
            assert {_hash(script) for script in inline} <= allowed, path


async def test_the_swagger_page_alone_may_run_inline_scripts(
    client: AsyncTestClient[Litestar],
) -> None:
    swagger = await client.get("/schema/swagger")
    assert swagger.status_code == 200
    assert "'unsafe-inline'" in _policy(swagger)["script-src"]
    assert "'unsafe-inline'" not in _policy(await client.get("/"))["script-src"]
