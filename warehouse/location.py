"""Where the warehouse file lives: --warehouse, else $NIANBAO_WAREHOUSE, else settings warehouse.path."""

from __future__ import annotations

import os
from pathlib import Path

from nianbao.settings import data_path, setting

ENV_VAR = "NIANBAO_WAREHOUSE"


def default_warehouse_path() -> Path:
    """$NIANBAO_WAREHOUSE when set, else `warehouse.path` of config/settings.yaml."""
    return data_path(os.environ.get(ENV_VAR) or str(setting("warehouse.path")))


def resolve_warehouse(path: Path | str | None = None) -> Path:
    """An explicit path wins over the default."""
    return data_path(str(path)) if path else default_warehouse_path()
