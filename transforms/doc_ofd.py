"""OFD (GB/T 33190, a zip of XML pages) → text lines with their page numbers, with the standard library.

OFD.xml names each document's root (DocBody/DocRoot); the document lists its pages in order; a page's
TextObjects hold TextCode runs placed at (X, Y) inside the object's Boundary. Runs are grouped into lines by
their baseline and read left to right, lines top to bottom.
"""

from __future__ import annotations

import posixpath
import re
import time
import xml.etree.ElementTree as ET
import zipfile

from transforms.doc_formats import (
    DocumentLimits,
    DocumentRules,
    DocumentText,
    checked_zip,
    read_member,
    unwrap_lines,
)
from transforms.errors import DocumentRejectedError

ENCODING = "ofd"
LINE_TOLERANCE = 1.5  # runs whose baselines differ by less (millimetres) share a line
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in node.iter() if _local(child.tag) == name]


def read_ofd(data: bytes, rules: DocumentRules) -> DocumentText:
    """Every page's text lines, with 'p.N' as each line's origin, and the DocInfo title."""
    limits = rules.limits
    archive = checked_zip(data, limits, "OFD")
    names = {name.lower(): name for name in archive.namelist()}
    root = _parse(read_member(archive, names["ofd.xml"], "OFD"), "OFD.xml")
    lines: list[str] = []
    origins: list[str] = []
    metadata: dict[str, str] = {}
    for title in _children(root, "Title"):
        if (title.text or "").strip():
            metadata.setdefault("title", (title.text or "").strip())
    page_paths = [
        path
        for doc_root in _children(root, "DocRoot")
        for path in _page_paths(archive, names, (doc_root.text or "").strip().lstrip("/"))
    ]
    if len(page_paths) > limits.max_pages:
        raise DocumentRejectedError(
            f"oversized OFD: {len(page_paths)} pages, more than the {limits.max_pages}-page limit"
        )
    if not page_paths:
        raise DocumentRejectedError("corrupt OFD: no pages")
    _read_pages(archive, names, page_paths, limits, lines, origins)
    lines, origins = unwrap_lines(lines, origins)
    return DocumentText(lines, origins, ENCODING, len(page_paths), metadata)


def _read_pages(
    archive: zipfile.ZipFile,
    names: dict[str, str],
    page_paths: list[str],
    limits: DocumentLimits,
    lines: list[str],
    origins: list[str],
) -> None:
    deadline = time.monotonic() + limits.max_seconds
    for number, path in enumerate(page_paths, start=1):
        if time.monotonic() > deadline:
            raise DocumentRejectedError(f"OFD took longer than {limits.max_seconds:g} s to read")
        page = _parse(read_member(archive, _member(names, path), "OFD"), path)
        for line in _page_lines(page):
            lines.append(line)
            origins.append(f"p.{number}")


def _member(names: dict[str, str], path: str) -> str:
    found = names.get(path.lower())
    if found is None:
        raise DocumentRejectedError(f"corrupt OFD: {path} is missing")
    return found


def _page_paths(archive: zipfile.ZipFile, names: dict[str, str], doc_path: str) -> list[str]:
    if not doc_path:
        raise DocumentRejectedError("corrupt OFD: OFD.xml names no DocRoot")
    document = _parse(read_member(archive, _member(names, doc_path), "OFD"), doc_path)
    base = posixpath.dirname(doc_path)
    paths = []
    for page in _children(document, "Page"):
        loc = (page.get("BaseLoc") or "").strip()
        if loc:
            paths.append(
                posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base, loc))
            )
    return paths


def _parse(data: bytes, name: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise DocumentRejectedError(f"corrupt OFD: {name}: {exc}") from exc


def _page_lines(page: ET.Element) -> list[str]:
    runs: list[tuple[float, float, str, float]] = []  # (baseline y, x, text, font size)
    for text_object in _children(page, "TextObject"):
        box = [float(v) for v in _NUMBERS.findall(text_object.get("Boundary") or "")] or [0.0, 0.0]
        size = float(text_object.get("Size") or 0)
        for code in _children(text_object, "TextCode"):
            if code.text:
                runs.append(
                    (box[1] + float(code.get("Y") or 0), box[0] + float(code.get("X") or 0), code.text, size)
                )
    runs.sort()
    rows: list[list[tuple[float, str, float]]] = []
    last_y: float | None = None
    for y, x, text, size in runs:
        if last_y is None or y - last_y > LINE_TOLERANCE:
            rows.append([])
        rows[-1].append((x, text, size))
        last_y = y
    return [line for line in map(_join_runs, rows) if line]


def _join_runs(row: list[tuple[float, str, float]]) -> str:
    """Runs left to right; a gap wider than one character (a table column, a tab stop) becomes a tab."""
    out: list[str] = []
    end: float | None = None
    for x, text, size in sorted(row):
        if end is not None and size and x - end > size:
            out.append("\t")
        out.append(text)
        end = x + len(text) * size
    return "".join(out).strip()
