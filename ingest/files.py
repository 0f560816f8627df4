"""Local inputs for `nianbao load`: folders expanded, each file read into a Page or a reject with a reason.

Only regular files are read: a FIFO, device or socket is a reject (opened non-blocking, so a FIFO without a
writer never stalls the load). A file larger than ingest.max_input_bytes is a reject and is never read
whole. The input name recorded is the path as valid UTF-8 (bytes that are not UTF-8 are spelled \\xNN),
so a file name in another encoding loads like any other.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from nianbao.bounds import bounds
from transforms.model import Hints, Page
from warehouse.summary import RejectRow

LOADABLE_SUFFIXES = (".txt", ".html", ".htm", ".shtml", ".xhtml", ".pdf", ".docx", ".doc", ".wps", ".ofd")
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def loadable_files(paths: Sequence[str]) -> tuple[list[str], Counter[str]]:
    """Paths as given; folders expanded (recursively, sorted) to regular files with a page suffix. The files
    of those folders left out are counted by reason."""
    files: list[str] = []
    ignored: Counter[str] = Counter()
    for path in paths:
        folder = Path(path)
        if not folder.is_dir():
            files.append(path)
            continue
        for p in sorted(folder.rglob("*")):
            if not p.is_file():
                continue
            if p.suffix.lower() in LOADABLE_SUFFIXES:
                files.append(str(p))
            else:
                ignored[f"not a page or capture ({p.suffix.lower() or 'no suffix'})"] += 1
    return files, ignored


def input_name(name: str) -> str:
    """A name as valid UTF-8 text: undecodable bytes of a file name (surrogate escapes) become \\xNN."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def read_inputs(paths: Sequence[str]) -> tuple[list[Page], list[RejectRow]]:
    """Each path read into a Page, or a reject saying why it cannot be."""
    pages: list[Page] = []
    rejects: list[RejectRow] = []
    for path in paths:
        result = read_input(path)
        (pages if isinstance(result, Page) else rejects).append(result)  # type: ignore[arg-type]
    return pages, rejects


def read_input(path: str, url: str | None = None, hints: Hints | None = None) -> Page | RejectRow:
    """One file: a regular file within the size cap (a Page carrying url and hints), else a reject."""
    name = input_name(str(path))
    cap = bounds().ingest.max_input_bytes
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return RejectRow(name, "read", f"cannot read file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = next((label for test, label in _KINDS if test(info.st_mode)), "not a regular file")
            return RejectRow(name, "read", f"not a regular file ({what}); only files are loaded")
        if info.st_size > cap:
            return RejectRow(name, "read", _too_large(info.st_size, cap))
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, min(1 << 20, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > cap:
            return RejectRow(name, "read", _too_large(size, cap))
        return Page(name=name, data=b"".join(chunks), url=url, hints=hints or Hints())
    except OSError as exc:
        return RejectRow(name, "read", f"cannot read file: {exc.strerror or exc}")
    finally:
        os.close(fd)


def _too_large(size: int, cap: int) -> str:
    return f"{size:,} bytes or more, over the input size limit of {cap:,} (ingest.max_input_bytes)"
