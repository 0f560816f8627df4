"""Where jionlp's maintained data files are (division codes, renames, traditional→simplified characters).

The files are read directly: importing jionlp itself takes 0.2 s and prints a banner to stdout.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from nianbao.settings import ConfigError


def jionlp_dictionary_file(name: str) -> Path:
    """The path of one file in jionlp's dictionary folder; a clear error when jionlp is missing."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the jionlp package (administrative divisions, character tables) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dictionary" / name
