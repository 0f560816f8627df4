"""glibc malloc settings for a process that passes multi-MB pages and pickles through its heap: at most two
arenas and a fixed mmap threshold.

By default glibc raises the mmap threshold to the largest block freed (up to 32 MB), after which such
blocks are carved from the heap and the heap keeps their high-water mark; with a fixed threshold they are
mapped and returned whole. The transform workers (ingest.worker_process) and the ingest's main process,
which reads the pages and pickles them for the workers (ingest.run), set it. A libc without mallopt (not
glibc) is left as it is.
"""

from __future__ import annotations

import ctypes

MALLOC_ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's default starting threshold, kept fixed
_M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
_M_ARENA_MAX = -8


def limit_malloc() -> None:
    """At most MALLOC_ARENAS arenas from now on (threads created later share them) and blocks from
    MMAP_THRESHOLD bytes on mapped on their own, for this process and its forks."""
    try:
        libc = ctypes.CDLL(None)  # the symbols this process has loaded, libc's among them
    except OSError:
        return
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
