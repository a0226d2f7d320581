"""The common shape of everything tracked on the shared clock: the ISS, the rocket, its stages.

A body answers ``gcrs_km(t)`` with plain arrays (the fast path every module uses) and ``at(t)``
with a skyfield position (the idiom users of Skyfield know), for a scalar or array ``Time``.
"""
from __future__ import annotations

import numpy as np
from skyfield.constants import AU_KM, DAY_S
from skyfield.positionlib import Geocentric
from skyfield.timelib import Time

from . import frames
from .earth import itrs_to_geodetic


class Body:
    """Base class: subclasses implement :meth:`gcrs_km`; the rest derives from it."""

    name: str = "body"

    def gcrs_km(self, t: Time) -> tuple[np.ndarray, np.ndarray]:
        """GCRS position (km) and velocity (km/s), each shaped ``(3,) + t.shape``."""
        raise NotImplementedError

    def at(self, t: Time) -> Geocentric:
        """The body's geocentric GCRS position at ``t``, as skyfield's ``EarthSatellite.at``."""
        r, v = self.gcrs_km(t)
        position = Geocentric(r / AU_KM, v / AU_KM * DAY_S, t, center=399, target=self.name)
        return position

    def itrs_km(self, t: Time) -> tuple[np.ndarray, np.ndarray]:
        """Earth-fixed position (km) and Earth-relative velocity (km/s), shaped like ``t``."""
        r, v = self.gcrs_km(t)
        shape = r.shape
        r_itrs, v_itrs = frames.gcrs_to_itrs_state(t, r, v)
        return r_itrs.reshape(shape), v_itrs.reshape(shape)

    def geodetic(self, t: Time) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geodetic latitude (deg), longitude (deg) and height above WGS84 (km)."""
        return itrs_to_geodetic(self.itrs_km(t)[0])

    def alt_km(self, t: Time) -> np.ndarray:
        """Height above the WGS84 ellipsoid (km)."""
        return self.geodetic(t)[2]

    def speed_kms(self, t: Time) -> np.ndarray:
        """Inertial (GCRS) speed in km/s."""
        return np.linalg.norm(self.gcrs_km(t)[1], axis=0)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
