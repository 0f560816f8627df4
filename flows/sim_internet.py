"""A simulated national crawl target on loopback: N FICTIONAL county sites, each its own host name under
`.sim`, all served by one asyncio process on 127.0.0.1 that dispatches on the Host header.

Each site is one of the sample site's CMS styles (flows/sample_site.py and flows/sample_variants.py: TRS,
Hanweb, JSON API, 下一页 links, the sample site's two columns) with 5–10 years of reports, a latency drawn
for it (50–800 ms by default, added to every answer), some with a robots.txt Crawl-delay, and a few
percent of answers faulty (503 with Retry-After, 500, a body cut short). Everything is drawn from a seed:
the same arguments give the same internet.

Names resolve through `sim_resolver`, which the fetcher's guarded backend calls instead of the system
resolver: a `.sim` name is 127.0.0.1 and any other name does not resolve, so nothing leaves 127.0.0.0/8.

The server logs every request (host, path, status, when it arrived and when its answer was written, on
time.monotonic, which all processes of the machine share, and the fault played if any) to a JSON-lines
file when it stops; `violations`
reads such a log and names every host that saw two requests closer than its spacing or more at once than
its concurrency. Run `python -m flows.sim_internet --sites N --log FILE`: it prints its port, then serves
until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

import yaml

from flows.sample_site import SampleSite, SampleSiteSpec, build_sample_site
from flows.sample_variants import _COLUMNS, VARIANTS, build_variant_site
from flows.sources import SOURCES_DIR, SOURCES_FILE, Listing, Site, load_sources
from nianbao.settings import config_dir

DOMAIN = "county.sim"
Style = Literal["trs", "hanweb", "json", "nav", "sample"]
STYLES: tuple[Style, ...] = (*VARIANTS, "sample")
LAW = r"(\d{4})\s*年度?.{0,8}?法治政府建设.{0,12}报告"
LAW_KIND = "law_based_government_annual_report"
FaultKind = Literal["503", "500", "truncate"]
FAULTS: tuple[FaultKind, ...] = ("503", "500", "truncate")
LOOPBACK = "127.0.0.1"


def sim_resolver(host: str, port: int) -> list[str]:
    """A `.sim` host is 127.0.0.1; anything else does not resolve (the simulation never reaches out)."""
    if host.lower().rstrip(".").endswith(".sim"):
        return [LOOPBACK]
    raise OSError(f"{host!r} is not a simulated (.sim) host")


@dataclass(frozen=True, slots=True)
class SimSite:
    """One simulated site: its host, CMS style, years of reports, latency and fault rate."""

    number: int
    style: Style
    first_year: int
    latency: float
    fault_rate: float
    crawl_delay: float | None

    @property
    def host(self) -> str:
        return f"s{self.number:05d}.{DOMAIN}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, 2025))

    def site(self, port: int) -> Site:
        """The site as the crawler's config sees it (a FICTIONAL county; private addresses allowed)."""
        if self.style == "sample":
            listings = (
                Listing(path="fzzf/index.html", kind=LAW_KIND, title_pattern=LAW),
                Listing(path="col/col9901/index.html", kind=LAW_KIND, title_pattern=LAW),
            )
        else:
            column = _COLUMNS[self.style][0].lstrip("/")
            listings = (Listing(path=column, kind=LAW_KIND, title_pattern=LAW),)
        return Site(
            id=f"sim-{self.number:05d}",
            name=f"模拟县{self.number}（虚构）",
            region_code="990121",
            base_url=f"http://{self.host}:{port}/",
            listings=listings,
            allow_private_addresses=True,
            addresses=(LOOPBACK,),
        )

    @property
    def report_paths(self) -> dict[int, str]:
        """Where each year's report is served (the same paths on every site of this style and span)."""
        return _content(self.style, self.first_year).report_paths

    def report_body(self, year: int) -> bytes:
        return _content(self.style, self.first_year).resources[self.report_paths[year]].body


def draw_sites(
    count: int,
    seed: int = 10,
    latency: tuple[float, float] = (0.05, 0.8),
    fault_rate: tuple[float, float] = (0.0, 0.05),
    crawl_delay_share: float = 0.05,
) -> list[SimSite]:
    """count sites, each with its style, 5–10 years, latency, fault rate and (a few) a Crawl-delay of 2 s."""
    rng = random.Random(seed)
    return [
        SimSite(
            n,
            STYLES[n % len(STYLES)],
            rng.randint(2015, 2020),
            round(rng.uniform(*latency), 3),
            round(rng.uniform(*fault_rate), 4),
            2.0 if rng.random() < crawl_delay_share else None,
        )
        for n in range(count)
    ]


@cache
def _content(style: Style, first_year: int) -> SampleSite:
    """The pages of one style and span (shared by every site that has them: hosts differ, bytes need not)."""
    years = tuple(range(first_year, 2025))
    if style == "sample":
        return build_sample_site(SampleSiteSpec(years=years, page_size=4))
    return build_variant_site(style, years)


def _robots(site: SimSite) -> bytes:
    delay = f"Crawl-delay: {site.crawl_delay:g}\n" if site.crawl_delay else ""
    return f"# a FICTIONAL county (simulated)\nUser-agent: *\n{delay}Disallow: /admin/\n".encode()


class _Log:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, float, float, str | None]] = []


_Request = tuple[str, str, str, dict[str, str], bytes, float]  # method, target, host, headers, body, arrived


class _Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, enough for the crawler: request line, headers, a Content-Length body."""

    def __init__(self, sites: Mapping[str, SimSite], log: _Log, rng: random.Random):
        self._sites, self._log, self._rng = sites, log, rng
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._queue: asyncio.Queue[_Request | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._worker = asyncio.get_running_loop().create_task(self._answer_in_order())

    def connection_lost(self, exc: Exception | None) -> None:
        self._queue.put_nowait(None)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self._buffer) < end + 4 + length:
                return
            body = self._buffer[end + 4 : end + 4 + length]
            self._buffer = self._buffer[end + 4 + length :]
            method, target, _ = [*head[0].split(" "), "", ""][:3]
            self._queue.put_nowait((method, target, headers.get("host", ""), headers, body, time.monotonic()))

    async def _answer_in_order(self) -> None:
        while (request := await self._queue.get()) is not None:
            if self._transport is None or self._transport.is_closing():
                return
            await self._answer(*request)

    async def _answer(
        self, method: str, target: str, host_header: str, headers: dict[str, str], body: bytes, arrived: float
    ) -> None:
        host = host_header.rsplit(":", 1)[0].lower()
        site = self._sites.get(host)
        if site is None:
            self._send(404, b"no such host", "text/plain", host, target, arrived)
            return
        await asyncio.sleep(site.latency)
        parts = urlsplit(target)
        fault = self._rng.random() < site.fault_rate and parts.path != "/robots.txt"
        if fault:
            kind = self._rng.choice(FAULTS)
            if kind == "truncate":
                self._send(200, b"<html>" + b"x" * 2000, "text/html", host, target, arrived, fault=kind)
            else:
                extra = (("Retry-After", "1"),) if kind == "503" else ()
                self._send(
                    int(kind),
                    f"status {kind}".encode(),
                    "text/plain",
                    host,
                    target,
                    arrived,
                    extra,
                    fault=kind,
                )
            return
        if parts.path == "/robots.txt":
            self._send(200, _robots(site), "text/plain; charset=utf-8", host, target, arrived)
            return
        content = _content(site.style, site.first_year)
        answer = content.dynamic.get(parts.path)
        if answer is not None:
            form = dict(parse_qsl(body.decode("utf-8", errors="replace")))
            resource = answer(method, {**dict(parse_qsl(parts.query)), **form})
            if resource is None:
                self._send(405, b"not accepted here", "text/plain", host, target, arrived)
            else:
                self._send(200, resource.body, resource.content_type, host, target, arrived)
            return
        resource = content.resources.get(parts.path)
        if resource is None:
            self._send(404, b"not found", "text/plain", host, target, arrived)
        elif headers.get("if-none-match") == resource.etag:
            self._send(304, b"", None, host, target, arrived, (("ETag", resource.etag),))
        else:
            self._send(
                200,
                resource.body,
                resource.content_type,
                host,
                target,
                arrived,
                (("ETag", resource.etag), ("Last-Modified", resource.last_modified)),
            )

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        host: str,
        target: str,
        arrived: float,
        extra: tuple[tuple[str, str], ...] = (),
        fault: FaultKind | None = None,
    ) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        lines = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'X'}", f"Content-Length: {len(body)}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines += [f"{name}: {value}" for name, value in extra]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        cut = fault == "truncate"
        transport.write(head + (body[: len(body) // 2] if cut else body))
        self._log.rows.append((host, target, status, arrived, time.monotonic(), fault))
        if cut:
            transport.close()


async def _serve(sites: list[SimSite], log_path: Path, seed: int) -> None:
    loop = asyncio.get_running_loop()
    by_host = {site.host: site for site in sites}
    log, rng = _Log(), random.Random(seed + 1)
    server = await loop.create_server(lambda: _Http(by_host, log, rng), "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    with log_path.open("w", encoding="utf-8") as out:
        for host, target, status, arrived, done, fault in log.rows:
            out.write(
                json.dumps(
                    {
                        "host": host,
                        "path": target,
                        "status": status,
                        "arrived": arrived,
                        "done": done,
                        "fault": fault,
                    }
                )
                + "\n"
            )


@dataclass(slots=True)
class RunningInternet:
    """The simulated internet being served: its sites, port and the log file it writes when it stops."""

    sites: list[SimSite]
    port: int
    log_path: Path

    def crawl_sites(self) -> list[Site]:
        return [site.site(self.port) for site in self.sites]

    def config_folder(
        self, folder: Path, politeness: Mapping[str, Any] | None = None, extra: Sequence[Site] = ()
    ) -> Path:
        """A copy of the project's config whose sources are these simulated sites (their names pinned to
        loopback) plus `extra`, and no real site: with it as $NIANBAO_CONFIG the real flows crawl the
        simulation and nothing else. politeness: the shared defaults (else the project's)."""
        shutil.copytree(config_dir(), folder)
        shutil.rmtree(folder / SOURCES_DIR, ignore_errors=True)
        sites = [s.model_dump(mode="json", exclude_defaults=True) for s in (*self.crawl_sites(), *extra)]
        shared = load_sources().politeness.merged(dict(politeness or {}))
        text = yaml.safe_dump(
            {"politeness": shared.model_dump(mode="json"), "sites": sites},
            allow_unicode=True,
            sort_keys=False,
        )
        (folder / SOURCES_FILE).write_text(text, encoding="utf-8")
        return folder


@contextmanager
def serve_internet(count: int, log_path: Path, seed: int = 10, **draw: object) -> Iterator[RunningInternet]:
    """Serve count simulated sites from a child process until the block ends; the log is written then."""
    args = [
        sys.executable,
        "-m",
        "flows.sim_internet",
        "--sites",
        str(count),
        "--seed",
        str(seed),
        "--log",
        str(log_path),
    ]
    for name, value in draw.items():
        args += [f"--{name.replace('_', '-')}", json.dumps(value)]
    child = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        port = int((child.stdout.readline() if child.stdout else "").strip() or 0)
        if not port:
            raise RuntimeError("the simulated internet did not start")
        yield RunningInternet(draw_sites(count, seed, **draw), port, log_path)  # type: ignore[arg-type]
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)


@dataclass(frozen=True, slots=True)
class Violation:
    """A host that was asked too soon after its last request, or asked more than once at a time."""

    host: str
    what: str


def violations(
    log_path: Path, spacing: Mapping[str, float], concurrency: int = 1, tolerance: float = 0.0
) -> list[Violation]:
    """Every breach of a host's spacing (seconds between arrivals, per host) or concurrency in a log."""
    by_host: dict[str, list[tuple[float, float]]] = {}
    for line in log_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_host.setdefault(row["host"], []).append((row["arrived"], row["done"]))
    found: list[Violation] = []
    for host, spans in by_host.items():
        spans.sort()
        gap = spacing.get(host, 0.0) - tolerance
        for (start, end), (after, _) in itertools.pairwise(spans):
            if after - start < gap:
                found.append(Violation(host, f"two requests {after - start:.3f} s apart (spacing {gap:g} s)"))
            if after < end and concurrency <= 1:
                found.append(Violation(host, f"a request arrived at {after:.3f} while one was under way"))
        if concurrency > 1:
            events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
            level = 0
            for _, step in events:
                level += step
                if level > concurrency:
                    found.append(Violation(host, f"{level} requests at once (concurrency {concurrency})"))
                    break
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--log", type=Path, required=True)
    for name in ("latency", "fault-rate", "crawl-delay-share"):
        parser.add_argument(f"--{name}", type=json.loads)
    args = parser.parse_args(argv)
    draw = {
        k: v for k in ("latency", "fault_rate", "crawl_delay_share") if (v := getattr(args, k)) is not None
    }
    draw = {k: tuple(v) if isinstance(v, list) else v for k, v in draw.items()}
    asyncio.run(_serve(draw_sites(args.sites, args.seed, **draw), args.log, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
