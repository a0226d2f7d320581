"""Geometry at instants, as plain rows: what ``orbitview geometry`` and ``events`` print.

The row layout is the JSON contract of DESIGN.md; the terminal table is drawn from the same rows.
"""
from __future__ import annotations

import numpy as np

from .earth import azimuth_elevation_range, geodetic_to_itrs
from .scenario import Scenario


def _round(value, digits: int):
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def geometry_rows(scn: Scenario, t_plus_s) -> list[dict]:
    """One dict per instant: observer, observer seen from the pad (and vehicle, sightline)."""
    seconds = np.atleast_1d(np.asarray(t_plus_s, dtype=float))
    t = scn.times(seconds)
    lat, lon, alt = scn.observer.geodetic(t)
    speed_kmh = scn.observer.speed_kms(t) * 3600.0
    site = scn.site
    pad_itrs = geodetic_to_itrs(site.lat_deg, site.lon_deg, site.alt_km)
    az, el, rng = azimuth_elevation_range(pad_itrs, site.lat_deg, site.lon_deg, scn.observer.itrs_km(t)[0])
    utc = t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for i, s in enumerate(seconds):
        rows.append({
            "t_plus_s": float(s),
            "utc": utc[i],
            "observer": {"lat_deg": _round(lat[i], 4), "lon_deg": _round(lon[i], 4),
                         "alt_km": _round(alt[i], 3), "speed_kmh": _round(speed_kmh[i], 1)},
            "observer_from_site": {"range_km": _round(rng[i], 2), "azimuth_deg": _round(az[i], 3),
                                   "elevation_deg": _round(el[i], 3)},
        })
    return rows
