"""The explorer in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright with the
system browser) opens the built site from disk, picks an indicator, checks the chart's points and that an
evidence link shows the right sentence, and saves screenshots under tests/artifacts/ (paths printed with -s).

Skipped, with the reason, where no Chromium or no Playwright is installed (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pages import ingest_files
from warehouse.explore import build_site
from warehouse.query import run_query

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CODE = "reconsideration.accepted"
# A second fictional region, 示例市 (990100): a city report in the style of the 示例县 fixtures.
CITY_REPORT = """示例市人民政府关于{year}年度法治政府建设情况的报告
发布时间:{next}-03-10 09:00 信息来源:示例市人民政府办公室
示例市人民政府关于{year}年度法治政府建设情况的报告
示例省人民政府:
  本页为虚构示例(示例市并不存在,数字均为合成数据)。{year}年,我市深入推进依法行政,现将有关情况报告如下:
  一、依法化解矛盾纠纷
  全年共收到行政复议申请{apps}件,受理行政复议案件{accepted}件,审结{accepted}件;办理行政应诉案件{lit}件。
  二、下一步工作
  我市将继续加强法治政府建设。
示例市人民政府
{next}年3月10日
"""
CITY_VALUES = {2017: 30, 2018: 26, 2019: 41}

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium on this machine (apt-get install chromium; .ci/run installs it)"
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fixtures_dir_module: Path) -> tuple[Path, Path]:
    """A warehouse of 示例县 (2017, 2018, 2020) and 示例市 (2017-2019), and the site built from it."""
    root = tmp_path_factory.mktemp("explore")
    pages = root / "pages"
    pages.mkdir()
    for year, accepted in CITY_VALUES.items():
        text = CITY_REPORT.format(
            year=year, next=year + 1, apps=accepted + 5, accepted=accepted, lit=year % 7
        )
        (pages / f"shishi-{year}.txt").write_text(text, encoding="utf-8")
    warehouse = root / "w.duckdb"
    summary = ingest_files(
        [*sorted((fixtures_dir_module / "warehouse").glob("*.txt")), *sorted(pages.glob("*.txt"))], warehouse
    )
    assert summary.loaded == 6, summary.describe()
    build_site(root / "site", warehouse)
    return warehouse, root / "site" / "index.html"


@pytest.fixture(scope="module")
def fixtures_dir_module() -> Path:
    return Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
            locale="zh-CN",
        )
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.errors = errors  # type: ignore[attr-defined]
            yield page
        finally:
            context.close()


def _screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    print(f"screenshot: {path}")
    return path


def _expected_points(warehouse: Path) -> dict[str, dict[int, float]]:
    rows = run_query(
        f"SELECT region_name, report_year, value FROM indicator_yoy WHERE code = '{CODE}'", warehouse
    ).rows()
    points: dict[str, dict[int, float]] = {}
    for region, year, value in rows:
        points.setdefault(region, {})[year] = value
    return points


def test_picking_an_indicator_draws_its_points_for_both_regions(
    site: tuple[Path, Path], page: object
) -> None:
    warehouse, index = site
    page.goto(index.as_uri())  # type: ignore[attr-defined]
    page.select_option("#domain", "reconsideration")  # type: ignore[attr-defined]
    page.click(f"#indicator-list li[data-code='{CODE}']")  # type: ignore[attr-defined]
    assert page.text_content("#indicator-title") == f"受理行政复议案件 ({CODE})"  # type: ignore[attr-defined]
    assert "accepted" in page.text_content("#indicator-definition")  # type: ignore[attr-defined]
    option = page.evaluate(  # type: ignore[attr-defined]
        "() => { const o = echarts.getInstanceByDom(document.getElementById('chart')).getOption();"
        " return {years: o.xAxis[0].data, title: o.title[0].text,"
        " series: o.series.map(s => [s.name, s.data.map(d => d === null ? null : d.value)])}; }"
    )
    assert option["title"] == "受理行政复议案件"
    assert option["years"] == [str(y) for y in range(2017, 2021)]
    drawn = {
        name: {int(y): v for y, v in zip(option["years"], values, strict=True) if v is not None}
        for name, values in option["series"]
    }
    assert drawn == _expected_points(warehouse)
    assert drawn["示例县"] == {2017: 7, 2018: 9, 2020: 4}  # 2019 missing: a gap, not a point
    assert drawn["示例市"] == {year: float(v) for year, v in CITY_VALUES.items()}
    assert page.locator("#values-table tr").count() == 1 + 6  # type: ignore[attr-defined]
    page.wait_for_timeout(600)  # type: ignore[attr-defined]  # ECharts' entry animation
    shot = _screenshot(page, "explorer-yoy-chart.png")
    assert shot.stat().st_size > 10_000
    assert not page.errors  # type: ignore[attr-defined]


def test_an_evidence_link_shows_the_sentence_title_date_and_source(
    site: tuple[Path, Path], page: object
) -> None:
    warehouse, index = site
    page.goto(f"{index.as_uri()}#indicators/{CODE}")  # type: ignore[attr-defined]
    rows = page.locator("#values-table tr", has_text="示例县")  # type: ignore[attr-defined]
    row = rows.filter(has_text="2018")
    row.locator("a.value").click()
    sentence, title, published = run_query(
        f"SELECT sentence, title, published_at FROM indicator_values WHERE code = '{CODE}' "
        "AND region_code = '990121' AND report_year = 2018",
        warehouse,
    ).row(0)
    assert page.is_visible("#evidence")  # type: ignore[attr-defined]
    assert page.text_content("#evidence-sentence") == sentence  # type: ignore[attr-defined]
    assert "受理行政复议案件9件" in sentence
    assert page.text_content("#evidence-sentence mark") == "9件"  # type: ignore[attr-defined]
    assert page.text_content("#evidence-title") == title  # type: ignore[attr-defined]
    assert page.text_content("#evidence-date") == published
    assert published.startswith("2019-03-05")
    assert "shili-2018.txt" in page.text_content("#evidence-url")  # type: ignore[attr-defined]
    _screenshot(page, "explorer-evidence.png")


def test_coverage_and_review_pages(site: tuple[Path, Path], page: object) -> None:
    _, index = site
    page.goto(f"{index.as_uri()}#coverage")  # type: ignore[attr-defined]
    county = page.locator("#coverage-table tr", has_text="990121")  # type: ignore[attr-defined]
    assert county.locator("td.missing").count() == 1  # 2019 is missing
    assert county.locator("td.loaded").count() == 3
    _screenshot(page, "explorer-coverage.png")
    page.goto(f"{index.as_uri()}#review")  # type: ignore[attr-defined]
    assert "table_checks is empty" in page.text_content("#review-note")  # type: ignore[attr-defined]
    assert not page.is_visible("#evidence")  # type: ignore[attr-defined]
    _screenshot(page, "explorer-review.png")
    assert not page.errors  # type: ignore[attr-defined]


def test_the_demo_explorer_shows_the_yoy_chart_with_chinese_labels(tmp_path: Path, page: object) -> None:
    # as `make demo` runs it: its own process, Prefect's ephemeral mode (and Playwright's sync API runs an
    # event loop in this thread, which Prefect's sync calls would see)
    warehouse = tmp_path / "data" / "nianbao.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # 2 cores shared with other work
    demo = subprocess.run(
        [
            sys.executable,
            "-m",
            "nianbao.cli",
            "demo",
            "--warehouse",
            str(warehouse),
            "--archive",
            str(tmp_path / "archive"),
            "--delay",
            "0.01",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
    index = warehouse.parent / "explorer" / "index.html"
    assert f"open {index} in a browser" in demo.stdout
    page.goto(f"{index.as_uri()}#indicators/{CODE}")  # type: ignore[attr-defined]
    page.wait_for_selector(f"#indicator-list li.selected[data-code='{CODE}']")  # type: ignore[attr-defined]
    series = page.evaluate(  # type: ignore[attr-defined]
        "() => { const o = echarts.getInstanceByDom(document.getElementById('chart')).getOption();"
        " return o.series.map(s => [s.name, o.xAxis[0].data.map((y, i) => [y, s.data[i] && s.data[i].value])"
        ".filter(p => p[1] !== null && p[1] !== undefined)]); }"
    )
    assert [name for name, _ in series] == ["示例县"]
    assert {int(y): v for y, v in series[0][1]} == _expected_points(warehouse)["示例县"]
    page.wait_for_timeout(600)  # type: ignore[attr-defined]
    _screenshot(page, "explorer-demo-yoy-chart.png")
    assert not page.errors  # type: ignore[attr-defined]
