"""The extractor version follows the config folder in use and edits of its rule files within one process
(a long-lived process — `nianbao serve`, the bench — must not stamp reports with a stale version, nor skip
pages as already loaded under rules that have since changed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.settings import PROJECT_ROOT
from transforms.version import extractor_version


def test_the_version_follows_the_config_folder_and_rule_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = extractor_version()
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    monkeypatch.setenv("NIANBAO_CONFIG", str(folder))
    assert extractor_version() == shipped  # the same rules, another folder

    units = folder / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    edited = extractor_version()
    assert edited != shipped

    (folder / "settings.yaml").write_text(
        (folder / "settings.yaml").read_text(encoding="utf-8") + "\n# not a rule\n", encoding="utf-8"
    )
    assert extractor_version() == edited  # settings do not shape what a page extracts to

    monkeypatch.delenv("NIANBAO_CONFIG")
    assert extractor_version() == shipped
