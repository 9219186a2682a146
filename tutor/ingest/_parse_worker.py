"""What a parse worker process runs: one file under a CPU-time and a memory budget.

The time budget is a profiling timer whose signal raises in the worker's main thread,
between two steps of the pure-Python parser, so a slow file is stopped and the worker
lives on. The memory budget is the worker's address-space limit: a file whose parse tree
would pass it meets a ``MemoryError`` instead of the machine's memory running out.
"""

from __future__ import annotations

import resource
import signal
from types import FrameType

from tutor.config import IngestSettings
from tutor.ingest.errors import ParseBudgetError
from tutor.ingest.files import SourceFile
from tutor.ingest.prepare import PreparedFile, prepare_file
from tutor.ingest.tokens import wordpiece_counter


class _OverBudget(BaseException):
    """Raised by the timer; a BaseException so no ``except Exception`` swallows it."""


def _over_budget(signum: int, frame: FrameType | None) -> None:
    raise _OverBudget


def limit_memory(limit_bytes: int) -> None:
    """Cap this worker's address space (run once as each worker starts).

    Args:
        limit_bytes: The most it may map.
    """
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))


def prepare_within_budget(source: SourceFile, settings: IngestSettings) -> PreparedFile:
    """Prepare ``source``, refusing it once it has used ``settings.parse_budget_s`` of CPU.

    Args:
        source: The file.
        settings: Limits, the chunk size and the budget.

    Returns:
        The prepared file.

    Raises:
        IngestError: The file is refused; a :class:`ParseBudgetError` when over budget.
    """
    count = wordpiece_counter()
    signal.signal(signal.SIGPROF, _over_budget)
    try:
        signal.setitimer(signal.ITIMER_PROF, settings.parse_budget_s)
        return prepare_file(source, settings, count)
    except _OverBudget:
        raise ParseBudgetError(
            source.path,
            f"reading it took more than its budget of {settings.parse_budget_s:g} CPU seconds "
            "(TUTOR_INGEST_PARSE_BUDGET_S); split it or simplify its structure",
        ) from None
    except MemoryError:
        raise ParseBudgetError(
            source.path,
            f"reading it needs more than its memory budget of "
            f"{settings.parse_memory_bytes:,} bytes (TUTOR_INGEST_PARSE_MEMORY_BYTES); "
            "split it or simplify its structure",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
