"""A survey on a real Dask cluster: a ``dask scheduler`` and a ``dask worker`` process on
127.0.0.1 (ports chosen by the system), the same rows as the run in this process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the optional extra orbitview[distributed] is not installed")

from orbitview.cli import main  # noqa: E402
from orbitview.cluster import dask_runner  # noqa: E402
from orbitview.errors import OrbitviewError  # noqa: E402
from orbitview.surveys import survey  # noqa: E402

DASK = Path(sys.executable).parent / "dask"
START_TIMEOUT_S = 60.0
RANGE = ("baikonur-1/5", "soyuz-fg", "iss-2018-11", "2018-11-14", "2018-11-18")   # four opportunities


def _wait_for(path: Path, process: subprocess.Popen) -> dict:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {process.returncode}")
        if path.is_file() and path.stat().st_size:
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass                               # half-written: read it again
        time.sleep(0.2)
    raise RuntimeError("dask scheduler did not start")


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and one worker (two threads) as separate processes, stopped and reaped after."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent.parent),
                                                                      os.environ.get("PYTHONPATH")]))}
    info = tmp_path / "scheduler.json"
    processes = []
    try:
        scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                      "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(scheduler)
        address = _wait_for(info, scheduler)["address"]
        processes.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "2", "--host", "127.0.0.1",
                                           "--dashboard-address", "127.0.0.1:0", "--no-nanny"],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_survey_on_a_real_cluster_equals_the_local_run(cluster, tmp_path, capsys):
    here = survey(*RANGE)
    results = tmp_path / "rows.jsonl"
    there = survey(*RANGE, results=results, runner=dask_runner(cluster), chunk_size=1)
    assert len(here) == 4 and there == here
    assert sorted(json.loads(line)["liftoff_utc"] for line in results.read_text().splitlines()[1:]) == \
        [r["liftoff_utc"] for r in here]
    site, vehicle, elements, start, end = RANGE
    code = main(["survey", "--site", site, "--vehicle", vehicle, "--elements", elements, "--start", start,
                 "--end", end, "--scheduler", cluster, "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out) == here


def test_an_unreachable_scheduler_is_one_line(capsys):
    code = main(["survey", "--site", "baikonur-1/5", "--vehicle", "soyuz-fg", "--elements", "iss-2018-11",
                 "--start", "2018-11-16", "--end", "2018-11-17", "--scheduler", "tcp://"])
    _, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("orbitview: error: cannot reach the Dask scheduler 'tcp://': missing port number")


def test_scheduler_and_workers_together_are_refused():
    with pytest.raises(OrbitviewError, match="give one or the other"):
        dask_runner("tcp://127.0.0.1:1", 2)
