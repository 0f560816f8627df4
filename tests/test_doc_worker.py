"""The document reader's worker process: a document that hangs is stopped at its limit, one that crashes the
reader is a reject, and the next document is read by a fresh worker."""

from __future__ import annotations

import os
import signal
import time

import pytest

from transforms.doc_worker import GRACE_SECONDS, run_bounded
from transforms.errors import DocumentRejectedError


def _hang(seconds: float) -> str:
    time.sleep(seconds)
    return "finished"


def _crash() -> str:
    os.kill(os.getpid(), signal.SIGSEGV)  # what a C library's bad pointer does
    return "unreachable"


def _reject() -> str:
    raise DocumentRejectedError("encrypted PDF: it needs a password to open")


def test_a_hanging_read_is_stopped_and_the_next_one_runs() -> None:
    started = time.monotonic()
    with pytest.raises(DocumentRejectedError, match=r"took longer than 0\.5 s to read \(reader stopped\)"):
        run_bounded(_hang, (60,), 0.5, "PDF")
    assert time.monotonic() - started < 0.5 + GRACE_SECONDS + 5
    assert run_bounded(_hang, (0,), 5, "PDF") == "finished"


def test_a_crash_is_a_reject_of_that_document_only() -> None:
    with pytest.raises(DocumentRejectedError, match="PDF reader crashed"):
        run_bounded(_crash, (), 5, "PDF")
    with pytest.raises(DocumentRejectedError, match=r"^encrypted PDF"):
        run_bounded(_reject, (), 5, "PDF")
    assert run_bounded(_hang, (0,), 5, "PDF") == "finished"
