"""The Earth's figure, gravity and rotation (WGS84), and geodetic <-> Earth-fixed conversion.

Positions are ``(3, ...)`` arrays in km in the Earth-fixed ITRS frame unless named otherwise.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

# WGS84 (NIMA TR8350.2, 3rd ed., 2000), table 3.1 and 3.3.
WGS84_A_KM = 6378.137                     # semi-major (equatorial) axis
WGS84_F = 1.0 / 298.257223563             # flattening
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F) # semi-minor (polar) axis, 6356.752 km
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)      # first eccentricity squared
EARTH_ROTATION_RAD_S = 7.292115e-5        # WGS84 nominal mean angular velocity
GM_EARTH_KM3_S2 = 398600.4418             # WGS84 / IERS 2010 geocentric gravitational constant
# Second zonal harmonic, EGM96 (Lemoine et al. 1998, NASA/TP-1998-206861): J2 = -sqrt(5) C20.
J2_EARTH = 1.08262668e-3
G0_M_S2 = 9.80665                         # standard gravity (defines specific impulse in s)


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
