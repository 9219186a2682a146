"""What every node is given at run time: the ports, injected per invocation."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class TutorContext:
    """The runtime context of the tutor graph."""

    chat_model: BaseChatModel
    """The chat model that writes the tutor's replies (streamed token by token)."""
