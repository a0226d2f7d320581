"""Gerst's Soyuz MS-11 scene against the world: the element set through Skyfield, the Sun at the
pad and on the station, the rocket in the camera's frame, the Sun's disc in the picture."""
from __future__ import annotations

import numpy as np
import pytest
from skyfield.api import wgs84

from conftest import skyfield_satellite
from orbitview import load_scenario, shots
from orbitview.render import RenderStyle
from orbitview.skydata import ephemeris, timescale
from orbitview.view.light import sun_gcrs_km

# Roscosmos: liftoff 17:31:52 Baikonur time (UTC+6) on 3 December 2018; the pad (reference notes).
LIFTOFF_UTC = (2018, 12, 3, 11, 31, 52)
PAD_LAT_DEG, PAD_LON_DEG = 45.920, 63.342


@pytest.fixture(scope="module")
def ms11():
    return load_scenario("soyuz-ms11")


@pytest.fixture(scope="module")
def iss():
    return skyfield_satellite("iss-2018-12")


def test_the_observer_at_liftoff_is_skyfields_sgp4_of_the_bundled_set(ms11, iss):
    t = timescale().utc(*LIFTOFF_UTC)
    assert ms11.clock.utc_iso(0.0) == "2018-12-03T11:31:52Z"
    assert t - iss.epoch == pytest.approx(1.15, abs=0.005)                # the set's age (reference notes)
    ours = ms11.observer.gcrs_state(t).position_km.ravel()
    assert np.linalg.norm(ours - iss.at(t).position.km) < 1e-3            # km


def test_the_sun_is_a_few_degrees_up_at_the_pad_and_sets_for_the_station_minutes_later(ms11, iss):
    """Reference notes: late afternoon at the pad, the Sun a few degrees above the horizon; the
    station crossed into the Earth's shadow minutes later. Skyfield's own topocentric Sun and its
    ``is_sunlit`` (a point Sun against a spherical Earth without air: it darkens a few seconds
    before the scene's umbra entry, which waits for the Sun's upper limb and bends it by refraction)."""
    ts = timescale()
    eph = ephemeris()
    t0 = ts.utc(*LIFTOFF_UTC)
    alt, az, _ = (eph["earth"] + wgs84.latlon(PAD_LAT_DEG, PAD_LON_DEG)).at(t0).observe(eph["sun"]).apparent().altaz()
    assert 2.0 < alt.degrees < 5.0 and 200.0 < az.degrees < 250.0        # low in the south-west
    seconds = np.arange(0.0, 900.0, 0.5)
    lit = iss.at(ts.utc(*LIFTOFF_UTC[:5], LIFTOFF_UTC[5] + seconds)).is_sunlit(eph)
    dark = seconds[np.argmax(~lit)]
    assert lit[0] and 60.0 < dark < 600.0
    assert ms11.event_t_plus_s("observer_shadow_entry") == pytest.approx(dark, abs=15.0)


def test_the_camera_holds_the_sunlit_rocket_through_the_burn(ms11):
    """The scenario's fixed aft camera keeps the rocket in frame from liftoff to cutoff, and the
    rocket is sunlit all that time (the Sun was up at the pad, and the rocket only climbs)."""
    cutoff = ms11.event_t_plus_s("third_stage_cutoff")
    seconds = np.linspace(0.0, cutoff, 60)
    lines = ms11.sightline(ms11.clock.t_plus(seconds), "vehicle")
    assert np.all(np.isfinite(np.asarray(lines.camera_px, dtype=float)))
    assert np.all(lines.illumination == 1.0) and np.all(lines.visible)


def test_the_sun_saturates_the_frame_where_it_stands_and_not_once_it_has_set(ms11):
    """At T+150 s the Sun is 10 deg above the limb in the aft view: its pixel (projected here from
    the Sun's GCRS direction through the camera) is white; at T+600 s it is 38 deg below the limb and
    nothing in the frame comes near white."""
    size = (320, 180)
    style = RenderStyle(stars=False, text=False)
    t = ms11.clock.t_plus(np.array([150.0]))
    orientation = ms11.orientation(t)
    to_sun = sun_gcrs_km(t).reshape(3) - orientation.observer.position_km.reshape(3)
    cam_dir = orientation.camera_to_gcrs[:, :, 0].T @ (to_sun / np.linalg.norm(to_sun))
    camera = shots.sized_camera(ms11, size)
    (u, v), inside = camera.project(cam_dir)
    assert inside
    day = shots.frame_at(ms11, 150.0, size, style)
    assert np.all(day[int(v), int(u)] == 255)
    assert shots.frame_at(ms11, 600.0, size, style).max() < 128
