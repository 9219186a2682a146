"""Errors raised by the chat-model adapters.

The whole tree::

    LLMError                    anything that went wrong in tutor.llm
    ├── ModelUnavailableError   the model cannot answer at all: its server is down, the
    │                           model is not installed there, its weights are missing,
    │                           or it was closed
    ├── GenerationError         the runtime refused or failed one request (for example,
    │                           a prompt longer than the context window)
    └── StructuredOutputError   a reply is not JSON, or not valid against the schema asked for
"""

from __future__ import annotations


class LLMError(Exception):
    """Base class of every error raised by ``tutor.llm``."""


class ModelUnavailableError(LLMError):
    """The chat model cannot answer any request right now."""


class GenerationError(LLMError):
    """The runtime refused or failed one request; other requests may still succeed."""


class StructuredOutputError(LLMError):
    """A reply could not be read as the structured output that was asked for.

    Attributes:
        output_name: Name of the pydantic model the reply should have matched.
        reply: The raw text the model returned.
    """

    def __init__(self, message: str, *, output_name: str, reply: str) -> None:
        super().__init__(message)
        self.output_name = output_name
        self.reply = reply
