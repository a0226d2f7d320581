"""orbitview.frames against the published TEME -> GCRF / ITRF reduction.

Source: Vallado, Crawford, Hujsak and Kelso, AIAA 2006-6753 Rev 2 (2006), appendix C, and
Vallado, "Fundamentals of Astrodynamics and Applications", 4th ed. (2013), example 3-15 and
table 3-6: one state at 2004-04-06 07:51:28.386009 UTC, reduced with the published Earth
orientation of that day (UT1-UTC = -0.4399619 s, xp = -0.140682", yp = 0.333309"):

- TEME: r = (5094.18016210, 6127.64465950, 6380.34453270) km,
  v = (-4.746131487, 0.785818041, 5.531931288) km/s;
- PEF (Earth-fixed without polar motion): r = (-1033.47503120, 7901.30558560, 6380.34453270) km,
  v = (-3.2256327470, -2.8724425110, 5.5319312880) km/s;
- ITRF: r = (-1033.4793830, 7901.2952754, 6380.3565958) km,
  v = (-3.225636520, -2.872451450, 5.531924446) km/s;
- GCRF (IAU-76/FK5 with the day's nutation corrections): r = (5102.50895790, 6123.01140070,
  6378.13692820) km, v = (-4.7432201570, 0.7905364970, 5.5337557270) km/s.

What orbitview leaves out, and so the honest tolerances: it applies no polar motion (the ITRF
it returns is the PEF: ~16 m from the published ITRF at this radius), and it takes UT1 from
skyfield's table (-0.44043 s that day, 0.47 ms from Vallado's: 0.27 m along the equator at
this radius). Inertial (GCRF) needs no Earth orientation beyond nutation: millimetres.
"""
from __future__ import annotations

import numpy as np
import pytest

from orbitview import frames
from orbitview.skydata import timescale

R_TEME = np.array([5094.18016210, 6127.64465950, 6380.34453270])
V_TEME = np.array([-4.746131487, 0.785818041, 5.531931288])
R_PEF = np.array([-1033.47503120, 7901.30558560, 6380.34453270])
V_PEF = np.array([-3.2256327470, -2.8724425110, 5.5319312880])
R_ITRF = np.array([-1033.4793830, 7901.2952754, 6380.3565958])
V_ITRF = np.array([-3.225636520, -2.872451450, 5.531924446])
R_GCRF = np.array([5102.50895790, 6123.01140070, 6378.13692820])
V_GCRF = np.array([-4.7432201570, 0.7905364970, 5.5337557270])
XP_RAD, YP_RAD = np.radians(np.array([-0.140682, 0.333309]) / 3600.0)
EARTH_RATE_RAD_S = 7.292115e-5          # (the published ITRF velocities use it)
PUBLISHED_DUT1_S = -0.4399619


@pytest.fixture(scope="module")
def t():
    return timescale().utc(2004, 4, 6, 7, 51, 28.386009)


@pytest.fixture(scope="module")
def gcrs(t) -> tuple[np.ndarray, np.ndarray]:
    rotation = frames.teme_to_gcrs(t)[:, :, 0]
    return rotation @ R_TEME, rotation @ V_TEME


def test_teme_to_gcrs_gives_the_published_gcrf_state(gcrs):
    r, v = gcrs
    assert np.abs(r - R_GCRF).max() < 0.01          # 1 cm; measured 3 mm
    assert np.abs(v - V_GCRF).max() < 1e-8          # 0.01 mm/s; measured 0.002 mm/s


def test_gcrs_to_itrs_gives_the_published_earth_fixed_state_less_polar_motion(t, gcrs):
    r, v = (a[:, 0] for a in frames.gcrs_to_itrs_state(t, *gcrs))
    # UT1: the Earth turned by a different angle is a rotation about z, |dr| = w |dUT1| rho.
    rho = np.hypot(*R_PEF[:2])
    ut1_gap_km = EARTH_RATE_RAD_S * abs(t.dut1 - PUBLISHED_DUT1_S) * rho
    assert 0.2 < ut1_gap_km * 1000.0 < 0.35
    assert np.linalg.norm(r - R_PEF) == pytest.approx(ut1_gap_km, rel=0.05)
    assert np.abs(v - V_PEF).max() < 2e-7           # 0.2 mm/s
    # Against the published ITRF: the gap is polar motion, ~16 m; applying the published
    # (xp, yp) by hand (r_ITRF = W^T r_PEF, Vallado eq. 3-77, small angles) closes it.
    assert 10.0 < np.linalg.norm(r - R_ITRF) * 1000.0 < 25.0
    w_transposed = np.array([[1.0, 0.0, XP_RAD], [0.0, 1.0, -YP_RAD], [-XP_RAD, YP_RAD, 1.0]])
    assert np.linalg.norm(w_transposed @ r - R_ITRF) == pytest.approx(ut1_gap_km, rel=0.05)
    assert np.abs(w_transposed @ v - V_ITRF).max() < 2e-7

