"""What happened when: timeline events, impact points and the insertion orbit."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..earth import itrs_to_geodetic

# Mean Earth radius (IUGG, Moritz 1980): down-range is measured along a great circle on it.
MEAN_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Event:
    name: str
    t_plus_s: float
    body: str
    detail: str = ""


@dataclass(frozen=True)
class Impact:
    t_plus_s: float
    lat_deg: float
    lon_deg: float
    downrange_km: float


@dataclass(frozen=True)
class Insertion:
    """The orbit at spacecraft separation against the target (osculating two-body elements)."""

    t_plus_s: float
    perigee_alt_km: float
    apogee_alt_km: float
    inclination_deg: float
    target_inclination_deg: float
    node_deg: float                  # launch frame (Earth-fixed axes at liftoff)
    target_node_deg: float           # the target plane's node at the same instant
    plane_error_deg: float           # angle between the two planes
    launch_azimuth_deg: float        # Earth-relative heading of the pitch-over, as flown from the pad
    inertial_azimuth_deg: float      # the target plane's direction over the pad
    speed_km_s: float                # inertial

    @property
    def inclination_error_deg(self) -> float:
        return self.inclination_deg - self.target_inclination_deg

    @property
    def node_error_deg(self) -> float:
        return (self.node_deg - self.target_node_deg + 180.0) % 360.0 - 180.0


def downrange_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance (haversine) on the mean sphere."""
    p1, p2 = np.radians(lat1_deg), np.radians(lat2_deg)
    dl = np.radians(np.asarray(lon2_deg) - lon1_deg)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def impact_at(t_plus_s: float, point_itrs_km: np.ndarray, pad_lat_deg: float, pad_lon_deg: float) -> Impact:
    lat, lon, _ = itrs_to_geodetic(point_itrs_km)
    return Impact(float(t_plus_s), float(lat), float(lon),
                  float(downrange_km(pad_lat_deg, pad_lon_deg, lat, lon)))
