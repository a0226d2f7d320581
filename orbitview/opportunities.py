"""Launch opportunities: the instants an observer's orbital plane passes over a pad, and the
liftoffs on time that follow from them.

A rendezvous launch (every Soyuz and Progress to the ISS) lifts off about when the turning Earth
carries the pad through the target's orbital plane, so that the rocket flies into that plane with
little steering sideways (to the second: see "On time" below). The plane is the observer's osculating plane ``r x v`` from its element sets
(SGP4 carries the J2 regression of the node, about -5 deg/day for the ISS, and the short-period
wobble); the pad crosses it twice a sidereal day, once where the orbit's track runs north-east
over the pad (the ascending pass, the one Baikonur's north-east corridors launch on) and once
where it runs south-east (the descending pass). The crossing is the zero of
``f(t) = pad_unit(t) . normal(t)``, found on a grid and refined by the secant/bisection method.

**On time.** The crossing is not yet the liftoff. The first stage flies the range's heading (the
plane's azimuth over the pad, ``ascent.launch``) and its path bends away from the plane as the
Earth turns under it, and a chaser that phases up to its target for hours or days is aimed at a
plane whose node leads the target's (``ascent.targeting``). The liftoff on time is the one at which
the guided stage lights in that plane, so that it needs no yaw. In the Earth-fixed frame that flight
is the same at every crossing, so it lifts off a constant time from each: found once, by shooting on
the liftoff time (the secant method on the guided stage's distance from the plane at ignition).

A pad whose latitude exceeds the plane's inclination is never in the plane: that is refused with
the two angles named.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from skyfield.timelib import Time

from .clock import DAY_S
from .earth import enu_basis
from .errors import OrbitviewError
from .frames import gcrs_to_itrs, mxv
from .orbits import Observer
from .sites import Site
from .skydata import timescale
from .tle import StaleElementsWarning

GRID_STEP_S = 600.0          # the pad moves ~2.5 deg through the plane per 10 min: one sign change per cell
REFINE_TOLERANCE_S = 0.01    # crossings are refined to 10 ms (the pad moves 5 m through the plane)
REFINE_ITERATIONS = 40
# The range is searched a month at a time: the rotations' slow terms are tabulated hourly over the
# span of each call (``frames``), so a year in one call would tabulate 8,760 hours per iteration.
CHUNK_DAYS = 30.0
PASSES = ("ascending", "descending")
# Shooting on the liftoff time: the miss distance is nearly linear in it (the pad moves through the
# plane at a steady speed): a first step of a minute, then secant steps to 0.1 s.
ON_TIME_FIRST_STEP_S = 60.0
ON_TIME_TOLERANCE_S = 0.1
ON_TIME_STEPS = 4
# [est] A liftoff on time lies minutes from the crossing (Soyuz to the ISS: ~1-3 min); crossings are
# searched this far beyond the range so that every liftoff inside it is found, and a flight that
# needs more is refused.
MAX_ON_TIME_OFFSET_S = 1800.0


@dataclass(frozen=True)
class Opportunity:
    """One instant the pad is in the observer's plane, on the named pass."""

    liftoff: Time
    pass_name: str
    offset_s: float = 0.0          # the liftoff less the pad's crossing of the observer's plane

    @property
    def liftoff_utc(self) -> str:
        return self.liftoff.utc_strftime("%Y-%m-%dT%H:%M:%SZ")


def _plane_offset(observer: Observer, site: Site, jd_tt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pad_unit . normal`` (the sine of the pad's angle out of the plane) and the northward
    component of the orbit's direction of motion over the pad, at TT Julian dates."""
    t = timescale().tt_jd(jd_tt)
    with warnings.catch_warnings():        # the survey says once how stale its elements are
        warnings.simplefilter("ignore", StaleElementsWarning)
        r, v = observer.gcrs_state(t)
    normal = np.cross(r.reshape(3, -1), v.reshape(3, -1), axis=0)
    normal = mxv(gcrs_to_itrs(t), normal / np.linalg.norm(normal, axis=0))
    pad = site.itrs_km / np.linalg.norm(site.itrs_km)
    _, north, _ = enu_basis(site.lat_deg, site.lon_deg)
    along = np.cross(normal, pad[:, None], axis=0)      # direction of motion over the pad
    return pad @ normal, north @ along


def inclination_deg(observer: Observer, t: Time) -> float:
    """The observer's osculating inclination (deg) to the Earth's equator at ``t``."""
    r, v = observer.gcrs_state(t)
    h = mxv(gcrs_to_itrs(t), np.cross(r.reshape(3, -1), v.reshape(3, -1), axis=0))
    return float(np.degrees(np.arccos(h[2, 0] / np.linalg.norm(h[:, 0]))))


def check_reachable(observer: Observer, site: Site, t: Time) -> float:
    """The plane's inclination, or an error when the pad lies above it (its plane never crosses)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaleElementsWarning)
        inc = inclination_deg(observer, t)
    if abs(site.lat_deg) >= min(inc, 180.0 - inc):
        raise OrbitviewError(f"site {site.key!r}: latitude {site.lat_deg:.3f} deg is above the inclination "
                             f"{inc:.3f} deg of {observer.name}'s plane: the plane never passes over it")
    return inc


def find_opportunities(observer: Observer, site: Site, start: Time, end: Time, pass_name: str = "ascending",
                       miss_km: Callable[[Time], float] | None = None) -> list[Opportunity]:
    """Every launch opportunity from ``start`` to ``end`` from ``site`` into ``observer``'s plane on
    ``pass_name`` (``ascending``: the orbit runs northwards over the pad), oldest first: the
    instants the pad is in the plane or, with ``miss_km`` (how far from its target plane a flight
    lifting off at a given instant lights its guided stage), the liftoffs on time."""
    if pass_name not in PASSES:
        raise OrbitviewError(f"pass {pass_name!r}: expected one of {', '.join(PASSES)}")
    span_s = (end.tt - start.tt) * DAY_S
    if not span_s > 0.0:
        raise OrbitviewError(f"date range {start.utc_strftime('%Y-%m-%dT%H:%M:%SZ')} to "
                             f"{end.utc_strftime('%Y-%m-%dT%H:%M:%SZ')}: expected an end after the start")
    if miss_km is None:
        return [Opportunity(t, pass_name) for t in _crossings(observer, site, start.tt, end.tt, pass_name)]
    margin = MAX_ON_TIME_OFFSET_S / DAY_S
    crossings = _crossings(observer, site, start.tt - margin, end.tt + margin, pass_name)
    if not crossings:
        return []
    offset_s = on_time_offset_s(crossings[0], miss_km)
    ts = timescale()
    liftoffs = (ts.tt_jd(c.tt + offset_s / DAY_S) for c in crossings)
    return [Opportunity(t, pass_name, offset_s) for t in liftoffs if start.tt <= t.tt <= end.tt]


def on_time_offset_s(crossing: Time, miss_km: Callable[[Time], float]) -> float:
    """How long after the pad's ``crossing`` of the plane (s; negative: before) the flight lifts
    off on time: the zero of ``miss_km`` (see the module's notes)."""
    ts = timescale()

    def miss(offset_s: float) -> float:
        return miss_km(ts.tt_jd(crossing.tt + offset_s / DAY_S))

    def stuck() -> OrbitviewError:
        return OrbitviewError("the liftoff time does not move the guided stage's ignition against the plane")
    offset_s = _secant_root(miss, 0.0, -ON_TIME_FIRST_STEP_S, ON_TIME_TOLERANCE_S, ON_TIME_STEPS, stuck)
    if not abs(offset_s) <= MAX_ON_TIME_OFFSET_S:
        raise OrbitviewError(f"the guided stage lights in the plane only {offset_s:.0f} s from the pad's crossing "
                             f"of it: expected within {MAX_ON_TIME_OFFSET_S:.0f} s (a flight that turns far "
                             f"from the plane's heading)")
    return offset_s


def _secant_root(f: Callable[[float], float], x0: float, x1: float, tolerance: float, steps: int,
                stuck: Callable[[], OrbitviewError]) -> float:
    """The zero of ``f`` by the secant method from ``x0`` and ``x1``: for the nearly linear miss
    distances of a shooting method a step or two. ``stuck()`` is raised when ``f`` does not move."""
    d0, d1 = f(x0), f(x1)
    for _ in range(steps):
        if not math.isfinite(d1 - d0) or d1 == d0:
            raise stuck()
        x0, x1, d0 = x1, x1 - d1 * (x1 - x0) / (d1 - d0), d1
        if abs(x1 - x0) < tolerance:
            break
        d1 = f(x1)
    return x1


def _crossings(observer: Observer, site: Site, start_tt: float, end_tt: float, pass_name: str) -> list[Time]:
    """The instants from ``start_tt`` to ``end_tt`` (TT Julian dates) the pad is in the plane on ``pass_name``."""
    check_reachable(observer, site, timescale().tt_jd(start_tt))
    span_s = (end_tt - start_tt) * DAY_S
    grid = start_tt + np.append(np.arange(0.0, span_s, GRID_STEP_S), span_s) / DAY_S
    per_chunk = int(CHUNK_DAYS * DAY_S / GRID_STEP_S)
    found = []
    for first in range(0, grid.size - 1, per_chunk):
        chunk = grid[first:first + per_chunk + 1]
        f, _ = _plane_offset(observer, site, chunk)
        cells = np.nonzero((f[:-1] < 0.0) & (f[1:] >= 0.0) | (f[:-1] > 0.0) & (f[1:] <= 0.0))[0]
        if cells.size:
            roots = _refine(observer, site, chunk[cells], chunk[cells + 1], f[cells], f[cells + 1])
            _, north_at = _plane_offset(observer, site, roots)
            found.extend(roots[north_at > 0.0 if pass_name == "ascending" else north_at < 0.0])
    ts = timescale()
    return [ts.tt_jd(jd) for jd in sorted(set(found))]


def _refine(observer: Observer, site: Site, a: np.ndarray, b: np.ndarray, fa: np.ndarray,
            fb: np.ndarray) -> np.ndarray:
    """Zeros of the plane offset in each bracket ``[a, b]`` (vectorised regula falsi, Illinois
    variant: superlinear, and never leaves its bracket)."""
    a, b, fa, fb = a.copy(), b.copy(), fa.copy(), fb.copy()
    side = np.zeros(a.size)
    for _ in range(REFINE_ITERATIONS):
        c = b - fb * (b - a) / (fb - fa)
        fc, _ = _plane_offset(observer, site, c)
        left = np.sign(fc) == np.sign(fa)
        a, fa = np.where(left, c, a), np.where(left, fc, fa)
        b, fb = np.where(left, b, c), np.where(left, fb, fc)
        # Illinois: halve the stale end's value when the same end is kept twice running
        fb = np.where(left & (side > 0), fb / 2.0, fb)
        fa = np.where(~left & (side < 0), fa / 2.0, fa)
        side = np.where(left, 1.0, -1.0)
        if np.all((b - a) * DAY_S < REFINE_TOLERANCE_S) or np.all(fc == 0.0):
            break
    return np.where(np.abs(fa) < np.abs(fb), a, b)
