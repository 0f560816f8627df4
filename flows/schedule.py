"""The reporting-season schedule, read from the `nianbao-run` deployment in prefect.yaml (one place)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from nianbao.settings import PROJECT_ROOT, ConfigError

PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"
DEPLOYMENT = "nianbao-run"


@dataclass(frozen=True, slots=True)
class SeasonSchedule:
    deployment: str
    entrypoint: str
    cron: str
    timezone: str


def season_schedule(path: Path = PREFECT_YAML) -> SeasonSchedule:
    """The cron of the `run` deployment; a missing file or deployment is a ConfigError naming it."""
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the deployment definition: {exc}") from exc
    for deployment in spec.get("deployments") or []:
        if deployment.get("name") == DEPLOYMENT:
            schedules = deployment.get("schedules") or []
            if not schedules or "cron" not in schedules[0]:
                raise ConfigError(f"{path}: deployment {DEPLOYMENT!r} has no cron schedule")
            first = schedules[0]
            return SeasonSchedule(
                DEPLOYMENT, deployment["entrypoint"], first["cron"], first.get("timezone", "UTC")
            )
    raise ConfigError(f"{path}: no deployment named {DEPLOYMENT!r}")
