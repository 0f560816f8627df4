"""DOCX → text lines, with the standard library (zip + XML): body paragraphs in order, each table row as one
line of tab-separated cells (as HTML table rows become lines), and the core properties' title."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from transforms.doc_formats import DocumentRules, DocumentText, checked_zip, read_member
from transforms.errors import DocumentRejectedError

ENCODING = "docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def read_docx(data: bytes, rules: DocumentRules, encoding: str = ENCODING) -> DocumentText:
    """Paragraphs ('para N') and table rows ('table T row R') of the main document part."""
    archive = checked_zip(data, rules.limits, "DOCX")
    root = _parse(read_member(archive, "word/document.xml", "DOCX"), "word/document.xml")
    body = root.find(f"{W}body")
    if body is None:
        raise DocumentRejectedError("corrupt DOCX: word/document.xml has no body")
    lines: list[str] = []
    origins: list[str] = []
    for text, origin in _blocks(body):
        for line in text.split("\n"):
            if line.strip():
                lines.append(line.rstrip())
                origins.append(origin)
    metadata = {}
    if "docProps/core.xml" in archive.namelist():
        title = _parse(read_member(archive, "docProps/core.xml", "DOCX"), "docProps/core.xml").find(DC_TITLE)
        if title is not None and (title.text or "").strip():
            metadata["title"] = (title.text or "").strip()
    return DocumentText(lines, origins, encoding, 0, metadata)


def _parse(data: bytes, name: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise DocumentRejectedError(f"corrupt DOCX: {name}: {exc}") from exc


def _blocks(body: ET.Element) -> Iterator[tuple[str, str]]:
    paragraph = table = 0
    for child in body:
        if child.tag == f"{W}p":
            paragraph += 1
            yield _paragraph_text(child), f"para {paragraph}"
        elif child.tag == f"{W}tbl":
            table += 1
            for row_number, row in enumerate(child.iter(f"{W}tr"), start=1):
                cells = [
                    "".join(_paragraph_text(p) for p in cell.iter(f"{W}p")).replace("\n", " ").strip()
                    for cell in row.findall(f"{W}tc")
                ]
                yield "\t".join(cells), f"table {table} row {row_number}"
        elif child.tag == f"{W}sdt":  # a content control wraps ordinary paragraphs
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _paragraph_text(paragraph: ET.Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append("\t")
        elif node.tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
    return "".join(parts)
