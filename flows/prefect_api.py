"""The Prefect API a command's flow runs report to: the user's server when PREFECT_API_URL names one, else a
temporary local server for the length of the command, as Prefect's ephemeral mode starts one.

Prefect's ephemeral mode starts that server as a child process (uvicorn serving prefect.server.api's app),
but to do so imports Prefect's whole server package into the calling process: SQLAlchemy, FastAPI, the API's
routes and models, ~85 MB that stay resident for the run and that the child holds again on its own. Here the
same child is started by command line, so the flow's process imports only Prefect's client.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

API_URL_VAR = "PREFECT_API_URL"
STARTUP_TIMEOUT_VAR = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
DEFAULT_STARTUP_SECONDS = 20.0  # Prefect's own default for the ephemeral server
DRAIN_SECONDS = 5.0  # at most, per worker, as Prefect's own log handler waits when it flushes
# What Prefect's ephemeral mode sets for its server: no UI, and the server knows it is a temporary one.
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


class ServerStartError(RuntimeError):
    """The temporary Prefect server did not answer its health check in time (or exited)."""


@contextmanager
def prefect_api() -> Iterator[None]:
    """Flow runs inside the block report to the Prefect server the settings name (PREFECT_API_URL in the
    environment or the Prefect profile, or a test harness's), or else to a temporary one on 127.0.0.1 that
    is stopped when the block ends (its address is in the environment meanwhile, so child processes such as
    Dask workers report there too)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return

    server, url = _start()
    os.environ[API_URL_VAR] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        os.environ.pop(API_URL_VAR, None)
        _drain_to(server)
        _stop(server)


def _start() -> tuple[subprocess.Popen[bytes], str]:
    import prefect

    seconds = float(os.environ.get(STARTUP_TIMEOUT_VAR) or DEFAULT_STARTUP_SECONDS)
    deadline = time.monotonic() + seconds
    while True:
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(prefect.__file__).resolve().parents[1]),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        server = subprocess.Popen(command, env={**os.environ, **SERVER_ENV})
        url = f"http://127.0.0.1:{port}/api"
        if _healthy(server, url, deadline):
            return server, url
        code = server.poll()
        _stop(server)
        if code != 3 or time.monotonic() >= deadline:  # 3: uvicorn could not bind (the port was taken)
            exited = f", it exited with code {code}" if code is not None else ""
            raise ServerStartError(
                f"the temporary Prefect server did not answer within {seconds:g} s{exited} (set "
                f"{STARTUP_TIMEOUT_VAR} to wait longer, or {API_URL_VAR} to use a running server)"
            )


def _healthy(server: subprocess.Popen[bytes], url: str, deadline: float) -> bool:
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    return False


def _drain_to(server: subprocess.Popen[bytes]) -> None:
    """Prefect's log and event workers send what they still hold (the last flow run's closing lines) while
    the server is up: after it stops, they would print "Error logging to API" at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    if server.poll() is None:
        for worker in (APILogWorker, EventsWorker):
            worker.drain_all(timeout=DRAIN_SECONDS)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
