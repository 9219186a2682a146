"""The chat-model port and its adapters: llama.cpp in process, Ollama, and a fake."""

from tutor.llm.base import ChatModel
from tutor.llm.errors import (
    GenerationError,
    LLMError,
    ModelUnavailableError,
    StructuredOutputError,
)
from tutor.llm.fake import FakeChatModel, FakeRequest
from tutor.llm.gguf import prepare_model
from tutor.llm.llamacpp import LlamaCppChatModel, load_llamacpp
from tutor.llm.ollama import OllamaChatModel, build_ollama_chat_model
from tutor.llm.registry import CHAT_MODEL_FACTORIES, ChatModelFactory, build_chat_model
from tutor.llm.structured import (
    StructuredChatModel,
    closed_schema,
    generate_structured,
    parse_structured,
)

__all__ = [
    "CHAT_MODEL_FACTORIES",
    "ChatModel",
    "ChatModelFactory",
    "FakeChatModel",
    "FakeRequest",
    "GenerationError",
    "LLMError",
    "LlamaCppChatModel",
    "ModelUnavailableError",
    "OllamaChatModel",
    "StructuredChatModel",
    "StructuredOutputError",
    "build_chat_model",
    "build_ollama_chat_model",
    "closed_schema",
    "generate_structured",
    "load_llamacpp",
    "parse_structured",
    "prepare_model",
]
