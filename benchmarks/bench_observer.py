"""ISS track speed: orbitview's Observer vs skyfield's EarthSatellite vs raw sgp4, one process.

One day at 1 s steps (86,400 instants) from the 2019 element set. Raw sgp4 gives TEME vectors
only (no frame rotation): it is the floor orbitview aims to stay within 2x of.
Run: ``make bench`` or ``python benchmarks/bench_observer.py``.
"""
from __future__ import annotations

import time

import numpy as np
from sgp4.api import SatrecArray
from skyfield.api import EarthSatellite

from orbitview import tle
from orbitview.orbits import Observer
from orbitview.skydata import timescale

REPEATS = 3


def best_rate(fn, n: int) -> float:
    """States per second of the fastest of a few runs (after one warm-up)."""
    fn()
    best = min(_timed(fn) for _ in range(REPEATS))
    return n / best


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ts = timescale()
    elements = tle.load("iss-2019-09").sets[0]
    t = ts.utc(2019, 9, 25, 0, 0, np.arange(0.0, 86400.0, 1.0))
    n = len(t)
    # skyfield caches nutation on a Time object: every run gets a fresh one, made the same way.
    fresh = lambda: ts.tt_jd(t.whole, t.tt_fraction)  # noqa: E731
    observer = Observer.from_tle(elements.line1, elements.line2, name="ISS")
    satellite = EarthSatellite(elements.line1, elements.line2, "ISS", ts)
    raw = SatrecArray([elements.satrec])
    whole = t.whole
    fraction = t.tai_fraction - t._leap_seconds() / 86400.0

    rates = {
        "raw sgp4 SatrecArray (TEME)": best_rate(lambda: raw.sgp4(whole, fraction), n),
        "orbitview Observer.gcrs_state": best_rate(lambda: observer.gcrs_state(fresh()), n),
        "orbitview Observer.at": best_rate(lambda: observer.at(fresh()), n),
        "skyfield EarthSatellite.at": best_rate(lambda: satellite.at(fresh()).position.km, n),
    }
    error_m = np.abs(observer.at(t).position.km - satellite.at(t).position.km).max() * 1000.0
    print(f"ISS track, {n:,} instants (one day at 1 s)")
    for name, rate in rates.items():
        print(f"  {name:32s} {rate:12,.0f} states/s")
    ours = rates["orbitview Observer.gcrs_state"]
    print(f"  orbitview / skyfield: {ours / rates['skyfield EarthSatellite.at']:6.1f}x faster (bar: 30x)")
    print(f"  raw sgp4 / orbitview: {rates['raw sgp4 SatrecArray (TEME)'] / ours:6.2f}x (goal: within 2x)")
    print(f"  max position difference from skyfield: {error_m:.4f} m (bar: 1 m)")


if __name__ == "__main__":
    main()
