"""Rules compiled from a config/ file, cached per process and rebuilt when the file changes.

The file's modification time is looked at no more than once a second, so per-line and per-page code can ask
for its rules freely; pointing $NIANBAO_CONFIG at another folder takes effect at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from nianbao.settings import load_config

T = TypeVar("T")
RECHECK_SECONDS = 1.0

# (file, part) -> (checked at, config folder, id of the parsed file, compiled rules)
_compiled: dict[tuple[str, str], tuple[float, str | None, int, Any]] = {}


def any_of(patterns: Iterable[str]) -> str:
    """One regex source that matches where any of the patterns does, each in a non-capturing group."""
    return "|".join(f"(?:{p})" for p in patterns)


def compiled(name: str, build: Callable[[Any], T], part: str = "") -> T:
    """build(parsed config/<name>), reused until the file or $NIANBAO_CONFIG changes.

    ``part`` tells apart several builders over one file.
    """
    key = (name, part)
    now = time.monotonic()
    folder = os.environ.get("NIANBAO_CONFIG")
    entry = _compiled.get(key)
    if entry is not None and entry[1] == folder and now - entry[0] < RECHECK_SECONDS:
        return entry[3]
    raw = load_config(name)
    if entry is not None and entry[1] == folder and entry[2] == id(raw):
        _compiled[key] = (now, folder, entry[2], entry[3])
        return entry[3]
    value = build(raw)
    _compiled[key] = (now, folder, id(raw), value)
    return value
