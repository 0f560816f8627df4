"""The transform on every core: worker processes and the Dask runner build the same warehouse as one process.

Real parts: a real DuckDB file per run, real worker processes, a real Prefect flow run on prefect-dask's
DaskTaskRunner with a LocalCluster of two processes; warehouses are compared by table checksums.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.archive import Archive, ManifestRow, utc_now
from flows.pipeline import ingest
from flows.runners import with_runner
from ingest.pages import ingest_pages
from ingest.workers import ProcessPool, chunks
from transforms.model import Page
from warehouse.checksum import table_checksums
from warehouse.synthetic import synthetic_captures

SKIP = ("loaded_at", "when")
_TITLES = {  # one fictional capture per year and kind: 3 kinds give distinct report identities
    "law": None,
    "work": "{year}年示例县人民政府工作报告",
    "disclosure": "示例县{year}年政府信息公开工作年度报告",
}


def _pages(count: int) -> list[Page]:
    """`count` captures of 示例县 (synthetic figures), spread over three kinds and the years 1900–2099."""
    pages: list[Page] = []
    for kind, title in _TITLES.items():
        for page in synthetic_captures(range(1900, 2100), revision=len(pages)):
            year = int(page.name[-8:-4])
            text = page.data.decode("utf-8")
            if title:
                law_title = f"示例县人民政府关于{year}年度法治政府建设情况的报告"
                text = text.replace(law_title, title.format(year=year))
            pages.append(Page(name=f"synthetic/{kind}-{year}.txt", data=text.encode("utf-8")))
    return pages[:count]


def test_chunks_keep_order_and_cover_every_page() -> None:
    pages = _pages(100)
    parts = chunks(pages, 2)
    assert len(parts) == 4
    assert [p.name for part in parts for p in part] == [p.name for p in pages]
    assert len(chunks(pages[:20], 8)) == 1  # too few pages to be worth another process


def test_worker_processes_build_the_same_warehouse_as_one_process(tmp_path: Path) -> None:
    pages = _pages(120)
    one = ingest_pages(pages, tmp_path / "one.duckdb")
    with ProcessPool(2) as pool:
        two = ingest_pages(pages, tmp_path / "two.duckdb", transformer=pool)
    assert one.loaded == two.loaded > 100
    assert table_checksums(tmp_path / "one.duckdb", skip_columns=SKIP) == table_checksums(
        tmp_path / "two.duckdb", skip_columns=SKIP
    )


def _archive(tmp_path: Path, pages: list[Page]) -> str:
    store = Archive(tmp_path / "archive")
    rows = []
    for page in pages:
        url = f"http://127.0.0.1/shili/{page.name}"
        rows.append(
            ManifestRow(
                url, url, 200, {"content-type": "text/plain; charset=utf-8"}, utc_now(), store.put(page.data)
            )
        )
    store.record(rows)
    return store.location


@pytest.mark.usefixtures("prefect_harness")
def test_dask_and_local_runners_build_identical_warehouses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.settings import PREFECT_API_URL

    # the Dask workers (separate processes) report to the session's test API, found in the environment
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    archive = _archive(tmp_path, _pages(500))
    local = ingest(archive=archive, warehouse=str(tmp_path / "local.duckdb"), workers=2, runner="local")
    dask_flow = with_runner(ingest, "dask", workers=2)
    dask = dask_flow(archive=archive, warehouse=str(tmp_path / "dask.duckdb"), workers=2, runner="dask")
    assert local.loaded == dask.loaded > 450
    assert table_checksums(tmp_path / "local.duckdb", skip_columns=SKIP) == table_checksums(
        tmp_path / "dask.duckdb", skip_columns=SKIP
    )


def test_a_transform_worker_does_not_import_duckdb() -> None:
    """What a worker process imports to run a chunk (ingest.workers, then ingest.pages for pages_to_frames)
    leaves DuckDB out: the workers never open the warehouse, and DuckDB costs each ~45 MB of RSS."""
    import subprocess
    import sys

    probe = (
        "import sys, ingest.workers, ingest.pages\n"
        "from transforms.model import Page\n"
        "ingest.pages.pages_to_frames([Page(name='a.txt', data='示例县人民政府工作报告'.encode())])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('duckdb', 'prefect')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    )
    assert done.stdout.strip() == "[]"
