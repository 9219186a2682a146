"""Settings come from TUTOR_* variables, one per component's server."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tutor.config import Settings

SERVER_VARIABLES = [
    "TUTOR_DATABASE_URL",
    "TUTOR_CHROMA_URL",
    "TUTOR_NEO4J_URI",
    "TUTOR_OLLAMA_URL",
    "TUTOR_LLM_MODEL",
    "TUTOR_LLM_PROVIDER",
    "TUTOR_DATA_DIR",
    "TUTOR_HOST",
    "TUTOR_PORT",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_embedded_stack() -> None:
    settings = Settings()
    assert (settings.server.host, settings.server.port) == ("127.0.0.1", 8000)
    assert settings.database.url is None
    assert settings.chroma.url is None
    assert settings.graph.uri is None
    assert settings.llm.resolved_provider == "llamacpp"
    assert settings.data_dir.name == "tutor"


def test_each_server_variable_reaches_its_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TUTOR_HOST", "0.0.0.0")
    monkeypatch.setenv("TUTOR_PORT", "9000")
    monkeypatch.setenv("TUTOR_DATABASE_URL", "postgresql://tutor:pw@db:5432/tutor")
    monkeypatch.setenv("TUTOR_CHROMA_URL", "http://chroma:8000")
    monkeypatch.setenv("TUTOR_NEO4J_URI", "bolt://neo4j:7687")
    monkeypatch.setenv("TUTOR_OLLAMA_URL", "http://ollama:11434")
    monkeypatch.setenv("TUTOR_LLM_MODEL", "qwen3:4b")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9000)
    assert settings.database.url == "postgresql://tutor:pw@db:5432/tutor"
    assert settings.chroma.url == "http://chroma:8000"
    assert settings.graph.uri == "bolt://neo4j:7687"
    assert settings.llm.ollama_url == "http://ollama:11434"
    assert settings.llm.model == "qwen3:4b"
    assert settings.llm.resolved_provider == "ollama"


def test_explicit_provider_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_OLLAMA_URL", "http://ollama:11434")
    monkeypatch.setenv("TUTOR_LLM_PROVIDER", "fake")
    assert Settings().llm.resolved_provider == "fake"


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("TUTOR_PORT", "eighty", "port"),
        ("TUTOR_PORT", "70000", "port"),
        ("TUTOR_LLM_PROVIDER", "gpt", "provider"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=field):
        Settings()
