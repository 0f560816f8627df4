"""A fictional catalog entry (demo.items, 示例事项) for tests that build a catalog from raw config."""

from __future__ import annotations

from typing import Any


def demo_entry(**extra: Any) -> dict[str, Any]:
    """The raw config entry of demo.items, with `extra` keys added or replaced."""
    return {
        "code": "demo.items",
        "name_zh": "示例事项",
        "name_en": "Demo items",
        "unit": "项",
        "family": "items",
        "domain": "demo",
        "rules": [{"left": "示例事项"}],
        **extra,
    }
