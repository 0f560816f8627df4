"""The command line as a new user meets it: --version, info, schema, 中文名 beside codes, output paths,
one-line errors with the right exit status, DuckDB's hints, a busy warehouse, load progress, flow help, the
flow run's URL, the README's PATH line and the demo's next steps."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pages import ingest_files
from nianbao.cli import main
from warehouse.describe import schema_markdown, schema_relations

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FLOW_COMMANDS = ("scrape", "ingest", "backfill", "reprocess", "run", "serve", "demo")


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or PROJECT_ROOT,
        timeout=timeout,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str], status: int, *needles: str) -> None:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "w.duckdb"
    fixtures = Path(__file__).resolve().parent / "fixtures" / "warehouse"
    assert ingest_files(sorted(fixtures.glob("*.txt")), path).loaded == 3
    return path


# ---------------------------------------------------------------- --version, info, schema


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert re.fullmatch(r"nianbao \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_info_names_paths_backend_counts_sites_and_last_load(warehouse: Path) -> None:
    result = run_cli("info", "--warehouse", str(warehouse), "--archive", "some/archive")
    assert result.returncode == 0, result.stderr
    fields = dict(line.split(None, 1) for line in result.stdout.splitlines() if line[:1].strip())
    assert fields["config"].startswith(str(PROJECT_ROOT / "config"))
    assert fields["warehouse"] == str(warehouse)
    assert fields["archive"] == "some/archive"
    assert fields["backend"].startswith("DuckDB ")
    assert fields["reports"] == "3 (1 regions)"
    assert int(fields["facts"]) > 0 and fields["rejects"] == "0"
    assert re.match(r"\d+: sample, ", fields["sites"])
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", fields["last"].removeprefix("load").strip())


def test_info_without_a_warehouse_says_so_and_creates_none(tmp_path: Path) -> None:
    result = run_cli("info", "--warehouse", str(tmp_path / "none.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "no warehouse file yet" in result.stdout
    assert not (tmp_path / "none.duckdb").exists()


def test_every_table_view_and_column_has_a_comment() -> None:
    relations = schema_relations()
    names = {r.name for r in relations}
    assert {"facts", "reports", "indicator_values", "indicator_yoy", "review", "coverage"} <= names
    assert [r.name for r in relations if not r.comment] == []
    assert [f"{r.name}.{c}" for r in relations for c, _, comment in r.columns if not comment] == []


def test_docs_schema_md_is_up_to_date() -> None:
    written = (PROJECT_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert written == schema_markdown(schema_relations()), "run `make schema-doc` and commit docs/schema.md"


def test_schema_command_lists_views_and_columns(warehouse: Path) -> None:
    result = run_cli("schema", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^view review: Values an analyst should check", result.stdout, re.M)
    assert re.search(r"^  pick_rule +VARCHAR +The rule that picked value", result.stdout, re.M)


# ---------------------------------------------------------------- 中文名 and charts


def test_yoy_names_the_indicator_in_chinese(warehouse: Path) -> None:
    table = run_cli("yoy", "reconsideration.accepted", "--warehouse", str(warehouse))
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0] == "reconsideration.accepted  受理行政复议案件"
    csv = run_cli("yoy", "reconsideration.accepted", "--csv", "--warehouse", str(warehouse))
    first_row = csv.stdout.splitlines()[1]
    assert first_row.startswith("reconsideration.accepted,受理行政复议案件,990121,示例县,2017,")


def test_chart_refuses_a_folder_and_an_unknown_suffix(warehouse: Path, tmp_path: Path) -> None:
    base = ["chart", "litigation.cases", "--region", "示例县", "--warehouse", str(warehouse), "--out"]
    one_line_error(run_cli(*base, str(tmp_path)), 2, "is a folder")
    one_line_error(run_cli(*base, str(tmp_path / "chart.jpg")), 2, ".png or .svg")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- one-line errors


def test_a_bad_config_file_is_one_line(tmp_path: Path, warehouse: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    for item in (PROJECT_ROOT / "config").iterdir():
        (config / item.name).write_bytes(item.read_bytes())
    (config / "settings.yaml").write_text("warehouse: [unclosed\n", encoding="utf-8")
    result = run_cli("yoy", "litigation.cases", env={"NIANBAO_CONFIG": str(config)})
    one_line_error(result, 2, "settings.yaml: not valid YAML")
    (config / "settings.yaml").write_bytes((PROJECT_ROOT / "config" / "settings.yaml").read_bytes())
    (config / "sources.yaml").write_text("sites: 3\n", encoding="utf-8")
    one_line_error(
        run_cli("info", "--warehouse", str(warehouse), env={"NIANBAO_CONFIG": str(config)}), 2, "sources.yaml"
    )


def test_unknown_region_is_one_line(warehouse: Path) -> None:
    one_line_error(
        run_cli("yoy", "litigation.cases", "--region", "不存在县", "--warehouse", str(warehouse)),
        1,
        "no region named '不存在县'",
    )


def test_output_path_under_a_file_and_unwritable_paths_are_one_line(warehouse: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    one_line_error(
        run_cli("sql", "SELECT 1", "--parquet", str(blocker / "x.parquet"), "--warehouse", str(warehouse)),
        1,
        "is a file, not a folder",
    )
    one_line_error(run_cli("export", str(blocker / "out"), "--warehouse", str(warehouse)), 1, "a-file")
    one_line_error(
        run_cli("explore", "--out", str(blocker / "site"), "--warehouse", str(warehouse)), 1, "a-file"
    )
    if os.geteuid() == 0:
        if not Path("/sys/kernel").is_dir():
            pytest.skip("root can write anywhere here and /sys is absent: no unwritable folder to try")
        unwritable = Path("/sys")
    else:
        unwritable = tmp_path / "read-only"
        unwritable.mkdir(mode=0o500)
    one_line_error(
        run_cli(
            "chart",
            "litigation.cases",
            "--region",
            "示例县",
            "--warehouse",
            str(warehouse),
            "--out",
            str(unwritable / "c.png"),
        ),
        1,
        "permission denied",
    )
    one_line_error(
        run_cli("sql", "SELECT 1", "--parquet", str(unwritable / "x.parquet"), "--warehouse", str(warehouse)),
        1,
    )


def test_sql_errors_keep_duckdbs_hints(warehouse: Path) -> None:
    binder = run_cli("sql", "SELECT valu FROM facts", "--warehouse", str(warehouse))
    assert binder.returncode == 1 and "Traceback" not in binder.stderr
    assert 'Candidate bindings: "value"' in binder.stderr
    parser = run_cli("sql", "SELECT * FRM facts", "--warehouse", str(warehouse))
    lines = parser.stderr.splitlines()
    assert parser.returncode == 1 and lines[0].startswith("nianbao sql: cannot parse the query")
    code_line = next(line for line in lines if "LINE 1: SELECT * FRM facts" in line)
    caret = lines[lines.index(code_line) + 1]
    assert caret.strip().startswith("^")
    assert code_line[caret.index("^") :].startswith("facts")  # the caret stays under the error


def test_catalog_unknown_domain_is_an_error() -> None:
    result = run_cli("catalog", "--domain", "nosuch")
    one_line_error(result, 2, "no domain 'nosuch'", "reconsideration")
    assert result.stdout == ""


# ---------------------------------------------------------------- a busy warehouse

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "reader")
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(
    ("holder", "command"),
    [
        ("writer", ["sql", "SELECT 1"]),
        ("reader", ["load", "edited-2017.txt"]),  # new content: a page already loaded needs no write
    ],
)
def test_waiting_for_a_busy_warehouse_says_so_at_once_naming_the_holder(
    warehouse: Path, tmp_path: Path, holder: str, command: list[str]
) -> None:
    page = PROJECT_ROOT / "tests" / "fixtures" / "warehouse" / "shili-2017.txt"
    (tmp_path / "edited-2017.txt").write_text(
        page.read_text(encoding="utf-8").replace("审结7件", "审结6件"), encoding="utf-8"
    )
    command = [str(tmp_path / arg) if arg == "edited-2017.txt" else arg for arg in command]
    busy = tmp_path / "busy.duckdb"
    busy.write_bytes(warehouse.read_bytes())
    hold = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(busy), holder], stdout=subprocess.PIPE, text=True
    )
    try:
        assert hold.stdout is not None and hold.stdout.readline() == "holding\n"
        waiter = subprocess.Popen(
            [sys.executable, "-m", "nianbao.cli", *command, "--warehouse", str(busy), "--wait", "4"],
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        assert waiter.stderr is not None
        first = waiter.stderr.readline()
        while first.startswith("load: "):  # load's own progress line comes first
            first = waiter.stderr.readline()
        noticed = time.monotonic()
        assert f"is in use by a {holder} (process {hold.pid}); waiting up to 4 s" in first
        _, rest = waiter.communicate(timeout=60)
        assert time.monotonic() - noticed > 3, "the wait is announced when it starts, not when it ends"
        assert waiter.returncode == 1
        assert f"still in use by a {holder} (process {hold.pid}) after 4 s" in rest
        assert "Traceback" not in rest
    finally:
        hold.kill()
        hold.wait()


# ---------------------------------------------------------------- load, flows


def test_load_shows_progress_and_counts_ignored_files(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for item in (Path(__file__).resolve().parent / "fixtures" / "warehouse").glob("*.txt"):
        (pages / item.name).write_bytes(item.read_bytes())
    (pages / "scan.png").write_bytes(b"\x89PNG")
    (pages / "notes.xlsx").write_bytes(b"PK")
    (pages / "README").write_text("x", encoding="utf-8")
    result = run_cli("load", str(pages), "--batch-size", "2", "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 0, result.stderr
    progress = result.stderr.splitlines()
    assert progress[0].startswith("load: 3 files to read; ignored 3:")
    assert "1 not a page or capture (.png)" in progress[0] and "(no suffix)" in progress[0]
    assert progress[1].startswith("load: 2/3 files (66%)")
    assert progress[2].startswith("load: 3/3 files (100%)")
    assert "ignored 3 files in the folders: 1 not a page or capture (.png)" in result.stdout


@pytest.mark.parametrize("command", FLOW_COMMANDS)
def test_flow_commands_help_describes_what_they_do(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    usage, description = capsys.readouterr().out.split("\n\n")[:2]
    assert usage.startswith(f"usage: nianbao {command}")
    assert len(description.split()) >= 25, description
    assert "Prefect" in description


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_against_a_prefect_server_prints_the_flow_run_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["reprocess", "--warehouse", str(tmp_path / "w.duckdb"), "--archive", str(tmp_path / "empty")])
    err = capsys.readouterr().err
    assert re.search(r"^flow run: http://\S+/runs/flow-run/[0-9a-f-]{36}$", err, re.M), err


@pytest.mark.parametrize("command", ["scrape", "backfill", "ingest", "reprocess", "run"])
def test_an_unknown_site_is_one_line(command: str, tmp_path: Path) -> None:
    result = run_cli(
        command,
        "--region",
        "nosuch-site",
        "--archive",
        str(tmp_path / "a"),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
    )
    one_line_error(result, 2, "no site with id or region code nosuch-site")


# ---------------------------------------------------------------- README and demo


def test_readme_puts_nianbao_on_path() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if ".venv/bin/activate" in line)
    command = line.split("#")[0].strip()
    assert command == "source .venv/bin/activate"
    venv = Path(sys.prefix)
    if venv != PROJECT_ROOT / ".venv":
        pytest.skip(f"tests run from {venv}, not the project's .venv")
    done = subprocess.run(
        ["bash", "-c", f"{command} && nianbao --version"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("nianbao ")


@pytest.mark.usefixtures("prefect_harness")
def test_demo_next_steps_work_as_printed_and_it_ends_at_the_explorer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect.settings import PREFECT_API_URL

    warehouse, archive = tmp_path / "data" / "w.duckdb", tmp_path / "data" / "archive"
    assert main(["demo", "--warehouse", str(warehouse), "--archive", str(archive), "--delay", "0.01"]) == 0
    out = capsys.readouterr().out
    steps_part, explorer_part = out.rsplit("Try next:", 1)[1].split("\nExplorer", 1)
    steps = [line.strip() for line in steps_part.splitlines() if line.strip()]
    assert len(steps) >= 4
    index = warehouse.parent / "explorer" / "index.html"
    assert f"open {index} in a browser" in explorer_part
    assert out.rstrip().endswith(f"nianbao explore --serve --warehouse {shlex.quote(str(warehouse))}")
    assert index.is_file() and (index.parent / "data.js").is_file()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
    }
    for step in steps:
        done = subprocess.run(
            ["bash", "-c", step],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, (step, done.stdout, done.stderr)
    assert (tmp_path / "data" / "deposit.svg").is_file()
