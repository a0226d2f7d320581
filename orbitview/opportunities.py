"""Launch opportunities: the instants an observer's orbital plane passes over a pad.

A rendezvous launch (every Soyuz and Progress to the ISS) lifts off when the turning Earth carries
the pad through the target's orbital plane, so that the rocket flies into that plane without
steering sideways. The plane is the observer's osculating plane ``r x v`` from its element sets
(SGP4 carries the J2 regression of the node, about -5 deg/day for the ISS, and the short-period
wobble); the pad crosses it twice a sidereal day, once where the orbit's track runs north-east
over the pad (the ascending pass, the one Baikonur's north-east corridors launch on) and once
where it runs south-east (the descending pass). The crossing is the zero of
``f(t) = pad_unit(t) . normal(t)``, found on a grid and refined by the secant/bisection method.

A pad whose latitude exceeds the plane's inclination is never in the plane: that is refused with
the two angles named.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Opportunity:
    """One instant the pad is in the observer's plane, on the named pass."""

    liftoff: Time
    pass_name: str

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


def find_opportunities(observer: Observer, site: Site, start: Time, end: Time,
                       pass_name: str = "ascending") -> list[Opportunity]:
    """Every instant from ``start`` to ``end`` when ``site`` is in ``observer``'s plane on
    ``pass_name`` (``ascending``: the orbit runs northwards over the pad), oldest first."""
    if pass_name not in PASSES:
        raise OrbitviewError(f"pass {pass_name!r}: expected one of {', '.join(PASSES)}")
    span_s = (end.tt - start.tt) * DAY_S
    if not span_s > 0.0:
        raise OrbitviewError(f"date range {start.utc_strftime('%Y-%m-%dT%H:%M:%SZ')} to "
                             f"{end.utc_strftime('%Y-%m-%dT%H:%M:%SZ')}: expected an end after the start")
    check_reachable(observer, site, start)
    grid = start.tt + np.append(np.arange(0.0, span_s, GRID_STEP_S), span_s) / DAY_S
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
    return [Opportunity(ts.tt_jd(jd), pass_name) for jd in sorted(set(found))]


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
