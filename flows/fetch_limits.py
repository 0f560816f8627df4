"""Bounds on every download, from the `fetch:` section of config/settings.yaml, validated with pydantic.

These hold for every host whatever its politeness says: a server can be slow, chatty or hostile, and one
download still ends within `download_deadline_seconds`, a robots.txt Crawl-delay never exceeds
`max_crawl_delay_seconds`, no more than `max_in_flight` requests are under way at once (the async
fetcher's global cap), and response headers stay within `max_header_bytes` / `max_header_count`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nianbao.settings import ConfigError, load_config, validated

SETTINGS_FILE = "settings.yaml"
# httpcore's HTTP/1.1 parser (h11) refuses a header block past 100 KiB whatever we allow; a larger bound
# could not be honoured, so the config may not promise one.
PARSER_HEADER_CEILING = 100 * 1024


class FetchLimits(BaseModel):
    """Hard bounds on one download and on what a site may ask of the crawler."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    download_deadline_seconds: float = Field(120.0, gt=0)
    max_crawl_delay_seconds: float = Field(60.0, ge=0)
    max_header_bytes: int = Field(64 * 1024, gt=0, le=PARSER_HEADER_CEILING)
    max_header_count: int = Field(200, gt=0)
    task_timeout_seconds: float = Field(3600.0, gt=0)
    max_in_flight: int = Field(256, gt=0)
    discovery_threads: int = Field(1024, gt=0)


def parse_fetch_limits(raw: Any) -> FetchLimits:
    """Validate the `fetch:` mapping; a bad value is a ConfigError naming the key."""
    if raw is None:
        return FetchLimits()
    if not isinstance(raw, dict):
        raise ConfigError(f"{SETTINGS_FILE}: 'fetch' must be a mapping")
    return validated(FetchLimits, raw, f"{SETTINGS_FILE}: fetch.")


def load_fetch_limits() -> FetchLimits:
    """The `fetch:` section of config/settings.yaml (defaults when it is absent)."""
    settings = load_config(SETTINGS_FILE) or {}
    return parse_fetch_limits(settings.get("fetch") if isinstance(settings, dict) else None)
