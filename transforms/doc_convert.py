"""Binary Office documents (OLE2: DOC, WPS) → DOCX through LibreOffice headless, then read as DOCX.

The converter runs in a temporary folder of its own with a private user profile, and is killed when it
passes the time limit. Without LibreOffice such a document is a reject that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from transforms.doc_docx import read_docx
from transforms.doc_formats import DocumentRules, DocumentText, is_encrypted_ooxml
from transforms.errors import DocumentRejectedError

INSTALL_HINT = "install LibreOffice (Debian: apt-get install libreoffice-writer-nogui)"


def converter_available(rules: DocumentRules) -> bool:
    return shutil.which(rules.converter.command[0]) is not None


def read_ole2(data: bytes, rules: DocumentRules) -> DocumentText:
    """A DOC or WPS file converted to DOCX, then its paragraphs and tables."""
    if is_encrypted_ooxml(data):
        raise DocumentRejectedError("encrypted Office document: it needs a password to open")
    program = shutil.which(rules.converter.command[0])
    if program is None:
        raise DocumentRejectedError(
            f"binary Office document (DOC/WPS) and no converter found "
            f"({rules.converter.command[0]!r} is not on PATH): {INSTALL_HINT}"
        )
    seconds = rules.limits.max_seconds
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as folder:
        source = Path(folder) / "document.doc"
        source.write_bytes(data)
        out = Path(folder) / "out"
        command = [program, *(part.format(input=source, outdir=out) for part in rules.converter.command[1:])]
        env = {**os.environ, "HOME": folder}  # a private LibreOffice profile: no lock shared with a user
        try:
            returncode, stderr = _run(command, env, seconds)
        except OSError as exc:
            raise DocumentRejectedError(f"converter could not start: {exc}") from exc
        converted = out / "document.docx"
        if returncode != 0 or not converted.is_file():
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise DocumentRejectedError(
                "corrupt or unsupported DOC/WPS: the converter produced nothing"
                + (f" ({detail[-1]})" if detail else "")
            )
        return read_docx(converted.read_bytes(), rules, encoding="doc/wps (LibreOffice → docx)")


def _run(command: list[str], env: dict[str, str], seconds: float) -> tuple[int, bytes]:
    """Run the converter in a session of its own; past the time limit the whole group is killed."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DocumentRejectedError(f"converter took longer than {seconds:g} s (killed)") from exc
    return process.returncode, stderr
