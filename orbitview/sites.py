"""Launch pads: where a rocket stands, and which launch azimuths its range allows.

The pads ship in ``data/sites.toml``; each entry names its sources. Positions are geodetic
(WGS84); the Earth-fixed position comes from :func:`orbitview.earth.geodetic_to_itrs`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .datafile import Table, load_toml
from .earth import geodetic_to_itrs
from .errors import UnknownNameError
from .resources import data_file

SITES_PATH = data_file("orbitview", "data/sites.toml")


@dataclass(frozen=True)
class Site:
    """A launch pad; ``azimuth_limits_deg`` is [min, max] clockwise from north."""

    key: str
    name: str
    lat_deg: float
    lon_deg: float
    alt_km: float
    azimuth_limits_deg: tuple[float, float]
    source: str

    @property
    def itrs_km(self) -> np.ndarray:
        """Earth-fixed position of the pad (km)."""
        return geodetic_to_itrs(self.lat_deg, self.lon_deg, self.alt_km)

    def allows_azimuth(self, azimuth_deg: float) -> bool:
        """Whether a launch azimuth lies inside the range's corridor (limits may wrap north)."""
        low, high = self.azimuth_limits_deg
        return (azimuth_deg - low) % 360.0 <= (high - low) % 360.0 or high - low >= 360.0


def _site_from(key: str, table: Table) -> Site:
    limits = table.numbers("azimuth_limits_deg", length=2)
    if not -360.0 <= limits[0] <= limits[1] <= 360.0:
        raise table.error("azimuth_limits_deg", limits, "[min, max] with -360 <= min <= max <= 360")
    return Site(key=key, name=table.string("name"),
                lat_deg=table.number("lat_deg", min=-90.0, max=90.0),
                lon_deg=table.number("lon_deg", min=-180.0, max=180.0),
                alt_km=table.number("alt_km", min=-0.5, max=9.0),
                azimuth_limits_deg=(limits[0], limits[1]),
                source=table.string("source"))


@lru_cache(maxsize=None)
def load_sites(path: str | Path = SITES_PATH) -> dict[str, Site]:
    """Every pad in a sites file, by key (validated on load)."""
    root = load_toml(path)
    sites = {key: _site_from(key, table) for key, table in root.table("sites").items()}
    root.reject_unknown()
    return sites


def load_site(name: str, path: str | Path = SITES_PATH) -> Site:
    """One pad by key (``"baikonur-1/5"``), case-insensitive; unknown keys list the known ones."""
    sites = load_sites(path)
    key = name.strip().lower()
    if key not in sites:
        raise UnknownNameError("site", name, list(sites))
    return sites[key]
