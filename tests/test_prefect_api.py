"""A command's flow runs without a Prefect server: a temporary one, started by command line, so the flow's
process never imports Prefect's server package; stopped when the block ends; a named server is used as is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, os, sys
import httpx
from prefect import flow
from flows.prefect_api import prefect_api

@flow(name="temporary-api-probe")
def probe() -> int:
    return 41 + 1

with prefect_api():
    url = os.environ["PREFECT_API_URL"]
    value = probe()
    server_imported = "prefect.server.api.server" in sys.modules
try:
    httpx.get(url + "/health", timeout=2)
    stopped = False
except httpx.TransportError:
    stopped = True
print(json.dumps({"value": value, "url": url, "server_imported": server_imported, "stopped": stopped,
                  "env_after": os.environ.get("PREFECT_API_URL")}))
"""


def test_a_flow_without_a_server_runs_on_a_temporary_one_stopped_at_the_end() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    child = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert child.returncode == 0, child.stderr[-2000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["value"] == 42
    assert seen["url"].startswith("http://127.0.0.1:") and seen["url"].endswith("/api")
    assert seen["server_imported"] is False
    assert seen["stopped"] is True and seen["env_after"] is None
    # the flow run's last log lines reached the server before it stopped: nothing failed at exit
    assert "Error logging to API" not in child.stderr + child.stdout


@pytest.mark.usefixtures("prefect_harness")
def test_a_server_the_settings_name_is_used_as_it_is() -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.prefect_api import prefect_api

    named, before = PREFECT_API_URL.value(), os.environ.get("PREFECT_API_URL")
    assert named
    with prefect_api():  # no server of its own: the harness's is kept, the environment is left alone
        assert PREFECT_API_URL.value() == named
        assert os.environ.get("PREFECT_API_URL") == before
