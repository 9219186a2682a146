"""Keep the C heap from growing without bound under tensor work of changing sizes.

glibc's ``malloc`` serves large blocks (from 128 KiB) with ``mmap``, and gives them back
to the system when freed. But each time such a block is freed it raises that threshold to
the block's size (up to 32 MiB), so the next blocks of that size come from the heap
instead, where they are cut up and mixed with small ones and are rarely given back. Torch
allocates every activation buffer of the embedding model this way, sized by the batch
and its longest text, from whichever worker thread runs it: the process's resident
memory then grows with every new mix of sizes. 600 embedding calls of changing sizes
took one process from 606 to 1,178 MiB; with the threshold fixed, from 604 to 648 MiB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

_log = logging.getLogger(__name__)

MMAP_THRESHOLD_BYTES = 128 * 1024
"""Blocks from this size are mapped on their own and unmapped when freed (glibc's default
starting point, kept fixed)."""
_M_MMAP_THRESHOLD = -3
"""``mallopt`` parameter number, from glibc's ``malloc.h``."""
_ENVIRONMENT = "MALLOC_MMAP_THRESHOLD_"
"""glibc's own setting for the threshold; an operator's choice wins over ours."""


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold for this process, so freed large blocks go back.

    Fixing the threshold also stops glibc adjusting its trim threshold, which keeps its
    default (128 KiB): free memory at the top of the heap is given back too.

    Returns:
        Whether the threshold is now fixed: False on a C library other than glibc, and
        when ``MALLOC_MMAP_THRESHOLD_`` is set (glibc then already uses that value).
    """
    if not sys.platform.startswith("linux") or _ENVIRONMENT in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # musl and others: no mallopt, and no sliding threshold either
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    if mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        _log.warning("could not fix the C heap's mmap threshold; memory may grow")
        return False
    return True
