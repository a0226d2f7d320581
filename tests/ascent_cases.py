"""The two Soyuz-FG scenes for the ascent tests, built from the published ISS element sets.

The element sets are the CelesTrak sets nearest each launch (NORAD 25544), copied here so the
tests read nothing outside the repository.
"""
from __future__ import annotations

from functools import lru_cache

from skyfield.api import EarthSatellite

from orbitview.ascent import TargetOrbit, fly, load_vehicle
from orbitview.clock import Clock
from orbitview.sites import load_site
from orbitview.skydata import timescale

SCENES = {
    "progress-ms10": ("2018-11-16T18:14:08Z", 7300.0,
                      "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997",
                      "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"),
    "soyuz-ms15": ("2019-09-25T13:57:42.7Z", 7200.0,
                   "1 25544U 98067A   19268.70951713  .00000733  00000-0  20807-4 0  9993",
                   "2 25544  51.6423 222.7389 0007476  84.3800 337.5949 15.50108916190852"),
}


def scene(name: str) -> tuple[Clock, TargetOrbit, float]:
    """Liftoff clock, the ISS plane at liftoff as the target, and the payload mass."""
    utc, payload_kg, line1, line2 = SCENES[name]
    clock = Clock.from_utc(utc)
    iss = EarthSatellite(line1, line2, "ISS", timescale()).at(clock.liftoff)
    return clock, TargetOrbit.from_observer_state(iss.position.km, iss.velocity.km_per_s), payload_kg


@lru_cache(maxsize=None)
def ascent(name: str, rtol: float = 1e-9, max_step_s: float = 5.0):
    clock, target, payload_kg = scene(name)
    return fly(load_site("baikonur-1/5"), load_vehicle("soyuz-fg"), payload_kg, clock, target,
               rtol=rtol, max_step_s=max_step_s)
