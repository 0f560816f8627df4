"""A console progress bar for long runs (stderr, only on a terminal), shared by threads of one flow run."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class ProgressBar:
    """advance() from any thread; a no-op when stderr is not a terminal."""

    def __init__(self, progress: Progress | None, task_id: int | None):
        self._progress = progress
        self._task_id = task_id
        self._lock = threading.Lock()

    def advance(self, steps: int = 1) -> None:
        if self._progress is not None and self._task_id is not None:
            with self._lock:
                self._progress.advance(self._task_id, steps)


@contextmanager
def progress_bar(label: str, total: int, enabled: bool | None = None) -> Iterator[ProgressBar]:
    """A bar of `total` steps while the block runs (enabled defaults to: stderr is a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total <= 0:
        yield ProgressBar(None, None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield ProgressBar(progress, progress.add_task(label, total=total))
