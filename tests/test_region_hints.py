"""Region resolution through the real CLI: shared names settled by clues or hints, never picked silently;
--region/--kind/--year hints and the manifest of `load`, into a real DuckDB file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from nianbao.cli import main
from nianbao.settings import config_dir

REGIONS = Path(__file__).resolve().parent / "fixtures" / "regions"
SHIBAILU, YANGBAILU = "990102", "990202"  # 示例市白鹭区 and 样板市白鹭区


def extract(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    status = main(["extract", "--json", *args])
    out = capsys.readouterr().out
    return status, [json.loads(line) for line in out.splitlines()]


def one(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    status, reports = extract(capsys, *args)
    assert status == 0 and len(reports) == 1
    return reports[0]


def test_a_shared_name_without_clues_is_left_empty_with_its_candidates(capsys):
    report = one(capsys, str(REGIONS / "bailu_ambiguous_law.txt"))
    assert report["metadata"]["region_code"] is None and report["metadata"]["region_name"] is None
    assert report["region"]["method"] is None
    assert {c["code"] for c in report["region"]["candidates"]} == {SHIBAILU, YANGBAILU}
    paths = {c["path"] for c in report["region"]["candidates"]}
    assert paths == {"示例省/示例市/白鹭区", "示例省/样板市/白鹭区"}
    assert any("白鹭区" in w and "--region" in w for w in report["warnings"])


@pytest.mark.parametrize(
    "name, clue",
    [
        ("bailu_city_named_law.txt", "named: 样板市"),  # the city's full name, even as the leading superior
        ("bailu_short_name_law.txt", "named_short: 样板"),  # only its short name
    ],
)
def test_the_city_the_page_names_settles_a_shared_name(capsys, name, clue):
    report = one(capsys, str(REGIONS / name))
    assert report["metadata"]["region_code"] == YANGBAILU
    assert report["region"]["method"] == "body"
    assert clue in report["region"]["clues"]


def test_the_region_hint_settles_a_shared_name(capsys):
    report = one(capsys, "--region", SHIBAILU, str(REGIONS / "bailu_ambiguous_law.txt"))
    assert (report["metadata"]["region_code"], report["metadata"]["region_name"]) == (SHIBAILU, "白鹭区")
    assert report["region"]["clues"] == [f"hint: {SHIBAILU} 白鹭区"]
    assert report["region"]["method"] == "title"
    report = one(capsys, "--region", "样板市白鹭区", str(REGIONS / "bailu_ambiguous_law.txt"))
    assert report["metadata"]["region_code"] == YANGBAILU


def test_a_region_the_title_states_wins_over_the_hint_with_a_warning(capsys):
    report = one(capsys, "--region", YANGBAILU, str(REGIONS / "county" / "titled_2022.txt"))
    assert report["metadata"]["region_code"] == "990121"
    assert report["region"]["method"] == "title"
    assert any("kept over the region hint 990202" in w for w in report["warnings"])


def test_hints_fill_what_the_page_does_not_say(capsys):
    page = str(REGIONS / "county" / "no_region_no_year.txt")
    report = one(capsys, page)
    assert (report["metadata"]["region_code"], report["metadata"]["report_year"]) == (None, None)
    report = one(capsys, "--region", "示例县", "--year", "2021", page)
    assert (report["metadata"]["region_code"], report["metadata"]["report_year"]) == ("990121", 2021)
    assert report["region"]["method"] == "hint" and report["warnings"] == []


def test_a_kind_hint_fills_a_page_of_no_known_kind(capsys):
    page = str(REGIONS / "no_kind_named.txt")
    assert one(capsys, page)["kind"] == "other"
    report = one(capsys, "--kind", "law_based_government_annual_report", page)
    assert report["kind"] == "law_based_government_annual_report"
    assert report["metadata"]["region_code"] == "990121"
    assert not any("kind" in w for w in report["warnings"])


def test_a_kind_hint_may_be_given_in_words(capsys):
    report = one(capsys, "--kind", "政府工作报告", str(REGIONS / "county" / "titled_2022.txt"))
    assert any("kept over the kind hint government_work_report" in w for w in report["warnings"])


def test_a_year_or_kind_the_page_states_wins_over_the_hint(capsys):
    page = str(REGIONS / "county" / "titled_2022.txt")
    report = one(capsys, "--year", "2019", "--kind", "government_work_report", page)
    assert (report["kind"], report["metadata"]["report_year"]) == ("law_based_government_annual_report", 2022)
    assert any("kept over the year hint 2019" in w for w in report["warnings"])
    assert any("kept over the kind hint government_work_report" in w for w in report["warnings"])


def test_load_prints_and_keeps_the_warnings_of_a_hint_the_page_contradicts(tmp_path, capsys):
    page, warehouse = tmp_path / "titled_2022.txt", tmp_path / "w.duckdb"
    shutil.copy(REGIONS / "county" / "titled_2022.txt", page)
    hints = ["--region", "990121", "--year", "2019", "--warehouse", str(warehouse)]
    assert main(["load", *hints, str(page)]) == 0
    out = capsys.readouterr().out
    assert f"  warning {page}: the page states report year 2022: it is kept over the year hint 2019" in out
    (kept,) = rows(warehouse, "SELECT warnings FROM reports")[0]
    assert any("kept over the year hint 2019" in w for w in kept)
    assert rows(warehouse, "SELECT warnings FROM latest_reports") == [(kept,)]
    assert main(["load", *hints, str(page)]) == 0  # unchanged: skipped, the kept warnings stay
    assert "warning" not in capsys.readouterr().out
    assert rows(warehouse, "SELECT warnings FROM reports") == [(kept,)]


@pytest.fixture()
def site_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of config/ with a fictional site of 样板市白鹭区 at www.bailu.example.org."""
    folder = tmp_path / "config"
    shutil.copytree(config_dir(), folder)
    with (folder / "sources.yaml").open("a", encoding="utf-8") as sources:
        sources.write(
            '\n  - id: yb-bailu\n    name: 样板市白鹭区人民政府（虚构）\n    region_code: "990202"\n'
            "    base_url: http://www.bailu.example.org/\n"
            "    listings:\n      - {path: fzzf/index.html, kind: law_based_government_annual_report,\n"
            "         title_pattern: *law}\n"
        )
    monkeypatch.setenv("NIANBAO_CONFIG", str(folder))
    return folder


def test_the_pages_own_canonical_address_names_its_site(capsys, site_config):
    report = one(capsys, str(REGIONS / "bailu_canonical.html"))
    assert report["metadata"]["region_code"] == YANGBAILU
    assert report["region"]["method"] == "title"
    assert report["region"]["clues"] == ["site: yb-bailu (www.bailu.example.org)"]


def test_without_the_site_the_canonical_page_stays_ambiguous(capsys):
    report = one(capsys, str(REGIONS / "bailu_canonical.html"))
    assert report["metadata"]["region_code"] is None and len(report["region"]["candidates"]) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--region", "白鹭区"], "ambiguous region '白鹭区': 990102"),
        (["--region", "不存在县"], "unknown region '不存在县'"),
        (["--region", "999999"], "unknown region code '999999'"),
        (["--kind", "annual"], "unknown report kind 'annual'"),
        (["--year", "20x3"], "bad report year '20x3'"),
        (["--year", "1900"], "bad report year '1900'"),
    ],
)
def test_bad_hints_are_one_line_errors_with_exit_2(capsys, args, message):
    status = main(["extract", *args, str(REGIONS / "bailu_ambiguous_law.txt")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"nianbao extract: {message}") and err.count("\n") == 1


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_folder_of_one_countys_pages_loads_without_rejects_with_a_manifest(tmp_path, capsys):
    folder = tmp_path / "pages"
    shutil.copytree(REGIONS / "county", folder)
    warehouse = tmp_path / "w.duckdb"
    assert main(["load", str(folder), "--warehouse", str(warehouse)]) == 1  # no region, no year: rejected
    assert "rejected" in capsys.readouterr().out
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,url,region_code,kind,year\n"
        "pages/no_region_no_year.txt,http://www.example.org/fzzf/t1.html,示例县,,2021\n"
        "pages/titled_2022.txt,,,,\n",
        encoding="utf-8",
    )
    assert main(["load", "--manifest", str(manifest), "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    loaded = rows(warehouse, "SELECT region_code, kind, report_year, url FROM reports ORDER BY report_year")
    assert loaded == [
        ("990121", "law_based_government_annual_report", 2021, "http://www.example.org/fzzf/t1.html"),
        ("990121", "law_based_government_annual_report", 2022, None),
    ]
    assert rows(warehouse, "SELECT count(*) FROM rejects") == [(0,)]


def test_a_manifest_row_can_name_a_folder_and_the_command_line_fills_its_empty_cells(
    tmp_path, site_config, capsys
):
    shutil.copy(REGIONS / "bailu_ambiguous_law.txt", tmp_path / "a.txt")
    shutil.copytree(REGIONS / "county", tmp_path / "county")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,url,region_code,year\n"
        "a.txt,http://www.bailu.example.org/fzzf/2024/t1.html,,\n"
        "county/no_region_no_year.txt,,,2019\n"  # a file row wins over its folder's row
        "county,,990121,2018\n",
        encoding="utf-8",
    )  # ... which fills its empty cells
    warehouse = tmp_path / "w.duckdb"
    status = main(
        [
            "load",
            "--manifest",
            str(manifest),
            "--year",
            "2021",
            "--region",
            "990102",
            "--warehouse",
            str(warehouse),
            str(tmp_path / "county"),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert out.startswith("loaded 3, replaced 0, skipped 0"), out
    # a.txt: its title names 白鹭区; the URL's site says 样板市's, the --region hint 示例市's: the hint wins
    assert rows(warehouse, "SELECT region_code, report_year FROM reports ORDER BY 1, 2") == [
        (SHIBAILU, 2023),
        ("990121", 2019),
        ("990121", 2022),
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read manifest"),
        ("url,kind\nhttp://x/,\n", "the header row must name path"),
        ("path,region\na.txt,示例县\n", "the header row must name path"),
        ("path,year\nmissing.txt,2020\n", "line 2: no such file or folder"),
        ("path,kind\na.txt,annual\n", "line 2: unknown report kind 'annual'"),
        ("path,region_code\na.txt,白鹭区\n", "line 2: ambiguous region '白鹭区'"),
        ("path,year\n,2020\n", "line 2: empty path"),
        (b"\xff\xfe\x00path", "neither UTF-8 nor GB18030"),
    ],
)
def test_bad_manifests_are_one_line_errors_with_exit_2(tmp_path, capsys, content, message):
    (tmp_path / "a.txt").write_text("示例县", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    if isinstance(content, bytes):
        manifest.write_bytes(content)
    elif content is not None:
        manifest.write_text(content, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    assert main(["load", "--manifest", str(manifest), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nianbao load: ") and message in err and err.count("\n") == 1
    assert not warehouse.exists()


def test_the_installed_command_prints_no_traceback_for_a_bad_hint(nianbao_cmd):
    done = subprocess.run(
        [*nianbao_cmd, "load", "--region", "白鹭区", str(REGIONS / "county")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_the_sites_owner_named_in_the_footer_and_window_title_is_the_last_resort(capsys):
    report = one(capsys, str(REGIONS / "owner_in_footer.html"))
    assert report["metadata"]["region_code"] == "990121"
    assert report["region"]["method"] == "site_owner"
