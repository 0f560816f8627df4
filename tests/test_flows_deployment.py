"""prefect.yaml: the `run` deployment loads, points at a real flow, and its cron covers the season."""

from __future__ import annotations

from datetime import datetime

import yaml
from cronsim import CronSim
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint

from flows.schedule import PREFECT_YAML, season_schedule
from nianbao.settings import PROJECT_ROOT


def test_deployment_definition_loads_and_names_the_run_flow() -> None:
    schedule = season_schedule()
    assert schedule.deployment == "nianbao-run"
    flow = load_flow_from_entrypoint(str(PROJECT_ROOT / schedule.entrypoint))
    assert flow.name == "run"
    assert CronSchedule(cron=schedule.cron, timezone=schedule.timezone).cron == schedule.cron


def test_cron_fires_weekly_in_january_to_may_only() -> None:
    schedule = season_schedule()
    fires = CronSim(schedule.cron, datetime(2026, 1, 1))
    months = [next(fires) for _ in range(60)]
    assert {m.month for m in months} <= {1, 2, 3, 4, 5}
    january = [m for m in months if m.year == 2026 and m.month == 1]
    assert 4 <= len(january) <= 5  # weekly


def test_no_absolute_paths_in_the_deployment_file() -> None:
    text = PREFECT_YAML.read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    assert str(PROJECT_ROOT) not in text
    entrypoints = [d["entrypoint"] for d in spec["deployments"]]
    assert all(not e.startswith("/") for e in entrypoints)
