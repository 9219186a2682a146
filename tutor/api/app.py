"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

import tutor
from tutor.api.auth import AuthController
from tutor.api.documents import DocumentController
from tutor.api.graph import GraphController
from tutor.api.health import HealthController
from tutor.api.learning import LearningController
from tutor.api.security import current_user
from tutor.api.ws import chat_socket
from tutor.config import Settings, get_settings
from tutor.errors import TutorError
from tutor.resources import Resources, open_resources

_log = logging.getLogger(__name__)
_SWAGGER_ASSETS = "/schema/assets"


def _resources(state: State) -> Resources:
    resources: Resources = state.resources
    return resources


def _tutor_error(
    _: Request[object, object, State], error: TutorError
) -> Response[dict[str, str | int]]:
    # The one place application errors become HTTP responses.
    # Shaped like the framework's own errors, with the kind of refusal added.
    return Response(
        {"status_code": 400, "detail": str(error), "error": type(error).__name__},
        status_code=400,
    )


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app; its lifespan opens every resource and closes them on shutdown."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_resources(settings) as resources:
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
    return Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            DocumentController,
            GraphController,
            LearningController,
            chat_socket,
            swagger_assets,
        ],
        request_max_body_size=settings.ingest.max_upload_bytes,
        dependencies={
            "resources": Provide(_resources, sync_to_thread=False),
            "user": Provide(current_user),
        },
        lifespan=[lifespan],
        openapi_config=openapi,
        exception_handlers={TutorError: _tutor_error},
    )
