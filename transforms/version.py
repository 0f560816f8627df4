"""The extractor version: code version plus a digest of the rule files that shape the output."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from nianbao import __version__
from nianbao.settings import config_dir

# Files (and folders) in config/ that do not change what a page extracts to.
NON_RULE_FILES = frozenset({"settings.yaml", "sources.yaml", "sites.yaml"})
NON_RULE_DIRS = frozenset({"sources.d"})


def extractor_version() -> str:
    """'<package version>+<12 hex of the rule files>': changes whenever a rule changes. Follows the config
    folder in use ($NIANBAO_CONFIG) and edits of its rule files within one process (as the YAML loads do,
    keyed by each file's modification time and size); the digest itself is computed once per state."""
    folder = config_dir()
    files = tuple(
        (path.relative_to(folder).as_posix(), stat.st_mtime_ns, stat.st_size)
        for path in sorted(folder.rglob("*"))
        if _is_rule_file(folder, path) and (stat := path.stat())
    )
    return _version_of(folder, files)


def _is_rule_file(folder: Path, path: Path) -> bool:
    inside = path.relative_to(folder).parts
    return path.is_file() and path.name not in NON_RULE_FILES and inside[0] not in NON_RULE_DIRS


@cache
def _version_of(folder: Path, files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in files:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
