"""Sunlight against skyfield: shadow entries/exits of the ISS over a day, Sun elevations at the
pads of the two launches, and the penumbra's duration."""
import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84

from orbitview.earth import geodetic_to_itrs, itrs_to_geodetic
from orbitview.frames import gcrs_to_itrs_state
from orbitview.skydata import ephemeris, timescale
from orbitview.view import light

ISS_LINE1 = "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997"
ISS_LINE2 = "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"
BAIKONUR_LAT_DEG, BAIKONUR_LON_DEG = 45.920, 63.342
STEP_S = 5.0


@pytest.fixture(scope="module")
def day():
    """The ISS over one day (5 s steps) from the element set's epoch, with skyfield's verdict."""
    ts = timescale()
    sat = EarthSatellite(ISS_LINE1, ISS_LINE2, "ISS", ts)
    t = ts.utc(2018, 11, 11, 10, 40, np.arange(0.0, 86400.0, STEP_S))
    position = sat.at(t)
    r_itrs, _ = gcrs_to_itrs_state(t, position.position.km)
    return t, r_itrs, position.is_sunlit(ephemeris())


def _transitions(flags):
    return np.flatnonzero(np.diff(flags.astype(int)))


@pytest.mark.parametrize("atmosphere_km,tolerance_s", [(0.0, 15.0), (light.EARTH_SHADOW_ATMOSPHERE_KM, 20.0)])
def test_sunlit_agrees_with_skyfield_is_sunlit(day, atmosphere_km, tolerance_s):
    t, r_itrs, skyfield_sunlit = day
    fraction, sunlit = light.illumination(r_itrs, light.sun_itrs_km(t), atmosphere_km)
    ours, theirs = _transitions(sunlit), _transitions(skyfield_sunlit)
    assert len(theirs) >= 30                       # ~16 orbits: an entry and an exit each
    assert len(ours) == len(theirs)
    # Skyfield: a sphere of the equatorial radius, no atmosphere; ours: the ellipsoid (+ air).
    # The ISS crosses the shadow edge at a few km/s of grazing height, so the edges differ by
    # seconds: every disagreement must lie next to one of skyfield's transitions.
    assert np.abs(ours - theirs).max() * STEP_S <= tolerance_s
    disagree = np.flatnonzero(sunlit != skyfield_sunlit)
    near = np.abs(disagree[:, None] - theirs[None, :]).min(axis=1) * STEP_S
    assert (near <= tolerance_s).all()
    assert (fraction[sunlit & (skyfield_sunlit)] > 0.4).all()
    assert (fraction[~sunlit & ~skyfield_sunlit] < 0.6).all()


def test_penumbra_lasts_seconds(day):
    t, r_itrs, _ = day
    ts = timescale()
    sat = EarthSatellite(ISS_LINE1, ISS_LINE2, "ISS", ts)
    fraction, _ = light.illumination(r_itrs, light.sun_itrs_km(t))
    entry = np.flatnonzero((fraction[:-1] == 1.0) & (fraction[1:] < 1.0))[0]
    fine = ts.tt_jd(t[entry].tt + np.arange(-30.0, 60.0, 0.1) / 86400.0)
    r_fine, _ = gcrs_to_itrs_state(fine, sat.at(fine).position.km)
    fine_fraction, _ = light.illumination(r_fine, light.sun_itrs_km(fine))
    penumbra_s = np.sum((fine_fraction > 0.0) & (fine_fraction < 1.0)) * 0.1
    assert 4.0 < penumbra_s < 20.0
    assert np.all(np.diff(fine_fraction) <= 1e-12)           # entering shadow: only darker


def test_hand_cases_noon_midnight_and_half_sun():
    ts = timescale()
    t = ts.utc(2018, 11, 16, 18, 14, 8.0)
    sun = light.sun_itrs_km(t)
    s_hat = sun[:, 0] / np.linalg.norm(sun)
    r = 6784.0
    fraction, sunlit = light.illumination(np.array([r * s_hat, -r * s_hat]).T, sun, 0.0)
    assert list(fraction) == [1.0, 0.0] and list(sunlit) == [True, False]


def test_sun_at_the_pads_matches_skyfield():
    ts = timescale()
    eph = ephemeris()
    pad = eph["earth"] + wgs84.latlon(BAIKONUR_LAT_DEG, BAIKONUR_LON_DEG)
    for stamp in [(2018, 11, 16, 18, 14, 8.0), (2019, 9, 25, 13, 57, 42.7)]:
        t = ts.utc(*stamp)
        ours = light.sun_elevation_at_site_deg(t, BAIKONUR_LAT_DEG, BAIKONUR_LON_DEG)
        alt, _, _ = pad.at(t).observe(eph["sun"]).apparent().altaz()
        assert float(ours) == pytest.approx(alt.degrees, abs=0.02)   # aberration/light time: 20"
    # Progress MS-10 lifted off at night; Soyuz MS-15 at dusk, Sun a few degrees down.
    assert light.sun_elevation_at_site_deg(ts.utc(2018, 11, 16, 18, 14, 8.0), BAIKONUR_LAT_DEG,
                                           BAIKONUR_LON_DEG) < -18.0
    assert -8.0 < light.sun_elevation_at_site_deg(ts.utc(2019, 9, 25, 13, 57, 42.7), BAIKONUR_LAT_DEG,
                                                  BAIKONUR_LON_DEG) < 0.0


def test_subpoint_sun_elevation_matches_the_ground_point(day):
    t, r_itrs, _ = day
    pick = slice(0, 17280, 997)
    sun = light.sun_itrs_km(t)[:, pick]
    ours = light.sun_elevation_subpoint_deg(r_itrs[:, pick], sun)
    lat, lon, _ = itrs_to_geodetic(r_itrs[:, pick])
    ground = geodetic_to_itrs(lat, lon, 0.0)
    up = geodetic_to_itrs(lat, lon, 1.0) - ground
    to_sun = sun - ground
    exact = np.degrees(np.arcsin(np.sum(up * to_sun, axis=0) / np.linalg.norm(to_sun, axis=0)))
    np.testing.assert_allclose(ours, exact, atol=0.003)


def test_dusk_plume_is_sunlit_over_dark_ground():
    """Soyuz MS-15: at dusk over Baikonur a plume at 100 km is in sunlight, the ground is not."""
    ts = timescale()
    t = ts.utc(2019, 9, 25, 13, 57, 42.7)
    sun = light.sun_itrs_km(t)
    heights = np.array([0.5, 100.0])
    bodies = geodetic_to_itrs(np.full(2, BAIKONUR_LAT_DEG), np.full(2, BAIKONUR_LON_DEG), heights)
    fraction, sunlit = light.illumination(bodies, sun)
    elevation = light.sun_elevation_subpoint_deg(bodies, sun)
    flag = light.over_dark_ground(sunlit, elevation)
    assert list(sunlit) == [False, True] and fraction[1] == 1.0
    assert list(flag) == [False, True]
