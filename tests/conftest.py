"""Shared pytest fixtures: the dev corpus (skipped when ../shared is absent) and a temp Prefect home."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chaos_ledger import ChaosLedger

_LEDGER = pytest.StashKey[ChaosLedger]()

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
DEV_CORPUS = SHARED / "corpus" / "dev"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Prefect must never reach out, and its ephemeral server must not share a home with the user's. Under
# pytest-xdist (`make test` runs two worker processes) each worker gets a home of its own below that one, so
# the workers' ephemeral servers never share a SQLite database.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A temporary Prefect server migrates a new SQLite file before it answers (≈ 9 s alone): more than Prefect's
# default 20 s (30 s in prefect_test_harness) when the other worker and subprocesses load the cores.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".pytest_cache" / "prefect-home"))
if XDIST_WORKER := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PREFECT_HOME"] = str(Path(os.environ["PREFECT_HOME"]) / XDIST_WORKER)
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def dev_corpus() -> Path:
    """The shared dev corpus; tests using it skip with a reason on a fresh clone without ../shared."""
    if not (DEV_CORPUS / "gold").is_dir():
        pytest.skip(f"dev corpus not found at {DEV_CORPUS} (../shared is absent on a fresh clone)")
    return DEV_CORPUS


@pytest.fixture(scope="session")
def score_tool() -> Path:
    tool = SHARED / "tools" / "score.py"
    if not tool.is_file():
        pytest.skip(f"scorer not found at {tool} (../shared is absent on a fresh clone)")
    return tool


@pytest.fixture(scope="session")
def nianbao_cmd() -> list[str]:
    """The installed CLI in this interpreter's environment."""
    return [sys.executable, "-m", "nianbao.cli"]


@pytest.fixture()
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect API for the whole session (it takes ≈ 9 s to start); flow tests use it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=None):  # None: the startup timeout set above
        yield


@pytest.fixture()
def use_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """use_settings(key=value, …): from now on nianbao reads a copy of config/ whose settings.yaml has
    those `key: value` lines replaced (e.g. tighter bounds); returns the copy's folder."""
    config = tmp_path / "config-override"

    def override(**replace: str) -> Path:
        shutil.rmtree(config, ignore_errors=True)
        shutil.copytree(PROJECT_ROOT / "config", config)
        settings = (config / "settings.yaml").read_text(encoding="utf-8")
        for key, value in replace.items():
            settings, found = re.subn(rf"(?m)^(\s*{key}:)\s*\S+", rf"\g<1> {value}", settings)
            assert found == 1, f"settings.yaml has no single {key}"
        (config / "settings.yaml").write_text(settings, encoding="utf-8")
        monkeypatch.setenv("NIANBAO_CONFIG", str(config))
        return config

    return override


def pytest_configure(config: pytest.Config) -> None:
    long = "chaos" in (config.getoption("-m") or "")
    config.stash[_LEDGER] = ChaosLedger(long=long, seed=int(os.environ.get("NIANBAO_CHAOS_SEED", "20260127")))


@pytest.fixture(scope="session")
def chaos_ledger(request: pytest.FixtureRequest) -> ChaosLedger:
    """The session's record of faults tried and data lost (long under `make chaos`, i.e. -m chaos)."""
    return request.config.stash[_LEDGER]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its chaos ledger to the controlling process, which prints the sum."""
    workeroutput = getattr(session.config, "workeroutput", None)
    ledger = session.config.stash.get(_LEDGER, None)
    if workeroutput is not None and ledger is not None:
        workeroutput["chaos_ledger"] = ledger.plain_rows()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """pytest-xdist: a worker has finished; its chaos ledger rows join the controlling process's ledger."""
    rows = getattr(node, "workeroutput", {}).get("chaos_ledger")
    if rows:
        node.config.stash[_LEDGER].add_rows(rows)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    ledger = config.stash.get(_LEDGER, None)
    if ledger is not None and ledger.rows:
        terminalreporter.section("chaos")
        for line in ledger.table():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module", params=["duckdb", "ducklake"])
def backend_file(request: pytest.FixtureRequest) -> str:
    """File name of a new warehouse on each backend: a DuckDB file, or a DuckLake's SQLite catalog (its
    Parquet files go beside it). Backend-neutral warehouse tests take it to run on both."""
    return f"w.{request.param}"
