"""Throwaway servers on 127.0.0.1 for a team's lake, started by its tests and its bench: a PostgreSQL cluster
(Debian's server binaries, initdb into a temporary folder, listening on 127.0.0.1 only) for the catalog, and
an S3-compatible server (moto's server mode) for the Parquet files. Each is stopped and removed on exit.

PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` account (or `nobody`) through
runuser. The superuser's password is random, given to clients through $PGPASSWORD, never in a location.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
# no proxy, whatever the environment says: these servers are on loopback
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None when they are not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def missing_servers() -> str | None:
    """Why a team's lake cannot be started here (tests skip with it), or None."""
    if postgres_bin() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not installed: apt-get install postgresql"
    if os.getuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser: PostgreSQL refuses to run as root"
    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("flask") is None:
        return "moto's S3 server not installed: pip install 'moto[server]'"
    return None


@dataclass(frozen=True)
class Postgres:
    """A running cluster: connect with user `nianbao` on 127.0.0.1:port and $PGPASSWORD=password."""

    port: int
    password: str
    bin: Path
    pid: int  # the postmaster's (its CPU time counts its ended backends as reaped children)

    def location(self, dbname: str) -> str:
        """A nianbao warehouse location of a DuckLake catalog in database `dbname` (no password in it)."""
        return f"postgres:dbname={dbname} host={HOST} port={self.port} user=nianbao"

    def create_database(self, name: str) -> None:
        subprocess.run(
            [str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "nianbao", name],
            env={**os.environ, "PGPASSWORD": self.password},
            check=True,
            capture_output=True,
        )


@contextmanager
def postgres_cluster() -> Iterator[Postgres]:
    """A new cluster in a temporary folder on a free port; stopped (immediately) and removed on exit."""
    binaries = postgres_bin()
    assert binaries is not None, missing_servers()
    root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    runner: list[str] = []
    if os.getuid() == 0:
        account = "postgres" if _has_account("postgres") else "nobody"
        runner = ["runuser", "-u", account, "--"]
        shutil.chown(root, account)
    password = secrets.token_urlsafe(16)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    if runner:
        shutil.chown(pwfile, runner[2])
    data = root / "data"
    port = free_port()
    try:
        subprocess.run(
            [
                *runner,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "nianbao",
                "-E",
                "UTF8",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        pwfile.unlink()
        options = (
            f"-c listen_addresses={HOST} -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off"
        )
        subprocess.run(
            [
                *runner,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        try:
            pid = int((data / "postmaster.pid").read_text().split()[0])
            yield Postgres(port=port, password=password, bin=binaries, pid=pid)
        finally:
            subprocess.run(
                [*runner, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _has_account(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass(frozen=True)
class S3:
    """A running S3-compatible server at endpoint (http://127.0.0.1:port); any key pair is accepted."""

    endpoint: str
    pid: int

    def create_bucket(self, name: str) -> None:
        _LOCAL.open(urllib.request.Request(f"{self.endpoint}/{name}", method="PUT"), timeout=30).close()

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The object keys under prefix (up to 1,000)."""
        url = f"{self.endpoint}/{bucket}?list-type=2&prefix={prefix}"
        with _LOCAL.open(url, timeout=30) as response:
            tree = ET.fromstring(response.read())
        return [node.text or "" for node in tree.iter() if node.tag.endswith("}Key") or node.tag == "Key"]


@contextmanager
def s3_server() -> Iterator[S3]:
    """moto's S3 server in its own process on a free port of 127.0.0.1; ended on exit."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)], stdout=log, stderr=log
        )
        try:
            server = S3(endpoint=f"http://{HOST}:{port}", pid=proc.pid)
            deadline = time.monotonic() + 30
            while True:
                try:
                    _LOCAL.open(f"{server.endpoint}/", timeout=2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"the S3 server did not start: {log.read()[-500:]!r}") from None
                    time.sleep(0.1)
            yield server
        finally:
            proc.terminate()
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
