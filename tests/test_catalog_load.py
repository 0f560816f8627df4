"""config/indicators.yaml and config/units.yaml: the shipped catalog is valid and complete, a malformed
entry is a clear error naming it, and `nianbao catalog` lists the vocabulary."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nianbao.settings import ConfigError
from transforms.catalog import build_catalog, load_catalog
from transforms.gov_info_tables import catalog_entries
from transforms.units import build_units, units_table

CONFIG = Path(__file__).resolve().parents[1] / "config"
RAW_CATALOG = yaml.safe_load((CONFIG / "indicators.yaml").read_text(encoding="utf-8"))
RAW_UNITS = yaml.safe_load((CONFIG / "units.yaml").read_text(encoding="utf-8"))


def test_shipped_catalog_is_valid() -> None:
    catalog = load_catalog()
    codes = [ind.code for ind in catalog.indicators]
    assert len(codes) == len(set(codes)) >= 88
    table_codes = {entry.code for entry in catalog_entries()}  # 信息公开 table cells: no text rules
    assert all(ind.rules or ind.zeros or ind.code in table_codes for ind in catalog.indicators)
    assert catalog.by_code()["reconsideration.accepted"].unit == "件"
    assert catalog.by_code()["approval.time_limit"].scopes


def test_catalog_matches_the_spec(dev_corpus: Path) -> None:
    spec = (dev_corpus.parents[1] / "spec" / "indicators.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([a-z_]+\.[a-z_]+) \|[^|]*\| ?([^|]*?) ?\|", spec, re.M))
    by_code = load_catalog().by_code()
    assert set(rows) <= set(by_code)
    assert {code: by_code[code].unit for code in rows} == rows


def broken(mutate) -> str:
    raw = copy.deepcopy(RAW_CATALOG)
    mutate(raw["indicators"])
    with pytest.raises(ConfigError) as err:
        build_catalog(raw, units_table())
    return str(err.value)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda ind: ind[1].pop("unit"), r"entry 2 \(reconsideration\.accepted\): missing or empty 'unit'"),
        (lambda ind: ind[1].update(code="Bad Code"), r"entry 2 \(Bad Code\): code must be"),
        (lambda ind: ind[1].update(family="planets"), r"\(reconsideration\.accepted\): unknown unit family"),
        (lambda ind: ind[1].update(unit="元"), r"\(reconsideration\.accepted\): unit '元' is not in family"),
        (
            lambda ind: ind[1]["rules"].append({"lfet": "复议"}),
            r"\(reconsideration\.accepted\) rule \d+: unknown keys \['lfet'\]",
        ),
        (
            lambda ind: ind[1]["rules"].append({"left": "(复议"}),
            r"\(reconsideration\.accepted\) rule \d+\.left: bad regex",
        ),
        (
            lambda ind: ind[1]["rules"].append({"left": "(?<=受理)复议"}),
            r"\(reconsideration\.accepted\) rule \d+\.left: bad regex '\(\?<=受理\)复议': error: look-around",
        ),
        (
            lambda ind: ind[1].update(scope={"field": "left", "pattern": "乡镇"}),
            r"\(reconsideration\.accepted\): scope pattern needs one capture group",
        ),
        (lambda ind: ind[1].update(rules=[]), r"\(reconsideration\.accepted\): needs rules or zero patterns"),
        (lambda ind: ind[1].update(domain="litigation"), r"domain 'litigation' does not match the code"),
        (lambda ind: ind.append(copy.deepcopy(ind[0])), r"\(reconsideration\.applications\): duplicate code"),
        (lambda ind: ind.append("reconsideration.extra"), r"entry \d+: must be a mapping"),
        (
            lambda ind: ind[1].update(colour="red"),
            r"\(reconsideration\.accepted\): unknown keys \['colour'\]",
        ),
    ],
)
def test_malformed_entry_names_the_entry(mutate, expected: str) -> None:
    message = broken(mutate)
    assert re.search(expected, message), message
    assert message.startswith("config/indicators.yaml: ")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda u: u["measure_words"].update({"件": {"unit": "件", "not_before": "("}}), "measure word '件'"),
        (lambda u: u["measure_words"].update({"件": {"unti": "件"}}), "measure word '件'"),
        (lambda u: u["hedges"]["before"].update({"约": "roughly"}), "hedge '约' (before)"),
        (lambda u: u.update(scales={"万": "ten thousand"}), "'scales' must map"),
        (lambda u: u["families"].update(people=[]), "family 'people'"),
        (lambda u: u.update(fraction_words={"百分之": "percent"}), "'fraction_words' must map"),
        (lambda u: u.update(lone_one_not_after="跑"), "'lone_one_not_after' must be a list"),
        (lambda u: u.update(name_contexts={"before": "届"}), "'name_contexts' must be a list"),
        (lambda u: u.update(name_contexts=[{"before": "届"}]), "name_contexts entry 1: needs exactly"),
        (lambda u: u.update(name_contexts=[{"before": "(", "after": "次"}]), "entry 1: bad regex"),
    ],
)
def test_malformed_units_name_the_entry(mutate, expected: str) -> None:
    raw = copy.deepcopy(RAW_UNITS)
    mutate(raw)
    with pytest.raises(ConfigError, match=re.escape(expected)):
        build_units(raw)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        capture_output=True,
        text=True,
        cwd=CONFIG.parent,
        check=False,
    )


def test_catalog_command_table_and_json() -> None:
    table = run_cli("catalog")
    assert table.returncode == 0, table.stderr
    assert "reconsideration.accepted" in table.stdout and "受理行政复议案件" in table.stdout
    assert re.search(r"\n\d+ indicators, \d+ rules\n$", table.stdout)
    lines = run_cli("catalog", "--json", "--domain", "mediation").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert {r["code"] for r in rows} == {
        "mediation.committees",
        "mediation.mediators",
        "mediation.disputes",
        "mediation.success_rate",
    }
    assert all(set(r) >= {"code", "name_zh", "name_en", "unit", "rules"} and r["rules"] >= 1 for r in rows)


def test_catalog_command_reports_a_broken_catalog(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "units.yaml").write_text((CONFIG / "units.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (config / "indicators.yaml").write_text("indicators:\n  - code: demo.items\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "catalog"],
        capture_output=True,
        text=True,
        env={"NIANBAO_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2
    assert "entry 1 (demo.items): missing or empty 'name_zh'" in result.stderr
