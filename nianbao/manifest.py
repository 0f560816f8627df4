"""The manifest CSV of `nianbao load --manifest`: per file (or folder), its URL and hints.

Columns (a header row names them, in any order; only path is required): path, url, region_code, kind, year.
A relative path is relative to the manifest's folder; any other cell may be empty. A region_code cell takes a
code or a name, like --region.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from transforms.hints import HintError, parse_hints
from transforms.model import Hints

COLUMNS = ("path", "url", "region_code", "kind", "year")


class ManifestError(ValueError):
    """A manifest nianbao cannot use: unreadable, without a path column, a bad cell, a missing file."""


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One row: a file or folder, the URL it was saved from, and its hints."""

    path: Path
    url: str | None
    hints: Hints


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ManifestError(f"manifest {path}: neither UTF-8 nor GB18030 text")


def read_manifest(path: Path | str) -> list[ManifestEntry]:
    """Every row of a manifest, checked: each path exists, each hint is valid (else ManifestError)."""
    path = Path(path)
    try:
        rows = list(csv.reader(io.StringIO(_text(path))))
    except csv.Error as exc:
        raise ManifestError(f"manifest {path}: not CSV: {exc}") from exc
    if not rows:
        raise ManifestError(f"manifest {path}: empty (expected a header row: {','.join(COLUMNS)})")
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "path" not in header:
        raise ManifestError(
            f"manifest {path}: the header row must name path and any of "
            f"{', '.join(COLUMNS[1:])} (got {','.join(rows[0])})"
        )
    entries: list[ManifestEntry] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        if not cells["path"]:
            raise ManifestError(f"manifest {path} line {line}: empty path")
        target = Path(cells["path"]).expanduser()
        target = target if target.is_absolute() else path.parent / target
        if not target.exists():
            raise ManifestError(f"manifest {path} line {line}: no such file or folder: {target}")
        try:
            hints = parse_hints(cells.get("region_code"), cells.get("kind"), cells.get("year"))
        except HintError as exc:
            raise ManifestError(f"manifest {path} line {line}: {exc}") from exc
        entries.append(ManifestEntry(target, cells.get("url") or None, hints))
    return entries


def merged(row: Hints, default: Hints) -> Hints:
    """A row's hints, with the command line's filling the cells the row leaves empty."""
    return replace(
        row,
        region_code=row.region_code or default.region_code,
        kind=row.kind or default.kind,
        year=row.year if row.year is not None else default.year,
    )
