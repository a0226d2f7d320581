"""The Crew Dragon Demo-2 scene end to end against the world: the station through Skyfield, the Sun
over the pad, the fixed camera holding the rocket, and what a small render shows of it (a sunlit
70 m rocket 1,400 km away cannot show against the sunlit sea; its trail above the limb can)."""
from __future__ import annotations

import numpy as np
import pytest
from skyfield.api import wgs84

from conftest import skyfield_satellite
from orbitview import load_scenario, shots
from orbitview.render import RenderStyle
from orbitview.report import event_rows, geometry_rows
from orbitview.skydata import ephemeris, timescale

# NASA: liftoff 3:22:45 p.m. EDT on 30 May 2020 from LC-39A (reference notes).
LIFTOFF_UTC = (2020, 5, 30, 19, 22, 45)
PAD_LAT_DEG, PAD_LON_DEG = 28.608, -80.604
# The small render's size and style: no stars or captions to mistake for the rocket.
SIZE = (480, 270)
STYLE = RenderStyle(stars=False, text=False)


@pytest.fixture(scope="module")
def demo2():
    return load_scenario("crew-dragon-demo2")


@pytest.fixture(scope="module")
def iss():
    """The bundled set nearest liftoff (the last of three, 4.6 h before it)."""
    return skyfield_satellite("iss-2020-05")


def test_the_station_was_1085_km_from_the_pad_at_liftoff(demo2, iss):
    """Skyfield's SGP4 and its WGS84 pad, independent of the scene's frames: the same range."""
    t = timescale().utc(*LIFTOFF_UTC)
    assert (t - iss.epoch) * 24.0 == pytest.approx(4.6, abs=0.05)
    skyfield_km = (iss - wgs84.latlon(PAD_LAT_DEG, PAD_LON_DEG)).at(t).distance().km
    ours = geometry_rows(demo2, [0.0])[0]["observer_from_site"]["range_km"]
    assert ours == pytest.approx(skyfield_km, abs=0.5)
    assert ours == pytest.approx(1085.0, abs=5.0)


def test_the_launch_was_in_full_daylight_for_the_pad_and_the_station(demo2, iss):
    """15:22 local time: the Sun ~62 deg up in the west over the pad (Skyfield's topocentric Sun),
    and the station sunlit through the whole burn to Dragon's separation (Skyfield's ``is_sunlit``)."""
    ts, eph = timescale(), ephemeris()
    t0 = ts.utc(*LIFTOFF_UTC)
    alt, az, _ = (eph["earth"] + wgs84.latlon(PAD_LAT_DEG, PAD_LON_DEG)).at(t0).observe(eph["sun"]).apparent().altaz()
    assert 55.0 < alt.degrees < 70.0 and 240.0 < az.degrees < 290.0
    seconds = np.arange(0.0, demo2.event_t_plus_s("spacecraft_separation"), 10.0)
    assert np.all(iss.at(ts.utc(*LIFTOFF_UTC[:5], LIFTOFF_UTC[5] + seconds)).is_sunlit(eph))


def test_the_timeline_runs_end_to_end_in_order(demo2):
    rows = event_rows(demo2)
    names = [r["name"] for r in rows]
    assert [r["t_plus_s"] for r in rows] == sorted(r["t_plus_s"] for r in rows)
    # NASA's timeline. The landing burn (T+8:52) is left out: it lights 5 s after SECO (T+8:47), closer
    # than the model places either (test_vehicles: 10 s and 8 s); the model has them within 0.1 s.
    published = ["liftoff", "max_q", "first_stage_cutoff", "stage_separation", "second_stage_ignition",
                 "entry_burn", "second_stage_cutoff", "first_stage_landing", "spacecraft_separation"]
    assert [n for n in names if n in published] == published


def test_the_fixed_camera_holds_the_sunlit_rocket_from_liftoff_to_seco(demo2):
    """The scenario's aft camera keeps the rocket in frame through the whole burn; it is sunlit all
    the while; it rises from against the sea (26.9 deg below the station's horizontal) to above the
    limb (which lies 20.3 deg down from ~420 km: arccos(R / (R + h))) by MECO."""
    seco = demo2.event_t_plus_s("second_stage_cutoff")
    seconds = np.linspace(0.0, seco, 60)
    lines = demo2.sightline(demo2.clock.t_plus(seconds), "vehicle")
    assert np.all(np.isfinite(np.asarray(lines.camera_px, dtype=float)))
    assert np.all(lines.illumination == 1.0) and np.all(lines.visible)
    rows = geometry_rows(demo2, [0.0, demo2.event_t_plus_s("first_stage_cutoff")])
    limb_deg = -np.degrees(np.arccos(6371.0 / (6371.0 + rows[0]["observer"]["alt_km"])))
    assert rows[0]["sightline"]["against"] == "earth" and rows[0]["sightline"]["elevation_deg"] < limb_deg
    assert rows[1]["sightline"]["against"] == "space" and rows[1]["sightline"]["elevation_deg"] > limb_deg


def _added_light(scene, t_plus: float) -> tuple[np.ndarray, np.ndarray]:
    """The frame's sum of channels with the bodies less the same frame without them, and where the
    sightline puts the rocket in it (the camera's pixel scaled to the small size)."""
    cam = scene.camera
    px = geometry_rows(scene, [t_plus])[0]["sightline"]["camera_px"]
    expected = np.array(SIZE) / 2 + (np.array(px) - [cam.width_px / 2, cam.height_px / 2]) * SIZE[0] / cam.width_px
    with_bodies = shots.frame_at(scene, t_plus, SIZE, STYLE)
    without = shots.frame_at(scene, t_plus, SIZE, RenderStyle(stars=False, text=False, objects=False))
    return with_bodies.astype(float).sum(axis=2) - without.astype(float).sum(axis=2), expected


def test_at_max_q_the_rocket_cannot_show_against_the_sunlit_sea(demo2):
    """At max-Q the rocket is 1,430 km away. A pixel of this render spans 36 mm / 480 px behind the
    70 mm lens, 1.07 mrad, 1.53 km there; the rocket's sunlit side, 3.7 m x 70 m, is 1e-4 of that
    pixel's footprint, so even white against the sea it moves the pixel by well under a level."""
    added, _ = _added_light(demo2, demo2.event_t_plus_s("max_q"))
    assert added.max() <= 3.0                                  # three channels, a level each at most


def test_at_meco_the_sunlit_trail_shows_above_the_limb_where_the_sightline_puts_it(demo2):
    """Against the black sky above the limb the rocket and its sunlit exhaust are what shows: the
    light they add peaks within 2 px of the sightline's pixel (two independent paths: the station
    frame's camera projection, the renderer's ITRS rays)."""
    added, expected = _added_light(demo2, demo2.event_t_plus_s("first_stage_cutoff"))
    v, u = np.unravel_index(np.argmax(added), added.shape)
    assert added.max() > 10.0
    assert np.hypot(u + 0.5 - expected[0], v + 0.5 - expected[1]) < 2.0
