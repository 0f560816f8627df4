"""`nianbao demo`: serve the bundled sample site of the FICTIONAL county 示例县 on 127.0.0.1, backfill it
through real HTTP and Prefect into the warehouse, print a year-over-year table, and build the explorer site
beside the warehouse."""

from __future__ import annotations

import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import polars as pl

from flows.archive import default_archive_location
from flows.pipeline import backfill
from flows.sample_pages import COUNTY
from flows.sample_server import serve_site
from flows.sample_site import DEMO_SPEC, SampleSiteSpec, build_sample_site
from flows.summary import RunSummary
from warehouse.documents import attachment_reports, table_status
from warehouse.errors import WarehouseError
from warehouse.explore import build_site
from warehouse.location import resolve_warehouse
from warehouse.render import render_table
from warehouse.yoy import yoy_frame

SAMPLE_SITE = "sample"
SAMPLE_REGION = "990121"
DEMO_CODES = (
    "reconsideration.accepted",
    "litigation.cases",
    "wages.deposit_collected",
    "enforcement.training_rate",
    "mediation.committees",
)
NEXT_STEPS = (
    "nianbao yoy reconsideration.accepted --region 示例县",
    'nianbao sql "SELECT region_code, kind, report_year, title FROM latest_reports ORDER BY report_year"',
    'nianbao sql "SELECT check_name, code, report_year, detail FROM review"',
    'nianbao sql "SELECT report_year, code, scope, value, adds_up FROM gov_info_table_values '
    "WHERE code = 'gov_info.requests_new'\"",
    "nianbao chart wages.deposit_collected --region 990121 --out data/deposit.svg",
    "nianbao reprocess        # after editing config/indicators.yaml: re-derive facts, no network",
)


@dataclass(slots=True)
class DemoResult:
    state_failed: bool
    message: str
    summary: RunSummary | None
    yoy: pl.DataFrame
    seconds: float
    years: tuple[int, ...] = ()
    warehouse: str = ""
    archive: str = ""
    explorer: Path | None = None
    options: tuple[str, ...] = ()  # --warehouse/--archive as given, repeated in the next steps
    attachments: pl.DataFrame = field(default_factory=pl.DataFrame)
    tables: pl.DataFrame = field(default_factory=pl.DataFrame)


def run_demo(
    warehouse: str | None = None,
    archive: str | None = None,
    delay: float | None = None,
    spec: SampleSiteSpec | None = None,
) -> DemoResult:
    """Serve the sample site, backfill every year it has through Prefect, return the YoY rows."""
    started = time.perf_counter()
    spec = spec or DEMO_SPEC
    politeness = {"delay_seconds": delay} if delay is not None else None
    with serve_site(build_sample_site(spec)) as site:
        state = backfill(
            years=sorted(spec.years),
            regions=[SAMPLE_SITE],
            base_urls={SAMPLE_SITE: site.base_url},
            politeness=politeness,
            archive=archive,
            warehouse=warehouse,
            return_state=True,
        )
    where = {"warehouse": str(resolve_warehouse(warehouse)), "archive": archive or default_archive_location()}
    if state.is_failed():
        return DemoResult(
            True,
            state.message or "backfill failed",
            None,
            pl.DataFrame(),
            time.perf_counter() - started,
            spec.years,
            **where,
        )
    summary: RunSummary = state.result()
    site = build_site(resolve_warehouse(warehouse).parent / "explorer", warehouse)
    options = (
        *(("--warehouse", warehouse) if warehouse else ()),
        *(("--archive", archive) if archive else ()),
    )
    return DemoResult(
        False,
        "",
        summary,
        demo_yoy(DEMO_CODES, warehouse),
        time.perf_counter() - started,
        spec.years,
        **where,
        explorer=site.index,
        options=options,
        attachments=attachment_reports([SAMPLE_REGION], warehouse),
        tables=table_status([SAMPLE_REGION], warehouse),
    )


def next_steps(options: Sequence[str]) -> list[str]:
    """The commands to try next, with the demo's --warehouse/--archive when they were given (only reprocess
    reads the archive)."""
    pairs = list(zip(options[::2], options[1::2], strict=True))
    steps = []
    for step in NEXT_STEPS:
        command, _, comment = step.partition("  #")
        wanted = [
            f"{flag} {shlex.quote(value)}"
            for flag, value in pairs
            if flag == "--warehouse" or command.startswith("nianbao reprocess")
        ]
        line = " ".join([command.rstrip(), *wanted])
        steps.append(f"{line}  #{comment}" if comment else line)
    return steps


def demo_yoy(codes: Sequence[str], warehouse: str | None) -> pl.DataFrame:
    """YoY rows of the sample county for the demo's indicators (codes the catalog lacks are left out)."""
    frames = []
    for code in codes:
        try:
            frame = yoy_frame(code, [SAMPLE_REGION], warehouse=warehouse)
        except WarehouseError:
            continue
        if frame.height:
            frames.append(
                frame.select(
                    pl.lit(code).alias("indicator"),
                    "indicator_name",
                    "scope",
                    "report_year",
                    "value",
                    "previous_value",
                    "change",
                    "change_pct",
                    "unit",
                )
            )
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def yoy_wide(rows: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """One row per indicator (and scope), one column per year — a year without a report stays empty —
    and the latest year's change in percent against the year before (null after a gap)."""
    latest = max(years)
    keyed = rows.with_columns(pl.col("scope").fill_null(""), pl.col("report_year").cast(pl.Utf8))
    wide = keyed.pivot(
        on="report_year",
        index=["indicator", "indicator_name", "scope", "unit"],
        values="value",
        aggregate_function="first",
    )
    change = keyed.filter(pl.col("report_year") == str(latest)).select(
        "indicator", "scope", pl.col("change_pct").alias(f"Δ% {latest}")
    )
    year_columns = [
        pl.col(str(y)) if str(y) in wide.columns else pl.lit(None, pl.Float64).alias(str(y))
        for y in sorted(years)
    ]
    return wide.join(change, on=["indicator", "scope"], how="left", maintain_order="left").select(
        "indicator", pl.col("indicator_name").alias("中文名"), "scope", *year_columns, f"Δ% {latest}", "unit"
    )


def print_demo(result: DemoResult, out: TextIO) -> None:
    if result.state_failed:
        print(f"demo failed: {result.message}", file=out)
        return
    assert result.summary is not None
    print(result.summary.describe(), file=out)
    print(f"warehouse {result.warehouse}, raw archive {result.archive}", file=out)
    print(
        f"\nYear over year — {COUNTY} ({SAMPLE_REGION}), a FICTIONAL county with synthetic figures "
        "(no report for 2021: its column stays empty):\n",
        file=out,
    )
    if result.yoy.height:
        years = range(min(result.years), max(result.years) + 1)
        print(render_table(yoy_wide(result.yoy, years), max_rows=100, null="—"), file=out)
    else:
        print("(no indicator values loaded yet — the extraction rules found none)", file=out)
    if result.attachments.height:
        print(
            "\nReports read from attachments (the page gave 发布时间 and 来源, the document the rest):\n",
            file=out,
        )
        print(render_table(result.attachments.drop("url"), max_rows=50), file=out)
    if result.tables.height:
        print("\n政府信息公开年报 template tables, checked against their own totals:\n", file=out)
        print(render_table(result.tables, max_rows=50), file=out)
    print(f"\ndemo finished in {result.seconds:.1f} s. Try next:", file=out)
    for step in next_steps(result.options):
        print(f"  {step}", file=out)
    if result.explorer:
        serve = "nianbao explore --serve" + (
            f" --warehouse {shlex.quote(result.warehouse)}" if "--warehouse" in result.options else ""
        )
        print(
            f"\nExplorer (charts, evidence of every value, coverage, review), built from this warehouse:\n"
            f"  open {result.explorer} in a browser, or run: {serve}",
            file=out,
        )
