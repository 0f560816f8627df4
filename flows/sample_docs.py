"""Documents of the FICTIONAL county's sample site: a report's paragraphs and tables as PDF, DOCX or OFD
bytes.

Generated deterministically (the same blocks always give the same bytes): reportlab with its built-in
STSong-Light CID font for PDF (no font file needed), python-docx for DOCX (both development dependencies),
and the standard library for OFD. One layout (text runs placed on A4 pages, in millimetres) feeds both the PDF
and the OFD, so the two carry the same lines.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

Table = list[list[str]]
Block = str | Table

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 20.0  # A4, millimetres
FONT_MM, TABLE_FONT_MM, LINE_MM = 3.9, 2.8, 6.4
MM_TO_PT = 72 / 25.4
FIXED_TIME = datetime(2020, 1, 1, 0, 0, 0)
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Run:
    """One piece of text placed on a page: baseline at (x, y) from the top-left corner, in millimetres."""

    page: int
    x: float
    y: float
    text: str
    size: float


def _width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E7F else size / 2 for ch in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and _width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current] if current else lines


def layout(blocks: Sequence[Block], encrypt_note: str | None = None) -> list[Run]:
    """Place paragraphs (wrapped) and tables (first column wide, the rest even) on A4 pages."""
    runs: list[Run] = []
    page, y = 0, MARGIN
    usable = PAGE_W - 2 * MARGIN

    def advance(step: float) -> None:
        nonlocal page, y
        y += step
        if y > PAGE_H - MARGIN:
            page, y = page + 1, MARGIN + step

    for block in blocks:
        if isinstance(block, str):
            for line in _wrap(block, usable, FONT_MM):
                advance(LINE_MM)
                runs.append(Run(page, MARGIN, y, line, FONT_MM))
            continue
        columns = max(len(row) for row in block)
        first = usable * (0.42 if columns > 2 else 0.5) if columns < 10 else usable / columns
        rest = (usable - first) / max(1, columns - 1)
        for row in block:
            label_lines = _wrap(row[0], first - 2, TABLE_FONT_MM) or [""]
            advance(LINE_MM * 0.8)
            top = y
            for i, line in enumerate(label_lines):
                if i:
                    advance(LINE_MM * 0.7)
                runs.append(Run(page, MARGIN, y, line, TABLE_FONT_MM))
            for index, cell in enumerate(row[1:], start=1):
                if cell:
                    runs.append(Run(page, MARGIN + first + (index - 1) * rest + 1, top, cell, TABLE_FONT_MM))
    return runs


def pdf_bytes(
    blocks: Sequence[Block], title: str, password: str | None = None, style: str = "lines"
) -> bytes:
    """A text PDF of the blocks (STSong-Light); with a password, an encrypted one.

    style: `lines` draws each placed line as one string; `glyphs` draws every character on its own (as many
    word processors write PDFs); `columns` draws table cells column by column (content order ≠ reading order).
    """
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    encrypt = StandardEncryption(password, ownerPassword=password) if password else None
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_W * MM_TO_PT, PAGE_H * MM_TO_PT), invariant=1, encrypt=encrypt)
    pdf.setTitle(title)
    runs = layout(blocks)
    if style == "columns":
        runs = sorted(runs, key=lambda r: (r.page, r.x, r.y))
    pages = max((r.page for r in runs), default=0) + 1
    for number in range(pages):
        for run in (r for r in runs if r.page == number):
            size = run.size * MM_TO_PT
            pdf.setFont("STSong-Light", size)
            if style == "glyphs":
                x = run.x * MM_TO_PT
                for ch in run.text:
                    pdf.drawString(x, (PAGE_H - run.y) * MM_TO_PT, ch)
                    x += pdfmetrics.stringWidth(ch, "STSong-Light", size)
            else:
                pdf.drawString(run.x * MM_TO_PT, (PAGE_H - run.y) * MM_TO_PT, run.text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF of drawn shapes only: what a scan looks like to a text extractor (no text layer)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_W * MM_TO_PT, PAGE_H * MM_TO_PT), invariant=1)
    for number in range(pages):
        for row in range(40):
            pdf.rect(60, 760 - row * 17, 300 + (row * 37 + number * 11) % 170, 9, fill=1, stroke=0)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes(blocks: Sequence[Block], title: str) -> bytes:
    """A DOCX of the blocks (python-docx), its zip normalised so the bytes never change."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, "示例县（虚构）", "nianbao sample"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        columns = max(len(row) for row in block)
        table = document.add_table(rows=len(block), cols=columns)
        for r, row in enumerate(block):
            for c, cell in enumerate(row):
                table.cell(r, c).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue())


def normalised_zip(data: bytes) -> bytes:
    """The same members in the same order with fixed timestamps: deterministic bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(
                zipfile.ZipInfo(info.filename, ZIP_TIME), source.read(info.filename), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def ofd_bytes(blocks: Sequence[Block], title: str) -> bytes:
    """An OFD (zip of XML pages) carrying the same text runs as the PDF."""
    runs = layout(blocks)
    pages = max((r.page for r in runs), default=0) + 1
    members: list[tuple[str, str]] = [
        (
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_OFD_NS} Version="1.1" DocType="OFD">'
            f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>0000000000000000000000000000{pages:04d}</ofd:DocID>"
            f"<ofd:Title>{escape(title)}</ofd:Title><ofd:Creator>nianbao sample</ofd:Creator>"
            "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        ),
        (
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_OFD_NS}><ofd:CommonData>'
            f"<ofd:MaxUnitID>{len(runs) + 10}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W:g} "
            f"{PAGE_H:g}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
            "</ofd:CommonData><ofd:Pages>"
            + "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(pages))
            + "</ofd:Pages></ofd:Document>",
        ),
        (
            "Doc_0/PublicRes.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {_OFD_NS} BaseLoc="Res"><ofd:Fonts>'
            '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>',
        ),
    ]
    object_id = 100
    for number in range(pages):
        objects = []
        for run in (r for r in runs if r.page == number):
            object_id += 1
            width = _width(run.text, run.size) + 1
            objects.append(
                f'<ofd:TextObject ID="{object_id}" Boundary="{run.x:.2f} {run.y - run.size:.2f} {width:.2f} '
                f'{run.size * 1.4:.2f}" Font="2" Size="{run.size:g}"><ofd:TextCode X="0" Y="{run.size:g}">'
                f"{escape(run.text)}</ofd:TextCode></ofd:TextObject>"
            )
        members.append(
            (
                f"Doc_0/Pages/Page_{number}/Content.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_OFD_NS}><ofd:Content>'
                f'<ofd:Layer ID="{number + 2}">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>',
            )
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return out.getvalue()
