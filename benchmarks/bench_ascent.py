"""Wall time of a full Soyuz-FG ascent: azimuth shooting, powered flight, every falling part to impact.

Both scenes (Progress MS-10, Soyuz MS-15), target: under 1 s each on a 2-core machine.
Run: ``python benchmarks/bench_ascent.py``.
"""
from __future__ import annotations

import time
import warnings

from orbitview import tle
from orbitview.ascent import TargetOrbit, fly, load_vehicle
from orbitview.clock import Clock
from orbitview.orbits import Observer
from orbitview.sites import load_site
from orbitview.tle import StaleElementsWarning

REPEATS = 5
SCENES = [("Progress MS-10", "2018-11-16T18:14:08Z", "iss-2018-11", 7300.0),
          ("Soyuz MS-15", "2019-09-25T13:57:42.7Z", "iss-2019-09", 7200.0)]


def main() -> None:
    site, vehicle = load_site("baikonur-1/5"), load_vehicle("soyuz-fg")
    for title, utc, archive, payload_kg in SCENES:
        clock = Clock.from_utc(utc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleElementsWarning)
            r, v = Observer(tle.load(archive)).gcrs_state(clock.liftoff)
        target = TargetOrbit.from_observer_state(r, v)
        fly(site, vehicle, payload_kg, clock, target)                      # warm-up (frame tables)
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            ascent = fly(site, vehicle, payload_kg, clock, target)
            times.append(time.perf_counter() - start)
        landed = sum(i is not None for i in ascent.impacts.values())
        print(f"{title}: full ascent + {len(ascent.bodies) - 1} falling parts ({landed} to impact): "
              f"best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s of {REPEATS}")


if __name__ == "__main__":
    main()
