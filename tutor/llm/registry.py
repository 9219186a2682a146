"""Chat-model adapters by name, and building the configured one from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from tutor.config import LLMProvider, LLMSettings
from tutor.llm.base import ChatModel
from tutor.llm.fake import build_fake_chat_model
from tutor.llm.llamacpp import load_llamacpp
from tutor.llm.ollama import build_ollama_chat_model

ChatModelFactory = Callable[[LLMSettings, Path], ChatModel]
"""Builds one adapter from the chat-model settings and the models directory."""

CHAT_MODEL_FACTORIES: Mapping[LLMProvider, ChatModelFactory] = MappingProxyType(
    {
        "llamacpp": load_llamacpp,
        "ollama": build_ollama_chat_model,
        "fake": build_fake_chat_model,
    }
)
"""Every adapter, by the name ``TUTOR_LLM_PROVIDER`` gives it."""


def build_chat_model(settings: LLMSettings, models_dir: Path) -> ChatModel:
    """Build the chat model the settings choose.

    Loading llama.cpp blocks for a couple of seconds: from async code, run this in a
    thread (``await asyncio.to_thread(build_chat_model, settings, models_dir)``).

    Args:
        settings: The chat-model settings; ``resolved_provider`` picks the adapter.
        models_dir: Where prepared model files live (``Settings.models_dir``).

    Returns:
        The chat model; close it with ``aclose()`` (or ``close()``) when done.

    Raises:
        ModelUnavailableError: The chosen model cannot be built.
    """
    return CHAT_MODEL_FACTORIES[settings.resolved_provider](settings, models_dir)
