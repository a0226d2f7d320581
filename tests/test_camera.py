"""Camera models and pointings: projections invert, angles match the field of view, frames hold."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from orbitview.errors import OrbitviewError
from orbitview.view import station
from orbitview.view.camera import (Camera, Lens, PhotoSettings, Pointing, camera_to_station, minimal_enclosing_cone,
                                   station_to_camera)

CAMERAS = [Camera(1920, 1080, 60.0), Camera(640, 480, 120.0, "pinhole", roll_deg=15.0),
           Camera(1000, 1000, 180.0, "fisheye"), Camera(800, 600, 300.0, "fisheye")]


def _angle_deg(a, b):
    a, b = np.broadcast_arrays(a, b)
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(a, b, axis=0), axis=0), np.sum(a * b, axis=0)))


@pytest.mark.parametrize("camera", CAMERAS, ids=lambda c: f"{c.model}-{c.fov_deg:g}")
def test_pixel_ray_pixel_round_trip(camera):
    rng = np.random.default_rng(4)
    px = rng.uniform([[0.0], [0.0]], [[camera.width_px], [camera.height_px]], (2, 5000))
    rays = camera.ray(px)
    # A fisheye's corners can lie beyond 180 deg from the axis: no direction maps there.
    beyond = np.hypot(px[0] - camera.width_px / 2, px[1] - camera.height_px / 2) / camera.focal_px > np.pi
    assert np.isnan(rays[:, beyond]).all() and np.isfinite(rays[:, ~beyond]).all()
    back, in_frame = camera.project(rays[:, ~beyond])
    assert in_frame.all()
    np.testing.assert_allclose(back, px[:, ~beyond], atol=1e-8)


@given(u=st.floats(0.001, 639.999), v=st.floats(0.001, 479.999), fov=st.floats(1.0, 179.0),
       model=st.sampled_from(["pinhole", "fisheye"]))
@settings(max_examples=200, deadline=None)
def test_round_trip_property(u, v, fov, model):
    camera = Camera(640, 480, fov, model)
    back, in_frame = camera.project(camera.ray(np.array([[u], [v]])))
    assert in_frame[0]
    np.testing.assert_allclose(back[:, 0], [u, v], atol=1e-6)


@pytest.mark.parametrize("model", ["pinhole", "fisheye"])
def test_image_edges_lie_at_half_the_field_of_view(model):
    camera = Camera(1200, 800, 90.0, model)
    edges = camera.ray(np.array([[0.0, 1200.0], [400.0, 400.0]]))
    np.testing.assert_allclose(_angle_deg(edges, np.array([[0.0], [0.0], [1.0]])), [45.0, 45.0], atol=1e-9)
    assert edges[0, 0] < 0 < edges[0, 1]           # +x is to the right


def test_fisheye_is_equidistant_and_sees_behind():
    camera = Camera(1000, 1000, 360.0, "fisheye")
    radii = np.array([0.0, 100.0, 250.0, 499.0])
    rays = camera.ray(np.array([500.0 + radii, np.full(4, 500.0)]))
    angles = _angle_deg(rays, np.array([[0.0], [0.0], [1.0]]))
    np.testing.assert_allclose(angles, radii / camera.focal_px * 180 / np.pi, atol=1e-9)
    assert angles[-1] > 170.0


def test_pixel_rays_grid_and_scale():
    camera = Camera(64, 48, 40.0)
    rays = camera.pixel_rays()
    assert rays.shape == (48, 64, 3)
    np.testing.assert_allclose(np.linalg.norm(rays, axis=-1), 1.0)
    np.testing.assert_allclose(rays[0, 0], camera.ray(np.array([0.5, 0.5])))
    step = _angle_deg(rays[24, 32], rays[24, 31])
    assert step == pytest.approx(np.degrees(camera.pixel_scale_rad), rel=1e-3)


def test_behind_a_pinhole_is_out_of_frame():
    px, in_frame = Camera(100, 100, 90.0).project(np.array([[0.0, 0.0], [0.0, 0.0], [-1.0, 0.0]]))
    assert not in_frame.any() and np.isnan(px).all()


@pytest.mark.parametrize("args", [(640, 480, 0.0), (640, 480, -5.0), (640, 480, 180.0),
                                  (640, 480, 361.0, "fisheye"), (0, 480, 60.0), (640, -1, 60.0),
                                  (640.5, 480, 60.0), (640, 480, float("nan")), (640, 480, 60.0, "orthographic")])
def test_impossible_cameras_are_refused(args):
    with pytest.raises(OrbitviewError, match="camera"):
        Camera(*args)


def test_level_pointing_puts_zenith_up_and_starboard_right():
    camera = Camera(1000, 800, 60.0)
    rotation = camera_to_station(Pointing.fixed(0.0, -20.0), camera)
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)
    dirs = station.direction(np.array([0.0, 0.0, 10.0]), np.array([-20.0, -10.0, -20.0]))
    px, in_frame = camera.project(station_to_camera(rotation, dirs))
    assert in_frame.all()
    np.testing.assert_allclose(px[:, 0], [500.0, 400.0], atol=1e-9)  # boresight at the centre
    assert px[1, 1] < 400.0                                          # higher elevation: up
    assert px[0, 2] > 500.0                                          # towards starboard: right


def test_roll_turns_the_image():
    camera = Camera(1000, 1000, 60.0, roll_deg=90.0)
    rotation = camera_to_station(Pointing.fixed(0.0, -20.0), camera)
    up = station.direction(0.0, -10.0)
    px, _ = camera.project(station_to_camera(rotation, up.reshape(3, 1)))
    assert px[0, 0] < 500.0 and px[1, 0] == pytest.approx(500.0)      # zenith now to the left


def test_nadir_pointing_puts_forward_up():
    camera = Camera(100, 100, 60.0)
    rotation = camera_to_station(Pointing.fixed(0.0, -90.0), camera)
    px, _ = camera.project(station_to_camera(rotation, station.direction(0.0, -80.0).reshape(3, 1)))
    assert px[1, 0] < 50.0 and px[0, 0] == pytest.approx(50.0)


@given(st.lists(st.tuples(st.floats(-40, 40), st.floats(-40, 40)), min_size=1, max_size=40),
       st.floats(0, 360), st.floats(-60, 60))
@settings(max_examples=100, deadline=None)
def test_minimal_enclosing_cone_holds_all_and_is_tight(offsets, az, el):
    centre = station.direction(az, el)
    east = np.cross([0.0, 0.0, 1.0], centre)
    east = east / np.linalg.norm(east) if np.linalg.norm(east) > 1e-6 else np.array([1.0, 0.0, 0.0])
    north = np.cross(centre, east)
    o = np.radians(np.array(offsets)).T
    dirs = centre[:, None] + np.tan(o[0]) * east[:, None] + np.tan(o[1]) * north[:, None]
    dirs /= np.linalg.norm(dirs, axis=0)
    axis, half = minimal_enclosing_cone(dirs)
    angles = _angle_deg(axis[:, None], dirs)
    assert angles.max() <= half + 1e-7
    # Tight: at least one direction lies on the rim, and no direction's own cone does better.
    assert angles.max() == pytest.approx(half, abs=1e-7)
    for d in dirs.T:
        assert _angle_deg(d[:, None], dirs).max() >= half - 1e-7


def test_cone_of_two_directions_is_their_bisector():
    dirs = station.direction(np.array([170.0, 190.0]), np.array([-20.0, -20.0]))
    axis, half = minimal_enclosing_cone(dirs)
    np.testing.assert_allclose(station.azimuth_elevation(axis)[0], 180.0)
    assert half == pytest.approx(_angle_deg(dirs[:, :1], dirs[:, 1:])[0] / 2)


def test_fit_pointing_frames_a_track_and_refuses_a_narrow_camera():
    az = np.linspace(200.0, 240.0, 300)
    el = -20.0 + 5.0 * np.sin(np.linspace(0, np.pi, 300))
    track = {"vehicle": station.direction(az, el)}
    fixed = Pointing.fit(["vehicle"]).resolved(track, Camera(1920, 1080, 60.0))
    assert fixed.kind == "fixed"
    assert station.azimuth_elevation(fixed.boresight())[0] == pytest.approx(220.0, abs=0.1)
    with pytest.raises(OrbitviewError, match="cannot frame vehicle"):
        Pointing.fit(["vehicle"]).resolved(track, Camera(1920, 1080, 20.0))


def test_track_and_frame_pointings_follow_bodies():
    camera = Camera(800, 600, 70.0)
    dirs = {"a": station.direction(np.array([150.0, 160.0]), np.array([-15.0, -25.0])),
            "b": station.direction(np.array([170.0, 175.0]), np.array([-20.0, -10.0]))}
    rotation = camera_to_station(Pointing.track("a"), camera, dirs)
    px, _ = camera.project(station_to_camera(rotation, dirs["a"]))
    np.testing.assert_allclose(px, [[400.0, 400.0], [300.0, 300.0]], atol=1e-9)
    rotation = camera_to_station(Pointing.frame(["a", "b"]), camera, dirs)
    for name in dirs:
        assert camera.project(station_to_camera(rotation, dirs[name]))[1].all()
    with pytest.raises(OrbitviewError, match="needs directions of c"):
        camera_to_station(Pointing.track("c"), camera, dirs)


def test_bad_pointings_are_refused():
    with pytest.raises(OrbitviewError):
        Pointing.along([0.0, 0.0, 0.0])
    with pytest.raises(OrbitviewError):
        Pointing("orbit")


def test_exposure_gain_against_sunny_16_by_hand():
    """f/1.4, 0.4 s, ISO 12,800 against f/16, 1/100 s, ISO 100: (16/1.4)^2 = 130.61 times the light
    per area, 40 times the time, 128 times the sensitivity: 668,735."""
    assert PhotoSettings(12800.0, 1.4, 0.4).gain == pytest.approx(130.6122 * 40 * 128, rel=1e-5)
    assert PhotoSettings(100.0, 16.0, 0.01).gain == pytest.approx(1.0)
    # tonemap's NIGHT_EXPOSURE is f/1.4, 1 s, ISO 25,600: 3.3e6 to its two figures
    assert PhotoSettings(25600.0, 1.4, 1.0).gain == pytest.approx(3.3e6, rel=0.02)


def test_field_of_view_from_focal_length():
    # 2 atan(18 / 14) = 104.25 deg; an equidistant 15 mm fisheye: 2 x 18/15 rad = 137.51 deg
    assert Camera.from_lens(1920, 1080, Lens(14.0)).fov_deg == pytest.approx(104.25, abs=0.005)
    assert Camera.from_lens(1920, 1080, Lens(15.0), "fisheye").fov_deg == pytest.approx(137.51, abs=0.005)
    # a fisheye's image-edge pixel lies at 18 mm / 15 mm = 1.2 rad from the axis
    edge = Camera.from_lens(1000, 500, Lens(15.0), "fisheye").ray(np.array([[1000.0], [250.0]]))
    assert np.degrees(np.arccos(edge[2, 0])) == pytest.approx(np.degrees(1.2))


@pytest.mark.parametrize("kwargs, field", [
    ({"iso": 10.0}, "iso"), ({"f_number": 0.3}, "f_number"), ({"shutter_s": 0.5, "frame_interval_s": 0.45}, "shutter_s"),
    ({"shutter_s": 100.0}, "shutter_s"), ({"white_balance_k": 500.0}, "white_balance")])
def test_impossible_exposure_settings_are_refused(kwargs, field):
    settings = {"iso": 6400.0, "f_number": 2.8, "shutter_s": 0.4} | kwargs
    with pytest.raises(OrbitviewError, match=f"camera {field} ="):
        PhotoSettings(**settings)


def test_a_camera_with_a_lens_must_agree_with_its_field_of_view():
    with pytest.raises(OrbitviewError, match="camera fov_deg = 100.0: a 14 mm pinhole lens"):
        Camera(1920, 1080, 100.0, lens=Lens(14.0))
    with pytest.raises(OrbitviewError, match="camera focal_mm"):
        Lens(1.0)
