"""The renderer against geometry computed independently: limb, bodies, stars, light and dark."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from orbitview.earth import WGS84_A_KM, WGS84_B_KM, enu_basis, geodetic_to_itrs
from orbitview.render import RenderStyle, SceneObject, render_frame
from orbitview.render.compose import render_radiance
from orbitview.render.stars import sky_sprites
from orbitview.render.synthetic import OBSERVER_LAT_DEG, OBSERVER_LON_DEG, OBSERVER_ALT_KM, synthetic_inputs

BARE = RenderStyle(stars=False, objects=False, text=False)


def _meets_ellipsoid(origin: np.ndarray, d: np.ndarray) -> bool:
    """Exact ray/WGS84-ellipsoid test (quadratic in ITRS), independent of the renderer's scaling."""
    w = np.array([1 / WGS84_A_KM**2, 1 / WGS84_A_KM**2, 1 / WGS84_B_KM**2])
    a, b, c = np.sum(w * d * d), 2 * np.sum(w * origin * d), np.sum(w * origin * origin) - 1.0
    disc = b * b - 4 * a * c
    return disc >= 0 and (-b - np.sqrt(disc)) > 0


def _limb_elevation_deg(azimuth_deg: float) -> float:
    """Elevation of the limb seen from the synthetic observer, by bisection on the exact test."""
    east, north, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    origin = geodetic_to_itrs(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, OBSERVER_ALT_KM)
    az = np.radians(azimuth_deg)
    lo, hi = -40.0, 0.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        el = np.radians(mid)
        d = np.cos(el) * (np.sin(az) * east + np.cos(az) * north) + np.sin(el) * up
        lo, hi = (mid, hi) if _meets_ellipsoid(origin, d) else (lo, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("azimuth_deg", [0.0, 90.0, 225.0])
def test_limb_sits_at_the_geometric_dip(azimuth_deg):
    dip = _limb_elevation_deg(azimuth_deg)
    # Spherical check of the bisection itself: cos(dip) = R / (R + h), R the local radius.
    r_local = np.linalg.norm(geodetic_to_itrs(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, 0.0))
    assert abs(-dip - np.degrees(np.arccos(r_local / (r_local + OBSERVER_ALT_KM)))) < 0.3
    inputs = synthetic_inputs(320, 240, fov_deg=40.0, azimuth_deg=azimuth_deg, elevation_deg=dip,
                              with_objects=False)
    _, ground = render_radiance(inputs, BARE)
    cam = inputs.camera
    column = ground[:, cam.width_px // 2]
    first_ground_row = int(np.argmax(np.isfinite(column)))
    # The limb crosses the boresight: the image centre row (v = H/2) is the ground/sky edge.
    assert abs(first_ground_row - cam.height_px / 2) <= 2
    assert np.all(np.isfinite(column[first_ground_row:])) and not np.any(np.isfinite(column[:first_ground_row]))


def test_a_body_is_drawn_at_its_projected_pixel():
    base = synthetic_inputs(200, 150, with_objects=False, exposure=1.0)
    cam = base.camera
    target_px = np.array([123.3, 41.7])
    pos = base.observer_itrs_km + 900.0 * (base.cam_to_itrs @ cam.ray(target_px))
    body = SceneObject("core", "entry_glow", pos, light_w=4e6, temperature_k=1800.0, alt_km=300.0)
    empty = render_radiance(base, RenderStyle(stars=False, text=False))[0].copy()
    base.objects = [body]
    drawn = render_radiance(base, RenderStyle(stars=False, text=False))[0].sum(axis=2) - empty.sum(axis=2)
    v, u = np.mgrid[0:cam.height_px, 0:cam.width_px] + 0.5
    weight = np.clip(drawn, 0.0, None)
    centroid = np.array([np.sum(weight * u), np.sum(weight * v)]) / weight.sum()
    expected, in_frame = cam.project(base.cam_to_itrs.T @ (pos - base.observer_itrs_km))
    assert in_frame
    np.testing.assert_allclose(centroid, expected, atol=0.25)
    np.testing.assert_allclose(expected, target_px, atol=1e-6)


def test_stars_behind_the_earth_are_not_drawn():
    inputs = synthetic_inputs(320, 180, fov_deg=90.0, elevation_deg=-15.0, with_objects=False)
    _, ground = render_radiance(inputs, BARE)
    u, v, *_ = sky_sprites(inputs.camera, inputs.cam_to_itrs, inputs.gcrs_to_itrs, inputs.observer_itrs_km,
                            inputs.exposure)
    on_ground = np.isfinite(ground[v.astype(int), u.astype(int)])
    assert len(u) > 20                      # the sky half of the frame has stars ...
    assert not np.any(on_ground)            # ... and the Earth half has none
    sky_fraction = np.mean(~np.isfinite(ground))
    assert 0.2 < sky_fraction < 0.8


def test_night_side_is_darker_than_day_side():
    night = render_frame(synthetic_inputs(160, 90, night=True, exposure=1.0, with_objects=False), BARE)
    day = render_frame(synthetic_inputs(160, 90, night=False, exposure=1.0, with_objects=False), BARE)
    lower = slice(60, 90)                   # the Earth fills the lower third in both views
    assert night[lower].mean() < 0.1 * day[lower].mean()
    assert day[lower].mean() > 40


def test_night_view_shows_city_lights_airglow_and_stars():
    frame = render_frame(synthetic_inputs(320, 180, night=True, roll_deg=-25, elevation_deg=-14))
    assert frame.max() == 255               # the rocket flame and bright stars burn out
    assert np.count_nonzero(frame[:40].max(axis=2) > 60) > 20   # stars in the upper sky
    green = frame[..., 1].astype(int) - frame[..., 2]
    assert np.count_nonzero(green > 25) > 100                    # the green-gold airglow band
    # City lights: looking down at Kazakhstan and Uzbekistan at midnight, the pixels where
    # Almaty (43.24 N, 76.89 E) and Tashkent (41.31 N, 69.24 E) fall shine; an empty stretch of
    # the Betpak-Dala steppe (45.5 N, 70.0 E) and of the Kazakh uplands (47.5 N, 68.0 E) do not.
    view = dict(azimuth_deg=100.0, elevation_deg=-30.0, with_objects=False)
    inputs = synthetic_inputs(640, 360, night=True, **view)
    night = render_frame(inputs, BARE).astype(int).sum(axis=2)
    day = render_frame(synthetic_inputs(640, 360, night=False, **view), BARE).astype(int).sum(axis=2)

    def around(frame: np.ndarray, lat_deg: float, lon_deg: float, half: int = 3) -> np.ndarray:
        ground = geodetic_to_itrs(lat_deg, lon_deg, 0.0) - inputs.observer_itrs_km
        px, inside = inputs.camera.project(inputs.cam_to_itrs.T @ ground)
        assert inside
        u, v = int(px[0]), int(px[1])
        return frame[v - half:v + half + 1, u - half:u + half + 1]

    cities = [around(night, 43.24, 76.89).max(), around(night, 41.31, 69.24).max()]
    steppe = [around(night, 45.5, 70.0).max(), around(night, 47.5, 68.0).max()]
    assert min(cities) > 5 * max(steppe)
    # By day the same city is no brighter than the land around it: the lights are night's only.
    assert around(day, 41.31, 69.24).max() < 1.5 * np.median(around(day, 41.31, 69.24, half=20))


def test_frames_are_deterministic():
    inputs = synthetic_inputs(160, 90, utc="2018-11-16 18:19:08", t_plus_s=300.0, captions=["core separation"])
    np.testing.assert_array_equal(render_frame(inputs), render_frame(inputs))


def test_a_frame_drawn_into_a_given_picture_is_the_same_frame():
    """``out`` (a video's frame buffers) changes where the frame goes, not what it holds, whatever the
    buffer held before; a buffer of another shape or type is refused in one line naming it."""
    from orbitview.errors import OrbitviewError

    inputs = synthetic_inputs(160, 90, utc="2018-11-16 18:19:08", t_plus_s=300.0, captions=["core separation"])
    # glare spread from the bright pixels; and, at a daylight exposure of the bare night, none bright
    for drawn, style in ((inputs, None), (dataclasses.replace(inputs, exposure=1.0), BARE)):
        picture = np.full((90, 160, 3), 77, dtype=np.uint8)
        assert render_frame(drawn, style, out=picture) is picture
        np.testing.assert_array_equal(picture, render_frame(drawn, style))
    for wrong in (np.zeros((90, 161, 3), np.uint8), np.zeros((90, 160, 3), np.float32),
                  np.zeros((160, 90, 3), np.uint8).transpose(1, 0, 2), [[0]]):
        with pytest.raises(OrbitviewError, match=r"^out = .*expected a C-contiguous uint8 array of shape \(90, 160, 3\)$"):
            render_frame(inputs, out=wrong)


def test_lower_exposure_hides_the_stars():
    inputs = synthetic_inputs(320, 180, elevation_deg=5.0, with_objects=False)
    bright = len(sky_sprites(inputs.camera, inputs.cam_to_itrs, inputs.gcrs_to_itrs, inputs.observer_itrs_km, 3e6)[0])
    dim = len(sky_sprites(inputs.camera, inputs.cam_to_itrs, inputs.gcrs_to_itrs, inputs.observer_itrs_km, 1e3)[0])
    assert bright > 10 and dim == 0


@pytest.mark.parametrize("night", [True, False])
def test_half_resolution_ground_matches_the_full_render(night):
    """The ground far below the limb is shaded at half resolution and interpolated: against a full
    per-pixel render of the same view the difference is small and the limb region identical."""
    from orbitview.render.compose import _buffers, camera_half_rays, camera_rays
    from orbitview.render.globe import render_earth
    from orbitview.render.raycache import RayCache
    from orbitview.render.tonemap import tonemap

    inputs = synthetic_inputs(640, 360, night=night, elevation_deg=-40.0, with_objects=False)
    cam = inputs.camera
    buf, ground = _buffers(cam.height_px, cam.width_px)
    args = (inputs.cam_to_itrs, inputs.observer_itrs_km, inputs.sun_dir_itrs, cam.pixel_scale_rad, buf, ground)
    full = tonemap(render_earth(RayCache(camera_rays(cam), None), *args).copy(), inputs.exposure, False).astype(int)
    full_ground = ground.copy()
    fast = tonemap(render_earth(RayCache(camera_rays(cam), camera_half_rays(cam)), *args).copy(), inputs.exposure,
                   False).astype(int)
    diff = np.abs(full - fast).max(axis=2)
    assert np.percentile(diff, 99) <= 6 and diff.mean() < 0.6
    sky_rows = ~np.isfinite(ground).all(axis=1)          # rows that reach the limb: shaded per pixel
    assert sky_rows.any() and diff[sky_rows].max() <= 2
    # The ground distances far below the limb are interpolated too (2e-3 of the distance at most
    # measured at this size, elevations -14 to -70 deg; the error falls as the pixel squared).
    hit = np.isfinite(full_ground)
    np.testing.assert_array_equal(np.isfinite(ground), hit)
    rel = np.abs(ground[hit] - full_ground[hit]) / full_ground[hit]
    assert rel.max() < 3e-3 and (rel > 0).mean() > 0.5


def test_a_body_reflects_by_its_own_area_and_albedo():
    """Sunlight a body reflects: flux ~ albedo x side-on area (nothing without them)."""
    from orbitview.render.objects import object_sprites

    base = synthetic_inputs(200, 150, with_objects=False, exposure=1.0)
    pos = base.observer_itrs_km + 900.0 * (base.cam_to_itrs @ base.camera.ray(np.array([100.0, 40.0])))

    def peak(**figures) -> float:
        body = SceneObject("core", "core", pos, sunlit=1.0, alt_km=300.0, **figures)
        return float(object_sprites(base.camera, base.cam_to_itrs, base.observer_itrs_km, [body], None)[5][0, 0])

    assert peak(area_m2=100.0, albedo=0.5) == pytest.approx(2.0 * peak(area_m2=50.0, albedo=0.5))
    assert peak(area_m2=100.0, albedo=0.2) == pytest.approx(0.4 * peak(area_m2=100.0, albedo=0.5))
    assert peak() == 0.0


@pytest.mark.parametrize("field, value, expected", [
    ("half_height", 0.0, "> 0"), ("half_width_bottom", 1.5, "<= 1"), ("frame_rgb", [0, 0, 300], "0 to 255"),
    ("edge_width_fraction", "soft", "a number"), ("colour", 1, "a known field")])
def test_a_bad_window_frame_table_names_its_field(field, value, expected):
    from orbitview.datafile import Table
    from orbitview.errors import DataError
    from orbitview.render.tonemap import WindowFrame

    data = {"half_width_bottom": 0.8, "half_width_widening": 0.16, "half_height": 0.94,
            "edge_width_fraction": 0.006, "frame_rgb": [14, 14, 16], field: value}
    with pytest.raises(DataError, match=rf"cupola.toml: window_frame.{field} = .*expected .*{expected}"):
        WindowFrame.from_table(Table(data, "cupola.toml", "window_frame."))
