"""config/containers.yaml and config/charsets.yaml: malformed entries are clear errors naming the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.settings import ConfigError
from transforms.decode import decode_bytes
from transforms.html_containers import page_rules

CONFIG = Path(__file__).resolve().parents[1] / "config"


@pytest.fixture()
def config_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for source in CONFIG.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path))
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_rules_load() -> None:
    rules = page_rules()
    assert rules.containers[0] == "#UCAP-CONTENT"
    assert rules.selectors_for("http://www.gov.cn/zhengce/a.htm")[:2] == ("#UCAP-CONTENT", ".pages_content")


def test_bad_container_selector_is_named(config_copy: Path) -> None:
    _edit(config_copy / "containers.yaml", '  - "#zoom"', '  - "div[[zoom"')
    with pytest.raises(ConfigError, match=r"bad CSS selector 'div\[\[zoom'"):
        page_rules()


def test_bad_not_found_pattern_is_named(config_copy: Path) -> None:
    _edit(config_copy / "containers.yaml", '  - "页面不存在"', '  - "页面(不存在"')
    with pytest.raises(ConfigError, match="not_found_patterns"):
        page_rules()


def test_missing_word_list_is_named(config_copy: Path) -> None:
    _edit(config_copy / "containers.yaml", "furniture_words:", "furniture_wordz:")
    with pytest.raises(ConfigError, match="furniture_words"):
        page_rules()


def test_charset_alias_comes_from_config(config_copy: Path) -> None:
    _edit(config_copy / "charsets.yaml", "  big5: big5hkscs", "  big5: big5hkscs\n  x-shili: gb18030")
    data = "<meta charset='x-shili'>示例县".encode("gbk")
    assert decode_bytes(data).encoding == "gb18030"


def test_malformed_charsets_file_is_named(config_copy: Path) -> None:
    _edit(config_copy / "charsets.yaml", "meta_scan_bytes: 65536", "meta_scan_bytes: lots")
    with pytest.raises(ConfigError, match=r"charsets\.yaml"):
        decode_bytes(b"abc")
