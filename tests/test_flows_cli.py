"""The flow subcommands: argument parsing, the demo's output, and exit status 1 when nothing loads."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
import pytest

from flows.demo import yoy_wide
from nianbao.cli import main
from nianbao.commands.flows import _years


def test_years_accept_ranges_and_lists() -> None:
    assert _years("2019-2021") == [2019, 2020, 2021]
    assert _years("2019,2022-2023") == [2019, 2022, 2023]
    for bad in ("2021-2019", "last year", "19"):
        with pytest.raises(argparse.ArgumentTypeError):
            _years(bad)


def test_help_lists_every_flow_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("scrape", "ingest", "backfill", "reprocess", "run", "serve", "demo"):
        assert command in out


@pytest.mark.usefixtures("prefect_harness")
def test_demo_ends_with_the_yoy_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["demo", "--warehouse", str(tmp_path / "w.duckdb"), "--archive", str(tmp_path / "a"),
                   "--delay", "0.01"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "FICTIONAL" in out
    assert "loaded 5" in out
    table = out.split("Year over year", 1)[1]
    assert "reconsideration.accepted" in table and "2024" in table
    assert "nianbao yoy" in out.rsplit("Try next", 1)[1]


@pytest.mark.usefixtures("prefect_harness")
def test_nothing_to_load_exits_1_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["reprocess", "--warehouse", str(tmp_path / "w.duckdb"),
                   "--archive", str(tmp_path / "empty")])
    assert status == 1
    assert "nothing could be loaded (no report pages found)" in capsys.readouterr().err


def test_demo_table_has_one_column_per_year_and_an_empty_gap() -> None:
    rows = pl.DataFrame({
        "indicator": ["litigation.cases"] * 3, "scope": [None] * 3, "report_year": [2019, 2020, 2022],
        "value": [26.0, 12.0, 27.0], "previous_value": [None, 26.0, None], "change": [None, -14.0, None],
        "change_pct": [None, -53.85, None], "unit": ["件"] * 3,
    })
    wide = yoy_wide(rows, range(2019, 2023))
    assert wide.columns == ["indicator", "scope", "2019", "2020", "2021", "2022", "Δ% 2022", "unit"]
    assert wide.row(0) == ("litigation.cases", "", 26.0, 12.0, None, 27.0, None, "件")
