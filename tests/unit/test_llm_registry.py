"""The registry builds the adapter the settings name, without loading anything else."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

import pytest

from tutor.config import LLMProvider, LLMSettings
from tutor.llm import (
    CHAT_MODEL_FACTORIES,
    ChatModel,
    FakeChatModel,
    ModelUnavailableError,
    OllamaChatModel,
    build_chat_model,
    load_llamacpp,
)


@pytest.fixture(autouse=True)
def _no_tutor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("TUTOR_"):
            monkeypatch.delenv(name)


def settings(**values: Any) -> LLMSettings:
    return LLMSettings(**values)


def test_every_provider_has_a_factory() -> None:
    assert set(CHAT_MODEL_FACTORIES) == set(get_args(LLMProvider))


def test_the_registry_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CHAT_MODEL_FACTORIES["fake"] = CHAT_MODEL_FACTORIES["ollama"]  # type: ignore[index]


def test_llamacpp_is_the_embedded_default() -> None:
    assert settings().resolved_provider == "llamacpp"
    assert CHAT_MODEL_FACTORIES["llamacpp"] is load_llamacpp


def test_fake_provider(tmp_path: Path) -> None:
    model = build_chat_model(settings(provider="fake"), tmp_path)

    assert isinstance(model, FakeChatModel)
    assert isinstance(model, ChatModel)


async def test_ollama_url_selects_ollama_with_the_llm_settings(tmp_path: Path) -> None:
    chosen = settings(
        ollama_url="http://127.0.0.1:9", model="qwen3:4b", max_tokens=77, temperature=0.2
    )

    model = build_chat_model(chosen, tmp_path)

    assert isinstance(model, OllamaChatModel)
    assert (model.base_url, model.model) == ("http://127.0.0.1:9", "qwen3:4b")
    assert (model.num_predict, model.temperature, model.num_ctx) == (77, 0.2, 4096)
    assert list(tmp_path.iterdir()) == []
    await model.aclose()


def test_ollama_without_a_url_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="TUTOR_OLLAMA_URL"):
        build_chat_model(settings(provider="ollama"), tmp_path)


def test_llamacpp_with_a_missing_model_file_says_which(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"

    with pytest.raises(ModelUnavailableError, match=r"nowhere\.gguf"):
        build_chat_model(settings(model_path=missing), tmp_path)
