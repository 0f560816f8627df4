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


def test_batch_size_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", "--batch-size", "0"])
    assert exit_info.value.code == 2
    assert "not a positive whole number: '0'" in capsys.readouterr().err


def test_help_lists_every_flow_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("scrape", "ingest", "backfill", "reprocess", "run", "serve", "demo"):
        assert command in out


@pytest.mark.usefixtures("prefect_harness")
def test_demo_ends_with_the_yoy_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "demo",
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--archive",
            str(tmp_path / "a"),
            "--delay",
            "0.01",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "FICTIONAL" in out
    assert "loaded 7" in out  # five law reports (three from PDF/DOCX/OFD attachments), two 信息公开 reports
    attachments = out.split("Reports read from attachments", 1)[1].split("template tables", 1)[0]
    assert all(ext in attachments for ext in (".pdf", ".docx", ".ofd"))
    table = out.split("Year over year", 1)[1]
    assert "reconsideration.accepted" in table and "2024" in table
    assert "nianbao yoy" in out.rsplit("Try next", 1)[1]


@pytest.mark.usefixtures("prefect_harness")
def test_nothing_to_load_exits_1_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["reprocess", "--warehouse", str(tmp_path / "w.duckdb"), "--archive", str(tmp_path / "empty")]
    )
    assert status == 1
    assert "nothing could be loaded (no report pages found)" in capsys.readouterr().err


def test_demo_table_has_one_column_per_year_and_an_empty_gap() -> None:
    rows = pl.DataFrame(
        {
            "indicator": ["litigation.cases"] * 3,
            "indicator_name": ["行政应诉"] * 3,
            "scope": [None] * 3,
            "report_year": [2019, 2020, 2022],
            "value": [26.0, 12.0, 27.0],
            "previous_value": [None, 26.0, None],
            "change": [None, -14.0, None],
            "change_pct": [None, -53.85, None],
            "unit": ["件"] * 3,
        }
    )
    wide = yoy_wide(rows, range(2019, 2023))
    assert wide.columns == ["indicator", "中文名", "scope", "2019", "2020", "2021", "2022", "Δ% 2022", "unit"]
    assert wide.row(0) == ("litigation.cases", "行政应诉", "", 26.0, 12.0, None, 27.0, None, "件")


@pytest.mark.parametrize("command", ["scrape", "ingest", "backfill", "reprocess", "run", "serve", "demo"])
def test_every_flow_command_takes_warehouse_and_archive(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--warehouse PATH" in out and "--archive URL" in out


@pytest.mark.usefixtures("prefect_harness")
def test_scrape_exits_1_when_no_list_page_could_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site whose list pages all fail scrapes nothing: that is a failure, with the reasons printed."""
    import shutil

    import yaml

    from flows.sample_server import Fault, serve_site
    from flows.sample_site import build_sample_site
    from nianbao.settings import PROJECT_ROOT

    site = build_sample_site()
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    with serve_site(site) as served:
        sources = yaml.safe_load((config / "sources.yaml").read_text(encoding="utf-8"))
        sample = next(s for s in sources["sites"] if s["id"] == "sample")
        fast = {"delay_seconds": 0.01, "retries": 0}
        sample.update(base_url=served.base_url, sample=False, politeness=fast)
        sources["sites"] = [sample]
        (config / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("NIANBAO_CONFIG", str(config))
        for listing in sample["listings"]:
            served.plan.always["/" + listing["path"]] = Fault("status", 503)
        status = main(["scrape", "--archive", str(tmp_path / "a"), "--warehouse", str(tmp_path / "w.duckdb")])
    out = capsys.readouterr().out
    assert status == 1, out
    assert "rejected [discover]" in out and "HTTP 503" in out
