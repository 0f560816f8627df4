"""A reader in another process polling an export folder (item 13 of issue 9): it counts its polls and the
polls that found a required table missing, and reports both when the block ends.

    with polling_export(out, "facts/", "reports/", "regions.parquet") as seen:
        ...export again and again...
    assert seen.misses == 0

A name ending in "/" must be a folder (a partitioned table), any other a file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_POLLER = """
import signal, sys
from pathlib import Path
out = Path(sys.argv[1])
folders = [out / n.rstrip("/") for n in sys.argv[2:] if n.endswith("/")]
files = [out / n for n in sys.argv[2:] if not n.endswith("/")]
polls = misses = 0
def stop(*_):
    print(polls, misses, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    polls += 1
    if not (all(p.is_dir() for p in folders) and all(p.is_file() for p in files)):
        misses += 1
"""


@dataclass(slots=True)
class PollCount:
    polls: int = 0
    misses: int = 0


@contextmanager
def polling_export(
    out: Path, *required: str, settle: float = 0.0, timeout: float = 30
) -> Iterator[PollCount]:
    """Poll `out` for the `required` tables from another process while the block runs."""
    seen = PollCount()
    poller = subprocess.Popen(
        [sys.executable, "-c", _POLLER, str(out), *required], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(settle)
        yield seen
    finally:
        poller.terminate()
        output, _ = poller.communicate(timeout=timeout)
        seen.polls, seen.misses = (int(n) for n in output.split())
