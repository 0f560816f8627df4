"""Where the warehouse lives: --warehouse, else $NIANBAO_WAREHOUSE, else the setting of the configured backend
(warehouse.path for a DuckDB file, warehouse.ducklake.catalog for a DuckLake)."""

from __future__ import annotations

import os
from pathlib import Path

from nianbao.settings import ConfigError, data_path, setting

ENV_VAR = "NIANBAO_WAREHOUSE"
BACKENDS = ("duckdb", "ducklake")


def configured_backend() -> str:
    backend = str(setting("warehouse.backend"))
    if backend not in BACKENDS:
        raise ConfigError(f"config/settings.yaml: warehouse.backend is {backend!r}; use one of {BACKENDS}")
    return backend


def default_warehouse_path() -> Path:
    """$NIANBAO_WAREHOUSE when set, else the configured backend's location in config/settings.yaml."""
    if os.environ.get(ENV_VAR):
        return data_path(os.environ[ENV_VAR])
    if configured_backend() == "ducklake":
        return _location(str(setting("warehouse.ducklake.catalog")))
    return data_path(str(setting("warehouse.path")))


def resolve_warehouse(path: Path | str | None = None) -> Path:
    """An explicit path wins over the default."""
    return _location(str(path)) if path else default_warehouse_path()


def _location(text: str) -> Path:
    # a PostgreSQL catalog (postgres:key=value …) is carried as it is, never expanded as a file name
    return Path(text) if text.startswith("postgres:") else data_path(text)
