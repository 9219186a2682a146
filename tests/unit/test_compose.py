"""docker-compose.yml: every server the settings can name exists and is wired to the app.

No Docker engine runs here, so the file is checked as data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from tutor.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _server_variables() -> dict[str, str]:
    """Each setting that moves a component to a server: env variable -> section name."""
    found: dict[str, str] = {}
    for section_name, section_field in Settings.model_fields.items():
        section = section_field.annotation
        if not (isinstance(section, type) and issubclass(section, BaseSettings)):
            continue
        prefix = section.model_config.get("env_prefix", "")
        for name, field in section.model_fields.items():
            if not name.endswith(("url", "uri")):
                continue
            alias = getattr(field.validation_alias, "choices", [None])[0]
            found[str(alias or f"{prefix}{name}".upper())] = section_name
    return found


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_settings_name_the_expected_servers() -> None:
    assert set(_server_variables()) == {
        "TUTOR_DATABASE_URL",
        "TUTOR_CHROMA_URL",
        "TUTOR_NEO4J_URI",
        "TUTOR_OLLAMA_URL",
    }


def test_app_is_wired_to_every_server(compose: dict[str, Any]) -> None:
    services = compose["services"]
    app = services["app"]
    environment = app["environment"]
    for variable in _server_variables():
        assert variable in environment, f"app does not set {variable}"
        host = urlsplit(str(environment[variable])).hostname
        assert host in services, f"{variable} names {host!r}, which is not a service"
        assert app["depends_on"][host]["condition"] == "service_healthy"
    assert environment["TUTOR_HOST"] == "0.0.0.0"  # reachable from outside its container


def test_every_service_has_a_healthcheck_and_named_volume(compose: dict[str, Any]) -> None:
    named = set(compose["volumes"])
    for name, service in compose["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        volumes = [str(v).split(":", 1)[0] for v in service.get("volumes", [])]
        assert any(v in named for v in volumes), f"{name} keeps its data in no named volume"


def test_app_image_builds_from_the_repository(compose: dict[str, Any]) -> None:
    assert compose["services"]["app"]["build"] == "."
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile
    for folder in ("tutor", "agents", "prompts", "migrations"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    # The UI's export lands beside the package, where the server looks when unset.
    assert "COPY --from=web /web/out ./web/out" in dockerfile
    assert "RUN npx next build" in dockerfile
