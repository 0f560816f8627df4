"""The raw archive: every fetched body stored once by its sha256, plus manifest rows saying where it
came from.

Paths go through fsspec, so the archive can be a local folder (default ./data/archive) or an object store URL.
Layout: objects/<sha[:2]>/<sha> for bodies, manifest/<stamp>-<id>.jsonl for manifest rows (one file per write,
never appended to, so object stores work too).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import fsspec

from flows.fetch import charset_of
from nianbao.settings import setting

ARCHIVE_ENV = "NIANBAO_ARCHIVE"


@dataclass(slots=True)
class ManifestRow:
    """One fetch: what was asked, what answered, and which stored body it gave (sha256)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    sha256: str | None
    site: str | None = None
    kind: str | None = None
    year: int | None = None
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def charset(self) -> str | None:
        """The charset the server declared in Content-Type, if any."""
        return charset_of(self.headers.get("content-type"))


def _row(fields: dict, shared: dict[str, str]) -> ManifestRow:
    """A manifest row from its JSON fields, repeated strings taken from `shared`."""

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    row = ManifestRow(**fields)
    if row.final_url == row.url:
        row.final_url = row.url
    row.headers = {
        one(name): one(value) if name == "content-type" else value for name, value in row.headers.items()
    }
    row.extra = {one(name): one(value) if name == "run" else value for name, value in row.extra.items()}
    row.fetched_at = one(row.fetched_at)
    row.site = row.site and one(row.site)
    row.kind = row.kind and one(row.kind)
    return row


def default_archive_location() -> str:
    """$NIANBAO_ARCHIVE, else archive.path from config/settings.yaml (relative to the current directory)."""
    return os.environ.get(ARCHIVE_ENV) or str(setting("archive.path"))


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Archive:
    """A content-addressed store of fetched bodies with an append-only manifest."""

    def __init__(self, location: str | Path | None = None) -> None:
        self.location = str(location or default_archive_location())
        self.fs, self.root = fsspec.core.url_to_fs(self.location)
        self.root = self.root.rstrip("/")

    def _object_path(self, sha256: str) -> str:
        return f"{self.root}/objects/{sha256[:2]}/{sha256}"

    def put(self, body: bytes) -> str:
        """Store body (once) and return its sha256."""
        sha = hashlib.sha256(body).hexdigest()
        path = self._object_path(sha)
        if not self.fs.exists(path):
            self._write_atomic(path, body)
        return sha

    def get(self, sha256: str) -> bytes:
        """The stored body; a body whose bytes no longer match its name is an error."""
        data = self.fs.cat_file(self._object_path(sha256))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise OSError(f"archive object {sha256} is corrupt (hash mismatch)")
        return data

    def record(self, rows: Iterable[ManifestRow]) -> None:
        """Write manifest rows as one new file (nothing is appended in place)."""
        lines = [json.dumps(asdict(row), ensure_ascii=False, sort_keys=True) for row in rows]
        if not lines:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = f"{self.root}/manifest/{stamp}-{uuid.uuid4().hex[:8]}.jsonl"
        self._write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))

    def manifest(self) -> Iterator[ManifestRow]:
        """Every manifest row, oldest file first. An ingest holds every latest row at once (~0.9-1.8 KB
        each): strings that repeat across rows (header and extra names, content types, fetch times, runs,
        sites, kinds) are one object each, and a final URL equal to the URL is the URL."""
        folder = f"{self.root}/manifest"
        if not self.fs.exists(folder):
            return
        shared: dict[str, str] = {}
        for path in sorted(p for p in self.fs.ls(folder, detail=False) if str(p).endswith(".jsonl")):
            for line in self.fs.cat_file(path).decode("utf-8").splitlines():
                if line.strip():
                    yield _row(json.loads(line), shared)

    def latest(self) -> dict[str, ManifestRow]:
        """Per URL, its latest row that points at a stored body (a 304 row points at the earlier body)."""
        latest: dict[str, ManifestRow] = {}
        for row in self.manifest():
            if row.sha256:
                latest[row.url] = row
        return latest

    def _write_atomic(self, path: str, data: bytes) -> None:
        parent = path.rsplit("/", 1)[0]
        self.fs.makedirs(parent, exist_ok=True)
        tmp = f"{path}.tmp-{uuid.uuid4().hex[:8]}"
        self.fs.pipe_file(tmp, data)
        self.fs.mv(tmp, path)
