"""Files are parsed in worker processes, each within a budget, never on the event loop.

Parsing is pure Python: in a thread it would still hold the interpreter for seconds on a
large or pathological file and stall every other request. Worker processes come from a
fork server (a small clean process, not a fork of the threaded server) and are reused.
Each file gets a CPU-time budget enforced inside the worker, and each worker a memory
limit; a worker that ignores the time budget (stuck in native code) is killed when a
wall-clock backstop runs out.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from tutor.config import IngestSettings
from tutor.ingest import _parse_worker
from tutor.ingest.errors import IngestError, ParseBudgetError
from tutor.ingest.files import SourceFile
from tutor.ingest.prepare import PreparedFile, check_file

_log = logging.getLogger(__name__)
_BACKSTOP_FACTOR = 4
"""Wall-clock allowance, as a multiple of the CPU budget: workers share busy cores."""
_BACKSTOP_EXTRA_S = 30.0
"""Added to the allowance: a fresh worker first starts and imports the parser."""
_STOPPED = "reading it was stopped: the server is shutting down; upload it again"


class FileParser:
    """Checks and parses uploaded files away from the event loop."""

    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self._executor: ProcessPoolExecutor | None = None
        self._closed = False

    async def check(self, source: SourceFile) -> None:
        """Raise the :class:`IngestError` of the cheap checks (type, size, text, limits).

        These are a few linear scans in C; a thread keeps even a large file's off the
        loop, and the full parse, which may take seconds, waits for the ingestion job.
        """
        await asyncio.to_thread(check_file, source, self.settings)

    async def prepare(self, source: SourceFile) -> PreparedFile:
        """Check, parse and chunk ``source`` in a worker process.

        Raises:
            IngestError: The file is refused, by a check, the parser or the budget.
        """
        if self._closed:
            raise IngestError(source.path, _STOPPED)
        executor = self._pool()
        # Submitting may start a worker, and the first one waits for the fork server to
        # import the parser: most of a second that must not be the event loop's.
        try:
            submitted = await asyncio.to_thread(
                executor.submit, _parse_worker.prepare_within_budget, source, self.settings
            )
        except RuntimeError:  # the pool was shut down while the file was handed over
            raise IngestError(source.path, _STOPPED) from None
        if self._closed:
            # Closed while the file was handed over: the worker it may have started goes.
            self._discard(executor)
            raise IngestError(source.path, _STOPPED)
        future = asyncio.wrap_future(submitted)
        backstop = self.settings.parse_budget_s * _BACKSTOP_FACTOR + _BACKSTOP_EXTRA_S
        try:
            return await asyncio.wait_for(future, backstop)
        except TimeoutError:
            _log.warning("parse worker ignored its budget on %s; restarting it", source.path)
            self._discard(executor)
            raise ParseBudgetError(
                source.path,
                f"reading it took more than {backstop:g} seconds; split it or simplify it",
            ) from None
        except BrokenProcessPool:
            self._discard(executor)
            if self._closed:
                raise IngestError(source.path, _STOPPED) from None
            # A worker that dies rather than raising has almost always run out of its
            # address space where Python could not turn that into a MemoryError (in the
            # parser's C code, or while reporting the error itself).
            raise ParseBudgetError(
                source.path,
                "the parser stopped while reading it, most likely past its memory budget of "
                f"{self.settings.parse_memory_bytes:,} bytes (TUTOR_INGEST_PARSE_MEMORY_BYTES); "
                "split it or simplify its structure",
            ) from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._closed and not (task is not None and task.cancelling()):
                # The pool was shut down under this file, not its caller cancelled.
                raise IngestError(source.path, _STOPPED) from None
            raise

    async def close(self) -> None:
        """Stop the worker processes at once, even in the middle of a file."""
        self._closed = True
        if self._executor is not None:
            self._discard(self._executor)

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the parser once; each worker starts from it.
            context.set_forkserver_preload([_parse_worker.__name__])
            self._executor = ProcessPoolExecutor(
                max_workers=self.settings.parse_workers,
                mp_context=context,
                initializer=_parse_worker.limit_memory,
                initargs=(self.settings.parse_memory_bytes,),
            )
        return self._executor

    def _discard(self, executor: ProcessPoolExecutor) -> None:
        if self._executor is executor:
            self._executor = None
        # Shutting down alone would wait for the file being read, so the workers are
        # killed; Python 3.14 has terminate_workers(), before it only this table.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
