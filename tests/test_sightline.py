"""Lines of sight against WGS84: horizon and limb from the ISS's height, occultation and grazing
on hand-worked geometry, and the sightline object end to end."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from orbitview.earth import WGS84_A_KM, WGS84_E2, geodetic_to_itrs, itrs_to_geodetic
from orbitview.errors import OrbitviewError
from orbitview.frames import gcrs_to_itrs, transpose, mxv
from orbitview.skydata import timescale
from orbitview.view.camera import Camera, Pointing, camera_to_station
from orbitview.view.sightline import (compute_sightlines, ellipsoid_limb, grazing_altitude_km,
                                      horizon_dip_deg, limb_distance_km, segment_vs_ellipsoid)
from orbitview.view.station import Attitude, station_axes, to_station

ISS_ALT_KM = 406.0


def test_horizon_from_the_iss_matches_hand_geometry():
    """The 3-4-5 right triangle (radius 3, observer 5 from the centre): the limb is 4 away and
    dips by acos(3/5) = 53.130102 deg. From 400 km over a 6,371 km sphere the usual figures are
    a 19.8 deg dip and 2,293 km to the limb; over WGS84's equator from 406 km, 19.92 deg and
    sqrt(406 x 13,162.274) = 2,311.68 km, worked by hand."""
    assert limb_distance_km(2.0, 3.0) == pytest.approx(4.0, abs=1e-12)
    assert horizon_dip_deg(2.0, 3.0) == pytest.approx(53.130102354, abs=1e-9)
    assert horizon_dip_deg(400.0, 6371.0) == pytest.approx(19.8, abs=0.05)
    assert limb_distance_km(400.0, 6371.0) == pytest.approx(2293.0, abs=1.0)
    assert horizon_dip_deg(ISS_ALT_KM) == pytest.approx(19.92, abs=0.005)
    assert limb_distance_km(ISS_ALT_KM) == pytest.approx(2311.68, abs=0.01)


def test_ellipsoid_limb_is_the_circle_in_the_equatorial_plane():
    observer = np.array([[WGS84_A_KM + ISS_ALT_KM], [0.0], [0.0]])
    dip, distance = ellipsoid_limb(observer, np.array([[0.0], [1.0], [0.0]]))
    assert dip[0] == pytest.approx(horizon_dip_deg(ISS_ALT_KM), abs=1e-9)
    assert distance[0] == pytest.approx(limb_distance_km(ISS_ALT_KM), abs=1e-6)
    # Looking north from over the equator, the meridian curves more tightly (radius of curvature
    # a (1 - e^2) at the equator, growing poleward): the limb dips a little further.
    dip_n, _ = ellipsoid_limb(observer, np.array([[0.0], [0.0], [1.0]]))
    meridian_radius = WGS84_A_KM * (1.0 - WGS84_E2)
    assert dip[0] < dip_n[0] < horizon_dip_deg(ISS_ALT_KM, meridian_radius)


@given(st.floats(-89.0, 89.0), st.floats(-180.0, 180.0), st.floats(0.0, 360.0), st.floats(200.0, 1000.0))
@settings(max_examples=60, deadline=None)
def test_ellipsoid_limb_is_where_rays_start_to_hit(lat, lon, heading, alt):
    observer = geodetic_to_itrs(lat, lon, alt).reshape(3, 1)
    up = observer / np.linalg.norm(observer)
    east = np.cross([0.0, 0.0, 1.0], up[:, 0]).reshape(3, 1)
    east /= np.linalg.norm(east)
    north = np.cross(up[:, 0], east[:, 0]).reshape(3, 1)
    h = np.cos(np.radians(heading)) * north + np.sin(np.radians(heading)) * east
    dip, distance = ellipsoid_limb(observer, h)
    far = 1e5
    for delta, hits in ((1e-6, True), (-1e-6, False)):
        e = -np.radians(dip[0] + delta)
        target = observer + far * (np.cos(e) * h + np.sin(e) * up)
        blocked = segment_vs_ellipsoid(observer, target)[0]
        assert blocked[0] == hits
    e = -np.radians(dip[0])
    tangent = observer + distance[0] * (np.cos(e) * h + np.sin(e) * up)
    assert itrs_to_geodetic(tangent)[2][0] == pytest.approx(0.0, abs=1e-6)


def _tangent_case(grazing_km, beyond_km=500.0):
    """Observer at 406 km over the equator; target beyond a line tangent to the circle of
    radius a + grazing_km in the equatorial plane (so the lowest height is exactly grazing_km)."""
    r_obs, r_g = WGS84_A_KM + ISS_ALT_KM, WGS84_A_KM + grazing_km
    phi = np.arccos(r_g / r_obs)
    observer = np.array([r_obs, 0.0, 0.0])
    touch = r_g * np.array([np.cos(phi), np.sin(phi), 0.0])
    along = (touch - observer) / np.linalg.norm(touch - observer)
    target = touch + beyond_km * along
    return observer.reshape(3, 1), target.reshape(3, 1)


@pytest.mark.parametrize("grazing_km", [-30.0, -1.0, 1.0, 12.0, 60.0])
def test_occultation_just_above_and_below_the_limb(grazing_km):
    observer, target = _tangent_case(grazing_km)
    blocked, meets, lowest, radius = segment_vs_ellipsoid(observer, target)
    assert blocked[0] == (grazing_km < 0)
    assert meets[0] == (grazing_km < 0)          # past a grazing target, the ray goes to space
    assert grazing_altitude_km(lowest, radius)[0] == pytest.approx(grazing_km, abs=1e-6)


def test_body_exactly_behind_the_earth_and_one_in_front():
    observer = np.array([[WGS84_A_KM + ISS_ALT_KM], [0.0], [0.0]])
    behind = -observer
    below = np.array([[WGS84_A_KM + 50.0], [0.0], [0.0]])
    high = np.array([[WGS84_A_KM + 200.0], [0.0], [0.0]])
    blocked, meets, lowest, radius = segment_vs_ellipsoid(observer, np.hstack([behind, below, high]))
    assert list(blocked) == [True, False, False]
    assert list(meets) == [True, True, True]      # both seen against the Earth below
    grazing = grazing_altitude_km(lowest, radius)
    assert grazing[0] == pytest.approx(-WGS84_A_KM)  # straight through the centre
    assert grazing[1] == pytest.approx(50.0)          # the air at the target itself
    assert np.isnan(grazing[2])                       # never below 100 km


@given(st.floats(-60, 60), st.floats(-180, 180), st.floats(0, 360), st.floats(-25, -15), st.floats(500, 4000))
@settings(max_examples=60, deadline=None)
def test_grazing_height_is_the_lowest_point_of_the_segment(lat, lon, heading, el, length):
    observer = geodetic_to_itrs(lat, lon, ISS_ALT_KM).reshape(3, 1)
    up = observer / np.linalg.norm(observer)
    east = np.cross([0.0, 0.0, 1.0], up[:, 0]).reshape(3, 1)
    east /= np.linalg.norm(east)
    north = np.cross(up[:, 0], east[:, 0]).reshape(3, 1)
    e, a = np.radians(el), np.radians(heading)
    d = np.cos(e) * (np.cos(a) * north + np.sin(a) * east) + np.sin(e) * up
    target = observer + length * d
    blocked, _, lowest, radius = segment_vs_ellipsoid(observer, target)
    s = np.linspace(0.0, 1.0, 20001)
    brute = itrs_to_geodetic(observer + s * (target - observer))[2].min()
    got = grazing_altitude_km(lowest, radius)[0]
    if brute < 100.0:
        assert got == pytest.approx(brute, abs=0.002)    # 2 m: the brute force's own step
        assert blocked[0] == (brute < 0.0)
    else:
        assert np.isnan(got)


@pytest.fixture(scope="module")
def scene():
    """The ISS over the equator moving east, a rocket below it and one hidden by the Earth."""
    t = timescale().utc(2018, 11, 16, 18, 20, np.array([0.0, 1.0]))
    to_gcrs = transpose(gcrs_to_itrs(t))
    obs_itrs = np.repeat(np.array([[WGS84_A_KM + ISS_ALT_KM], [0.0], [0.0]]), 2, axis=1)
    vel_itrs = np.repeat(np.array([[0.0], [7.66], [0.0]]), 2, axis=1)
    near = geodetic_to_itrs(0.0, -5.0, 100.0).reshape(3, 1).repeat(2, axis=1)   # west: behind
    hidden = -obs_itrs
    targets_itrs = np.stack([near, hidden], axis=-1)
    observer = mxv(to_gcrs, obs_itrs)
    velocity = mxv(to_gcrs, vel_itrs)
    targets = np.einsum("ijn,jnb->inb", to_gcrs, targets_itrs)
    return t, observer, velocity, targets


def test_sightlines_end_to_end(scene):
    t, observer, velocity, targets = scene
    camera = Camera(1920, 1080, 60.0)
    axes = station_axes(observer, velocity, Attitude())
    tracking = camera_to_station(Pointing.track("vehicle"), camera,
                                 {"vehicle": to_station(axes, _unit(targets[:, :, 0] - observer))})
    s = compute_sightlines(t, observer, targets, axes, camera=camera, camera_to_station=tracking)
    assert s.visible.shape == (2, 2)
    assert s.visible[:, 0].all() and not s.visible[:, 1].any()
    assert list(s.against[0]) == ["earth", "earth"]
    assert s.range_km[0, 1] == pytest.approx(2 * (WGS84_A_KM + ISS_ALT_KM), rel=1e-9)
    # The rocket lies behind and below (the station moves east, rocket to the west).
    assert 170.0 < s.azimuth_deg[0, 0] < 190.0 and -40.0 < s.elevation_deg[0, 0] < -20.0
    assert s.window[0, 0] == "aft"
    np.testing.assert_allclose(s.camera_px[:, :, 0], [[960.0, 960.0], [540.0, 540.0]], atol=1e-6)
    assert np.isnan(s.camera_px[:, :, 1]).all()       # the far side is out of frame
    assert s.direction_station.shape == (3, 2, 2)
    assert s.illumination.shape == (2, 2) and set(np.unique(s.shadow)) <= {"sunlit", "penumbra", "umbra"}


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=0)


def test_single_body_shapes_and_bad_input(scene):
    t, observer, velocity, targets = scene
    axes = station_axes(observer, velocity, Attitude())
    s = compute_sightlines(t, observer, targets[:, :, 0], axes)
    assert s.visible.shape == (2,) and s.camera_px.shape == (2, 2) and np.isnan(s.camera_px).all()
    with pytest.raises(OrbitviewError, match="expected"):
        compute_sightlines(t, observer, targets[:, :1, 0], axes)
    with pytest.raises(OrbitviewError, match="needs its rotation"):
        compute_sightlines(t, observer, targets, axes, camera=Camera(10, 10, 10.0))


def test_a_pad_below_the_ellipsoid_is_seen_on_its_ground_and_a_point_under_it_is_not():
    # LC-39A stands ~25 m below WGS84 (the geoid there is ~-30 m): seen from 1,085 km away on a
    # slant, the line meets the ellipsoid a few tens of metres short of it, on the pad's own ground.
    # A point 1 km underground is hidden: the line enters the Earth ~3 km before reaching it.
    observer = np.array([[WGS84_A_KM + ISS_ALT_KM], [0.0], [0.0]])
    angle = np.radians(9.0)                               # ~1,000 km along the ground
    pad, underground = ([[(WGS84_A_KM + h) * np.cos(angle)], [(WGS84_A_KM + h) * np.sin(angle)], [0.0]]
                        for h in (-0.025, -1.0))
    blocked = segment_vs_ellipsoid(observer, np.hstack([pad, underground]))[0]
    assert list(blocked) == [False, True]
