"""Reports published as documents: the real format sniffed from the bytes, then text lines out of it.

PDF (`%PDF-`), DOCX (a zip with word/document.xml), OFD (a zip with OFD.xml) and binary Office files
(OLE2: DOC, WPS) are recognised by their bytes, never by a file name or a Content-Type. Each reader gives
lines of text and, per line, where it came from (``p.3`` for a PDF page, ``table 1 row 2`` for a DOCX
table row); the lines then go through the same transform as a text capture. A document that cannot be read
(encrypted, scanned, corrupt, past a limit of config/documents.yaml) raises DocumentRejectedError with the
reason.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nianbao.settings import validated
from transforms.errors import DocumentRejectedError
from transforms.rulebook import compiled

Format = Literal["pdf", "docx", "ofd", "ole2"]
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PDF_MAGIC_WINDOW = 1024  # the PDF header may follow a little junk (the spec allows 1024 bytes)
ORIGIN_LOOKAHEAD = 400
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


class DocumentLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_bytes: int = Field(gt=0)
    max_pages: int = Field(gt=0)
    max_decompressed_bytes: int = Field(gt=0)
    max_seconds: float = Field(gt=0)
    min_chars_per_page: int = Field(ge=0)


class ConverterRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    command: tuple[str, ...] = Field(min_length=1)


class DocumentRules(BaseModel):
    """config/documents.yaml, validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    limits: DocumentLimits
    converter: ConverterRule


def _build(raw: Any) -> DocumentRules:
    return validated(DocumentRules, raw, "config/documents.yaml: ")


def document_rules() -> DocumentRules:
    return compiled("documents.yaml", _build)


@dataclass(slots=True)
class DocumentText:
    """Text lines of a document, where each line came from, and what read it (e.g. 'pdf (pypdfium2)')."""

    lines: list[str]
    origins: list[str]
    encoding: str
    pages: int = 0
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def sniff_format(data: bytes) -> Format | None:
    """The document format the bytes are, or None for anything else (HTML, text, images …)."""
    if b"%PDF-" in data[:PDF_MAGIC_WINDOW]:
        return "pdf"
    if data.startswith(OLE2_MAGIC):
        return "ole2"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise DocumentRejectedError(f"corrupt zip container: {exc}") from exc
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
            return "ofd"
        raise DocumentRejectedError(
            "a zip archive that is neither DOCX nor OFD (no word/document.xml, no OFD.xml)"
        )
    return None


def checked_zip(data: bytes, limits: DocumentLimits, what: str) -> zipfile.ZipFile:
    """The zip of a DOCX or OFD, refused when its members would inflate past the configured size."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentRejectedError(f"corrupt {what}: {exc}") from exc
    if any(info.flag_bits & 0x1 for info in infos):
        raise DocumentRejectedError(f"encrypted {what}: its zip members are password-protected")
    inflated = sum(info.file_size for info in infos)
    if inflated > limits.max_decompressed_bytes:
        raise DocumentRejectedError(
            f"oversized {what}: {inflated} bytes when decompressed, more than the "
            f"{limits.max_decompressed_bytes}-byte limit"
        )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, what: str) -> bytes:
    """One zip member, inflated no further than its declared size (checked against the limit already)."""
    try:
        info = archive.getinfo(name)
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except KeyError as exc:
        raise DocumentRejectedError(f"corrupt {what}: member {name} is missing") from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentRejectedError(f"corrupt {what}: member {name}: {exc}") from exc
    if len(data) > info.file_size:
        raise DocumentRejectedError(f"corrupt {what}: member {name} inflates past its declared size")
    return data


def read_document_bytes(data: bytes) -> DocumentText | None:
    """Text lines of a PDF/DOCX/OFD/DOC/WPS document; None when the bytes are not a document format."""
    kind = sniff_format(data)
    if kind is None:
        return None
    rules = document_rules()
    if len(data) > rules.limits.max_bytes:
        raise DocumentRejectedError(
            f"oversized {kind.upper()}: {len(data)} bytes, more than the {rules.limits.max_bytes}-byte limit"
        )
    return _readers()[kind](data, rules)


def _readers() -> dict[Format, Callable[[bytes, DocumentRules], DocumentText]]:
    from transforms.doc_convert import read_ole2
    from transforms.doc_docx import read_docx
    from transforms.doc_ofd import read_ofd
    from transforms.doc_pdf import read_pdf

    return {"pdf": read_pdf, "docx": read_docx, "ofd": read_ofd, "ole2": read_ole2}


def is_encrypted_ooxml(data: bytes) -> bool:
    """An OLE2 file holding an encrypted DOCX/XLSX (its 'EncryptedPackage' stream)."""
    return _ENCRYPTED_OOXML in data[:65536] or _ENCRYPTED_OOXML in data[-65536:]


def line_origins(body_lines: list[str], document: DocumentText) -> list[str]:
    """Where each body line came from: the first document line at or after the previous match that holds
    it (chrome stripping drops and trims lines, never reorders them); '?' when none within
    ORIGIN_LOOKAHEAD lines does."""
    origins: list[str] = []
    position = 0
    for line in body_lines:
        needle = line.strip()
        for index in range(position, min(len(document.lines), position + ORIGIN_LOOKAHEAD)):
            if needle and needle in document.lines[index]:
                origins.append(document.origins[index])
                position = index
                break
        else:
            origins.append("?")
    return origins


def unwrap_lines(lines: list[str], origins: list[str]) -> tuple[list[str], list[str]]:
    """Join the visual lines of a wrapped paragraph (PDF, OFD): a line as wide as the widest ones that does
    not end a sentence continues on the next line. A joined line keeps the origin of its first part."""
    widths = [_em_width(line) for line in lines]
    if not widths:
        return lines, origins
    full = UNWRAP_FULL_SHARE * sorted(widths)[int(len(widths) * 0.9)]
    out_lines: list[str] = []
    out_origins: list[str] = []
    joining = False
    for line, origin, width in zip(lines, origins, widths, strict=True):
        if joining and not _STARTS_BLOCK.match(line):
            out_lines[-1] += line.strip()
        else:
            out_lines.append(line)
            out_origins.append(origin)
        joining = width >= full and "\t" not in line and not line.rstrip().endswith(SENTENCE_ENDS)
    return out_lines, out_origins


UNWRAP_FULL_SHARE = 0.92
SENTENCE_ENDS = ("。", "！", "？", "：", "；", "”", "」", "）", ")")
_STARTS_BLOCK = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])")


def _em_width(line: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in line.strip())
