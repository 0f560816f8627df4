"""The raw archive: content-addressed bodies and manifest rows, on a local folder or any fsspec URL."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flows.archive import Archive, ManifestRow, default_archive_location


def _row(url: str, sha: str | None, status: int = 200, **headers: str) -> ManifestRow:
    return ManifestRow(
        url,
        url,
        status,
        dict(headers),
        "2025-03-01T00:00:00+00:00",
        sha,
        site="sample",
        kind="law_based_government_annual_report",
        year=2024,
    )


def test_bodies_are_stored_once_under_their_sha256(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a")
    body = "示例县 2024 年度报告".encode()
    sha = archive.put(body)
    assert sha == hashlib.sha256(body).hexdigest()
    assert archive.put(body) == sha
    assert archive.get(sha) == body
    assert len(list((tmp_path / "a" / "objects").rglob("*"))) == 2  # one folder, one object, no temp files


def test_a_corrupt_object_is_an_error(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    sha = archive.put(b"original")
    next((tmp_path / "objects").rglob(sha)).write_bytes(b"tampered")
    with pytest.raises(OSError, match="corrupt"):
        archive.get(sha)


def test_latest_row_per_url_keeps_the_body_a_304_points_at(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    first = archive.put(b"v1")
    archive.record(
        [
            _row("http://127.0.0.1/a.html", first, etag='"1"'),
            _row("http://127.0.0.1/b.html", None, status=500),
        ]
    )
    archive.record([_row("http://127.0.0.1/a.html", first, status=304, etag='"1"')])
    latest = archive.latest()
    assert set(latest) == {"http://127.0.0.1/a.html"}  # a failed fetch points at no body
    assert latest["http://127.0.0.1/a.html"].status == 304
    assert latest["http://127.0.0.1/a.html"].etag == '"1"'
    assert len(list(archive.manifest())) == 3


def test_charset_comes_from_content_type() -> None:
    row = _row("u", "x", **{"content-type": 'text/html; charset="GBK"'})
    assert row.charset == "gbk"
    assert _row("u", "x", **{"content-type": "text/html"}).charset is None


def test_works_on_any_fsspec_filesystem() -> None:
    archive = Archive("memory://nianbao-test-archive")
    sha = archive.put(b"in memory")
    archive.record([_row("http://127.0.0.1/m.html", sha)])
    assert archive.get(sha) == b"in memory"
    assert archive.latest()["http://127.0.0.1/m.html"].sha256 == sha


def test_location_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NIANBAO_ARCHIVE", str(tmp_path / "elsewhere"))
    assert default_archive_location() == str(tmp_path / "elsewhere")
    monkeypatch.delenv("NIANBAO_ARCHIVE")
    assert default_archive_location() == "data/archive"
