"""A worker process for reading documents with a C library (PDFium): one that can be stopped.

PDFium cannot be interrupted inside a page and a malformed file could crash it; in a worker process a
document that passes its time limit is stopped by killing the worker, and a crash loses that document only.
The worker is started once (through a forkserver: a clean process, never a fork of a threaded one), reads one
document at a time, and is replaced after a kill or a crash.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from transforms.errors import DocumentRejectedError

T = TypeVar("T")
GRACE_SECONDS = 2.0  # beyond the reader's own limit, for the worker to start and answer
_LOCK = threading.Lock()
_worker: tuple[BaseProcess, Connection] | None = None


def _context() -> BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["transforms.doc_pdf"])
    return context


def _serve(conn: Connection) -> None:
    """The worker's loop: (function, args) in, ("ok", result) / ("rejected", reason) / ("error", text) out."""
    while True:
        try:
            function, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", function(*args)))
        except DocumentRejectedError as exc:
            conn.send(("rejected", str(exc)))
        except Exception as exc:  # reported to the parent as a reject of this document only
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _start() -> tuple[BaseProcess, Connection]:
    parent, child = _context().Pipe()
    process = _context().Process(target=_serve, args=(child,), daemon=True, name="nianbao-document-reader")
    process.start()
    child.close()
    return process, parent


def _stop() -> None:
    global _worker
    if _worker is not None:
        process, conn = _worker
        process.kill()
        process.join(5)
        conn.close()
        _worker = None


def run_bounded(function: Callable[..., T], args: tuple[Any, ...], seconds: float, what: str) -> T:
    """function(*args) in the worker; a reject when it takes longer than `seconds` (+ grace) or crashes."""
    global _worker
    with _LOCK:
        if _worker is None or not _worker[0].is_alive():
            _stop()
            _worker = _start()
        process, conn = _worker
        try:
            conn.send((function, args))
            ready = conn.poll(seconds + GRACE_SECONDS)
            answer = conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            _stop()
            raise DocumentRejectedError(f"{what} reader crashed (exit code {process.exitcode})") from None
        if answer is None:
            _stop()
            raise DocumentRejectedError(f"{what} took longer than {seconds:g} s to read (reader stopped)")
    status, value = answer
    if status == "ok":
        return value
    if status == "rejected":
        raise DocumentRejectedError(value)
    raise DocumentRejectedError(f"{what} could not be read: {value}")
