"""Run a Python script under cProfile and write the stats when it ends, also on SIGTERM.

``python bench/_profiled.py OUT SCRIPT [ARGS...]``. uvicorn restores the SIGTERM handler
it found once it has shut down, then raises the signal again: the handler installed here
is that one, so the stats are written after a graceful shutdown.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
from types import FrameType

profiler = cProfile.Profile()
_out: list[str] = []


def _dump(signum: int | None = None, frame: FrameType | None = None) -> None:
    profiler.disable()
    if _out:
        profiler.dump_stats(_out.pop())
    if signum is not None:
        sys.exit(0)


def main() -> None:
    _out.append(sys.argv[1])
    script = sys.argv[2]
    sys.argv = sys.argv[2:]
    signal.signal(signal.SIGTERM, _dump)
    profiler.enable()
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        _dump()


if __name__ == "__main__":
    main()
