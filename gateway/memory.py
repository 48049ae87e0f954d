"""Make freed big buffers go back to the operating system at once (glibc's malloc).

Why: glibc serves a request of at least M_MMAP_THRESHOLD bytes with its own mmap and unmaps
it on free, but it raises that threshold each time such a block is freed (up to 32 MiB), so
the next 25 MB buffer comes from a heap arena, where freed memory stays resident. Worse, each
thread has its own arena: the parse (a worker thread), the signing (another) and the archive
(a database thread) each kept their own 25 MB blocks, and peak RSS grew by their sum
(docs/performance.md, "Memory of a 25 MB message"). Pinning the threshold keeps every buffer
above it mapped on its own and returned when freed. Small objects are untouched.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # from <malloc.h>
MMAP_THRESHOLD = 1024 * 1024


def return_big_blocks_to_os(threshold: int = MMAP_THRESHOLD) -> bool:
    """Pin glibc's mmap threshold; False (and nothing changed) on a libc without mallopt."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the running process's own libc, no library search
    except (OSError, AttributeError):  # musl, macOS: no mallopt, keep the default
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))
