"""Conversation threads: their event log, the turns that run on them, one at a time."""

from tutor.threads.hub import Subscriber, Turn, TurnHub
from tutor.threads.store import ThreadBusyError, ThreadNotFoundError, ThreadStore

__all__ = [
    "Subscriber",
    "ThreadBusyError",
    "ThreadNotFoundError",
    "ThreadStore",
    "Turn",
    "TurnHub",
]
