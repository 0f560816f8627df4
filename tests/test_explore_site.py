"""`nianbao explore` without a browser: the folder is self-contained (no network at view time), the data
holds every value with its evidence, text cannot break out of the data script, and --serve serves it on
127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ingest.pages import ingest_files
from transforms.catalog import load_catalog
from warehouse.explore import DATA_FILE, SITE_FILES, build_site, site_data

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("site") / "w.duckdb"
    fixtures = Path(__file__).resolve().parent / "fixtures" / "warehouse"
    assert ingest_files(sorted(fixtures.glob("*.txt")), path).loaded == 3
    return path


def test_the_site_is_one_folder_with_the_chart_library_and_its_licence(
    warehouse: Path, tmp_path: Path
) -> None:
    site = build_site(tmp_path / "site", warehouse)
    names = {p.name for p in site.out.iterdir()}
    assert names == {*SITE_FILES, DATA_FILE}
    assert "Apache License" in (site.out / "LICENSE-echarts").read_text(encoding="utf-8")
    html = site.index.read_text(encoding="utf-8")
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(not re.match(r"[a-z]+:|//", ref) for ref in references), references
    for script in ("app.js", "app.css"):
        assert not re.search(r"https?://(?!www\.w3\.org)", (site.out / script).read_text(encoding="utf-8"))


def test_every_value_carries_its_evidence_and_report(warehouse: Path) -> None:
    data = site_data(warehouse)
    accepted = [v for v in data["values"] if v["code"] == "reconsideration.accepted"]
    assert [(v["report_year"], v["value"]) for v in accepted] == [(2017, 7.0), (2018, 9.0), (2020, 4.0)]
    reports = {r["report_id"]: r for r in data["reports"]}
    for value in data["values"]:
        assert value["sentence"] and value["text"] and value["text"] in value["sentence"]
        assert reports[value["report_id"]]["title"]
    indicator = next(i for i in data["indicators"] if i["code"] == "reconsideration.accepted")
    assert indicator["name_zh"] == "受理行政复议案件" and indicator["n_values"] == 3
    assert "件" in indicator["family_units"].split()
    card = next(i for i in load_catalog().indicators if i.code == "reconsideration.accepted")
    assert card.definition and indicator["definition"] == card.definition  # the catalog's own card
    assert all(code in indicator["neighbours"] for code, _ in card.neighbours)
    missing = [c for c in data["coverage"] if not c["loaded"]]
    assert [(c["region_code"], c["report_year"]) for c in missing] == [("990121", 2019)]


def test_text_in_the_data_cannot_end_the_script(warehouse: Path, tmp_path: Path) -> None:
    site = build_site(tmp_path / "site", warehouse)
    text = (site.out / DATA_FILE).read_text(encoding="utf-8")
    assert text.startswith("window.NIANBAO = ") and text.endswith(";\n")
    assert "</" not in text
    data = json.loads(text.removeprefix("window.NIANBAO = ").removesuffix(";\n"))
    assert len(data["values"]) == len(site_data(warehouse)["values"])


def test_explore_refuses_a_file_as_out_and_needs_a_warehouse(warehouse: Path, tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    cli = [sys.executable, "-m", "nianbao.cli", "explore"]
    refused = subprocess.run(
        [*cli, "--out", str(target), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "is a file; --out takes a folder" in refused.stderr
    missing = subprocess.run(
        [*cli, "--warehouse", str(tmp_path / "none.duckdb")], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 1 and "no warehouse here yet" in missing.stderr


def test_serve_serves_the_site_on_localhost(warehouse: Path, tmp_path: Path) -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nianbao.cli",
            "explore",
            "--serve",
            "--port",
            "0",
            "--out",
            str(tmp_path / "s"),
            "--warehouse",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("wrote ")
        match = re.match(r"serving (http://127\.0\.0\.1:\d+/)", server.stdout.readline())
        assert match, "the URL is printed"
        index = httpx.get(match.group(1), timeout=10)
        assert index.status_code == 200 and "echarts.min.js" in index.text
        data = httpx.get(match.group(1) + DATA_FILE, timeout=10)
        assert data.status_code == 200 and "受理行政复议案件" in data.text
    finally:
        server.terminate()
        server.wait(timeout=10)
