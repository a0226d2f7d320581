"""Rotations between GCRS, TEME (SGP4's frame) and ITRS for arrays of instants, fast.

Skyfield evaluates the IAU 2000A nutation series at every instant, which is ~95% of the cost of
``EarthSatellite.at``. Only the Earth's spin is fast; precession-nutation (``t.M``), the gap
between GAST and the Earth rotation angle, and the gap between GMST1982 and GAST all change on
time scales of days. We evaluate those slow terms with skyfield on a grid of whole hours
(TT) and interpolate linearly; the spin (Earth rotation angle, GMST1982) is exact per instant.
The largest fast nutation term (13.66 d, 0.23 arcsec) gives a linear-interpolation error of
~5e-11 rad over one hour: under 1 mm at the ISS
(``tests/test_frames_and_observer.py::test_interpolated_rotations_match_skyfield_per_instant``
measures it).

Matrices are ``(3, 3, N)`` and vectors ``(3, N)``, the shapes skyfield uses.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from skyfield.earthlib import earth_rotation_angle
from skyfield.functions import rot_z
from skyfield.sgp4lib import theta_GMST1982
from skyfield.timelib import Time

from .earth import spin_km_s
from .skydata import timescale

TAU = 2.0 * np.pi
GRID_STEP_DAYS = 1.0 / 24.0


@lru_cache(maxsize=4096)
def _slow_terms_at_node(k: int) -> np.ndarray:
    """Slow terms at grid node ``k`` (TT JD = k * GRID_STEP_DAYS): M (9), GMST82-GAST, GAST-ERA."""
    t = timescale().tt_jd(k * GRID_STEP_DAYS)
    gast = t.gast / 24.0 * TAU
    theta82, _ = theta_GMST1982(t.whole, t.ut1_fraction)
    era = earth_rotation_angle(t.whole, t.ut1_fraction) * TAU
    wrap = lambda a: (a + np.pi) % TAU - np.pi  # noqa: E731 (tiny local helper)
    return np.concatenate([t.M.reshape(9), [wrap(theta82 - gast), wrap(gast - era)]])


def _slow_terms(t: Time) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolated M (3,3,N), GMST82-GAST (N) and GAST-ERA (N) at instants ``t``."""
    tt = np.atleast_1d(t.whole + t.tt_fraction)
    k0 = int(np.floor(tt.min() / GRID_STEP_DAYS))
    k1 = int(np.ceil(tt.max() / GRID_STEP_DAYS))
    k1 = max(k1, k0 + 1)
    nodes = np.array([_slow_terms_at_node(k) for k in range(k0, k1 + 1)])
    x = np.arange(k0, k1 + 1) * GRID_STEP_DAYS
    values = np.array([np.interp(tt, x, nodes[:, i]) for i in range(nodes.shape[1])])
    return values[:9].reshape(3, 3, -1), values[9], values[10]


def _rot_z(angle: np.ndarray) -> np.ndarray:
    return rot_z(np.asarray(angle))


def mxv(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Apply ``(3,3,N)`` (or ``(3,3)``) matrices to ``(3,N)`` vectors."""
    if m.ndim == 2:
        return m @ v
    return np.einsum("ij...,j...->i...", m, v)


def mxm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij...,jk...->ik...", a, b)


def transpose(m: np.ndarray) -> np.ndarray:
    return np.swapaxes(m, 0, 1)


def teme_to_gcrs(t: Time) -> np.ndarray:
    """Rotation TEME -> GCRS, as skyfield's ``TEME.rotation_at(t)`` transposed."""
    m, teme_minus_gast, _ = _slow_terms(t)
    return transpose(mxm(_rot_z(teme_minus_gast), m))


def gcrs_to_itrs(t: Time) -> np.ndarray:
    """Rotation GCRS -> ITRS (no polar motion, as skyfield without an IERS table)."""
    m, _, gast_minus_era = _slow_terms(t)
    era = earth_rotation_angle(np.atleast_1d(t.whole), np.atleast_1d(t.ut1_fraction)) * TAU
    return mxm(_rot_z(-(era + gast_minus_era)), m)


def gcrs_to_itrs_state(t: Time, r_gcrs: np.ndarray, v_gcrs: np.ndarray | None = None):
    """Earth-fixed position (km) and, if given a velocity, Earth-relative velocity (km/s)."""
    rot = gcrs_to_itrs(t)
    r = mxv(rot, r_gcrs.reshape(3, -1))
    if v_gcrs is None:
        return r, None
    v = mxv(rot, v_gcrs.reshape(3, -1))
    v = v - spin_km_s(r)
    return r, v
