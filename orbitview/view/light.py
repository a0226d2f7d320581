"""Sunlight: where the Sun is, how much of it a body sees past the Earth, and dusk on the ground.

The Sun comes from JPL DE421 (``skydata.ephemeris()``, the offline ``skyfield-data`` file) as
the geometric Earth -> Sun vector, as skyfield's ``is_sunlit`` uses it.

Shadow model: the Sun and the Earth as discs of their apparent radii seen from the body
(conical shadow: umbra and penumbra fall out of the overlap of the two discs). The Earth's
disc is a sphere whose radius is the WGS84 ellipsoid's geocentric radius at the latitude where
the line towards the Sun passes closest to the Earth's centre, plus ``atmosphere_km``: the
lower atmosphere refracts and extinguishes grazing sunlight, so the shadow is larger than the
solid Earth's. We take 20 km (an estimate: at grazing incidence the air below ~20 km holds an
airmass of tens, enough to dim the Sun by orders of magnitude); pass ``atmosphere_km=0`` for
the bare ellipsoid. The overlap is computed for flat discs, which is exact to well under 1%
of the Sun's area (the Sun's disc is 0.5 deg across; the Earth's limb curves slowly on it).

Positions here are ITRS (``(3, ...)`` km): the Earth's axis must be ``z`` for its figure.
"""
from __future__ import annotations

import numpy as np
from skyfield.timelib import Time

from ..earth import WGS84_A_KM, WGS84_B_KM, WGS84_E2, enu_basis, geodetic_to_itrs
from ..frames import gcrs_to_itrs, mxv
from ..skydata import SUN_RADIUS_KM, ephemeris, timescale

EARTH_SHADOW_ATMOSPHERE_KM = 20.0   # estimate, see the module docstring
# Sunset/sunrise: the Sun's upper limb on the horizon with standard refraction (USNO, -50').
SUNSET_ELEVATION_DEG = -50.0 / 60.0
SUN_NODE_STEP_DAYS = 60.0 / 86400.0  # Sun ephemeris nodes for long time arrays


def sun_gcrs_km(t: Time) -> np.ndarray:
    """Geometric Earth -> Sun vector (km, GCRS), ``(3,) + t.shape``.

    Long time arrays are interpolated linearly between ephemeris nodes one minute apart: the
    Earth -> Sun vector bends by ~1e-11 rad over a minute, so this is exact to metres and saves
    the ephemeris call per instant that would otherwise dominate a sightline.
    """
    eph = ephemeris()
    sun = eph["sun"] - eph["earth"]
    tt = np.atleast_1d(t.whole - np.floor(np.min(t.whole)) + t.tt_fraction)
    span_days = tt.max() - tt.min()
    nodes = int(np.ceil(span_days / SUN_NODE_STEP_DAYS)) + 2
    if nodes >= tt.size:
        return sun.at(t).position.km
    node_tt = np.linspace(tt.min(), tt.max(), nodes)
    base = float(np.floor(np.min(t.whole)))
    node_km = sun.at(timescale().tt_jd(base, node_tt)).position.km
    return np.array([np.interp(tt, node_tt, c) for c in node_km]).reshape((3,) + np.shape(t.tt))


def sun_itrs_km(t: Time, gcrs_to_itrs_matrix: np.ndarray | None = None) -> np.ndarray:
    """Earth -> Sun vector (km) in ITRS, ``(3, N)`` (pass the rotation if already at hand)."""
    rotation = gcrs_to_itrs(t) if gcrs_to_itrs_matrix is None else gcrs_to_itrs_matrix
    return mxv(rotation, sun_gcrs_km(t).reshape(3, -1))


def _geocentric_radius_km(sin_lat: np.ndarray) -> np.ndarray:
    """Distance from the centre to the WGS84 ellipsoid at a geocentric latitude."""
    cos2 = 1.0 - sin_lat**2
    return WGS84_A_KM * WGS84_B_KM / np.sqrt((WGS84_B_KM**2) * cos2 + (WGS84_A_KM**2) * sin_lat**2)


def _lens_area(r1: np.ndarray, r2: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Area where two discs of radii ``r1``, ``r2`` with centres ``d`` apart overlap."""
    with np.errstate(invalid="ignore", divide="ignore"):
        a1 = r1**2 * np.arccos(np.clip((d**2 + r1**2 - r2**2) / (2.0 * d * r1), -1.0, 1.0))
        a2 = r2**2 * np.arccos(np.clip((d**2 + r2**2 - r1**2) / (2.0 * d * r2), -1.0, 1.0))
        k = np.sqrt(np.maximum((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2), 0.0))
    partial = a1 + a2 - 0.5 * k
    full = np.pi * np.minimum(r1, r2) ** 2
    return np.where(d >= r1 + r2, 0.0, np.where(d <= np.abs(r1 - r2), full, partial))


def illumination(r_itrs_km: np.ndarray, sun_itrs_km: np.ndarray,
                 atmosphere_km: float = EARTH_SHADOW_ATMOSPHERE_KM) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of the Sun's disc seen from each body (0 umbra .. 1 full sun) and whether the
    Sun's centre stands above the Earth's limb (skyfield's sense of "sunlit").

    ``r_itrs_km`` is ``(3, ...)``; ``sun_itrs_km`` broadcasts against it (``(3, N, 1)`` for
    ``(3, N, B)`` bodies).
    """
    to_sun = sun_itrs_km - r_itrs_km
    d_sun = np.sqrt(np.sum(to_sun * to_sun, axis=0))
    d_earth = np.sqrt(np.sum(r_itrs_km * r_itrs_km, axis=0))
    along = np.sum(r_itrs_km * to_sun, axis=0) / d_sun
    closest = r_itrs_km - along * to_sun / d_sun          # nearest point of the Sun line to the centre
    sin_lat = closest[2] / np.sqrt(np.sum(closest * closest, axis=0))
    earth_radius = _geocentric_radius_km(sin_lat) + atmosphere_km
    rho_sun = np.arcsin(SUN_RADIUS_KM / d_sun)
    rho_earth = np.arcsin(np.minimum(earth_radius / d_earth, 1.0))
    cross = np.cross(-r_itrs_km, to_sun, axis=0)
    theta = np.arctan2(np.sqrt(np.sum(cross * cross, axis=0)), -along * d_sun)   # Earth centre to Sun
    covered = _lens_area(rho_sun, rho_earth, theta) / (np.pi * rho_sun**2)
    return np.clip(1.0 - covered, 0.0, 1.0), theta > rho_earth


def shadow_name(fraction: np.ndarray) -> np.ndarray:
    """``"sunlit"``, ``"penumbra"`` or ``"umbra"`` for illuminated fractions."""
    return np.where(fraction >= 1.0, "sunlit", np.where(fraction <= 0.0, "umbra", "penumbra"))


def _sun_elevation_deg(up: np.ndarray, to_sun: np.ndarray) -> np.ndarray:
    return np.degrees(np.arcsin(np.sum(up * to_sun, axis=0) / np.sqrt(np.sum(to_sun * to_sun, axis=0))))


def sun_elevation_subpoint_deg(r_itrs_km: np.ndarray, sun_itrs_km: np.ndarray) -> np.ndarray:
    """Sun elevation (deg) at the ground point straight below each body.

    The geodetic vertical comes from one step of Bowring's formula (exact to ~1e-9 rad up to
    thousands of km); the Sun is taken from the Earth's centre, which moves it by at most
    6,400 km / 1 AU = 0.0025 deg.
    """
    x, y, z = r_itrs_km[0], r_itrs_km[1], r_itrs_km[2]
    p = np.hypot(x, y)
    beta = np.arctan2(WGS84_A_KM * z, WGS84_B_KM * p)
    ep2 = (WGS84_A_KM**2 - WGS84_B_KM**2) / WGS84_B_KM**2
    lat = np.arctan2(z + ep2 * WGS84_B_KM * np.sin(beta) ** 3, p - WGS84_E2 * WGS84_A_KM * np.cos(beta) ** 3)
    cos_lat = np.cos(lat)
    up = np.array([cos_lat * x / p, cos_lat * y / p, np.sin(lat)])
    return _sun_elevation_deg(up, sun_itrs_km)


def sun_elevation_at_site_deg(t: Time, lat_deg: float, lon_deg: float, alt_km: float = 0.0) -> np.ndarray:
    """Geometric elevation (deg) of the Sun's centre at a ground site (e.g. the pad) at ``t``."""
    site = geodetic_to_itrs(lat_deg, lon_deg, alt_km).reshape(3, 1)
    up = enu_basis(lat_deg, lon_deg)[2].reshape(3, 1)
    return _sun_elevation_deg(up, sun_itrs_km(t) - site).reshape(np.shape(t.tt))


def over_dark_ground(sunlit: np.ndarray, sun_elevation_subpoint: np.ndarray,
                     dark_below_deg: float = SUNSET_ELEVATION_DEG) -> np.ndarray:
    """A sunlit body above ground where the Sun has set (a dusk plume shining over the night)."""
    return np.asarray(sunlit) & (np.asarray(sun_elevation_subpoint) < dark_below_deg)
