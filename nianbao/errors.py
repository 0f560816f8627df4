"""Errors of the command line that are the user's to fix, and their one-line wording (see nianbao.cli)."""

from __future__ import annotations

import argparse
import errno
from pathlib import Path


def wait_seconds(text: str) -> float:
    """--wait SECONDS: a number ≥ 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {text!r}")
    return value


WAIT_HELP = (
    "how long to wait while another process holds the warehouse (default: "
    "warehouse.lock_wait_seconds in config/settings.yaml); the wait is announced at once, "
    "naming the holder (reader or writer)"
)


class UsageError(Exception):
    """A request that cannot be met as given (an unknown domain, an output path that is a folder); exit 2."""


_WHY = {
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder, not a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.ENOENT: "no such file or folder",
}


def output_error(exc: OSError) -> str:
    """'PATH: why' for a file that could not be read or written (the library's own line when it gives no
    path)."""
    if exc.filename is None:
        return " ".join(str(exc).split("\n")[0].split())
    if exc.errno == errno.EEXIST and Path(exc.filename).is_file():  # mkdir on a path through a file
        return f"{exc.filename}: is a file, not a folder"
    why = _WHY.get(exc.errno or 0, exc.strerror or str(exc))
    return f"{exc.filename}: {why}"
