"""Resource bounds from config/settings.yaml, validated once per settings file: what a query, an input file
and an HTML parse may cost. A missing key takes its default; a wrong value is a ConfigError naming it."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nianbao.settings import config_dir, load_config, validated

_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def _size(value: str) -> str:
    if not _MEMORY.match(value.strip()):
        raise ValueError("a size such as 512MB or 2GB")
    return value.strip()


class QueryBounds(BaseModel):
    """`nianbao sql` and every other read: wall-clock time and memory of one statement."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    query_timeout_seconds: float = Field(60.0, gt=0)
    query_memory_limit: str = "2GB"
    query_spill_limit: str = "20GB"
    check_memory_limit: str = "256MB"  # DuckDB memory_limit while the storage check reads every block

    @field_validator("query_memory_limit", "query_spill_limit", "check_memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        return _size(value)


class IngestBounds(BaseModel):
    """What one input may cost before it is a reject (its size, the HTML parse's tags and nesting), and
    where the transform runs (worker processes, the flows' task runner)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_input_bytes: int = Field(25_000_000, gt=0)
    max_html_tags: int = Field(200_000, gt=0)
    max_html_depth: int = Field(512, gt=0)
    workers: int = Field(0, ge=0)  # transform processes; 0: one per CPU (os.cpu_count())
    writer_threads: int = Field(1, ge=0)  # DuckDB threads of the warehouse writer; 0: DuckDB's default
    # the writer keeps the file attached (one checkpoint) for this many reports or seconds (ingest.run)
    write_window_reports: int = Field(1000, ge=1)
    write_window_seconds: float = Field(10.0, gt=0)
    writer_memory_limit: str = "512MB"  # DuckDB memory_limit of the writer (its cache of the file's blocks)
    runner: Literal["local", "dask"] = "local"  # task runner of the ingest and reprocess flows
    dask_address: str | None = None  # a Dask scheduler (tcp://host:8786); none: a LocalCluster of processes

    @field_validator("writer_memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        return _size(value)


class Bounds(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    warehouse: QueryBounds = QueryBounds()
    ingest: IngestBounds = IngestBounds()


def bounds() -> Bounds:
    """The validated bounds of the current settings file (validated again when the file changes)."""
    path = _settings_file(os.environ.get("NIANBAO_CONFIG"))
    try:
        mtime_ns = os.stat(path).st_mtime_ns  # (one stat per call: the HTML path asks once per page)
    except OSError:
        load_config("settings.yaml")  # a clear error when the file is missing
        raise
    return _validated(path, mtime_ns)  # (load_config inside: a clear error when it is not YAML)


@cache
def _settings_file(configured: str | None) -> Path:
    """The settings file while $NIANBAO_CONFIG is ``configured`` (the path is built once per value)."""
    return config_dir() / "settings.yaml"


@cache
def _validated(path: Path, mtime_ns: int) -> Bounds:
    return validated(Bounds, load_config("settings.yaml") or {}, f"{path}: ")
