"""The DuckLake backend: the warehouse as a catalog (an SQLite file locally, PostgreSQL for a team) plus
Parquet data files, so analysts read while a load writes and several loaders write at once.

A warehouse location names its backend: a path ending in `.ducklake` is the SQLite catalog of a lake, a
location starting `postgres:` is a PostgreSQL catalog (libpq key=value words; the password comes from
$PGPASSWORD or ~/.pgpass, never from the location, which shows in messages); anything else is a DuckDB
file. The data files go to `warehouse.ducklake.data_path` when set, else to a folder beside an SQLite
catalog (`<catalog>.files/`); an `s3://bucket/prefix/` data path is read and written through DuckDB's httpfs
with the keys of $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY (a session secret of this connection only) and
the endpoint, region and URL style of `warehouse.ducklake.s3`. The DuckLake, SQLite, PostgreSQL and httpfs
extensions are the pip packages built for DuckDB 1.4.4 (`duckdb-ext-*`), loaded from their files: nothing
is downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import duckdb

from nianbao.settings import setting
from warehouse.errors import WarehouseError

T = TypeVar("T")

SUFFIX = ".ducklake"
POSTGRES_PREFIX = "postgres:"
S3_PREFIX = "s3://"
# extension name → the pip package that ships it
_PACKAGES = {
    "ducklake": "duckdb-ext-ducklake",
    "sqlite_scanner": "duckdb-ext-sqlite",
    "postgres_scanner": "duckdb-ext-postgres",
    "httpfs": "duckdb-ext-httpfs",
}
# extension file → (device, inode, size, mtime) when DuckDB checked its signature in this process
_verified: dict[Path, tuple[int, int, int, int]] = {}
# a libpq word or URI part that carries a secret (`password=…`, `?password=…`, `user:secret@host`); such a
# location is refused without being repeated
# what DuckDB's ducklake extension says when a read-only ATTACH finds a catalog database without a lake
NO_LAKE_YET = "creating a new ducklake is explicitly disabled"
_SECRET_WORD = re.compile(r"(?i)(?:^|[\s:?&])(?:ssl)?password\s*=|://[^/@\s]*:[^/@\s]*@")


@dataclass(frozen=True, slots=True)
class Lake:
    """Where a lake's catalog and data files are."""

    catalog: str  # what follows `ducklake:` in ATTACH: `sqlite:<file>` or `postgres:<conninfo>`
    data_path: str  # folder (or object-store prefix) of the Parquet files, ending in '/'
    local_data: Path | None  # the data folder when it is on local disk (created, and allowed to readers)

    @property
    def extensions(self) -> tuple[str, ...]:
        catalog = "postgres_scanner" if self.catalog.startswith("postgres:") else "sqlite_scanner"
        return ("ducklake", catalog, *(("httpfs",) if self.on_s3 else ()))

    @property
    def on_s3(self) -> bool:
        return self.data_path.startswith(S3_PREFIX)


def is_lake(location: Path | str) -> bool:
    text = str(location)
    return text.endswith(SUFFIX) or text.startswith(POSTGRES_PREFIX)


def lake_of(location: Path | str) -> Lake:
    """The lake a location names (see the module docstring)."""
    text = str(location)
    configured = str(setting("warehouse.ducklake.data_path") or "")
    if text.startswith(POSTGRES_PREFIX):
        if _SECRET_WORD.search(text):
            raise WarehouseError(
                "the PostgreSQL catalog's location holds a password: give it in $PGPASSWORD or ~/.pgpass "
                "instead (a location shows in messages and logs)"
            )
        if not configured:
            raise WarehouseError(
                f"{text}: a PostgreSQL catalog needs warehouse.ducklake.data_path (where Parquet files go)"
            )
        catalog = text
    else:
        catalog = f"sqlite:{Path(text).absolute()}"
        configured = configured or f"{Path(text).absolute()}.files/"
    data = configured if configured.endswith("/") else configured + "/"
    if "://" in data and not data.startswith(S3_PREFIX):
        raise WarehouseError(
            f"warehouse.ducklake.data_path {data}: a lake's files go to a local folder or an s3:// prefix"
        )
    local = None if "://" in data else Path(data).expanduser().absolute()
    return Lake(catalog=catalog, data_path=str(local) + "/" if local else data, local_data=local)


def _extension_file(name: str) -> Path:
    version = duckdb.__version__
    spec = importlib.util.find_spec("duckdb_ext")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        for found in sorted((Path(root) / "extensions" / f"v{version}").glob(f"*/{name}.duckdb_extension")):
            return found
    raise WarehouseError(
        f"the DuckLake backend needs the {name} extension for DuckDB {version}: "
        f"pip install {_PACKAGES[name]}=={version}.* (see README, Scaling out)"
    )


def attach(con: duckdb.DuckDBPyConnection, location: Path | str, alias: str, read_only: bool) -> Lake:
    """Load the lake's extensions into `con` (from the pip packages' files) and ATTACH the lake as
    `alias`; a writer creates the local data folder first."""
    lake = lake_of(location)
    loaded = {
        row[0]
        for row in con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
    }
    checking = not con.execute("SELECT current_setting('allow_unsigned_extensions')").fetchall()[0][0]
    for name in lake.extensions:
        if name not in loaded:
            path = _extension_file(name)
            stamp = _stamp(path)
            con.execute(f"LOAD {_literal(str(path))}")
            if checking:
                _verified[path] = stamp
    if lake.local_data and not read_only:
        lake.local_data.mkdir(parents=True, exist_ok=True)
    if lake.on_s3:
        _s3_secret(con)
    options = f"DATA_PATH {_literal(lake.data_path)}" + (", READ_ONLY" if read_only else "")
    con.execute(f"ATTACH {_literal('ducklake:' + lake.catalog)} AS {alias} ({options})")
    return lake


def connect_config(location: Path | str) -> dict[str, object]:
    """Start-up settings for a new connection that will attach this lake. DuckDB checks an extension file's
    signature on every LOAD by reading the whole file (~0.5 s of CPU for a lake's three files); once it has
    checked them in this process, and the files are unchanged since, a new connection loads them unchecked.
    (Such a connection's SQL still cannot load anything: readers are sandboxed, see connection.py.)"""
    files = [_extension_file(name) for name in lake_of(location).extensions]
    if all(_verified.get(path) == _stamp(path) for path in files):
        return {"allow_unsigned_extensions": True}
    return {}


def _stamp(path: Path) -> tuple[int, int, int, int]:
    info = path.stat()
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _s3_secret(con: duckdb.DuckDBPyConnection) -> None:
    """A session secret for s3:// in `con` (kept in memory, shown redacted by duckdb_secrets()): the keys of
    the environment, the endpoint, region and URL style of warehouse.ducklake.s3 (or the environment)."""
    key_id = os.environ.get("AWS_ACCESS_KEY_ID", "")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "")
    if not key_id or not secret:
        raise WarehouseError(
            "the lake's data path is on S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
            "environment"
        )
    endpoint = str(setting("warehouse.ducklake.s3.endpoint") or os.environ.get("AWS_ENDPOINT_URL", ""))
    region = str(
        setting("warehouse.ducklake.s3.region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )
    style = str(setting("warehouse.ducklake.s3.url_style") or ("path" if endpoint else "vhost"))
    if style not in ("path", "vhost"):
        raise WarehouseError(f"warehouse.ducklake.s3.url_style is {style!r}; use path or vhost")
    options = {"KEY_ID": key_id, "SECRET": secret, "REGION": region, "URL_STYLE": style}
    if os.environ.get("AWS_SESSION_TOKEN"):
        options["SESSION_TOKEN"] = os.environ["AWS_SESSION_TOKEN"]
    use_ssl = True
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else "https://" + endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise WarehouseError(f"warehouse.ducklake.s3.endpoint {endpoint!r}: give http(s)://host[:port]")
        options["ENDPOINT"] = parts.netloc
        use_ssl = parts.scheme == "https"
    listed = ", ".join(f"{name} {_literal(value)}" for name, value in options.items())
    try:
        con.execute(
            f"CREATE OR REPLACE TEMPORARY SECRET nianbao_lake_s3 (TYPE s3, {listed}, "
            f"USE_SSL {str(use_ssl).lower()}, SCOPE {_literal(S3_PREFIX)})"
        )
    except duckdb.Error as exc:  # its text may quote the statement, keys included: never shown
        raise WarehouseError(f"could not set up the S3 keys of the lake ({type(exc).__name__})") from None


def retrying_conflicts(location: Path | str, write: Callable[[], T], seconds: float) -> T:
    """Run `write` (one whole transaction: it reads, decides and writes again on each try) and, on a lake,
    run it again when its commit met another writer's (DuckLake's conflict check, or the SQLite catalog
    busy with another commit), waiting a little longer each time, for up to `seconds`."""
    if not is_lake(location):
        return write()
    deadline = time.monotonic() + seconds
    wait = 0.05
    while True:
        try:
            return write()
        except duckdb.Error as exc:
            text = str(exc).lower()
            conflict = isinstance(exc, duckdb.TransactionException) or "database is locked" in text
            if not conflict or time.monotonic() + wait > deadline:
                raise
        time.sleep(wait * (0.5 + random.random()))
        wait = min(wait * 2, 2.0)


def backend_name(location: Path | str) -> str:
    """How `nianbao info` names the backend of a location."""
    if not is_lake(location):
        return "DuckDB file"
    lake = lake_of(location)
    catalog = "PostgreSQL" if lake.catalog.startswith("postgres:") else "SQLite"
    return f"DuckLake ({catalog} catalog, data in {lake.data_path})"


def readable_data(location: Path | str) -> str | None:
    """What a sandboxed reader of the lake may read beside nothing else: its data folder or S3 prefix."""
    if not is_lake(location):
        return None
    lake = lake_of(location)
    return str(lake.local_data) + "/" if lake.local_data else lake.data_path


def lake_exists(location: Path | str) -> bool:
    """A PostgreSQL catalog is taken to exist (its server says otherwise on ATTACH)."""
    return str(location).startswith(POSTGRES_PREFIX) or Path(location).exists()


def warehouse_exists(location: Path | str) -> bool:
    """Whether a warehouse is there to read, on either backend: a DuckDB file or an SQLite catalog on disk,
    or a PostgreSQL database that holds a lake (asked read-only, so an empty database stays empty; a server
    that cannot be reached counts as there, and the command that opens it says what is wrong)."""
    if not str(location).startswith(POSTGRES_PREFIX):
        return Path(location).exists()
    con = duckdb.connect(":memory:", config=connect_config(location))
    try:
        attach(con, location, "probe", read_only=True)
    except duckdb.Error as exc:
        return NO_LAKE_YET not in str(exc).lower()
    finally:
        con.close()
    return True


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
