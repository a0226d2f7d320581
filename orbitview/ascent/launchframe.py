"""The launch frame: the Earth-fixed frame frozen at liftoff, in which the flight is integrated.

It is inertial (it does not turn), its z axis is the Earth's rotation axis (so J2 gravity and
the turning atmosphere take their simplest form), and it coincides with ITRS at liftoff.
Positions at T+ seconds:

- ITRS = Rz(w t) . launch frame (the Earth turns by w t under the frame);
- GCRS = M0^T . launch frame, with M0 the exact GCRS -> ITRS rotation at liftoff.

The second line holds to well under a metre over a scene of hours: precession-nutation moves
the pole by ~1e-3 arcsec in an hour, and WGS84's rotation rate differs from the Earth
rotation angle's rate by 2e-12 relative.
"""
from __future__ import annotations

import numpy as np

from ..clock import Clock
from ..earth import EARTH_ROTATION_RAD_S, spin_km_s
from ..frames import gcrs_to_itrs


def _rz(angle_rad: np.ndarray) -> np.ndarray:
    """Rotation of coordinates by ``angle`` about z, ``(3, 3, N)``."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.array([[c, s, zero], [-s, c, zero], [zero, zero, one]])


class LaunchFrame:
    """Conversions between the launch frame and ITRS / GCRS for one liftoff instant."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.to_itrs_at_liftoff = gcrs_to_itrs(clock.liftoff).reshape(3, 3)

    def to_gcrs(self, r_km: np.ndarray, v_km_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """GCRS position and velocity of launch-frame states ``(3, ...)``."""
        m = self.to_itrs_at_liftoff.T
        return np.tensordot(m, r_km, axes=1), np.tensordot(m, v_km_s, axes=1)

    def from_gcrs(self, vector: np.ndarray) -> np.ndarray:
        """A GCRS vector (position, velocity or direction) in the launch frame."""
        return self.to_itrs_at_liftoff @ vector

    @staticmethod
    def from_itrs(t_plus_s, r_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Launch-frame state of Earth-fixed points (a pad, an impact point) at T+ seconds."""
        t = np.atleast_1d(np.asarray(t_plus_s, dtype=float))
        r = np.einsum("jin,j->in", _rz(EARTH_ROTATION_RAD_S * t), r_itrs_km)
        return r, spin_km_s(r)

    @staticmethod
    def to_itrs(t_plus_s, r_km: np.ndarray, v_km_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Earth-fixed position and Earth-relative velocity of launch-frame states ``(3, N)``."""
        rot = _rz(EARTH_ROTATION_RAD_S * np.atleast_1d(np.asarray(t_plus_s, dtype=float)))
        r = np.einsum("ijn,jn->in", rot, r_km)
        return r, np.einsum("ijn,jn->in", rot, v_km_s - spin_km_s(r_km))
