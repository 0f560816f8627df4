"""rulebook.compiled: rules follow $NIANBAO_CONFIG at once, except inside one_reading(), which keeps
the version it checked first until the block ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.rulebook import compiled, one_reading


def _folder(root: Path, name: str, value: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "rulebook_probe.yaml").write_text(f"value: {value}\n", encoding="utf-8")
    return folder


def _value() -> str:
    return compiled("rulebook_probe.yaml", lambda raw: str(raw["value"]))


def test_one_reading_keeps_the_rules_it_checked_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    first, second = _folder(tmp_path, "a", "first"), _folder(tmp_path, "b", "second")
    monkeypatch.setenv("NIANBAO_CONFIG", str(first))
    assert _value() == "first"
    monkeypatch.setenv("NIANBAO_CONFIG", str(second))
    assert _value() == "second"  # outside a reading: the new folder at once
    with one_reading():
        assert _value() == "second"
        monkeypatch.setenv("NIANBAO_CONFIG", str(first))
        with one_reading():  # a nested block is the outer one
            assert _value() == "second"
        assert _value() == "second"
    assert _value() == "first"
    with one_reading():  # a new reading checks again
        monkeypatch.setenv("NIANBAO_CONFIG", str(second))
        assert _value() == "second"
