"""The common shape of everything tracked on the shared clock: the ISS, the rocket, its stages.

Every body is a Skyfield vector function centred on the Earth (``center == 399``, like
``EarthSatellite``), so Skyfield's algebra works on it: ``(vehicle - observer).at(t)`` is the line
of sight, ``wgs84.height_of(body.at(t))`` the height. For speed, every module uses the plain-array
path ``gcrs_state(t)``; ``at(t)`` wraps the same numbers in a Skyfield position.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from skyfield.constants import AU_KM, DAY_S
from skyfield.timelib import Time
from skyfield.vectorlib import VectorFunction

from . import frames
from .earth import Geodetic, itrs_to_geodetic

EARTH_CENTER = 399      # NAIF code of the Earth, the centre of every body's vector


class State(NamedTuple):
    """A position (km) and velocity (km/s), each shaped ``(3,) + t.shape``, in the frame the
    method that returns it names."""

    position_km: np.ndarray
    velocity_km_s: np.ndarray


class Body(VectorFunction):
    """Base class: subclasses implement :meth:`gcrs_state`; the rest derives from it."""

    center = EARTH_CENTER
    name: str = "body"

    @property
    def target(self) -> str:
        return self.name

    @property
    def target_name(self) -> str:
        return self.name

    def gcrs_state(self, t: Time) -> State:
        """GCRS position (km) and velocity (km/s)."""
        raise NotImplementedError

    def _at(self, t: Time):
        """Skyfield's hook: GCRS position (au) and velocity (au/day), as ``EarthSatellite._at``."""
        r, v = self.gcrs_state(t)
        position_au = r / AU_KM
        return position_au, v / AU_KM * DAY_S, position_au, None

    def itrs_state(self, t: Time) -> State:
        """Earth-fixed position (km) and Earth-relative velocity (km/s)."""
        r, v = self.gcrs_state(t)
        shape = r.shape
        r_itrs, v_itrs = frames.gcrs_to_itrs_state(t, r, v)
        return State(r_itrs.reshape(shape), v_itrs.reshape(shape))

    def geodetic(self, t: Time) -> Geodetic:
        """Geodetic latitude (deg), longitude (deg) and height above WGS84 (km)."""
        return itrs_to_geodetic(self.itrs_state(t)[0])

    def alt_km(self, t: Time) -> np.ndarray:
        """Height above the WGS84 ellipsoid (km)."""
        return self.geodetic(t).alt_km

    def speed_kms(self, t: Time) -> np.ndarray:
        """Inertial (GCRS) speed in km/s."""
        return np.linalg.norm(self.gcrs_state(t).velocity_km_s, axis=0)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
