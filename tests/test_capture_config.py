"""Capture rules come from config/: an edit there changes the output; a broken file is a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nianbao.settings import ConfigError, config_dir
from transforms.capture_strip import is_chrome_line, strip_capture
from transforms.sections import find_sections

CAPTURE = "示例县2022年度法治政府建设情况报告\n2022年,示例县坚持依法行政,推进法治政府建设。\n"


@pytest.fixture()
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(config_dir(), folder)
    monkeypatch.setenv("NIANBAO_CONFIG", str(folder))
    return folder


def test_a_new_chrome_pattern_is_an_edit_to_config(config_copy: Path, monkeypatch: pytest.MonkeyPatch):
    rules = config_copy / "capture_chrome.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("lines:\n", "lines:\n  - '页面底部广告位'\n", 1),
        encoding="utf-8",
    )
    assert is_chrome_line("页面底部广告位")
    body = strip_capture(CAPTURE + "页面底部广告位\n").body_lines
    assert body == ["2022年,示例县坚持依法行政,推进法治政府建设。"]
    monkeypatch.delenv("NIANBAO_CONFIG")
    assert not is_chrome_line("页面底部广告位")
    assert strip_capture(CAPTURE + "页面底部广告位\n").body_lines[-1] == "页面底部广告位"


def test_a_broken_rule_file_names_the_file(config_copy: Path):
    (config_copy / "sections.yaml").write_text("levels:\n  - level: one\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sections\.yaml"):
        find_sections("一、总体情况")


def test_a_bad_regex_names_the_file_and_key(config_copy: Path):
    rules = config_copy / "capture_chrome.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("lines:\n", "lines:\n  - '(unclosed'\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"capture_chrome\.yaml.*lines"):
        strip_capture(CAPTURE)
