"""Sightline throughput: (instant x body) evaluations per second, side by side with baselines.

* orbitview  ``compute_sightlines`` over N instants x B bodies (visibility, grazing height,
  background, illumination, Sun elevation below, station direction, Cupola window, camera pixel);
* skyfield   ``ICRF.is_sunlit(ephemeris)`` on the same instants (one body; sunlight only);
* naive      ``compute_sightlines`` called once per (instant, body) in a Python loop.

Run: ``python benchmarks/bench_sightlines.py [--instants N] [--bodies B]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from skyfield.api import EarthSatellite

from orbitview.skydata import ephemeris, timescale
from orbitview.view.camera import Camera, Pointing, camera_to_station
from orbitview.view.sightline import compute_sightlines
from orbitview.view.station import station_axes

ISS_LINE1 = "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997"
ISS_LINE2 = "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"
NAIVE_POINTS = 200


def _best_of(repeat: int, run) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instants", type=int, default=100_000)
    parser.add_argument("--bodies", type=int, default=10)
    args = parser.parse_args()
    n, b = args.instants, args.bodies

    ts = timescale()
    sat = EarthSatellite(ISS_LINE1, ISS_LINE2, "ISS", ts)
    t = ts.utc(2018, 11, 16, 18, 14, np.linspace(0.0, 900.0, n))     # a 15-minute video
    iss = sat.at(t)
    r, v = iss.position.km, iss.velocity.km_per_s
    # Bodies scattered up to ~2,000 km from the station: a rocket and its stages, roughly.
    targets = r[:, :, None] + np.random.default_rng(1).normal(0.0, 1000.0, (3, n, b))
    camera = Camera(1920, 1080, 60.0)
    to_station = camera_to_station(Pointing.fixed(200.0, -20.0), camera)
    eph = ephemeris()

    def ours(t, r, v, targets):       # the station's attitude as the scene builds it, then the sightlines
        return compute_sightlines(t, r, targets, station_axes(r, v), camera=camera, camera_to_station=to_station)

    ours_s = _best_of(3, lambda: ours(t, r, v, targets))
    skyfield_s = _best_of(3, lambda: iss.is_sunlit(eph))
    naive = [(i % n, i % b) for i in range(0, NAIVE_POINTS * 7919, 7919)]
    naive_s = _best_of(1, lambda: [ours(t[i], r[:, i], v[:, i], targets[:, i, j]) for i, j in naive])

    rows = [("orbitview compute_sightlines (full sightline)", n * b / ours_s, n * b),
            ("skyfield ICRF.is_sunlit (sunlight only)", n / skyfield_s, n),
            ("naive per-point loop of compute_sightlines", NAIVE_POINTS / naive_s, NAIVE_POINTS)]
    print(f"{'method':48s} {'evaluations':>12s} {'evaluations/s':>15s}")
    for name, rate, count in rows:
        print(f"{name:48s} {count:12,d} {rate:15,.0f}")
    print(f"target: 1,000,000 evaluations/s -> {'met' if rows[0][1] >= 1e6 else 'NOT met'}")


if __name__ == "__main__":
    main()
