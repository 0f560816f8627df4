"""How the transform worker processes (ingest.workers.ProcessPool) are set up for memory: imported by their
forkserver before it forks any worker, so every worker starts with these settings in place.

- One polars thread per worker (POLARS_MAX_THREADS, unless the user set it): the pool already runs one
  worker per core, so polars' own thread pool only adds threads, their stacks and their allocator arenas.
  Polars reads the variable when it is imported, which in a worker happens after the fork (the worker
  imports the program's main module and the transform there), never in the forkserver itself.
- glibc malloc with at most two arenas and a fixed mmap threshold (ingest.malloc): the multi-MB pickles of
  pages and frames that pass through a worker are mapped and returned whole, not carved from its heap.

Only this module (no transform, no polars) is imported into the forkserver: a forkserver holding the
program's main module (the CLI imports polars and DuckDB) costs ~100 MB of its own and shares little.
"""

from __future__ import annotations

import os

from ingest.malloc import limit_malloc

POLARS_THREADS = "1"


def configure() -> None:
    """This process's (and its forks') polars thread count and glibc malloc settings."""
    os.environ.setdefault("POLARS_MAX_THREADS", POLARS_THREADS)
    limit_malloc()


configure()  # the forkserver imports this module (preload): its workers fork with these settings
