"""Where the ingest and reprocess flows run the transform: `local` (worker processes of this machine,
ingest.workers) or `dask` (prefect-dask's DaskTaskRunner: a LocalCluster of processes, or the scheduler at
ingest.dask_address). Either way the frames come back to the flow's process, the one warehouse writer."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from ingest.workers import ProcessPool, Transformer, TransformResult, chunks, merge, worker_count
from transforms.model import Page


@task(name="transform-pages", cache_policy=NO_CACHE)
def transform_task(pages: list[Page]) -> TransformResult:
    """A chunk of pages → frames, on whichever worker the flow's task runner picks (no warehouse access)."""
    from ingest.pages import pages_to_frames

    return pages_to_frames(pages)


class PrefectTasks:
    """The transform as Prefect tasks on the flow's task runner (one task per chunk, never per page)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = worker_count(workers)

    def submit(self, pages: Sequence[Page]) -> Callable[[], TransformResult]:
        futures = [transform_task.submit(part) for part in chunks(pages, self.workers)]
        return lambda: merge([future.result() for future in futures])


def transformer_for(runner: str, workers: int | None) -> Transformer:
    """The transformer of a flow run: Prefect tasks on its Dask runner, else local worker processes."""
    if runner == "dask":
        return PrefectTasks(workers)
    return ProcessPool(workers)


def resolve_runner(runner: str | None) -> str:
    """The runner asked for, else ingest.runner from settings."""
    if runner:
        return runner
    from nianbao.bounds import bounds

    return bounds().ingest.runner


def dask_task_runner(workers: int | None = None, address: str | None = None) -> Any:
    """prefect-dask's DaskTaskRunner: on the scheduler at `address` (else ingest.dask_address), or on a
    LocalCluster of one single-threaded process per worker (no dashboard)."""
    from prefect_dask import DaskTaskRunner

    from nianbao.bounds import bounds

    address = address or bounds().ingest.dask_address
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": worker_count(workers),
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
    )


def with_runner(flow: Any, runner: str, workers: int | None = None) -> Any:
    """The flow with the Dask task runner when runner is 'dask' (as it is otherwise). Run it inside
    flows.prefect_api.prefect_api(), as the CLI does: the Dask workers report to the API that names, in the
    environment they inherit or the Prefect profile they read; without one each worker would start a
    temporary server of its own, which outlives the cluster."""
    if runner != "dask":
        return flow
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.core"):
        logging.getLogger(name).setLevel(os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"))
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # the worker processes read it
    return flow.with_options(task_runner=dask_task_runner(workers))
