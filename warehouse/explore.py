"""The explorer: a self-contained static site built from the warehouse (one folder, no network at view time).

The warehouse's views are written once into data.js (a script, so the site also opens from disk, where
browsers refuse fetch()); index.html, app.js and app.css draw the indicator picker, the year-over-year charts
(Apache ECharts, vendored with its licence), the tables beside them, the evidence of every value, the
coverage matrix and the review list.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from nianbao import __version__
from warehouse.connection import open_read_only

ASSETS = Path(__file__).resolve().parent / "explorer_assets"
SITE_FILES = (
    "index.html",
    "app.js",
    "app.css",
    "echarts.min.js",
    "LICENSE-echarts",
    "NOTICE-echarts",
    "LICENSE-d3",
)
DATA_FILE = "data.js"

_YOY = """
SELECT y.code, y.region_code, y.kind, y.scope, y.report_year, y.value, y.unit, y.previous_value,
       y.change_pct,
       v.value_high, v.qualifier, v.n_values, v.values_stated, v.evidence, v.sentence,
       CASE WHEN v.start IS NOT NULL THEN substr(r.body, v.start + 1, v."end" - v.start) END AS text,
       y.report_id
FROM indicator_yoy AS y
JOIN indicator_values AS v
    ON v.report_id = y.report_id AND v.code = y.code AND coalesce(v.scope, '') = coalesce(y.scope, '')
JOIN reports AS r ON r.report_id = y.report_id
ORDER BY y.code, y.region_code, y.kind, y.scope NULLS FIRST, y.report_year
"""
_REPORTS = """
SELECT report_id, region_code, kind, report_year, title, published_at, url, input
FROM reports ORDER BY region_code, kind, report_year
"""
_INDICATORS = """
SELECT i.code, i.name_zh, i.name_en, i.unit, i.family, i.domain, i.definition, i.neighbours,
       (SELECT string_agg(u.unit, ' ' ORDER BY u.unit) FROM unit_families AS u WHERE u.family = i.family)
           AS family_units,
       (SELECT count(*) FROM indicator_values AS v WHERE v.code = i.code) AS n_values
FROM indicators AS i ORDER BY i.domain, i.code
"""
_REGIONS = """
SELECT DISTINCT r.region_code, coalesce(g.name, r.region_code) AS name, g.province, g.city
FROM reports AS r LEFT JOIN region_names AS g ON g.code = r.region_code ORDER BY 1
"""
_COVERAGE = "SELECT region_code, kind, report_year, loaded, n_facts, report_id FROM coverage"
_REVIEW = """
SELECT check_name, report_id, region_code, kind, report_year, code, indicator_name, scope, value, unit,
       detail, sentence FROM review ORDER BY check_name, code NULLS LAST, region_code, report_year
"""
_PICK_RULE = "SELECT any_value(pick_rule) FROM indicator_values"


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """What a build wrote: the folder, its index page and the counts it holds."""

    out: Path
    index: Path
    indicators_with_values: int
    values: int
    reports: int
    review_rows: int


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def site_data(warehouse: Path | str | None = None) -> dict[str, Any]:
    """Everything the site shows, as JSON-ready dicts."""
    with open_read_only(warehouse) as con:
        data = {
            "indicators": _rows(con, _INDICATORS),
            "regions": _rows(con, _REGIONS),
            "reports": _rows(con, _REPORTS),
            "values": _rows(con, _YOY),
            "coverage": _rows(con, _COVERAGE),
            "review": _rows(con, _REVIEW),
            "pick_rule": con.execute(_PICK_RULE).fetchall()[0][0],
        }
    data["built"] = {"at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nianbao": __version__}
    return data


def build_site(out: Path | str, warehouse: Path | str | None = None) -> SiteSummary:
    """Write the site into `out` (created if missing; our files replaced, others left alone)."""
    folder = Path(out)
    data = site_data(warehouse)
    folder.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        shutil.copyfile(ASSETS / name, folder / name)
    # "</" is escaped so that text like "</script>" in the data cannot end the script early
    payload = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")).replace("</", "<\\/")
    (folder / DATA_FILE).write_text(f"window.NIANBAO = {payload};\n", encoding="utf-8")
    return SiteSummary(
        out=folder,
        index=folder / "index.html",
        indicators_with_values=sum(1 for i in data["indicators"] if i["n_values"]),
        values=len(data["values"]),
        reports=len(data["reports"]),
        review_rows=len(data["review"]),
    )
