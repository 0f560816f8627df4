"""Line charts of an indicator over the years, one line per region (and scope), as PNG or SVG (the suffix of
the output path decides).

An SVG keeps its labels as text, so Chinese labels (中文名, region names) show in any browser whatever fonts
this machine has. A PNG is drawn here and needs a font with CJK glyphs; when none is installed its labels
fall back to region codes and the indicator code (ASCII) instead of empty boxes, and the result says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # after choosing the backend
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import FuncFormatter

from nianbao.errors import UsageError
from warehouse.connection import open_read_only
from warehouse.yoy import yoy_frame

_PROBE = "县市区年度"


FORMATS = (".png", ".svg")


@dataclass(slots=True)
class ChartResult:
    path: Path
    lines: int
    cjk_font: str | None
    notes: list[str] = field(default_factory=list)


@cache
def cjk_font() -> str | None:
    """The family name of an installed font with real Chinese glyphs, or None.

    A fallback font such as Last Resort maps every character to one placeholder per block: the probe
    characters must map to distinct glyphs.
    """
    for entry in font_manager.fontManager.ttflist:
        try:
            charmap = FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        glyphs = {charmap.get(ord(ch)) for ch in _PROBE}
        if None not in glyphs and len(glyphs) == len(_PROBE):
            return entry.name
    return None


def chart_indicator(
    code: str,
    regions: Sequence[str],
    out: Path | str,
    warehouse: Path | str | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
) -> ChartResult:
    """Write the chart to out, a .png or .svg file; a year without a value breaks the line."""
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; --out takes a file name ending in {' or '.join(FORMATS)}")
    if path.suffix.lower() not in FORMATS:
        raise UsageError(
            f"{path}: the chart is written as {' or '.join(FORMATS)}; give one of those suffixes"
        )
    frame = yoy_frame(code, regions, from_year, to_year, warehouse)
    svg = path.suffix.lower() == ".svg"
    font = cjk_font()
    chinese = svg or font is not None
    notes = (
        []
        if chinese
        else [
            "no CJK font installed: labels use region codes and the indicator code; "
            "--out FILE.svg keeps Chinese labels (the browser draws them)"
        ]
    )
    title = code
    plt.rcParams["svg.fonttype"] = "none"  # SVG text stays text
    plt.rcParams["font.family"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    if chinese:
        title = f"{_indicator_name(code, warehouse) or code} ({code})"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    lines = 0
    if frame.is_empty():
        notes.append(f"no values for {code} in the selected regions and years")
    else:
        years = list(range(frame["report_year"].min(), frame["report_year"].max() + 1))
        for key, series in frame.group_by(["region_code", "scope", "kind"], maintain_order=True):
            region_code, scope, _ = key
            by_year = dict(zip(series["report_year"], series["value"], strict=True))
            label = series["region_name"][0] if chinese and series["region_name"][0] else region_code
            if scope:
                label += f" / {scope}" if chinese else f" / scope {lines + 1}"
            ax.plot(years, [by_year.get(y, float("nan")) for y in years], marker="o", label=label)
            lines += 1
        ax.set_xticks(years)
        ax.legend(fontsize="small")
        unit = frame["unit"].drop_nulls().mode().first() if chinese else None
        ax.set_ylabel(f"value ({unit})" if unit else "value")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.10g}"))
    ax.set_xlabel("report year")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    try:
        fig.savefig(path)
    finally:
        plt.close(fig)
    return ChartResult(path, lines, font, notes)


def _indicator_name(code: str, warehouse: Path | str | None) -> str | None:
    with open_read_only(warehouse) as con:
        rows = con.execute("SELECT name_zh FROM indicators WHERE code = ?", [code]).fetchall()
    return rows[0][0] if rows else None
