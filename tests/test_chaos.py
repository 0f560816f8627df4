"""Chaos (issue 9): SIGKILLs at random points of loads and flows, warehouse-side faults, fuzzed inputs.

Every test here runs twice as hard under `make chaos` (pytest -m chaos) as under `make test`: the short run
kills 3 times and tries each fault class once. What was tried and lost goes to the chaos ledger, printed
at the end of the session with its last line `data lost: N` (tests/chaos_ledger.py). "Lost" counts reports
that the uninterrupted run loads and the faulted run lost or half-wrote: after every kill the warehouse holds
no report that differs from the uninterrupted state, and a rerun reaches exactly that state (table
checksums equal).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from chaos_ledger import ChaosLedger
from export_poller import polling_export
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.archive import Archive, ManifestRow, utc_now
from flows.sample_pages import not_found_page
from ingest.pages import ingest_files, pages_to_frames
from nianbao.cli import main
from transforms.model import Page
from warehouse.checksum import report_checksums, table_checksums
from warehouse.export import export_parquet
from warehouse.query import run_query
from warehouse.synthetic import synthetic_captures

pytestmark = pytest.mark.chaos

PROJECT = Path(__file__).resolve().parents[1]
FIXTURE_HTML = sorted((Path(__file__).resolve().parent / "fixtures" / "html").glob("*.html"))
YEARS_LONG, YEARS_SHORT = range(1989, 2025), range(2005, 2025)  # reports of the fictional 示例县
BATCH = "4"  # pages per transaction: many commits for a kill to land between or inside
VOLATILE = ("loaded_at", "when")
PER_INPUT_SECONDS = 20  # the fuzz bound per input (hypothesis deadline; the parse budget keeps it low)


def scale(ledger: ChaosLedger, short: int, long: int) -> int:
    return long if ledger.long else short


@pytest.fixture(scope="module")
def rng(chaos_ledger: ChaosLedger) -> random.Random:
    return random.Random(chaos_ledger.seed)


@dataclass(slots=True)
class Corpus:
    pages: Path
    archive: Path
    good: list[Page]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, chaos_ledger: ChaosLedger) -> Corpus:
    """Captures for every year plus two inputs that are rejects; the same bodies in an archive."""
    root = tmp_path_factory.mktemp("chaos")
    pages = root / "pages"
    pages.mkdir()
    good = synthetic_captures(YEARS_LONG if chaos_ledger.long else YEARS_SHORT)
    bad = [Page("not-found.html", not_found_page().encode()), Page("empty.html", b"")]
    archive = Archive(root / "archive")
    rows = []
    for page in [*good, *bad]:
        name = Path(page.name).name
        (pages / name).write_bytes(page.data)
        url = f"http://127.0.0.1:9/art/{name}"
        rows.append(
            ManifestRow(
                url,
                url,
                200,
                {"content-type": "text/html; charset=utf-8"},
                utc_now(),
                archive.put(page.data),
                site="sample",
            )
        )
    archive.record(rows)
    return Corpus(pages, root / "archive", good)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao.cli", *args]


@dataclass(slots=True)
class Reference:
    """The uninterrupted run of one command: its tables, its reports, how long it took."""

    command: Callable[[Path], list[str]]
    tables: dict[str, str]
    reports: dict[str, str]
    seconds: float


def _reference(command: Callable[[Path], list[str]], path: Path, env: dict[str, str]) -> Reference:
    start = time.monotonic()
    done = subprocess.run(command(path), capture_output=True, text=True, env=env, cwd=PROJECT, timeout=600)
    seconds = time.monotonic() - start
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr[-3000:]
    return Reference(command, table_checksums(path, skip_columns=VOLATILE), report_checksums(path), seconds)


def _kill_and_rerun(ref: Reference, path: Path, delay: float, env: dict[str, str]) -> tuple[int, bool]:
    """Start the command on a fresh warehouse, SIGKILL it after `delay` s, count reports that differ from
    the reference (half-written), rerun it to the end, count reports still missing or different.
    Returns (reports lost or half-written, whether the kill landed before the command ended)."""
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    proc = subprocess.Popen(
        ref.command(path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=PROJECT
    )
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.stderr is not None
    proc.stderr.close()
    half = 0
    if path.exists():
        after = report_checksums(path)
        half = sum(1 for rid, digest in after.items() if ref.reports.get(rid) != digest)
    rerun = subprocess.run(
        ref.command(path), capture_output=True, text=True, env=env, cwd=PROJECT, timeout=600
    )
    assert rerun.returncode in (0, 1) and "Traceback" not in rerun.stderr, rerun.stderr[-3000:]
    final = report_checksums(path)
    lost = sum(1 for rid, digest in ref.reports.items() if final.get(rid) != digest)
    assert table_checksums(path, skip_columns=VOLATILE) == ref.tables, "the rerun did not reach the reference"
    return half + lost + len(set(final) - set(ref.reports)), killed


def _kills(
    chaos_ledger: ChaosLedger,
    rng: random.Random,
    ref: Reference,
    path: Path,
    env: dict[str, str],
    count: int,
    label: str,
) -> None:
    lost_total = 0
    landed = 0
    for _ in range(count):
        delay = rng.uniform(0.15, 1.0) * ref.seconds
        lost, killed = _kill_and_rerun(ref, path, delay, env)
        lost_total += lost
        landed += killed
    chaos_ledger.record(
        "SIGKILL",
        label,
        tried=count,
        lost=lost_total,
        note=f"{landed} mid-run; every rerun reached the uninterrupted checksums",
    )
    assert lost_total == 0


def test_sigkill_during_nianbao_load(
    chaos_ledger: ChaosLedger, rng: random.Random, corpus: Corpus, tmp_path: Path
) -> None:
    env = dict(os.environ)
    ref = _reference(
        lambda p: _cli("load", str(corpus.pages), "--batch-size", BATCH, "--warehouse", str(p)),
        tmp_path / "reference.duckdb",
        env,
    )
    assert len(ref.reports) == len(corpus.good)
    _kills(chaos_ledger, rng, ref, tmp_path / "w.duckdb", env, scale(chaos_ledger, 2, 8), "nianbao load")


def test_sigkill_during_the_ingest_flow(
    chaos_ledger: ChaosLedger, rng: random.Random, corpus: Corpus, tmp_path: Path, prefect_harness: None
) -> None:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}

    def command(path: Path) -> list[str]:
        return _cli(
            "ingest", "--archive", str(corpus.archive), "--batch-size", BATCH, "--warehouse", str(path)
        )

    ref = _reference(command, tmp_path / "reference.duckdb", env)
    assert len(ref.reports) == len(corpus.good)
    _kills(chaos_ledger, rng, ref, tmp_path / "w.duckdb", env, scale(chaos_ledger, 1, 4), "ingest flow")


# --- the warehouse-side faults of issue 9 (items 6-14), each with random parameters ---------------------


def _reports_of(path: Path) -> int:
    return int(run_query("SELECT count(*) AS n FROM reports", path)["n"][0])


@pytest.fixture(scope="module")
def loaded(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("loaded") / "w.duckdb"
    ingest_files([str(p) for p in sorted(corpus.pages.iterdir())], path)
    return path


def test_foreign_duckdb_files(
    chaos_ledger: ChaosLedger,
    rng: random.Random,
    corpus: Corpus,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import duckdb

    changed = 0
    tries = scale(chaos_ledger, 1, 4)
    for attempt in range(tries):
        other = tmp_path / f"other-{attempt}.duckdb"
        con = duckdb.connect(str(other))
        for number in range(rng.randint(1, 4)):
            con.execute(f"CREATE TABLE t{number}_{rng.randint(0, 999)} (a INTEGER)")
        con.close()
        before = other.read_bytes()
        for command in (["load", str(corpus.pages)], ["sql", "SELECT 1"], ["yoy", "litigation.cases"]):
            assert main([*command, "--warehouse", str(other)]) == 1
            assert "not a nianbao warehouse" in capsys.readouterr().err
        changed += other.read_bytes() != before
    chaos_ledger.record(
        "item 6",
        "item 6: a DuckDB file that is not a warehouse",
        tried=tries,
        note="refused by load/sql/yoy; bytes unchanged",
    )
    assert changed == 0


def test_damaged_warehouses(
    chaos_ledger: ChaosLedger,
    rng: random.Random,
    loaded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = table_checksums(loaded, skip_columns=VOLATILE)
    size = loaded.stat().st_size
    tries = scale(chaos_ledger, 2, 8)
    detected = wrong = 0
    for attempt in range(tries):
        path = tmp_path / f"damaged-{attempt}.duckdb"
        shutil.copy(loaded, path)
        with path.open("r+b") as fh:
            if attempt % 2 == 0:
                fh.truncate(rng.randint(size // 10, size - 4096))
            else:
                for _ in range(rng.randint(1, 20)):
                    fh.seek(rng.randrange(12288, size - 512))
                    fh.write(rng.randbytes(rng.randint(1, 4096)))
        statuses = []
        for command in (
            ["sql", "SELECT count(*) FROM facts"],
            ["yoy", "litigation.cases"],
            ["export", str(tmp_path / "out")],
        ):
            statuses.append(main([*command, "--warehouse", str(path)]))
            err = capsys.readouterr().err
            assert statuses[-1] == 0 or ("damaged" in err and err.count("\n") == 1), err
        if set(statuses) == {1}:
            detected += 1
        elif table_checksums(path, skip_columns=VOLATILE) != reference:  # damage in unused space is harmless
            wrong += 1
    chaos_ledger.record(
        "item 9",
        "item 9: truncated or corrupted warehouse",
        tried=tries,
        lost=wrong,
        note=f"{detected} refused with one line, {tries - detected} hit unused space and read whole",
    )
    assert wrong == 0


def test_rejects_stay_one_row_per_input(
    chaos_ledger: ChaosLedger, rng: random.Random, corpus: Corpus, tmp_path: Path
) -> None:
    path = tmp_path / "w.duckdb"
    files = [str(p) for p in sorted(corpus.pages.iterdir())]
    extra = [*files, *rng.sample(files, 3)]  # an input given twice in one batch
    tries = scale(chaos_ledger, 2, 5)
    first = None
    for _ in range(tries):
        rng.shuffle(extra)
        summary = ingest_files(extra, path)
        rows = _count(path, "SELECT count(*) AS n FROM rejects")
        assert rows == summary.rejected == 2
        state = table_checksums(path, skip_columns=VOLATILE)
        first = first or state
        assert state == first
    chaos_ledger.record(
        "item 8",
        "item 8: the same inputs loaded again",
        tried=tries,
        note="rejects table equal to the summary's count, unchanged by reloads",
    )


def _count(path: Path, sql: str) -> int:
    return int(run_query(sql, path)["n"][0])


def test_file_names_that_are_not_utf8(chaos_ledger: ChaosLedger, rng: random.Random, tmp_path: Path) -> None:
    tries = scale(chaos_ledger, 1, 5)
    folder = tmp_path / "pages"
    folder.mkdir()
    years = list(range(2000, 2000 + tries))
    for year, page in zip(years, synthetic_captures(years), strict=True):
        raw = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 8))) + f"-{year}.txt".encode()
        (folder / os.fsdecode(raw)).write_bytes(page.data)
    names = [os.path.join(folder, name) for name in sorted(os.listdir(folder))]
    summary = ingest_files(names, tmp_path / "w.duckdb")
    lost = tries - summary.loaded
    chaos_ledger.record(
        "item 10",
        "item 10: file names that are not UTF-8",
        tried=tries,
        lost=lost,
        note="random non-UTF-8 bytes; loaded under \\xNN names",
    )
    assert lost == 0


def test_inputs_that_are_not_regular_files_or_too_large(
    chaos_ledger: ChaosLedger, corpus: Corpus, tmp_path: Path, use_settings: Callable[..., Path]
) -> None:
    use_settings(max_input_bytes="200000")
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    big = tmp_path / "big.txt"
    big.write_bytes(corpus.good[0].data * 400)
    odd = ["/dev/zero", "/dev/urandom", str(fifo), str(big)]
    start = time.monotonic()
    summary = ingest_files([*odd, *(str(p) for p in sorted(corpus.pages.iterdir()))], tmp_path / "w.duckdb")
    lost = len(corpus.good) - summary.loaded
    chaos_ledger.record(
        "item 12",
        "item 12: devices, FIFOs, oversized files",
        tried=len(odd),
        lost=lost,
        note=f"rejected with reasons in {time.monotonic() - start:.1f} s; the folder loaded",
    )
    assert lost == 0 and {r.input for r in summary.rejects} >= set(odd)


def test_readers_during_the_transform(
    chaos_ledger: ChaosLedger, corpus: Corpus, loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.pages

    real = ingest.pages.extract_pages
    results: list[int] = []

    def probe(pages: list[Page], objects: bool = True) -> object:
        results.append(
            subprocess.run(
                _cli("sql", "SELECT count(*) FROM reports", "--warehouse", str(loaded)),
                capture_output=True,
                timeout=120,
                cwd=PROJECT,
            ).returncode
        )
        return real(pages, objects)

    monkeypatch.setattr(ingest.pages, "extract_pages", probe)
    changed = synthetic_captures([1989], revision=7)  # new content: it must be transformed
    ingest.pages.ingest_pages(changed, loaded)
    chaos_ledger.record(
        "item 7",
        "item 7: readers while pages are transformed",
        tried=len(results),
        note="`nianbao sql` answered during the transform",
    )
    assert results and set(results) == {0}


def test_exports_under_a_polling_reader(chaos_ledger: ChaosLedger, loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export_parquet(out, loaded)
    tries = scale(chaos_ledger, 2, 10)
    with polling_export(out, "facts/", "reports/", "rejects.parquet") as seen:
        for _ in range(tries):
            export_parquet(out, loaded)
    polls, misses = seen.polls, seen.misses
    chaos_ledger.record(
        "item 13",
        "item 13: export while a reader reads",
        tried=tries,
        note=f"{polls} reader polls, {misses} found a table missing",
    )
    assert misses == 0


def test_queries_that_never_end(
    chaos_ledger: ChaosLedger,
    loaded: Path,
    use_settings: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_settings(query_timeout_seconds="1")
    endless = [
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
        "SELECT count(*) FROM range(1000000000000) a",
    ]
    for sql in endless:
        start = time.monotonic()
        assert main(["sql", sql, "--warehouse", str(loaded)]) == 1
        assert time.monotonic() - start < 30
        assert "query_timeout_seconds" in capsys.readouterr().err
    chaos_ledger.record(
        "item 14",
        "item 14: endless or huge queries",
        tried=len(endless),
        note="stopped at query_timeout_seconds (memory: tests/test_warehouse_guard.py)",
    )


# --- fuzzed inputs: every input ends as a report or a reject within the bound; a good page beside it loads


def _fuzz(
    chaos_ledger: ChaosLedger, label: str, strategy: st.SearchStrategy[Page], short: int, long: int
) -> None:
    good = synthetic_captures([2024])[0]
    seen = {"n": 0, "lost": 0, "slowest": 0.0}

    @settings(
        max_examples=scale(chaos_ledger, short, long),
        deadline=PER_INPUT_SECONDS * 1000,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(strategy)
    def check(page: Page) -> None:
        start = time.monotonic()
        frames, failed = pages_to_frames([page, good])
        seen["slowest"] = max(seen["slowest"], time.monotonic() - start)
        seen["n"] += 1
        good_row = frames.reports.filter(frames.reports["path"] == good.name)
        ok = good_row.height == 1 and bool(good_row["ok"][0])
        seen["lost"] += not ok
        assert ok, "the good page beside a fuzzed one did not load"
        assert all(r.stage == "extract" for r in failed)

    try:
        check()
    finally:
        chaos_ledger.record(
            "fuzz",
            label,
            tried=seen["n"],
            lost=seen["lost"],
            note=f"slowest {seen['slowest']:.2f} s per input (bound {PER_INPUT_SECONDS} s)",
        )


_TAGS = st.sampled_from(
    [
        "div",
        "p",
        "span",
        "table",
        "tr",
        "td",
        "b",
        "font",
        "ul",
        "li",
        "a",
        "h1",
        "br",
        "script",
        "style",
        "meta",
        "title",
        "!--",
        "html",
        "body",
    ]
)


@st.composite
def random_html(draw: st.DrawFn) -> Page:
    parts = draw(
        st.lists(
            st.one_of(
                _TAGS.map(lambda t: f"<{t}>"),
                _TAGS.map(lambda t: f"</{t}>"),
                st.text(
                    alphabet="示例县法治政府报告年度件项人次一二三1234567890 。，、<>&;=\"'/", max_size=40
                ),
                st.just('<meta charset="gbk">'),
                st.just("<![CDATA["),
                st.just("<!DOCTYPE html>"),
            ),
            max_size=300,
        )
    )
    return Page("random.html", "".join(parts).encode("utf-8"))


@st.composite
def truncated_html(draw: st.DrawFn) -> Page:
    data = draw(st.sampled_from(FIXTURE_HTML)).read_bytes()
    return Page("truncated.html", data[: draw(st.integers(0, len(data)))])


@st.composite
def lying_encoding(draw: st.DrawFn) -> Page:
    text = synthetic_captures([draw(st.integers(1990, 2024))])[0].data.decode("utf-8")
    real = draw(st.sampled_from(["gbk", "utf-8", "utf-16", "big5", "gb18030"]))
    said = draw(st.sampled_from(["utf-8", "gbk", "iso-8859-1", "shift_jis", "utf-16", "nonsense-charset"]))
    body = f'<html><head><meta charset="{said}"></head><body><pre>{text}</pre></body></html>'
    header = draw(st.sampled_from([None, said]))
    return Page("lying.html", body.encode(real, errors="replace"), http_charset=header)


@st.composite
def deep_nesting(draw: st.DrawFn) -> Page:
    depth = draw(st.integers(50, 400_000))
    tag = draw(st.sampled_from(["div", "span", "b", "font", "table", "ul", "blockquote", "section"]))
    closed = draw(st.booleans())
    return Page(
        "deep.html",
        f"<html><body>{f'<{tag}>' * depth}示例县{f'</{tag}>' * depth if closed else ''}"
        "</body></html>".encode(),
    )


@st.composite
def huge_page(draw: st.DrawFn) -> Page:
    unit = synthetic_captures([draw(st.integers(1990, 2024))])[0].data
    copies = draw(st.integers(100, 2000))
    html = draw(st.booleans())
    body = unit * copies
    return Page(
        "huge.html" if html else "huge.txt",
        (b"<html><body><pre>" + body + b"</pre></body></html>") if html else body,
    )


def test_fuzz_random_and_truncated_html(chaos_ledger: ChaosLedger) -> None:
    _fuzz(chaos_ledger, "random HTML", random_html(), 10, 300)
    _fuzz(chaos_ledger, "truncated HTML", truncated_html(), 5, 150)


def test_fuzz_random_bytes_and_lying_encodings(chaos_ledger: ChaosLedger) -> None:
    random_bytes = st.binary(max_size=50_000).map(lambda data: Page("bytes.bin", data))
    _fuzz(chaos_ledger, "random bytes", random_bytes, 10, 300)
    _fuzz(chaos_ledger, "lying encodings", lying_encoding(), 5, 100)


def test_fuzz_deep_nesting_and_huge_pages(chaos_ledger: ChaosLedger) -> None:
    _fuzz(chaos_ledger, "item 11: deep nesting", deep_nesting(), 3, 40)
    _fuzz(chaos_ledger, "huge pages", huge_page(), 1, 8)
