"""The station frame: local-vertical/local-horizontal (LVLH) as the ISS flies it.

Under the usual "+XVV" attitude the station's body axes are

* ``+x`` along the velocity (in the orbit plane, perpendicular to the radius),
* ``+z`` towards nadir (minus the geocentric radius),
* ``+y`` completing a right-handed set, i.e. the negative orbit normal (starboard).

"-XVV" turns the station 180 deg in yaw (``+x`` against the velocity, ``+y`` = orbit normal).
Small yaw/pitch/roll biases (deg) turn the body axes away from LVLH in that order (3-2-1
Euler sequence, right-handed about the current ``z``, ``y`` and ``x`` axes).

Directions in the station frame carry the suffix ``_station``. Azimuth and elevation in it:

* azimuth (deg, 0..360) measured from ``+x`` towards ``+y`` (forward -> starboard),
* elevation (deg) above the local horizontal plane (the ``x``-``y`` plane): positive towards
  zenith (``-z``), negative towards nadir (``+z``); straight down is -90 deg.

Frames are ``(3, 3, N)`` matrices whose rows are the station axes in GCRS, so
``dirs_station = M @ dirs_gcrs`` (``frames.mxv``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import OrbitviewError
from ..frames import mxm, mxv

ATTITUDES = ("+XVV", "-XVV")


@dataclass(frozen=True)
class Attitude:
    """How the station is turned relative to LVLH: the flight mode and small biases (deg)."""

    mode: str = "+XVV"
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.mode not in ATTITUDES:
            raise OrbitviewError(f"attitude {self.mode!r}: expected one of {', '.join(ATTITUDES)}")
        for name in ("yaw_deg", "pitch_deg", "roll_deg"):
            value = getattr(self, name)
            if not np.isfinite(value) or abs(value) > 180.0:
                raise OrbitviewError(f"attitude {name} = {value!r}: expected a number in -180..180")


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=0)


def lvlh_to_station(attitude: Attitude) -> np.ndarray:
    """Rotation (3, 3) taking LVLH (+XVV) components to station-body components."""
    yaw, pitch, roll = np.radians([attitude.yaw_deg, attitude.pitch_deg, attitude.roll_deg])
    if attitude.mode == "-XVV":
        yaw += np.pi
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    r3 = np.array([[cy, sy, 0.0], [-sy, cy, 0.0], [0.0, 0.0, 1.0]])
    r2 = np.array([[cp, 0.0, -sp], [0.0, 1.0, 0.0], [sp, 0.0, cp]])
    r1 = np.array([[1.0, 0.0, 0.0], [0.0, cr, sr], [0.0, -sr, cr]])
    return r1 @ r2 @ r3


def station_axes(r_gcrs_km: np.ndarray, v_gcrs_kms: np.ndarray,
                 attitude: Attitude = Attitude()) -> np.ndarray:
    """Station axes as rows in GCRS, ``(3, 3, N)``, from GCRS position and velocity ``(3, N)``.

    The velocity is inertial (GCRS): LVLH is defined by the orbit, not by the ground track.
    """
    r = np.asarray(r_gcrs_km, dtype=float).reshape(3, -1)
    v = np.asarray(v_gcrs_kms, dtype=float).reshape(3, -1)
    z = -_unit(r)
    y = _unit(np.cross(z, v, axis=0))          # z x v = -(r x v)/|r|: the negative orbit normal
    x = np.cross(y, z, axis=0)                 # along velocity, perpendicular to the radius
    lvlh = np.stack([x, y, z])                 # rows: axes; (3, 3, N)
    return mxm(lvlh_to_station(attitude), lvlh)


def to_station(axes: np.ndarray, vectors_gcrs: np.ndarray) -> np.ndarray:
    """Components in the station frame of GCRS vectors ``(3, N)`` or ``(3, N, B)``."""
    if vectors_gcrs.ndim == 3:
        return np.einsum("ijn,jnb->inb", axes, vectors_gcrs)
    return mxv(axes, vectors_gcrs)


def azimuth_elevation(dirs_station: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (deg from +x towards +y, 0..360) and elevation (deg, + towards zenith)."""
    d = np.asarray(dirs_station, dtype=float)
    horizontal = np.hypot(d[0], d[1])
    az = np.degrees(np.arctan2(d[1], d[0])) % 360.0
    el = np.degrees(np.arctan2(-d[2], horizontal))
    return az, el


def direction(azimuth_deg, elevation_deg) -> np.ndarray:
    """Unit vector(s) ``(3, ...)`` in the station frame from azimuth and elevation (deg)."""
    az, el = np.broadcast_arrays(np.radians(azimuth_deg), np.radians(elevation_deg))
    return np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), -np.sin(el)])
