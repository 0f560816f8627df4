"""Where config and data live, and reading the YAML files in config/."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ConfigError(Exception):
    """A config file is missing or malformed; the message names the file and the entry."""


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], raw: Any, where: str) -> Model:
    """raw validated as model; a bad entry is a ConfigError "{where}{entry}: {why}" (where names the file and
    section, e.g. "settings.yaml: fetch.")."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        entry = ".".join(str(part) for part in err["loc"])
        raise ConfigError(f"{where}{entry}: {err['msg']}") from exc


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
