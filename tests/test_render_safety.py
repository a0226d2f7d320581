"""No input crashes the renderer: hostile numbers are refused at its edge in one line, and every
compiled kernel stays inside its arrays whatever floats reach it (checked with numba's bounds
checking on, where an out-of-bounds access raises instead of silently reading other memory)."""
from __future__ import annotations


import numpy as np
import pytest

from boundscheck import run_bounds_checked
from orbitview.errors import OrbitviewError
from orbitview.render import MAX_PIXELS, MAX_SIDE_PX, check_image_size, render_frame
from orbitview.render.safety import clamp_index
from orbitview.render.sprites import splat
from orbitview.render.synthetic import synthetic_inputs
from orbitview.render.tonemap import tonemap

HOSTILE = [np.nan, np.inf, -np.inf, 1e308, -1e308, 1e300, -1.0, 0.0]


@pytest.mark.parametrize("exposure", [np.nan, np.inf, -np.inf, -1.0, 0.0, "bright", True, None])
def test_an_exposure_that_is_not_a_finite_gain_is_refused(exposure):
    inputs = synthetic_inputs(32, 24, with_objects=False, exposure=1.0)
    inputs.exposure = exposure
    with pytest.raises(OrbitviewError, match=r"^exposure = .*: expected a finite gain > 0"):
        render_frame(inputs)


@pytest.mark.parametrize("field, value", [
    ("cam_to_itrs", np.full((3, 3), np.nan)),
    ("cam_to_itrs", np.eye(3)[:2]),
    ("observer_itrs_km", [np.inf, 0.0, 7000.0]),
    ("observer_itrs_km", "ISS"),
    ("sun_dir_itrs", np.zeros(3)),
    ("gcrs_to_itrs", np.full((3, 3), np.inf)),
    ("t_plus_s", np.nan),
    ("video_s", np.inf),
])
def test_a_rotation_or_position_that_is_not_finite_is_refused(field, value):
    inputs = synthetic_inputs(32, 24, with_objects=False)
    setattr(inputs, field, value)
    with pytest.raises(OrbitviewError, match=rf"^{field} = .*: expected ") as error:
        render_frame(inputs)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("width, height", [(99999, 99999), (MAX_SIDE_PX + 2, 16), (16, MAX_SIDE_PX + 2),
                                           (6000, 6000)])
def test_an_image_too_large_to_hold_is_refused_before_any_work(width, height):
    assert width > MAX_SIDE_PX or height > MAX_SIDE_PX or width * height > MAX_PIXELS
    with pytest.raises(OrbitviewError, match=rf"^image size {width}x{height}: expected at most"):
        check_image_size(width, height)
    with pytest.raises(OrbitviewError, match="image size"):
        render_frame(synthetic_inputs(width, height, with_objects=False))


def test_the_largest_images_are_accepted():
    check_image_size(7680, 4320)
    check_image_size(4320, 7680)


def test_clamp_index_keeps_every_float_inside():
    cases = {np.nan: 0, np.inf: 9, -np.inf: 0, 1e300: 9, -1e300: 0, -0.5: 0, 0.0: 0, 3.7: 3, 8.99: 8, 9.0: 9}
    for x, expected in cases.items():
        assert clamp_index(x, 9) == expected, x


def test_tone_map_of_hostile_radiance_and_gains():
    radiance = np.array([[[np.nan, np.inf, -np.inf], [0.0, 1.0, -1.0], [1e38, 1e-38, 0.5]]], dtype=np.float32)
    frame = tonemap(radiance, 1.0)
    assert frame[0, 0].tolist() == [0, 255, 0]            # NaN black, +inf white, -inf black
    assert frame[0, 1, 0] == 0 and frame[0, 1, 2] == 0 and frame[0, 2, 0] == 255
    for gain in HOSTILE:                                  # no gain reaches outside the LUT
        frame = tonemap(radiance, gain, window_frame=True)
        assert frame.dtype == np.uint8 and frame.shape == radiance.shape


def test_sprites_with_hostile_positions_and_sizes_add_nothing_outside_the_image():
    buf = np.zeros((20, 30, 3), dtype=np.float32)
    values = [np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, -3.0, 1e-300]
    grid = np.array(np.meshgrid(values, values, values, indexing="ij")).reshape(3, -1)
    n = grid.shape[1]
    splat(buf, grid[0], grid[1], grid[2], np.full(n, 1.5), np.zeros(n), np.ones((n, 3)))
    splat(buf, [15.0], [10.0], [1e300], [1e300], [np.nan], [[1.0, 1.0, 1.0]])
    splat(buf, [15.0], [10.0], [2.0], [2.0], [0.0], [[1.0, 1.0, 1.0]])     # a sane sprite still lands
    assert buf[10, 15, 0] > 0.5
    with pytest.raises(ValueError, match="sprites"):
        splat(buf, [1.0, 2.0], [1.0], [1.0], [1.0], [0.0], [[1.0, 1.0, 1.0]])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")      # numpy on the NaN and infinite bodies
def test_hostile_bodies_are_drawn_or_skipped_never_crash():
    from orbitview.render import SceneObject

    inputs = synthetic_inputs(64, 48)
    o = inputs.observer_itrs_km
    inputs.objects = list(inputs.objects) + [
        SceneObject("nan", "entry_glow", np.full(3, np.nan), light_w=1e6, temperature_k=1800.0),
        SceneObject("here", "core", o, sunlit=1.0),
        SceneObject("far", "flame", o * 1e300, light_w=1e300, temperature_k=2300.0),
        SceneObject("cloud", "exhaust", o * 1.01, sunlit=1.0, radius_km=1e300, cross_section_m2=np.inf),
        SceneObject("odd", "glow", o * 1.02, light_w=np.nan, temperature_k=np.inf, radius_km=np.nan, area_m2=np.nan),
    ]
    frame = render_frame(inputs)
    assert frame.shape == (48, 64, 3)


def test_no_kernel_reads_or_writes_out_of_bounds_with_numba_bounds_checking(tmp_path):
    """The kernels fed hostile inputs past the edge's checks, compiled afresh with bounds checking
    (a fresh cache: cached machine code would have none), first proving the checking is on."""
    run_bounds_checked("""
        from orbitview.render import render_frame
        from orbitview.render.compose import _buffers, camera_half_rays, camera_rays
        from orbitview.render.globe import render_earth
        from orbitview.render.raycache import RayCache
        from orbitview.render.sprites import splat
        from orbitview.render.synthetic import synthetic_inputs
        from orbitview.render.tonemap import tonemap

        hostile = [np.nan, np.inf, -np.inf, 1e308, 1e300, -1.0, 0.0]
        inputs = synthetic_inputs(80, 64, roll_deg=-25, elevation_deg=-14, utc="2018-11-16 18:19:08",
                                  t_plus_s=300.0, captions=["core separation"], window_frame=True)
        frame = render_frame(inputs)
        radiance = np.full((64, 80, 3), np.nan, dtype=np.float32)
        radiance[::2] = np.inf
        for gain in hostile:
            tonemap(radiance, gain, window_frame=True)
        buf = np.zeros((64, 80, 3), dtype=np.float32)
        n = len(hostile)
        splat(buf, hostile, hostile[::-1], hostile, np.full(n, 1e300), hostile, np.ones((n, 3)))
        cam = inputs.camera
        rays = RayCache(camera_rays(cam), camera_half_rays(cam))
        out, ground = _buffers(cam.height_px, cam.width_px)
        rot, obs, sun, scale = inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.sun_dir_itrs, cam.pixel_scale_rad
        for bad in hostile:
            one_bad = np.array([bad, 1.0, 0.0])
            for args in [(rot * bad, obs, sun, scale), (rot, one_bad * 7000.0, sun, scale), (rot, obs * bad, sun, scale),
                         (rot, obs, one_bad, scale), (rot, obs, sun, bad)]:
                render_earth(rays, *args, out, ground)
        from orbitview.render.globe import Shutter
        for bad in (1e300, -1e300, 0.0):                 # a shutter that swings the camera absurdly
            render_earth(rays, rot, obs, sun, scale, out, ground,
                         shutter=Shutter(0.4, (rot, rot * bad), (obs, obs * bad), (rot, rot)))
        # a video's frames through a narrow lens looking down: the quarter pass (every pixel QUARTER),
        # a keyframe's light kept and reused, the runs of pixels upsampled from the quarter pass
        zoom = synthetic_inputs(96, 64, fov_deg=3.0, elevation_deg=-40.0, with_objects=False)
        for _ in range(3):
            render_frame(zoom, sequence=True)
    """, tmp_path)


@pytest.mark.parametrize("position, ratio", [((np.nan, 0.0, 0.0), 1e-6), ((3.8e5, 0.0, 0.0), np.inf),
                                             ((3.8e5, 0.0, 0.0), -1.0), ((1.0, 2.0), 1e-6)])
def test_a_bad_moon_is_one_line(position, ratio):
    from orbitview.render import MoonLight

    inputs = synthetic_inputs(64, 48)
    inputs.moon = MoonLight(np.array(position), np.array([1.0, 0.0, 0.0]), ratio)
    with pytest.raises(OrbitviewError, match="moon = ") as error:
        render_frame(inputs)
    assert "\n" not in str(error.value)
