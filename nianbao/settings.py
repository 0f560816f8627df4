"""Where config and data live, and reading the YAML files in config/."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ConfigError(Exception):
    """A config file is missing or malformed; the message names the file and the entry."""


def config_dir() -> Path:
    """The config folder: $NIANBAO_CONFIG, else the project's own config/."""
    return Path(os.environ.get("NIANBAO_CONFIG") or PROJECT_ROOT / "config")


@cache
def _load_yaml_cached(path: Path, mtime_ns: int) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from exc


def load_config(name: str) -> Any:
    """Parse config/<name> (YAML); cached until the file changes."""
    path = config_dir() / name
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    return _load_yaml_cached(path, path.stat().st_mtime_ns)


def setting(key: str) -> Any:
    """One value of config/settings.yaml (dotted keys: 'fetch.user_agent')."""
    node: Any = load_config("settings.yaml")
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"config/settings.yaml: missing setting {key!r}")
        node = node[part]
    return node


def data_path(value: str) -> Path:
    """A path from settings, relative to the current directory when not absolute."""
    return Path(value).expanduser()
