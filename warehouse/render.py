"""Query results for people (an aligned text table, CJK-aware) and machines (CSV, JSON Lines, Parquet)."""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path
from typing import Any, TextIO

import polars as pl


def display_width(text: str) -> int:
    """Terminal columns: wide and full-width characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _cell(value: Any, null: str) -> str:
    if value is None:
        return null
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.4g}"
    return " ".join(str(value).split())


def render_table(frame: pl.DataFrame, max_rows: int = 200, max_width: int = 40, null: str = "NULL") -> str:
    """An aligned table with a header rule; numbers right-aligned, long cells clipped with …."""
    shown = frame.head(max_rows)
    header = list(frame.columns)
    rows = [[_clip(_cell(v, null), max_width) for v in row] for row in shown.iter_rows()]
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    widths = [max([display_width(h), *(display_width(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - display_width(cell))
            parts.append(pad + cell if numeric[i] else cell + pad)
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    if frame.height > max_rows:
        out.append(f"… {frame.height - max_rows} more rows (use LIMIT, --max-rows, --csv or --json)")
    out.append(f"({frame.height} row{'s' if frame.height != 1 else ''})")
    return "\n".join(out)


def write_csv(frame: pl.DataFrame, out: TextIO) -> None:
    out.write(frame.write_csv())


def write_json_lines(frame: pl.DataFrame, out: TextIO) -> None:
    for row in frame.iter_rows(named=True):
        out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def write_parquet(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
