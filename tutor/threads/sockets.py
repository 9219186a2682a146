"""The open connections of this process, per learner.

Two things need them all: the cap on connections per learner, claimed in one step so
that simultaneous ``hello`` frames cannot all pass the check before any is counted; and
signing out or revoking a token, after which a learner's open connections check their
credentials again at once instead of at their next action.
"""

from __future__ import annotations

import logging
from typing import Protocol
from uuid import UUID

_log = logging.getLogger(__name__)

CREDENTIALS_CHANNEL = "tutor_credentials"
"""PostgreSQL notifies this channel with a learner's id when one of their sessions or
tokens is revoked or removed (migration 0009)."""


class Socket(Protocol):
    """An open connection of one learner."""

    def credentials_changed(self) -> None:
        """Check the connection's session or token again soon; must not block."""
        ...


class SocketRegistry:
    """The learners' open connections in this process."""

    def __init__(self) -> None:
        self._sockets: dict[UUID, set[Socket]] = {}

    def claim(self, learner: UUID, socket: Socket, limit: int) -> bool:
        """Count ``socket`` as one of the learner's connections, unless they have ``limit``.

        Check and count happen with no await between them: the event loop runs no other
        connection's hello in the middle.
        """
        sockets = self._sockets.setdefault(learner, set())
        if socket in sockets:
            return True
        if len(sockets) >= limit:
            if not sockets:
                del self._sockets[learner]
            return False
        sockets.add(socket)
        return True

    def release(self, learner: UUID, socket: Socket) -> None:
        """The connection closed (or was never opened); it no longer counts."""
        sockets = self._sockets.get(learner)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            del self._sockets[learner]

    def count(self, learner: UUID) -> int:
        """How many connections the learner has open here."""
        return len(self._sockets.get(learner, ()))

    def credentials_changed(self, learner: UUID) -> int:
        """One of the learner's sessions or tokens ended: tell their connections.

        Returns:
            How many connections were told.
        """
        sockets = list(self._sockets.get(learner, ()))
        for socket in sockets:
            socket.credentials_changed()
        return len(sockets)

    def notified(self, payload: str) -> None:
        """Handle a notice on :data:`CREDENTIALS_CHANNEL` (its payload is a learner's id)."""
        try:
            learner = UUID(payload)
        except ValueError:
            _log.warning("ignored a credentials notice that names no learner: %r", payload[:64])
            return
        self.credentials_changed(learner)
