"""The Litestar application factory."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from litestar import Litestar, Request, Response, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Middleware
from swagger_ui_bundle import swagger_ui_path
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import tutor
from tutor.api.auth import AuthController
from tutor.api.cross_site import CrossSiteCheck
from tutor.api.documents import DocumentController
from tutor.api.graph import GraphController
from tutor.api.headers import SecurityHeaders
from tutor.api.health import HealthController
from tutor.api.hosts import HostCheck, allowed_hosts
from tutor.api.learning import LearningController
from tutor.api.refusals import document_refusals
from tutor.api.requests import TutorRequest
from tutor.api.sandbox import SandboxController
from tutor.api.security import current_user
from tutor.api.ws import chat_socket
from tutor.auth.throttle import AccountLimits
from tutor.config import ServerSettings, Settings, get_settings
from tutor.db import CONNECTION_LOST, UNAVAILABLE_MESSAGE
from tutor.errors import ConfigurationError, TutorError
from tutor.resources import Resources, open_resources

_log = logging.getLogger(__name__)
_SWAGGER_ASSETS = "/schema/assets"
_BUILT_WEB_UI = Path(tutor.__file__).resolve().parents[1] / "web" / "out"
"""Where ``make web`` writes the UI's static export, beside the package."""


def _web_dir(settings: Settings) -> Path | None:
    """The UI's static export, or None when there is none to serve."""
    directory = settings.server.web_dir or _BUILT_WEB_UI
    if not (directory / "index.html").is_file():
        if settings.server.web_dir is not None:
            raise ConfigurationError(f"TUTOR_WEB_DIR {directory} holds no index.html: build the UI")
        _log.info("no web UI at %s (make web builds it); serving the API only", directory)
        return None
    return directory


def _web_ui(directory: Path) -> Router:
    """The UI's static export at ``/``."""
    # html_mode serves /learn from learn/index.html, and 404.html for a page not found.
    return create_static_files_router(
        path="/", directories=[directory], html_mode=True, include_in_schema=False
    )


def _behind_proxies(settings: ServerSettings) -> list[Middleware]:
    """Believe ``X-Forwarded-For`` and ``-Proto`` from the trusted proxies only.

    Uvicorn's middleware takes the nearest address in ``X-Forwarded-For`` that is not a
    trusted proxy as the client, and the scheme from ``X-Forwarded-Proto``.
    """
    if not settings.trusted_proxies:
        return []
    trusted = [str(network) for network in settings.trusted_proxies]

    def wrap(app: ASGIApp) -> ASGIApp:
        return cast("ASGIApp", ProxyHeadersMiddleware(cast("Any", app), trusted_hosts=trusted))

    return [wrap]


def _resources(state: State) -> Resources:
    resources: Resources = state.resources
    return resources


def _account_limits(state: State) -> AccountLimits:
    limits: AccountLimits = state.account_limits
    return limits


def _tutor_error(
    _: Request[object, object, State], error: TutorError
) -> Response[dict[str, str | int]]:
    # The one place application errors become HTTP responses.
    # Shaped like the framework's own errors, with the kind of refusal added.
    return Response(
        {"status_code": 400, "detail": str(error), "error": type(error).__name__},
        status_code=400,
    )


def _database_unavailable(
    _: Request[object, object, State], error: Exception
) -> Response[dict[str, str | int]]:
    # The database went away mid-request (down, or being restarted): worth a retry soon.
    return Response(
        {"status_code": 503, "detail": UNAVAILABLE_MESSAGE, "error": "DatabaseUnavailable"},
        status_code=503,
        headers={"Retry-After": "2"},
    )


def create_app(settings: Settings | None = None, *, settle_heap: bool = False) -> Litestar:
    """Build the app; its lifespan opens every resource and closes them on shutdown.

    Args:
        settings: The settings; from the environment when absent.
        settle_heap: Tune the garbage collector and thread switching for a long-running
            server once the embedding model is loaded (see
            :func:`tutor.resources.settle_heap`); that changes the whole process, so only
            ``tutor serve`` asks for it.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_resources(settings, settle=settle_heap) as resources:
            app.state.resources = resources
            _log.info("tutor ready on http://%s:%d", settings.server.host, settings.server.port)
            yield

    openapi = OpenAPIConfig(
        title="tutor",
        version=tutor.__version__,
        description="A self-hosted, chat-first tutor that teaches from your own notes.",
        path="/schema",
        # Each route's docstring is its description in the document.
        use_handler_docstrings=True,
        render_plugins=[
            SwaggerRenderPlugin(
                path="/swagger",
                # Served from the installed swagger-ui-bundle: no CDN at run time.
                js_url=f"{_SWAGGER_ASSETS}/swagger-ui-bundle.js",
                css_url=f"{_SWAGGER_ASSETS}/swagger-ui.css",
                standalone_preset_js_url=f"{_SWAGGER_ASSETS}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' href='{_SWAGGER_ASSETS}/favicon-32x32.png'>",
            )
        ],
    )
    swagger_assets = create_static_files_router(
        path=_SWAGGER_ASSETS, directories=[str(swagger_ui_path)], include_in_schema=False
    )
    web_dir = _web_dir(settings)
    server = settings.server
    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            DocumentController,
            GraphController,
            LearningController,
            SandboxController,
            chat_socket,
            swagger_assets,
            *([_web_ui(web_dir)] if web_dir is not None else []),
        ],
        request_class=TutorRequest,
        request_max_body_size=settings.ingest.max_upload_bytes,
        # Outermost first: the client's address and scheme are known before anything else.
        middleware=[
            *_behind_proxies(server),
            HostCheck(allowed_hosts(server)),
            CrossSiteCheck(server.allowed_origins),
        ],
        before_send=[SecurityHeaders(web_dir)],
        dependencies={
            "resources": Provide(_resources, sync_to_thread=False),
            "account_limits": Provide(_account_limits, sync_to_thread=False),
            "user": Provide(current_user),
        },
        lifespan=[lifespan],
        # Counted in memory, per app: a restart forgets them.
        state=State({"account_limits": AccountLimits(settings.auth)}),
        openapi_config=openapi,
        exception_handlers={
            TutorError: _tutor_error,
            **dict.fromkeys(CONNECTION_LOST, _database_unavailable),
        },
    )
    document_refusals(app.openapi_schema)
    return app


def openapi_json() -> str:
    """The HTTP API's OpenAPI document as stable JSON (keys sorted, one trailing newline)."""
    schema = create_app(Settings()).openapi_schema.to_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
