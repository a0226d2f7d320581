"""The Earth's figure, gravity and rotation (WGS84), and geodetic <-> Earth-fixed conversion.

Positions are ``(3, ...)`` arrays in km in the Earth-fixed ITRS frame unless named otherwise.
Every Earth constant of the project is defined here once (the rotation rate, g0, the edge of
space), with the Earth's spin w x r and the ellipsoid-to-sphere scaling the sight lines and
the renderer share.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

# WGS84 (NIMA TR8350.2, 3rd ed., 2000), table 3.1 and 3.3.
WGS84_A_KM = 6378.137                     # semi-major (equatorial) axis
WGS84_F = 1.0 / 298.257223563             # flattening
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F) # semi-minor (polar) axis, 6356.752 km
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)      # first eccentricity squared
EARTH_ROTATION_RAD_S = 7.292115e-5        # WGS84 nominal mean angular velocity (= IERS 2010's, skyfield's)
GM_EARTH_KM3_S2 = 398600.4418             # WGS84 / IERS 2010 geocentric gravitational constant
# Second zonal harmonic, EGM96 (Lemoine et al. 1998, NASA/TP-1998-206861): J2 = -sqrt(5) C20.
J2_EARTH = 1.08262668e-3
# Standard gravity (3rd CGPM, 1901): defines specific impulse in seconds and the geopotential
# of the U.S. Standard Atmosphere 1976.
G0_M_S2 = 9.80665
# The conventional edge of space, 100 km (FAI, "100 km Altitude Boundary for Astronautics"):
# where a falling stage "enters", exhaust stops coasting, and a sight line "grazes the air".
KARMAN_LINE_KM = 100.0
# ITRS z -> the frame where the WGS84 ellipsoid is a sphere: x and y unchanged, z stretched by a/b.
ELLIPSOID_Z_STRETCH = WGS84_A_KM / WGS84_B_KM


def geodetic_to_itrs(lat_deg, lon_deg, alt_km) -> np.ndarray:
    """Earth-fixed position (km) of a point at geodetic latitude, longitude and height."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sin_lat = np.sin(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    rho = (n + alt_km) * np.cos(lat)
    return np.array([rho * np.cos(lon), rho * np.sin(lon), (n * (1.0 - WGS84_E2) + alt_km) * sin_lat])


class Geodetic(NamedTuple):
    """Geodetic latitude and longitude (deg) and height above the WGS84 ellipsoid (km)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray


def itrs_to_geodetic(r_km: np.ndarray) -> Geodetic:
    """Geodetic latitude (deg), longitude (deg) and height above the ellipsoid (km).

    Bowring's method with two refinements: sub-millimetre from the ground to far beyond GEO.
    """
    x, y, z = r_km[0], r_km[1], r_km[2]
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    lat = np.arctan2(z, p * (1.0 - WGS84_E2))
    for _ in range(3):
        sin_lat = np.sin(lat)
        n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
        lat = np.arctan2(z + WGS84_E2 * n * sin_lat, p)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    # Height along the normal, well conditioned at every latitude.
    alt = p * cos_lat + z * sin_lat - n * (1.0 - WGS84_E2 * sin_lat**2)
    return Geodetic(np.degrees(lat), np.degrees(lon), alt)


def enu_basis(lat_deg, lon_deg) -> np.ndarray:
    """Rows: local east, north and up unit vectors (ITRS) at a geodetic latitude/longitude."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    return np.array([[-so, co, 0.0 * sl], [-sl * co, -sl * so, cl], [cl * co, cl * so, sl]])


def azimuth_elevation_range(site_itrs_km: np.ndarray, site_lat_deg: float, site_lon_deg: float,
                            target_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth (deg from north through east), elevation (deg) and range (km) from a site."""
    d = target_itrs_km - site_itrs_km.reshape(3, *([1] * (np.ndim(target_itrs_km) - 1)))
    e, n, u = np.tensordot(enu_basis(site_lat_deg, site_lon_deg), d, axes=1)
    rng = np.sqrt(e * e + n * n + u * u)
    return np.degrees(np.arctan2(e, n)) % 360.0, np.degrees(np.arcsin(u / rng)), rng


def spin_km_s(r_km: np.ndarray) -> np.ndarray:
    """The Earth's rotation w x r (km/s) at positions ``(3, ...)`` in any frame whose z is the axis.

    The velocity of the ground (and of the air turning with it) at ``r_km``: an Earth-fixed
    velocity is the inertial one minus this.
    """
    return EARTH_ROTATION_RAD_S * np.array([-r_km[1], r_km[0], np.zeros_like(r_km[2])])


def spin_xy_km_s(x_km: float, y_km: float) -> tuple[float, float]:
    """:func:`spin_km_s` for one point, on floats (its z component is 0): for ODE right-hand
    sides, called tens of thousands of times, where building numpy arrays would dominate."""
    return -EARTH_ROTATION_RAD_S * y_km, EARTH_ROTATION_RAD_S * x_km


def to_sphere(v_itrs: np.ndarray, radius_km: float = 1.0) -> np.ndarray:
    """ITRS vectors ``(3, ...)`` in the frame where the WGS84 ellipsoid is a sphere of ``radius_km``.

    The scaling is linear, so lines stay lines: ray-ellipsoid tests become ray-sphere tests
    (``radius_km=1``: the unit sphere of the sight lines; ``WGS84_A_KM``: the renderer's sphere
    of radius a, where x and y keep their km).
    """
    scale = np.array([1.0, 1.0, ELLIPSOID_Z_STRETCH])
    if radius_km != WGS84_A_KM:
        scale = scale / WGS84_A_KM * radius_km
    return np.asarray(v_itrs, dtype=np.float64) * scale.reshape((3,) + (1,) * (np.ndim(v_itrs) - 1))
