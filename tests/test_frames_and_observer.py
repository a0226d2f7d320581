"""The fast observer track against skyfield, and against what is known of the ISS in 2018."""
from __future__ import annotations

import numpy as np
import pytest
from skyfield.api import EarthSatellite
from skyfield.framelib import itrs
from skyfield.sgp4lib import TEME

from orbitview import frames
from orbitview.earth import GM_EARTH_KM3_S2, WGS84_A_KM
from orbitview.orbits import Observer
from orbitview.skydata import timescale


def test_interpolated_rotations_match_skyfield_per_instant():
    ts = timescale()
    t = ts.utc(2018, 11, 16, 18, 14, np.arange(-86400.0, 86400.0, 61.0))
    teme = frames.teme_to_gcrs(t)
    itrs_rot = frames.gcrs_to_itrs(t)
    # 1e-10 rad is 0.7 mm at the ISS's distance from the geocentre.
    assert np.abs(teme - np.swapaxes(TEME.rotation_at(t), 0, 1)).max() < 1e-10
    assert np.abs(itrs_rot - itrs.rotation_at(t)).max() < 1e-10


def test_observer_agrees_with_skyfield_within_a_metre_over_two_days(iss_2019):
    ts = timescale()
    s = iss_2019.sets[0]
    observer = Observer.from_tle(s.line1, s.line2, name="ISS")
    satellite = EarthSatellite(s.line1, s.line2, "ISS", ts)
    t = ts.utc(2019, 9, 25, 17, 1, np.arange(-86400.0, 86400.0, 7.0))
    ours, theirs = observer.at(t), satellite.at(t)
    assert np.abs(ours.position.km - theirs.position.km).max() < 1e-3
    assert np.abs(ours.velocity.km_per_s - theirs.velocity.km_per_s).max() < 1e-6
    scalar = ts.utc(2019, 9, 25, 13, 57, 42.7)
    assert observer.at(scalar).position.km.shape == (3,)
    assert np.allclose(observer.at(scalar).position.km, satellite.at(scalar).position.km, atol=1e-3)


def test_iss_at_progress_liftoff_is_406_km_and_27600_kmh(iss_2018, progress_clock):
    """Published: ~400 km and 28,800 km/h (rounded); the element sets give ~406 km, ~27,600 km/h."""
    observer = Observer(iss_2018)
    t = progress_clock.liftoff
    lat, lon, alt = observer.geodetic(t)
    speed_kmh = observer.speed_kms(t) * 3600.0
    assert 400.0 < alt < 412.0
    assert 27_500 < speed_kmh < 27_700
    assert abs(lat) <= 51.7  # never beyond the orbit's inclination
    # Vis-viva cross-check of the inertial speed for a near-circular orbit at that radius.
    r = np.linalg.norm(observer.at(t).position.km)
    assert speed_kmh / 3600.0 == pytest.approx(np.sqrt(GM_EARTH_KM3_S2 / r), rel=0.003)
    assert r - WGS84_A_KM == pytest.approx(alt, abs=25.0)


def test_bracketing_sets_agree_within_15_km_and_the_blend_lies_between(iss_2018, progress_clock):
    t = progress_clock.t_plus(np.arange(-600.0, 900.0, 30.0))
    before = Observer(iss_2018, mode="nearest").sets[0]
    after = iss_2018.sets[1]
    r0 = Observer.from_tle(before.line1, before.line2).gcrs_state(t)[0]
    r1 = Observer.from_tle(after.line1, after.line2, max_age_days=30).gcrs_state(t)[0]
    blend = Observer(iss_2018, mode="blend").gcrs_state(t)[0]
    gap = np.linalg.norm(r1 - r0, axis=0)
    assert gap.max() < 15.0 and gap.min() > 5.0
    # Between: the blend splits the segment r0-r1 in proportion to the time weights (7.0 : 5.3).
    to0, to1 = np.linalg.norm(blend - r0, axis=0), np.linalg.norm(blend - r1, axis=0)
    assert np.allclose(to0 + to1, gap, rtol=1e-9)
    assert np.allclose(to0 / gap, 5.315 / 12.33, atol=0.01)
    uncertainty = Observer(iss_2018).uncertainty(progress_clock.liftoff)
    assert uncertainty.spread_km == pytest.approx(gap[20], abs=0.01)


def test_clock_round_trips_and_is_vectorised(progress_clock):
    seconds = np.array([-30.0, 0.0, 118.0, 287.25, 528.0])
    t = progress_clock.t_plus(seconds)
    assert np.allclose(progress_clock.t_plus_s(t), seconds, atol=1e-6)
    assert progress_clock.utc_iso(118.0) == "2018-11-16T18:16:06Z"
    assert t.shape == (5,)
