"""Motion during the shutter: streaks of points and of the ground, against geometry worked by hand.

A still integrates its shutter time: a source moving N px while the shutter is open leaves a streak
N px long (between its half-peak points: a box of N px blurred by the point's image) carrying the
flux it has when still.
"""
from __future__ import annotations

import dataclasses
import warnings
from math import erf

import numpy as np
import pytest

from orbitview.earth import WGS84_A_KM, enu_basis, geodetic_to_itrs
from orbitview.render import RenderStyle, SceneObject
from orbitview.render import globe
from orbitview.render.airlight import RAY_COLUMNS, ShellTable
from orbitview.render.compose import _sky_motion, render_radiance
from orbitview.render.globe import Shutter
from orbitview.render.sprites import splat
from orbitview.render.synthetic import OBSERVER_LON_DEG, synthetic_inputs
from orbitview.render.textures import merged_levels

SIGMA_PX = 1.1
CUTOFF = 3.5
FLOOR = np.exp(-0.5 * CUTOFF ** 2)
# A Gaussian of unit peak lowered by its value at 3.5 sigma and cut there, renormalised to unit peak:
# int (exp(-r^2/2s^2) - F)_+ / (1 - F) dA = 2 pi s^2 (1 - F) / (1 - F) - pi (3.5 s)^2 F / (1 - F)
#   = 2 pi s^2 (1 - 3.5^2 F / (2 (1 - F))): 98.66 % of the untruncated 2 pi s^2.
STILL_FLUX = 2.0 * np.pi * SIGMA_PX ** 2 * (1.0 - CUTOFF ** 2 * FLOOR / (2.0 * (1.0 - FLOOR)))
LIGHT_LAT_DEG = 60.0
BARE = RenderStyle(stars=False, objects=False, text=False)
OBJECTS_ONLY = RenderStyle(stars=False, objects=True, text=False, body_marker_mag=None)


def _half_peak_length(image: np.ndarray) -> int:
    """Pixels along the streak's row above half its peak (the streak runs along the image rows)."""
    row = image[np.unravel_index(np.argmax(image), image.shape)[0]]
    return int(np.count_nonzero(row > 0.5 * image.max()))


@pytest.mark.parametrize("n_px", [4.0, 12.0, 30.0])
def test_a_point_moving_n_px_leaves_an_n_px_streak_with_its_still_flux(n_px):
    buf = np.zeros((40, 80, 3))
    splat(buf, [40.3], [20.5], [SIGMA_PX], [SIGMA_PX], [0.0], [[1.0, 1.0, 1.0]], [n_px], [0.0])
    assert _half_peak_length(buf[:, :, 0]) == pytest.approx(n_px, abs=1.0)
    assert buf[:, :, 0].sum() == pytest.approx(STILL_FLUX, rel=1e-3)
    # The peak falls as the flux spreads: the mean over the motion of a unit Gaussian at its middle,
    # (1 / N) int_{-N/2}^{N/2} exp(-x^2 / 2 s^2) dx = sqrt(2 pi) s / N * erf(N / (2 sqrt(2) s)).
    assert buf.max() == pytest.approx(np.sqrt(2.0 * np.pi) * SIGMA_PX / n_px * erf(n_px / (2.0 * np.sqrt(2.0) * SIGMA_PX)),
                                      rel=0.02)


def test_a_still_point_sums_to_the_hand_derived_flux_and_a_slanted_streak_keeps_it():
    still = np.zeros((60, 80, 3))
    splat(still, [40.0], [30.0], [SIGMA_PX], [SIGMA_PX], [0.0], [[1.0, 1.0, 1.0]])
    assert still[:, :, 0].sum() == pytest.approx(STILL_FLUX, rel=1e-3)
    slanted = np.zeros((60, 80, 3))
    splat(slanted, [40.0], [30.0], [2.0], [SIGMA_PX], [0.7], [[1.0, 1.0, 1.0]], [14.0], [-9.0])
    elongated = 2.0 * np.pi * 2.0 * SIGMA_PX * (1.0 - CUTOFF ** 2 * FLOOR / (2.0 * (1.0 - FLOOR)))
    assert slanted[:, :, 0].sum() == pytest.approx(elongated, rel=2e-3)


def test_an_unknown_motion_draws_the_sprite_still():
    moving, still = np.zeros((30, 30, 3)), np.zeros((30, 30, 3))
    splat(moving, [15.0], [15.0], [SIGMA_PX], [SIGMA_PX], [0.0], [[1.0, 1.0, 1.0]], [np.nan], [3.0])
    splat(still, [15.0], [15.0], [SIGMA_PX], [SIGMA_PX], [0.0], [[1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(moving, still)


def _turned(cam_to_itrs: np.ndarray, angle_rad: float) -> np.ndarray:
    """The camera turned by ``angle_rad`` about its own +y axis (image down): the view pans right."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    return cam_to_itrs @ np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def test_a_star_on_the_axis_moves_f_tan_alpha_as_the_camera_turns_by_alpha():
    """Pinhole: a direction at angle theta from the axis is f tan(theta) px from the centre; a camera
    turned by +-alpha/2 over the shutter moves a star on the axis by 2 f tan(alpha / 2)."""
    inputs = synthetic_inputs(200, 100, fov_deg=20.0, with_objects=False)
    alpha = np.radians(0.5)
    c = np.asarray(inputs.cam_to_itrs)
    g = np.asarray(inputs.gcrs_to_itrs)
    inputs.shutter = Shutter(0.4, (_turned(c, -alpha / 2), _turned(c, alpha / 2)),
                             (inputs.observer_itrs_km,) * 2, (g, g))
    du, dv = _sky_motion(inputs, np.array([100.0]), np.array([50.0]))
    f = 100.0 / np.tan(np.radians(10.0))
    assert du[0] == pytest.approx(-2.0 * f * np.tan(alpha / 2.0), rel=1e-6)     # the sky runs left
    assert dv[0] == pytest.approx(0.0, abs=1e-6)


def test_a_flame_crossing_the_view_streaks_by_f_v_t_over_range_with_its_still_flux():
    """A flame 1,000 km away on the boresight moving 5 km/s across it, the camera still: during a
    0.4 s shutter it moves 2 km, f * 2 / 1000 px on a pinhole (f = 320 / tan 10 deg = 1,815 px: 3.6 px)."""
    inputs = synthetic_inputs(640, 360, fov_deg=20.0, with_objects=False, exposure=1.0)
    c, o = np.asarray(inputs.cam_to_itrs), np.asarray(inputs.observer_itrs_km)
    across = c[:, 0] * 5.0                                     # +x of the image, 5 km/s
    flame = SceneObject("stack", "flame", o + 1000.0 * c[:, 2], light_w=1e6, temperature_k=2300.0,
                        alt_km=600.0, velocity_itrs_kms=across)
    inputs.objects = [flame]
    still = render_radiance(inputs, OBJECTS_ONLY)[0][:, :, 1].copy()
    inputs.shutter = Shutter(0.4, (c, c), (o, o), (inputs.gcrs_to_itrs,) * 2)
    streak = render_radiance(inputs, OBJECTS_ONLY)[0][:, :, 1].copy()
    f = 320.0 / np.tan(np.radians(10.0))
    n_px = f * 2.0 / 1000.0
    assert _half_peak_length(streak) == pytest.approx(n_px, abs=1.0)
    assert _half_peak_length(streak) > _half_peak_length(still)
    assert streak.sum() == pytest.approx(still.sum(), rel=1e-3)


@pytest.fixture
def dark_ground_one_light(monkeypatch):
    """No air, black ground, and one bright texel of city light at 60 N (where a texel is half as
    wide as it is tall) on a 2048 x 1024 texture: what is left of the ground is a point on the Earth."""
    table = np.zeros((8000, RAY_COLUMNS), dtype=np.float32)
    table[:, 0:3] = 1.0
    monkeypatch.setattr(globe, "ray_table", lambda: ShellTable(table, -WGS84_A_KM, 1.0))
    albedo = tuple(np.zeros((1024 >> k, 2048 >> k, 3), dtype=np.float32) for k in range(4))
    lights = tuple(np.zeros((1024 >> k, 2048 >> k, 1), dtype=np.float32) for k in range(4))
    # the texel whose centre is nearest (lat, lon) below the station: row from 90 N, column from 180 W
    row = int((90.0 - LIGHT_LAT_DEG) / 180.0 * 1024)
    col = int((OBSERVER_LON_DEG + 180.0) / 360.0 * 2048)
    lights[0][row, col, 0] = 1.0
    monkeypatch.setattr(globe, "surface_texture", lambda: merged_levels(albedo, lights))
    monkeypatch.setattr(globe, "texel_km", lambda: 1e5)           # the finest level everywhere
    lat = 90.0 - (row + 0.5) / 1024 * 180.0
    lon = (col + 0.5) / 2048 * 360.0 - 180.0
    return lat, lon


def test_a_light_on_the_ground_streaks_by_f_delta_over_height_with_its_hand_derived_flux(dark_ground_one_light):
    """The station 406 km above a texel of light, looking straight down through a pinhole whose
    pixel spans half the texel north-south and so (at 60 N) about the whole texel east-west: the
    bilinear texel's image, a tent 2 px by 1 px in half-width, sums to its area at any sub-pixel
    offset. The station moves east 12.5 px' worth of ground while the shutter is open: the light
    runs 12.5 px along the rows and carries, still or streaked, the texel's area in px^2 (its
    radiance is 1).

    WGS84 (e^2 = 0.00669438): a texel spans N cos(lat) 2 pi / 2048 east and M pi / 1024 north, with
    N = a / sqrt(1 - e^2 sin^2 lat), M = a (1 - e^2) / (1 - e^2 sin^2 lat)^1.5 (9.77 x 19.52 km at
    60.03 N); one pixel at the nadir spans 406 km / f."""
    lat, lon = dark_ground_one_light
    e2, phi = 0.00669438, np.radians(lat)
    w = 1.0 - e2 * np.sin(phi) ** 2
    texel_east_km = WGS84_A_KM / np.sqrt(w) * np.cos(phi) * 2.0 * np.pi / 2048
    texel_north_km = WGS84_A_KM * (1.0 - e2) / w ** 1.5 * np.pi / 1024
    pixel_km = texel_north_km / 2.0
    f = 406.0 / pixel_km
    inputs = synthetic_inputs(48, 48, fov_deg=float(np.degrees(2.0 * np.arctan(24.0 / f))), with_objects=False,
                              exposure=1.0)
    observer = geodetic_to_itrs(lat, lon, 406.0)
    east, north, up = enu_basis(lat, lon)
    cam = np.stack([east, -north, -up], axis=1)     # image +x east, +y south, boresight nadir
    inputs.cam_to_itrs, inputs.observer_itrs_km = cam, observer
    still = render_radiance(inputs, BARE)[0][:, :, 0].copy()
    delta_km = 12.5 * pixel_km
    inputs.shutter = Shutter(0.4, (cam, cam), (observer - 0.5 * delta_km * east, observer + 0.5 * delta_km * east),
                             (inputs.gcrs_to_itrs,) * 2)
    streak = render_radiance(inputs, BARE)[0][:, :, 0].copy()
    area_px2 = texel_east_km / pixel_km * texel_north_km / pixel_km
    assert _half_peak_length(streak) == pytest.approx(12.5, abs=1.0)
    assert still.sum() == pytest.approx(area_px2, rel=0.01)
    assert streak.sum() == pytest.approx(area_px2, rel=0.01)
    assert streak.max() < 0.25 * still.max()


def test_a_still_camera_s_shutter_changes_no_pixel():
    """Zero motion over the shutter: one sub-sample per pixel and still sprites, bit for bit."""
    inputs = synthetic_inputs(160, 90, night=True)
    instant = render_radiance(inputs)[0].copy()
    c, o, g = inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.gcrs_to_itrs
    inputs.shutter = Shutter(0.4, (c, c), (o, o), (g, g))
    np.testing.assert_array_equal(render_radiance(inputs)[0], instant)


def test_progress_ms10_stills_carry_the_camera_half_a_shutter_either_side():
    """The station moves ~7.2 km/s in ITRS (7.66 km/s inertial less the Earth's turn under it): the
    0.4 s shutter spans about 2.9 km, centred on the frame's instant."""
    from orbitview import load_scenario, shots

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scn = load_scenario("progress-ms10")
        inputs = next(shots.frame_series(scn, [287.0], (320, 180)))
    shutter = inputs.shutter
    assert shutter.seconds == 0.4
    opening, closing = shutter.observer_itrs_km
    assert np.linalg.norm(closing - opening) == pytest.approx(2.9, abs=0.15)
    np.testing.assert_allclose(0.5 * (opening + closing), inputs.observer_itrs_km, atol=1e-3)
    assert not np.allclose(shutter.cam_to_itrs[0], shutter.cam_to_itrs[1])


def test_without_photo_settings_a_frame_is_an_instant():
    inputs = dataclasses.replace(synthetic_inputs(32, 18))
    assert inputs.shutter is None


@pytest.mark.parametrize("length_km", [3.0, 10.0, 30.0])
def test_the_sub_samples_texture_span_is_the_ends_geodetic_coordinates(length_km):
    """A ground pixel's sub-samples sit at its mid-shutter texture coordinates plus or minus half the
    span ``_segment_span`` gives; against the geodetic longitude and latitude of the segment's ends
    (``earth.itrs_to_geodetic``: Bowring, no shared code), each end lies within the second-order
    term the sub-samples already neglect, (L / 2R)^2 / 2 (1 + tan(lat) / cos(lat)) radians, as
    texels of the finest level (L in km; 2e-4 texel at 79 degrees for the ~3 km a pixel's ground
    moves in a 0.4 s shutter), at 200 random points below 79 degrees of latitude in every
    direction; the ends are the mid-point turned either way on the ellipsoid (scaled sphere), as
    the station's frame carries it."""
    from orbitview.earth import itrs_to_geodetic
    from orbitview.render.airlight import Z_SCALE

    rng = np.random.default_rng(13)
    width, height = 5400, 2700                       # the finest level's texels
    for _ in range(200):
        lat, lon, heading = rng.uniform(-79.0, 79.0), rng.uniform(-180.0, 180.0), rng.uniform(0.0, 2.0 * np.pi)
        mid = geodetic_to_itrs(lat, lon, 0.0) * np.array([1.0, 1.0, Z_SCALE])
        east, north, _ = enu_basis(lat, lon)
        axis = np.cross(mid, np.cos(heading) * east + np.sin(heading) * north)
        axis /= np.linalg.norm(axis)
        half_angle = 0.5 * length_km / WGS84_A_KM
        ends = [np.cos(a) * mid + np.sin(a) * np.cross(axis, mid) for a in (-half_angle, half_angle)]
        ds, dt = globe._segment_span(*mid, np.concatenate(ends))
        g_mid = itrs_to_geodetic(mid / np.array([1.0, 1.0, Z_SCALE]))
        phi = np.radians(lat)
        bound_rad = (0.5 * length_km / WGS84_A_KM) ** 2 / 2.0 * (1.0 + np.tan(abs(phi)) / np.cos(phi)) + 1e-12
        for sign, end in zip((-0.5, 0.5), ends):
            g = itrs_to_geodetic(end / np.array([1.0, 1.0, Z_SCALE]))
            d_lon = (g.lon_deg - g_mid.lon_deg + 180.0) % 360.0 - 180.0
            assert abs(sign * ds - d_lon / 360.0) < bound_rad / (2.0 * np.pi)
            assert abs(sign * dt + (g.lat_deg - g_mid.lat_deg) / 180.0) < bound_rad / np.pi
