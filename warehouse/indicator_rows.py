"""The indicator catalog (transforms.catalog) as rows for the `indicators` table."""

from __future__ import annotations

from typing import Any

from transforms.catalog import load_catalog


def indicator_rows() -> list[dict[str, Any]]:
    """code, names, stored unit, unit family, domain, number of matching rules and the card (definition,
    near neighbours) per indicator."""
    return [
        {
            "code": i.code,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "family": i.family,
            "domain": i.domain,
            "rule_count": len(i.rules),
            "definition": i.definition or None,
            "neighbours": "; ".join(f"{code}: {why}" for code, why in i.neighbours) or None,
        }
        for i in load_catalog().indicators
    ]
