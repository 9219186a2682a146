"""The C heap's mmap threshold stays fixed, so freed large blocks go back to the system."""

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    platform.libc_ver()[0] != "glibc", reason="the sliding mmap threshold is glibc's"
)


_IS_MMAPPED = 0x2
"""glibc's flag, in the size word just before a block, for a block mapped on its own."""


def mapped_after_a_larger_block_is_freed() -> int:
    """Free an 8 MiB block, then take 4 MiB: how many bytes glibc mapped on their own.

    0 means the 4 MiB came from the heap: the freed block had raised the mmap threshold.
    The block's own header says how it was served, so other threads of the process
    mapping and unmapping memory meanwhile (a process-wide count would see them) do not
    change the answer.
    """
    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free(libc.malloc(8 << 20))
    block = libc.malloc(4 << 20)
    assert block, "malloc of 4 MiB failed"
    try:
        size_word = ctypes.c_size_t.from_address(block - ctypes.sizeof(ctypes.c_size_t)).value
        return (size_word & ~0x7) if size_word & _IS_MMAPPED else 0
    finally:
        libc.free(block)


PROBE = """
import sys
from tests.unit.test_native_heap import mapped_after_a_larger_block_is_freed
from tutor.native_heap import keep_large_blocks_mapped
if sys.argv[1] == "fixed":
    print("fixed" if keep_large_blocks_mapped() else "unchanged")
print(mapped_after_a_larger_block_is_freed())
"""


def large_block_mapped_bytes(mode: str, env: dict[str, str] | None = None) -> tuple[str, int]:
    """Run the probe in a fresh process: (what the fix said, bytes mapped for 4 MiB)."""
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    ran = subprocess.run(
        [sys.executable, "-c", PROBE, mode],
        env={**environ, **(env or {})},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = ran.stdout.split()
    return (lines[0] if mode == "fixed" else ""), int(lines[-1])


def test_without_the_fix_a_freed_block_raises_the_threshold() -> None:
    # The behaviour the fix exists for: after one 8 MiB block is freed, a 4 MiB block
    # comes from the heap, where it stays when freed.
    assert large_block_mapped_bytes("default")[1] == 0


def test_with_the_fix_large_blocks_stay_mapped() -> None:
    said, mapped = large_block_mapped_bytes("fixed")
    assert said == "fixed"
    assert mapped >= 4 << 20


def test_an_operators_threshold_is_left_alone() -> None:
    said, mapped = large_block_mapped_bytes("fixed", {"MALLOC_MMAP_THRESHOLD_": "16777216"})
    assert said == "unchanged"
    assert mapped == 0, "glibc used the operator's 16 MiB threshold"
