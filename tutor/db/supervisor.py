"""Keeping the embedded PostgreSQL server up while the app runs.

A watcher task looks at the server every few seconds (is its postmaster alive?) and at
once when a connection fails. A dead server is started again: under the data directory's
start lock, so among every app process sharing the directory one restarts it and the
others find it running. Until it is back, connection failures reach callers as
:class:`~tutor.errors.DatabaseUnavailable`, which the API answers with 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tutor.db.embedded import EmbeddedPostgres
from tutor.errors import EmbeddedPostgresError

_log = logging.getLogger(__name__)


class EmbeddedSupervisor:
    """Watches one process's embedded server and starts it again when it dies."""

    def __init__(self, server: EmbeddedPostgres, interval_s: float) -> None:
        self._server = server
        self._interval_s = interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.restarts = 0
        """How many times this process started the server again."""

    def start(self) -> None:
        """Begin watching (on the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="embedded-postgres-watch")

    def notice_failure(self) -> None:
        """A connection failed: look at the server now rather than at the next tick."""
        self._wake.set()

    async def close(self) -> None:
        """Stop watching; a restart under way is finished first (it holds a file lock)."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
            self._wake.clear()
            if self._server.is_running():
                continue
            # The restart runs in a thread; shielded so that cancelling the watcher does
            # not abandon a half-started server while its thread still holds the lock.
            restart = asyncio.ensure_future(asyncio.to_thread(self._server.ensure_running))
            try:
                restarted = await asyncio.shield(restart)
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await restart
                raise
            except EmbeddedPostgresError:
                _log.exception("could not start embedded PostgreSQL again; retrying")
                await asyncio.sleep(self._interval_s)
                continue
            if restarted:
                self.restarts += 1
                _log.warning("embedded PostgreSQL is running again")
