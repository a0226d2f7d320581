"""The Moon seen from the ISS against Skyfield and published photometry, the Earth's limb against
hand geometry, and the sky's own events against Skyfield's ``is_sunlit``."""
from __future__ import annotations

import numpy as np
import pytest
from skyfield import almanac
from skyfield.api import EarthSatellite
from skyfield.constants import AU_KM, ERAD
from skyfield.functions import angle_between

from orbitview import moon
from orbitview.clock import Clock
from orbitview.errors import EphemerisRangeError
from orbitview.orbits import Observer
from orbitview.resources import resolve
from orbitview.scene import load_scenario
from orbitview.skydata import ephemeris, timescale
from orbitview.view.sightline import ellipsoid_limb

MEAN_MOON_DISTANCE_AU = 384_400.0 / AU_KM    # the Moon's mean distance, the reference of Allen's -12.73


@pytest.fixture(scope="module")
def iss_lines() -> tuple[str, str]:
    """The first element set of tle/iss-2018-11.tle (epoch 2018-11-11), as its two lines."""
    lines = resolve("tle", "iss-2018-11").read_text().splitlines()
    return lines[1], lines[2]


@pytest.fixture(scope="module")
def progress_moon():
    """The Progress MS-10 scene (liftoff 2018-11-16 18:14:08 UTC) and its observer's Moon at T+0..1200 s."""
    scn = load_scenario("progress-ms10")
    return scn, np.arange(0.0, 1201.0, 1.0)


def test_moon_direction_matches_skyfield_apparent_from_the_iss(iss_lines, progress_clock):
    """orbitview's Observer in Skyfield's observe().apparent() gives the EarthSatellite's Moon within 0.01 deg."""
    eph = ephemeris()
    t = progress_clock.t_plus(np.arange(0.0, 1201.0, 60.0))
    sight = moon.moon_sight(Observer.from_tle(*iss_lines, name="ISS"), t)
    iss = EarthSatellite(*iss_lines, "ISS", timescale())
    reference = (eph["earth"] + iss).at(t).observe(eph["moon"]).apparent()
    assert np.degrees(angle_between(sight.direction_gcrs, reference.position.au)).max() < 0.01
    assert np.abs(sight.distance_km - reference.distance().km).max() < 1.0


def test_moon_body_is_geocentric_de421(progress_clock):
    """Moon is a Skyfield body centred on the Earth: geometric GCRS from DE421."""
    eph = ephemeris()
    t = progress_clock.t_plus([0.0, 600.0])
    r, v = moon.Moon().gcrs_state(t)
    reference = (eph["moon"] - eph["earth"]).at(t)
    assert np.allclose(r, reference.position.km, atol=1e-6)
    assert np.allclose(v, reference.velocity.km_per_s, atol=1e-9)
    assert np.allclose(moon.Moon().at(t).position.km, r, atol=1e-6)


def test_illuminated_fraction_matches_skyfield_almanac(progress_moon):
    """About 0.6 lit at liftoff: within 0.01 of Skyfield's geocentric fraction (the ISS sees the
    Moon from up to 1 deg of parallax away, which moves the fraction by under 0.01)."""
    scn, _ = progress_moon
    t = scn.clock.t_plus([0.0, 600.0, 1200.0])
    sight = moon.moon_sight(scn.observer, t)
    reference = almanac.fraction_illuminated(ephemeris(), "moon", t)
    assert np.abs(sight.illuminated_fraction - reference).max() < 0.01
    assert 0.59 < sight.illuminated_fraction[0] < 0.62
    sun_angle = np.degrees(angle_between(-sight.direction_gcrs, sight.sun_direction_gcrs))
    assert np.allclose(sun_angle, sight.phase_angle_deg, atol=0.01)


def test_magnitude_at_full_and_quarter_phase_against_allen():
    """Allen (1973, p. 144): -12.73 at full Moon at the mean distance; his tabulated phase law adds
    2.63 mag at a phase angle of 90 deg (quarter): -10.10."""
    assert moon.v_magnitude(0.0, 1.0, MEAN_MOON_DISTANCE_AU) == pytest.approx(-12.73, abs=0.02)
    assert moon.v_magnitude(90.0, 1.0, MEAN_MOON_DISTANCE_AU) == pytest.approx(-10.10, abs=0.05)


def test_full_moonlight_is_one_four_hundred_thousandth_of_sunlight():
    """10^(-0.4 (-12.73 + 26.74)) = 2.5e-6: the full Moon's light, about 1/400,000 of the Sun's."""
    assert moon.moonlight_ratio(-12.73) == pytest.approx(2.5e-6, rel=0.02)


def test_above_limb_on_a_sphere_by_hand():
    """Sphere of radius 3 seen from 5 (a 3-4-5 triangle): the limb lies asin(3/5) from the nadir, 4 away."""
    sphere = moon.Limb(radii_km=(3.0, 3.0))
    observer = np.array([5.0, 0.0, 0.0])
    for above in (-10.0, 0.0, 1.0, 30.0):
        from_nadir = np.radians(np.degrees(np.arcsin(0.6)) + above)
        direction = np.array([-np.cos(from_nadir), 0.0, np.sin(from_nadir)])
        angle, distance = moon.angle_above_limb(observer, direction, sphere)
        assert angle == pytest.approx(above, abs=1e-9)
        assert distance == pytest.approx(4.0, abs=1e-9)


def test_above_limb_on_wgs84_against_the_exact_ellipsoid_limb():
    """A Moon placed on the WGS84 limb (view.sightline.ellipsoid_limb, a different solution of the
    same tangency) stands at 0 deg, 1 deg above it at 1 deg; the limb 100 km up is higher."""
    observer = np.array([[4800.0, 0.0, 4900.0], [-1200.0, 6700.0, 1500.0]]).T
    up = observer / np.linalg.norm(observer, axis=0)
    heading = np.cross(np.cross(up, np.array([[0.0], [0.0], [1.0]]), axis=0), up, axis=0)
    heading = heading / np.linalg.norm(heading, axis=0)          # horizontal, towards the north
    dip, distance = ellipsoid_limb(observer, heading)
    for above in (0.0, 1.0):
        e = np.radians(above - dip)
        angle, to_limb = moon.angle_above_limb(observer, np.cos(e) * heading + np.sin(e) * up)
        assert np.allclose(angle, above, atol=1e-6)
        assert np.allclose(to_limb, distance, atol=1e-3)
    e = np.radians(-dip)
    raised, _ = moon.angle_above_limb(observer, np.cos(e) * heading + np.sin(e) * up, moon.Limb(height_km=100.0))
    assert np.all(raised < -1.0)


def test_refraction_lifts_only_near_the_limb():
    """1.15 deg below the solid limb the image sits on it; far above, no change; below, hidden."""
    geometric = np.array([-3.0, -moon.REFRACTION_GRAZING_DEG, -0.5, 0.0, 5.0, 30.0])
    apparent = moon.refracted_above_limb_deg(geometric, 2300.0)
    assert apparent[0] == pytest.approx(-3.0 + moon.REFRACTION_GRAZING_DEG)
    assert apparent[1] == pytest.approx(0.0, abs=1e-9)
    assert 0.0 < apparent[2] < apparent[3] < 0.5
    assert apparent[4:] == pytest.approx(geometric[4:], abs=1e-9)
    assert np.all(np.diff(apparent) > 0.0)
    # the image's angle e and its bending balance: geometric = e - refraction exp(-e L / H)
    e = np.radians(apparent[2:4])
    lift = np.radians(moon.REFRACTION_GRAZING_DEG) * np.exp(-e * 2300.0 / moon.REFRACTION_SCALE_HEIGHT_KM)
    assert np.degrees(e - lift) == pytest.approx(geometric[2:4], abs=1e-9)


def test_shadow_transitions_match_skyfield_is_sunlit(iss_lines, progress_clock):
    """On Skyfield's sphere (ERAD) and with the Sun's centre, the ISS's umbra entry and exit fall
    within 1 s of Skyfield's is_sunlit flips on a 0.1 s grid; the whole-disc umbra (the default)
    is entered later and left earlier, by the Sun's 0.27 deg at the orbital rate (about 5 s)."""
    observer = Observer.from_tle(*iss_lines, name="ISS")
    iss = EarthSatellite(*iss_lines, "ISS", timescale())

    def flips(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lit = iss.at(progress_clock.t_plus(grid)).is_sunlit(ephemeris())
        flip = np.flatnonzero(lit[1:] != lit[:-1])
        return grid[flip], lit[flip + 1]

    starts, sunlit_after = flips(np.arange(-6000.0, 6000.0, 1.0))    # then 0.1 s within each second
    fine = np.array([flips(np.arange(s, s + 1.05, 0.1))[0][0] + 0.05 for s in starts])
    skyfield_entry, skyfield_exit = fine[~sunlit_after], fine[sunlit_after]

    coarse = np.arange(-6000.0, 6000.0, 10.0)
    sphere = moon.Limb(radii_km=(ERAD / 1e3, ERAD / 1e3))
    entry = [e.t_plus_s for e in moon.observer_shadow_entry(observer, progress_clock, coarse, sphere, whole_disc=False)]
    leave = [e.t_plus_s for e in moon.observer_shadow_exit(observer, progress_clock, coarse, sphere, whole_disc=False)]
    assert len(entry) == len(skyfield_entry) == 2 and len(leave) == len(skyfield_exit) == 2
    assert np.abs(np.array(entry) - skyfield_entry).max() < 1.0
    assert np.abs(np.array(leave) - skyfield_exit).max() < 1.0

    umbra_in = [e.t_plus_s for e in moon.observer_shadow_entry(observer, progress_clock, coarse)]
    umbra_out = [e.t_plus_s for e in moon.observer_shadow_exit(observer, progress_clock, coarse)]
    assert np.all((np.array(umbra_in) - skyfield_entry > 3.0) & (np.array(umbra_in) - skyfield_entry < 8.0))
    assert np.all((skyfield_exit - np.array(umbra_out) > 3.0) & (skyfield_exit - np.array(umbra_out) < 8.0))


def test_what_the_moon_did_during_the_progress_ms10_launch(progress_moon):
    """From the ISS: well above the limb at liftoff (35 deg) and the separations, behind the
    100 km layer (where the airglow is) from T+508 s, set behind the solid limb at T+568 s with
    refraction (T+550 s without), in the umbra all the while (from T-919 s to T+1129 s)."""
    scn, grid = progress_moon
    sight = moon.moon_sight(scn.observer, scn.clock.t_plus([0.0, 118.0, 287.0, 510.0, 530.0]))
    assert sight.above_limb_deg == pytest.approx([35.05, 27.50, 16.71, 2.52, 1.25], abs=0.02)
    assert sight.visible.all()
    assert sight.v_mag == pytest.approx(-10.49, abs=0.02)

    events = moon.sky_events(scn.observer, scn.clock, grid)
    assert [e.name for e in events] == ["moonset", "observer_shadow_exit"]
    assert events[0].t_plus_s == pytest.approx(567.8, abs=0.1)
    assert events[1].t_plus_s == pytest.approx(1128.6, abs=0.1)
    assert moon.moonset(scn.observer, scn.clock, grid, refraction_deg=0.0)[0].t_plus_s == pytest.approx(549.7, abs=0.1)
    shadow_in = moon.observer_shadow_entry(scn.observer, scn.clock, np.arange(-1200.0, 1.0, 10.0))
    assert [e.t_plus_s for e in shadow_in] == pytest.approx([-918.7], abs=0.1)

    t = scn.clock.t_plus([500.0, 516.0])
    airglow_limb, _ = moon.angle_above_limb_from(scn.observer, t, moon.moon_sight(scn.observer, t).direction_gcrs,
                                                 moon.Limb(height_km=100.0))
    assert airglow_limb[0] > 0.0 > airglow_limb[1]


def test_dates_outside_de421_name_the_date_and_the_range():
    t = timescale().utc(2060, 1, 1)
    with pytest.raises(EphemerisRangeError, match=r"2060-01-01 00:00:00 UTC .*DE421.*1899-07-29 to 2053-10-09"):
        moon.Moon().gcrs_state(t)
    with pytest.raises(EphemerisRangeError, match="1890-06-01"):
        moon.sun_gcrs_km(timescale().utc(1890, 6, [1, 2]))
    with pytest.raises(EphemerisRangeError, match="2060-01-01"):
        moon.moon_sight(Observer.from_tle(*resolve("tle", "iss-2018-11").read_text().splitlines()[1:3]),
                        Clock(t).t_plus([0.0]))
