"""How the transform worker processes (ingest.workers.ProcessPool) are set up for memory: imported by their
forkserver before it forks any worker, so every worker starts with these settings in place.

- One polars thread per worker (POLARS_MAX_THREADS, unless the user set it): the pool already runs one
  worker per core, so polars' own thread pool only adds threads, their stacks and their allocator arenas.
  Polars reads the variable when it is imported, which in a worker happens after the fork (the worker
  imports the program's main module and the transform there), never in the forkserver itself.
- glibc malloc with at most two arenas and a fixed mmap threshold: by default glibc raises the threshold
  to the largest block freed (up to 32 MB), after which the multi-MB pickles of pages and frames that pass
  through a worker are carved from its heap and the heap keeps their high-water mark; with a fixed
  threshold they are mapped and returned whole. A libc without mallopt (not glibc) is left as it is.

Only this module (no transform, no polars) is imported into the forkserver: a forkserver holding the
program's main module (the CLI imports polars and DuckDB) costs ~100 MB of its own and shares little.
"""

from __future__ import annotations

import ctypes
import os

POLARS_THREADS = "1"
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's default starting threshold, kept fixed
_M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
_M_ARENA_MAX = -8


def configure() -> None:
    """This process's (and its forks') polars thread count and glibc malloc settings."""
    os.environ.setdefault("POLARS_MAX_THREADS", POLARS_THREADS)
    try:
        libc = ctypes.CDLL(None)  # the symbols this process has loaded, libc's among them
    except OSError:
        return
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


configure()  # the forkserver imports this module (preload): its workers fork with these settings
