"""A year of daily launch opportunities from Baikonur into the ISS plane, surveyed with reuse.

Every opportunity (the liftoff on time into the ISS's plane on the ascending pass, about one a day: 371 from
2018-06-01 to 2019-06-01, from the 2018-11 element sets) is flown once and re-timed
(``orbitview.surveys``), then seen from the ISS (sightlines every 2 s over 15 min, ten bodies).
Flying each from scratch is measured on a sample and extrapolated to the whole year (flying all
371 would take minutes); the reuse's error is the largest distance between the re-timed and the
fresh vehicle over the scene, and whether the survey rows agree, on the same sample.
Goal: the year under 30 s on a 2-core machine. Run: ``python benchmarks/bench_survey.py [--dask N]``.
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from orbitview.clock import parse_utc
from orbitview.surveys import SurveyJob, fly_and_observe, reuse_error_km, survey
from orbitview.tle import StaleElementsWarning

SITE, VEHICLE, ELEMENTS = "baikonur-1/5", "soyuz-fg", "iss-2018-11"
START, END = "2018-06-01", "2019-06-01"
SAMPLE = 6          # fresh flights timed (spread over the year) to extrapolate flying every one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dask", type=int, metavar="N", help="also run on a local Dask cluster of N workers")
    args = parser.parse_args()
    warnings.simplefilter("ignore", StaleElementsWarning)
    job = SurveyJob(SITE, VEHICLE, ELEMENTS)

    start = time.perf_counter()
    rows = survey(SITE, VEHICLE, ELEMENTS, START, END)
    reused_s = time.perf_counter() - start
    seen = sum(1 for r in rows if r["visible_s"])
    print(f"survey with reuse, in this process: {len(rows)} opportunities in {reused_s:.1f} s "
          f"({reused_s / len(rows) * 1000:.0f} ms each; {seen} with the vehicle in view)")

    found = job.opportunities(parse_utc(START), parse_utc(END))
    picks = [found[i] for i in np.linspace(1, len(found) - 1, SAMPLE).astype(int)]
    start = time.perf_counter()
    fresh = fly_and_observe(job, found[0].liftoff.tt, [o.liftoff.tt for o in picks], reuse=False)
    fresh_each_s = (time.perf_counter() - start) / SAMPLE
    scratch_s = fresh_each_s * len(rows)
    print(f"from scratch: {fresh_each_s:.2f} s per opportunity (mean of {SAMPLE} flown), "
          f"extrapolated {scratch_s:.0f} s for the year; reuse is {scratch_s / reused_s:.0f}x faster")

    reused = fly_and_observe(job, found[0].liftoff.tt, [o.liftoff.tt for o in picks])
    errors = [reuse_error_km(job, found[0].liftoff, o.liftoff) for o in picks]
    print(f"reuse error against fresh flights (vehicle position over 20 min, {SAMPLE} opportunities): "
          f"max {max(errors):.1f} km, median {np.median(errors):.1f} km; survey rows identical: {reused == fresh}")

    if args.dask:
        from orbitview.cluster import dask_runner

        start = time.perf_counter()
        on_dask = survey(SITE, VEHICLE, ELEMENTS, START, END, runner=dask_runner(workers=args.dask), chunk_size=16)
        dask_s = time.perf_counter() - start
        print(f"survey with reuse on a local Dask cluster of {args.dask} workers (startup included): "
              f"{dask_s:.1f} s, {reused_s / dask_s:.2f}x the in-process run; rows equal: {on_dask == rows}")


if __name__ == "__main__":
    main()
