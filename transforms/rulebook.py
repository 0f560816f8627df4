"""Rules compiled from a config/ file, cached per process and rebuilt when the file changes.

The file's modification time is looked at no more than once a second, so per-line and per-page code can ask
for its rules freely; pointing $NIANBAO_CONFIG at another folder takes effect at once. Inside
``one_reading()`` (one batch of pages) each file's rules are checked on first use and reused after that.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import count
from typing import Any, TypeVar

from nianbao.settings import load_config

T = TypeVar("T")
RECHECK_SECONDS = 1.0

# (file, part) -> (checked at, config folder, id of the parsed file, compiled rules, one_reading checked in)
_compiled: dict[tuple[str, str], tuple[float, str | None, int, Any, int]] = {}
_readings = count(1)
_reading: ContextVar[int] = ContextVar("rulebook_reading", default=0)  # 0: outside one_reading()


def any_of(patterns: Iterable[str]) -> str:
    """One regex source that matches where any of the patterns does, each in a non-capturing group."""
    return "|".join(f"(?:{p})" for p in patterns)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, rules checked once are not checked again (neither $NIANBAO_CONFIG nor the file's
    time): what a batch of pages reads is one version of each file. Nested blocks share the outer one."""
    if _reading.get():
        yield
        return
    token = _reading.set(next(_readings))
    try:
        yield
    finally:
        _reading.reset(token)


def compiled(name: str, build: Callable[[Any], T], part: str = "") -> T:
    """build(parsed config/<name>), reused until the file or $NIANBAO_CONFIG changes.

    ``part`` tells apart several builders over one file.
    """
    key = (name, part)
    entry = _compiled.get(key)
    reading = _reading.get()
    if entry is not None and reading and entry[4] == reading:
        return entry[3]
    now = time.monotonic()
    folder = os.environ.get("NIANBAO_CONFIG")
    if entry is not None and entry[1] == folder and now - entry[0] < RECHECK_SECONDS:
        if reading:
            _compiled[key] = (entry[0], folder, entry[2], entry[3], reading)
        return entry[3]
    raw = load_config(name)
    if entry is not None and entry[1] == folder and entry[2] == id(raw):
        _compiled[key] = (now, folder, entry[2], entry[3], reading)
        return entry[3]
    value = build(raw)
    _compiled[key] = (now, folder, id(raw), value, reading)
    return value
