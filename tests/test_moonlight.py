"""Moonlight in the Earth and air kernel, against photometry and geometry worked by hand.

Where the check is about the light model and not the air, the air is taken away (a vacuum ray
table: no extinction, no scattering, no airglow) and the ground made white with no city lights.
"""
from __future__ import annotations

import numpy as np
import pytest

from orbitview.earth import WGS84_A_KM, WGS84_B_KM, enu_basis, geodetic_to_itrs
from orbitview.render import MoonLight, RenderStyle, render_frame
from orbitview.render import globe
from orbitview.render.airlight import RAY_COLUMNS, RAY_GLOW, ShellTable, ray_table
from orbitview.render.colour import LUMINANCE
from orbitview.render.compose import render_radiance
from orbitview.render.synthetic import OBSERVER_LAT_DEG, OBSERVER_LON_DEG, look, synthetic_inputs
from orbitview.render.textures import merged_levels

BARE = RenderStyle(stars=False, objects=False, text=False)
MOON_DISTANCE_KM = 384_400.0          # mean Earth-Moon distance (IAU; JPL Horizons)
# Allen, Astrophysical Quantities, 3rd ed. (1973): the full Moon at mean distance V = -12.73
# (p. 144), the Sun V = -26.74 (sec. 78).
FULL_MOON_V, SUN_V = -12.73, -26.74
FULL_MOON_OF_SUN = 10.0 ** (-0.4 * (FULL_MOON_V - SUN_V))      # 2.49e-6: the stated value


@pytest.fixture
def vacuum_white(monkeypatch):
    """No air, white ground, no city lights: what is left is the lights' geometry and photometry."""
    rows = 8000                                       # tangent heights -a .. +1,600 km, 1 km apart
    table = np.zeros((rows, RAY_COLUMNS), dtype=np.float32)
    table[:, 0:3] = 1.0                               # T1: full transmittance
    monkeypatch.setattr(globe, "ray_table", lambda: ShellTable(table, -WGS84_A_KM, 1.0))
    white = tuple(np.ones((16 >> k, 32 >> k, 3), dtype=np.float32) for k in range(4))
    dark = tuple(np.zeros((16 >> k, 32 >> k, 1), dtype=np.float32) for k in range(4))
    monkeypatch.setattr(globe, "surface_texture", lambda: merged_levels(white, dark))
    monkeypatch.setattr(globe, "texel_km", lambda: 1000.0)


def _up(point_itrs: np.ndarray) -> np.ndarray:
    """Unit normal of the WGS84 ellipsoid at a point on it."""
    n = point_itrs / np.array([WGS84_A_KM, WGS84_A_KM, WGS84_B_KM]) ** 2
    return n / np.linalg.norm(n)


def _nadir_view(size: int = 32, fov_deg: float = 1.0):
    """The synthetic station looking straight down, a narrow field: a flat patch of ground."""
    return synthetic_inputs(size, size, fov_deg=fov_deg, elevation_deg=-90.0, with_objects=False, exposure=1.0)


def _luminance(radiance: np.ndarray) -> np.ndarray:
    return radiance @ LUMINANCE


def test_a_zenith_full_moon_lights_white_ground_as_the_sun_times_its_magnitude_ratio(vacuum_white):
    """A white Lambertian surface under a zenith full Moon has the Sun's radiance times
    10^(-0.4 (V_moon - V_sun)) = 2.49e-6 (Allen's magnitudes), and the Moon's light is redder."""
    inputs = _nadir_view()
    below = geodetic_to_itrs(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, 0.0)
    up = _up(below)
    inputs.sun_dir_itrs = up                                   # the Sun overhead, no Moon
    sun = render_radiance(inputs, BARE)[0].copy()
    inputs.sun_dir_itrs = -up                                  # the Sun at the nadir, the full Moon overhead
    inputs.moon = MoonLight(below + MOON_DISTANCE_KM * up, -up, FULL_MOON_OF_SUN)
    moon = render_radiance(inputs, BARE)[0].copy()
    c = inputs.camera.height_px // 2
    assert FULL_MOON_OF_SUN == pytest.approx(2.49e-6, rel=2e-3)
    assert _luminance(moon[c, c]) / _luminance(sun[c, c]) == pytest.approx(FULL_MOON_OF_SUN, rel=3e-3)
    # Overhead Sun on white ground in vacuum: 1 (the day unit) and the skylight (~0.1 of it).
    assert 1.0 < _luminance(sun[c, c]) < 1.15
    r, g, b = moon[c, c] / _luminance(moon[c, c])
    assert r > g > b and 1.05 < r / g < 1.3 and 0.7 < b / g < 0.95      # B-V 0.92 against the Sun's 0.65


def test_the_lunar_terminator_falls_where_the_moons_elevation_crosses_zero(vacuum_white):
    """The Moon low in the east of the station: ground whose local horizon (the WGS84 normal) has
    the Moon above it by 0.3 deg or more is moonlit, by 0.3 deg or more below it is not (only the
    twilight skylight, 3x fainter). The terminator lies ~106 km towards the Moon from the great
    circle under it (parallax: arccos(R / 384,400 km) = 89.05 deg), so the per-point direction matters."""
    east, _, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    inputs = synthetic_inputs(160, 120, fov_deg=40.0, azimuth_deg=90.0, elevation_deg=-75.0, with_objects=False,
                              exposure=1.0)
    moon_km = MOON_DISTANCE_KM * east
    inputs.sun_dir_itrs = -up
    inputs.moon = MoonLight(moon_km, -east, FULL_MOON_OF_SUN)
    radiance = render_radiance(inputs, BARE)[0]
    # Where each pixel's ray meets the ellipsoid (exact quadratic in ITRS) and the Moon's elevation there.
    rays = inputs.cam_to_itrs @ inputs.camera.pixel_rays().reshape(-1, 3).T
    w = 1.0 / np.array([WGS84_A_KM, WGS84_A_KM, WGS84_B_KM]) ** 2
    o = inputs.observer_itrs_km
    qa, qb, qc = (w[:, None] * rays * rays).sum(0), 2.0 * (w[:, None] * o[:, None] * rays).sum(0), (w * o * o).sum() - 1.0
    disc = qb * qb - 4.0 * qa * qc
    assert np.all(disc > 0.0)                                   # every pixel sees the ground
    points = o[:, None] + (-qb - np.sqrt(disc)) / (2.0 * qa) * rays
    normals = w[:, None] * points
    normals /= np.linalg.norm(normals, axis=0)
    to_moon = moon_km[:, None] - points
    elevation = np.degrees(np.arcsin((normals * to_moon).sum(0) / np.linalg.norm(to_moon, axis=0)))
    lit = _luminance(radiance.reshape(-1, 3)) / FULL_MOON_OF_SUN > 5e-3
    above, below = elevation > 0.3, elevation < -0.3
    assert above.sum() > 1000 and below.sum() > 1000           # the terminator crosses the view
    assert np.all(lit[above]) and not np.any(lit[below])


def _moon_at_antipode(inputs) -> MoonLight:
    """The Moon straight below the station, behind the Earth: below every visible horizon."""
    down = -inputs.observer_itrs_km / np.linalg.norm(inputs.observer_itrs_km)
    return MoonLight(MOON_DISTANCE_KM * down, -down, FULL_MOON_OF_SUN)


def test_a_set_moon_changes_no_pixel():
    """The Sun deep below (local midnight), the Moon below every horizon in view: the frame is the
    frame without a Moon, bit for bit; the same Moon overhead changes it (the check can fail)."""
    style = RenderStyle(stars=False)
    inputs = synthetic_inputs(320, 180, night=True, roll_deg=-25, elevation_deg=-14, with_objects=False)
    assert inputs.moon is None
    dark = render_frame(inputs, style)
    dark_radiance = render_radiance(inputs, style)[0].copy()
    inputs.moon = _moon_at_antipode(inputs)
    np.testing.assert_array_equal(render_radiance(inputs, style)[0], dark_radiance)
    np.testing.assert_array_equal(render_frame(inputs, style), dark)
    inputs.moon = MoonLight(-inputs.moon.position_itrs_km, inputs.moon.sun_dir_itrs, FULL_MOON_OF_SUN)
    assert np.count_nonzero(render_frame(inputs, style) != dark) > 1000


def test_moonlight_scattered_above_the_limb_is_blue(monkeypatch):
    """A moonlit limb without airglow: the air 15-60 km above the limb (tangent height) is
    Rayleigh-blue (B > R everywhere there), dark without the Moon (the Sun is deep below); the
    lowest rays, through ~40 air masses, come out reddened."""
    table = ray_table()
    no_glow = table.columns.copy()
    no_glow[:, RAY_GLOW:RAY_GLOW + 3] = 0.0
    monkeypatch.setattr(globe, "ray_table", lambda: ShellTable(no_glow, table.h_min_km, table.step_km))
    inputs = synthetic_inputs(320, 180, night=True, fov_deg=40.0, elevation_deg=-19.0, with_objects=False)
    dark, ground = (a.copy() for a in render_radiance(inputs, BARE))
    sky = ~np.isfinite(ground)
    assert 0.2 < sky.mean() < 0.8
    assert dark[sky].max() == 0.0
    # The Moon high over the station, 61 % lit, as on 2018-11-16 for most of the scene.
    _, _, up = enu_basis(OBSERVER_LAT_DEG, OBSERVER_LON_DEG)
    inputs.moon = MoonLight(MOON_DISTANCE_KM * up, -up, 3.2e-7)
    lit = render_radiance(inputs, BARE)[0]
    # Tangent height of each pixel's ray over the sphere the ellipsoid scales to (z times a/b).
    stretch = np.array([1.0, 1.0, WGS84_A_KM / WGS84_B_KM])
    rays = (inputs.cam_to_itrs @ inputs.camera.pixel_rays().reshape(-1, 3).T) * stretch[:, None]
    rays /= np.linalg.norm(rays, axis=0)
    o = inputs.observer_itrs_km * stretch
    h_t = np.linalg.norm(np.cross(o, rays.T), axis=1).reshape(sky.shape) - WGS84_A_KM
    band = lit[sky & (h_t > 15.0) & (h_t < 60.0)]
    assert len(band) > 300
    assert np.all(band[:, 2] > band[:, 0])
    assert band[:, 2].sum() > 1.5 * band[:, 0].sum()
    low = lit[sky & (h_t < 3.0)]
    assert low[:, 0].sum() > low[:, 2].sum()
