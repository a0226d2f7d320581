"""Surveys on Dask: a local cluster of worker processes, or any cluster given by its scheduler.

Each task is a chunk of liftoffs; a worker flies the survey's reference flight once (cached per
process, ``surveys.reference_flight``) and re-times it for every liftoff of every chunk it gets,
so a cluster's cost is one flight per worker plus the sightlines. Rows come back as chunks
finish, and the survey streams them to its results file.

Local clusters run one single-threaded worker process per core and give each worker's numba an
equal share of the cores (``NUMBA_NUM_THREADS``), so workers do not oversubscribe the machine.
``dask.distributed`` is the optional extra ``orbitview[distributed]``.
"""
from __future__ import annotations

import logging
import os
from typing import Iterator

from .errors import OrbitviewError
from .surveys import Runner, SurveyJob, fly_and_observe

CONNECT_TIMEOUT_S = 20.0


def _distributed():
    try:
        import distributed
    except ImportError:
        raise OrbitviewError("running on Dask needs the optional extra: pip install 'orbitview[distributed]'") from None
    return distributed


def local_workers(workers: int | None) -> tuple[int, int]:
    """Worker processes (default: one per core) and numba threads for each (the cores shared out)."""
    cores = os.cpu_count() or 1
    count = cores if workers is None else workers
    if not 1 <= count <= 1024:
        raise OrbitviewError(f"--workers {count}: expected 1 to 1024 worker processes")
    return count, max(1, cores // count)


def dask_runner(scheduler: str | None = None, workers: int | None = None) -> Runner:
    """A survey runner on the Dask cluster at ``scheduler`` (``tcp://HOST:PORT``), or on a local
    cluster of ``workers`` processes started for the survey and closed after it."""
    distributed = _distributed()
    if scheduler is not None and workers is not None:
        raise OrbitviewError(f"--scheduler {scheduler} and --workers {workers}: a cluster's workers are its own; "
                             "give one or the other")
    if scheduler is not None and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise OrbitviewError(f"--scheduler {scheduler!r}: expected an address such as tcp://127.0.0.1:8786")

    def run(job: SurveyJob, reference_tt: float, chunks: list[list[float]]) -> Iterator[list[dict]]:
        cluster = None
        try:
            if scheduler is None:
                count, threads = local_workers(workers)
                cluster = distributed.LocalCluster(n_workers=count, threads_per_worker=1, processes=True,
                                                   dashboard_address=None, silence_logs=logging.ERROR,
                                                   env={"NUMBA_NUM_THREADS": str(threads)})
                client = distributed.Client(cluster)
            else:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:     # refused, timed out, or a malformed address
            raise OrbitviewError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
        try:
            futures = [client.submit(fly_and_observe, job, reference_tt, chunk, pure=False) for chunk in chunks]
            for future in distributed.as_completed(futures):
                yield future.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run
