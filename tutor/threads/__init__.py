"""Conversation threads: their event log, the turns that run on them, one at a time."""

from tutor.threads.hub import Subscriber, Turn, TurnHub
from tutor.threads.sockets import SocketRegistry
from tutor.threads.store import (
    DATABASE_ERRORS,
    ThreadBusyError,
    ThreadNotFoundError,
    ThreadStore,
)

__all__ = [
    "DATABASE_ERRORS",
    "SocketRegistry",
    "Subscriber",
    "ThreadBusyError",
    "ThreadNotFoundError",
    "ThreadStore",
    "Turn",
    "TurnHub",
]
