"""The extractor version: code version plus a digest of the rule files that shape the output."""

from __future__ import annotations

import hashlib
from functools import cache

from nianbao import __version__
from nianbao.settings import config_dir

# Files (and folders) in config/ that do not change what a page extracts to.
NON_RULE_FILES = frozenset({"settings.yaml", "sources.yaml", "sites.yaml"})
NON_RULE_DIRS = frozenset({"sources.d"})


@cache
def extractor_version() -> str:
    """'<package version>+<12 hex of the rule files>': changes whenever a rule changes."""
    digest = hashlib.sha256()
    for path in sorted(config_dir().rglob("*")):
        inside = path.relative_to(config_dir()).parts
        if path.is_file() and path.name not in NON_RULE_FILES and inside[0] not in NON_RULE_DIRS:
            digest.update(path.relative_to(config_dir()).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
