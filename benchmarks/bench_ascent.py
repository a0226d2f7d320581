"""Wall time of full ascents, side by side: powered flight and every falling part.

Soyuz-FG (Progress MS-10, Soyuz MS-15: eight falling parts each) beside Falcon 9 (Crew Dragon
Demo-2: the first stage's entry and landing burns, the second stage), interleaved run by run so
that both see the same machine load; the ratio Falcon 9 / Soyuz-FG is the figure to watch (the
issue's budget: no more than 1). Target: under 1 s each on a 2-core machine.
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
# (title, liftoff UTC, element sets and their use, payload kg, site, vehicle, target perigee and
# apogee km, rendezvous h): as the scenario files have them
SCENES = [("Progress MS-10 / Soyuz-FG", "2018-11-16T18:14:08Z", "iss-2018-11", "blend", 7300.0, "baikonur-1/5",
           "soyuz-fg", 200.0, 240.0, 49.2),
          ("Soyuz MS-15 / Soyuz-FG", "2019-09-25T13:57:42.7Z", "iss-2019-09", "nearest", 7200.0, "baikonur-1/5",
           "soyuz-fg", 200.0, 240.0, 5.75),
          ("Demo-2 / Falcon 9", "2020-05-30T19:22:45Z", "iss-2020-05", "nearest", 12500.0, "kennedy-lc-39a",
           "falcon9", 200.0, 210.0, 19.1)]


def _case(utc, archive, mode, payload_kg, site, vehicle, perigee_km, apogee_km, rendezvous_h):
    clock = Clock.from_utc(utc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        r, v = Observer(tle.load(archive), mode=mode).gcrs_state(clock.liftoff)
    target = TargetOrbit.from_observer_state(r, v, perigee_alt_km=perigee_km, apogee_alt_km=apogee_km,
                                             rendezvous_s=rendezvous_h * 3600.0)
    return load_site(site), load_vehicle(vehicle), payload_kg, clock, target


def main() -> None:
    cases = [(title, _case(*rest)) for title, *rest in SCENES]
    times: dict[str, list[float]] = {title: [] for title, _ in cases}
    ascents = {title: fly(*args) for title, args in cases}                 # warm-up (frame tables)
    for _ in range(REPEATS):
        for title, args in cases:
            start = time.perf_counter()
            fly(*args)
            times[title].append(time.perf_counter() - start)
    median = {title: sorted(t)[len(t) // 2] for title, t in times.items()}
    for title, ascent in ascents.items():
        landed = sum(i is not None for i in ascent.impacts.values())
        print(f"{title}: full ascent + {len(ascent.bodies) - 1} falling parts ({landed} to impact): "
              f"best {min(times[title]):.3f} s, median {median[title]:.3f} s of {REPEATS}")
    soyuz = [m for title, m in median.items() if "Soyuz-FG" in title]
    falcon = median["Demo-2 / Falcon 9"]
    print(f"Falcon 9 / Soyuz-FG (medians): {falcon / max(soyuz):.2f} to {falcon / min(soyuz):.2f}")


if __name__ == "__main__":
    main()
