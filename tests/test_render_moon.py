"""The Moon's disc and the bright planets as drawn, against hand geometry, published photometry and
Skyfield: where the disc falls and how big it is, its phase and bright limb, its flux against its
magnitude, what the air does to it near the Earth's limb, and the planets from the ISS."""
from __future__ import annotations


import numpy as np
import pytest

from skyfield.api import EarthSatellite
from skyfield.magnitudelib import planetary_magnitude

from boundscheck import run_bounds_checked
from orbitview.earth import geodetic_to_itrs
from orbitview.frames import gcrs_to_itrs
from orbitview.moon import MOON_RADIUS_KM, angle_above_limb, moonlight_ratio, refracted_above_limb_deg
from orbitview.orbits import Observer
from orbitview.render import MoonLight, RenderStyle
from orbitview.render.colour import LUMINANCE
from orbitview.render.compose import render_radiance
from orbitview.render.moon import draw_moon
from orbitview.render.stars import PLANETS, ZERO_MAG_FLUX_DAY_SR, planet_sight, planet_sprites
from orbitview.render.synthetic import synthetic_inputs
from orbitview.resources import resolve
from orbitview.skydata import ephemeris, timescale
from orbitview.view.camera import Camera

OBSERVER = geodetic_to_itrs(47.0, 60.0, 406.0)
MEAN_DISTANCE_KM = 384_400.0
# Published photometry: the Moon's V at mean distance, full (-12.73) and at quarter (-10.10, Allen's
# tabulated phase law, Astrophysical Quantities 3rd ed. 1973 p. 144); its geometric albedo 0.12
# (NASA Moon Fact Sheet): a full Moon's disc is that fraction of a white surface under the
# overhead Sun at 1 au (Sun-Moon distance ~1 au), our radiance unit.
FULL_MOON_V, QUARTER_MOON_V = -12.73, -10.10
MOON_GEOMETRIC_ALBEDO = 0.12
NARROW = Camera(640, 480, 5.0)          # 0.49 deg Moon: 63 px across


def _sky_direction(above_limb_deg: float, azimuth_offset: float = 0.0) -> np.ndarray:
    """A direction from OBSERVER at an exact angle above the WGS84 limb: in the plane through the
    observer's radius, the angle above the limb grows one for one with the elevation."""
    out = OBSERVER / np.linalg.norm(OBSERVER)
    east = np.cross([0.0, 0.0, 1.0], out)
    east /= np.linalg.norm(east)
    horizontal = np.cos(azimuth_offset) * east + np.sin(azimuth_offset) * np.cross(out, east)

    def along(elevation: float) -> np.ndarray:
        return np.cos(elevation) * horizontal + np.sin(elevation) * out

    dip = angle_above_limb(OBSERVER, along(0.0))[0]
    return along(np.radians(above_limb_deg - dip))


def _axes(ahead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit "up" (away from the Earth) and "right" across ``ahead``."""
    out = OBSERVER / np.linalg.norm(OBSERVER)
    up = out - (out @ ahead) * ahead
    up /= np.linalg.norm(up)
    return up, np.cross(up, ahead)


def _camera_at(ahead: np.ndarray, offset_rad: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """cam_to_itrs looking near ``ahead`` (turned by ``offset_rad`` right and up), image up = away from the Earth."""
    up, right = _axes(ahead)
    z = ahead + offset_rad[0] * right + offset_rad[1] * up
    z /= np.linalg.norm(z)
    y = -(up - (up @ z) * z)
    y /= np.linalg.norm(y)
    return np.stack([np.cross(y, z), y, z], axis=1)


def _moon(ahead: np.ndarray, phase_deg: float, sun_towards: str = "right",
          v_mag: float | None = None) -> MoonLight:
    """A Moon at the mean distance along ``ahead``, lit from the side ``sun_towards`` (right or up)
    at phase angle ``phase_deg``, as bright as ``v_mag`` (default: Allen's law at that phase)."""
    up, right = _axes(ahead)
    side = right if sun_towards == "right" else up
    a = np.radians(phase_deg)
    sun = -np.cos(a) * ahead + np.sin(a) * side
    mag = FULL_MOON_V + 0.026 * phase_deg + 4e-9 * phase_deg**4 if v_mag is None else v_mag
    return MoonLight(OBSERVER + MEAN_DISTANCE_KM * ahead, sun, float(moonlight_ratio(mag)))


def _draw(moon: MoonLight, cam_to_itrs: np.ndarray, camera: Camera = NARROW) -> np.ndarray:
    """The disc alone, RGB (H, W, 3) radiance."""
    buf = np.zeros((camera.height_px, camera.width_px, 3), dtype=np.float32)
    draw_moon(buf, camera, cam_to_itrs, OBSERVER, moon)
    return buf.astype(np.float64)


def _luminance(rgb: np.ndarray) -> np.ndarray:
    """Luminance (CIE Y) of linear sRGB: the V band a magnitude measures."""
    return rgb @ LUMINANCE


def _pixel_solid_angle(camera: Camera) -> np.ndarray:
    """Each pixel's solid angle (H, W) for a pinhole: cos^3 of its ray's angle off the axis / f^2."""
    return camera.pixel_rays()[..., 2] ** 3 / camera.focal_px**2


def _projected(camera: Camera, cam_to_itrs: np.ndarray, direction: np.ndarray) -> np.ndarray:
    px, inside = camera.project(cam_to_itrs.T @ direction)
    assert inside
    return px


def _angular_radius_px(camera: Camera) -> float:
    return np.arcsin(MOON_RADIUS_KM / MEAN_DISTANCE_KM) / camera.pixel_scale_rad


HIGH = _sky_direction(25.0)              # far above the limb: no air on the way


def test_full_moon_centred_on_its_projected_pixel_and_as_wide_as_its_angular_size():
    cam_to_itrs = _camera_at(HIGH, (-0.0071, 0.0043))      # off the image centre, at fractional pixels
    buf = _luminance(_draw(_moon(HIGH, 0.0), cam_to_itrs))
    v, u = np.mgrid[0:NARROW.height_px, 0:NARROW.width_px] + 0.5
    centroid = np.array([np.sum(buf * u), np.sum(buf * v)]) / buf.sum()
    expected = _projected(NARROW, cam_to_itrs, HIGH)
    assert np.hypot(*(centroid - expected)) < 0.5
    assert abs(expected[0] - NARROW.width_px / 2) > 40      # the offset camera did move the Moon
    # A full Lommel-Seeliger disc is uniformly bright (mu0 = mu): coverage is radiance over the
    # interior's, and the covered area gives the diameter.
    interior = np.median(buf[buf > 0.99 * buf.max()])
    diameter = 2.0 * np.sqrt(np.sum(buf / interior) / np.pi)
    assert abs(diameter - 2.0 * _angular_radius_px(NARROW)) < 1.0
    rows, cols = np.nonzero(buf)
    for extent in (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1):
        assert abs(extent - 2.0 * _angular_radius_px(NARROW)) <= 2.0     # the edge's partial pixels


def test_full_moon_disc_is_as_bright_as_its_geometric_albedo():
    """At full Moon, 1 au from the Sun, the disc's radiance is p times a white surface under the Sun."""
    buf = _luminance(_draw(_moon(HIGH, 0.0), _camera_at(HIGH)))
    assert buf.max() == pytest.approx(MOON_GEOMETRIC_ALBEDO, rel=0.06)


@pytest.mark.parametrize("phase_deg, v_mag", [(0.0, FULL_MOON_V), (90.0, QUARTER_MOON_V), (60.0, None),
                                              (120.0, None)])
def test_drawn_flux_is_the_flux_of_a_point_of_the_moons_magnitude(phase_deg, v_mag):
    moon = _moon(HIGH, phase_deg, v_mag=v_mag)
    buf = _draw(moon, _camera_at(HIGH, (0.003, -0.002)))
    flux = np.sum(_luminance(buf) * _pixel_solid_angle(NARROW))
    magnitude = -26.74 - 2.5 * np.log10(moon.irradiance_ratio)
    assert flux == pytest.approx(ZERO_MAG_FLUX_DAY_SR * 10 ** (-0.4 * magnitude), rel=0.05)


@pytest.mark.parametrize("phase_deg", [90.0, 60.0, 40.0])
def test_lit_part_of_the_disc_is_the_illuminated_fraction(phase_deg):
    """Lit pixels over the full disc's, against (1 + cos a) / 2 (quarter, gibbous)."""
    cam_to_itrs = _camera_at(HIGH)
    full = _draw(_moon(HIGH, 0.0), cam_to_itrs)[..., 1]
    lit = _draw(_moon(HIGH, phase_deg), cam_to_itrs)[..., 1]
    fraction = np.count_nonzero(lit > 1e-3 * lit.max()) / np.count_nonzero(full > 1e-3 * full.max())
    assert fraction == pytest.approx(0.5 * (1.0 + np.cos(np.radians(phase_deg))), abs=0.05)


@pytest.mark.parametrize("sun_towards", ["right", "up"])
def test_bright_limb_faces_the_sun(sun_towards):
    cam_to_itrs = _camera_at(HIGH)
    moon = _moon(HIGH, 100.0, sun_towards)
    buf = _draw(moon, cam_to_itrs)[..., 1]
    v, u = np.mgrid[0:NARROW.height_px, 0:NARROW.width_px] + 0.5
    centre = _projected(NARROW, cam_to_itrs, HIGH)
    offset = np.array([np.sum(buf * u), np.sum(buf * v)]) / buf.sum() - centre
    towards_sun = _projected(NARROW, cam_to_itrs, HIGH + 1e-3 * moon.sun_dir_itrs) - centre
    cosine = offset @ towards_sun / np.linalg.norm(offset) / np.linalg.norm(towards_sun)
    assert cosine > np.cos(np.radians(3.0))
    assert np.linalg.norm(offset) > 0.3 * _angular_radius_px(NARROW)      # a crescent's light is off-centre


def test_moon_behind_the_earth_draws_nothing():
    """Its upper limb 1.5 deg below the solid limb, beyond the 1.15 deg the air can lift it."""
    behind = _sky_direction(-1.5 - 0.26)
    assert not _draw(_moon(behind, 0.0), _camera_at(behind)).any()
    # the same view with the Moon's whole disc to one side, above the limb, does draw it
    assert _draw(_moon(_sky_direction(2.0), 0.0), _camera_at(_sky_direction(2.0))).any()


def test_a_moon_off_the_frame_is_skipped_only_where_nothing_would_be_drawn(monkeypatch):
    """draw_moon returns early when the disc's box, lifted by the most the air can lift it, misses
    the image: for Moons swept out across each edge (one low, so the air lifts and squashes it),
    the buffer is the same as with that test switched off, pixel for pixel, from where most of the
    disc is out until well past the last pixel it lights."""
    from orbitview.render import moon as moon_module

    half_w, half_h = np.radians(2.5), np.radians(2.5 * 480 / 640)
    cases = []
    for ahead in (HIGH, _sky_direction(0.6)):
        for step in np.radians(np.arange(0.2, 0.4, 0.004)):         # half a pixel a step, across the disc's exit
            for offset in ((half_w + step, 0.0), (-half_w - step, 0.0), (0.0, half_h + step), (0.0, -half_h - step)):
                cases.append((ahead, offset))
    box_meets, verdicts = moon_module._box_meets, []
    monkeypatch.setattr(moon_module, "_box_meets", lambda *args: verdicts.append(box_meets(*args)) or verdicts[-1])
    skipped = [_draw(_moon(ahead, 0.0), _camera_at(ahead, offset)) for ahead, offset in cases]
    monkeypatch.setattr(moon_module, "_box_meets", lambda *args: True)
    for (ahead, offset), early in zip(cases, skipped):
        np.testing.assert_array_equal(early, _draw(_moon(ahead, 0.0), _camera_at(ahead, offset)))
    assert verdicts.count(False) >= 150 and sum(bool(b.any()) for b in skipped) >= 80     # of 400


def test_moon_near_the_limb_is_redder_and_flattened():
    """0.6 deg above the limb the air reddens the disc and refraction squashes it: its height is the
    refracted span of its edges, its width unchanged."""
    low, high = _sky_direction(0.6), HIGH
    near = _draw(_moon(low, 0.0), _camera_at(low))
    far = _draw(_moon(high, 0.0), _camera_at(high))
    assert near[..., 0].sum() / near[..., 2].sum() > 1.5 * far[..., 0].sum() / far[..., 2].sum()
    assert near[..., 1].sum() < 0.9 * far[..., 1].sum()
    rows, cols = np.nonzero(near[..., 0] > 1e-3 * near[..., 0].max())
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    rho_deg = np.degrees(np.arcsin(MOON_RADIUS_KM / MEAN_DISTANCE_KM))
    limb_km = angle_above_limb(OBSERVER, low)[1]
    top, bottom = refracted_above_limb_deg(np.array([0.6 + rho_deg, 0.6 - rho_deg]), limb_km)
    assert height < width - 5
    assert abs(height - np.radians(top - bottom) / NARROW.pixel_scale_rad) <= 2.0
    assert abs(width - 2.0 * _angular_radius_px(NARROW)) <= 2.0


def test_moon_in_a_frame_is_drawn_by_the_compositor():
    """render_radiance draws the disc with the sky's points (a wide night camera: a few pixels, burnt
    out when exposed); its flux, all within a few pixels of its place, is the full Moon's."""
    inputs = synthetic_inputs(320, 180, fov_deg=40.0, elevation_deg=10.0, with_objects=False)
    ahead = inputs.cam_to_itrs[:, 2]
    inputs.moon = MoonLight(inputs.observer_itrs_km + MEAN_DISTANCE_KM * ahead, -ahead,
                            float(moonlight_ratio(FULL_MOON_V)))
    sky = render_radiance(inputs, RenderStyle(objects=False, text=False))[0].copy()
    added = sky - render_radiance(inputs, RenderStyle(stars=False, objects=False, text=False))[0]
    box = _luminance(added[90 - 4:90 + 4, 160 - 4:160 + 4])          # the Moon is 4 px across at the image centre
    assert np.sum(box) * inputs.camera.pixel_scale_rad**2 == pytest.approx(
        ZERO_MAG_FLUX_DAY_SR * 10 ** (-0.4 * FULL_MOON_V), rel=0.05)
    assert box.max() * inputs.exposure > 1e4                # far past white: the tone map clips it


def test_disc_kernel_stays_in_bounds_for_any_float(tmp_path):
    """The disc's kernel compiled afresh with numba's bounds checking (see test_render_safety), fed a
    Moon half off each edge of a tiny image and hostile centres, boxes, heights and radii."""
    run_bounds_checked("""
        import numpy as np
        from orbitview.render.moon import _disc_kernel
        from tests.test_render_moon import HIGH, _camera_at, _draw, _moon
        from orbitview.view.camera import Camera

        small = Camera(16, 12, 1.0)
        for dx, dy in [(0.0, 0.0), (0.009, 0.0), (-0.009, 0.0), (0.0, 0.007), (0.0, -0.007), (1.0, 1.0)]:
            _draw(_moon(HIGH, 70.0), _camera_at(HIGH, (dx, dy)), small)
        hostile = [np.nan, np.inf, -np.inf, 1e308, -1e308, -1.0, 0.0, 5.0]
        buf = np.zeros((12, 16, 3), dtype=np.float32)
        image = np.linspace(-0.01, 0.01, 8)
        for x in hostile:
            box = np.array([x, -x])
            _disc_kernel(buf, x, 6.0, np.eye(2) * 1e-3, box, -box, 0.0, 0.004, image, image, np.ones((8, 3)),
                         np.array([0.0, 0.0, 1.0]), np.ones(3), 2)
            _disc_kernel(buf, 8.0, x, np.eye(2) * x, -np.ones(2) * 5, np.ones(2) * 5, x, x, image, image,
                         np.ones((8, 3)), np.array([x, 0.0, 1.0]), np.ones(3), 2)
    """, tmp_path)


@pytest.fixture(scope="module")
def iss_lines() -> tuple[str, str]:
    lines = resolve("tle", "iss-2018-11").read_text().splitlines()
    return lines[1], lines[2]


def test_planets_at_skyfields_apparent_positions_from_the_iss_with_their_magnitudes(iss_lines):
    """Every planet not behind the Earth over one orbit: drawn within 0.01 deg of Skyfield's apparent
    position from its own EarthSatellite, as bright as Mallama & Hilton's magnitude times the air's
    transmittance (none this far above the limb)."""
    eph = ephemeris()
    t = timescale().utc(2018, 11, 16, 18, np.arange(0, 93, 3))
    dirs, mags = planet_sight(Observer.from_tle(*iss_lines, name="ISS"), t)
    satellite = eph["earth"] + EarthSatellite(*iss_lines, "ISS", timescale())
    rotation = gcrs_to_itrs(t)
    iss_itrs = np.einsum("ijn,jn->in", rotation, satellite.at(t).position.km - eph["earth"].at(t).position.km)
    camera = Camera(800, 800, 2.0)
    drawn = 0
    for k, name in enumerate(PLANETS):
        astrometric = satellite.at(t).observe(eph[name])
        reference = astrometric.apparent().position.au
        reference_mag = planetary_magnitude(astrometric)
        for n in range(len(t)):
            ahead = rotation[:, :, n] @ reference[:, n]
            ahead /= np.linalg.norm(ahead)
            above, _ = angle_above_limb(iss_itrs[:, n], ahead)
            if above < 10.0:
                continue
            cam_to_itrs = _camera_at(ahead)
            u, v, sigma, _, _, rgb = planet_sprites(camera, cam_to_itrs, rotation[:, :, n], iss_itrs[:, n], 3.3e6,
                                                    dirs[:, k:k + 1, n], mags[k:k + 1, n])
            assert len(u) == 1
            offset_px = np.hypot(u[0] - 400.0, v[0] - 400.0)
            assert offset_px * camera.pixel_scale_rad < np.radians(0.01)
            flux = rgb[0].max() * 2 * np.pi * sigma[0] ** 2 * camera.pixel_scale_rad**2
            assert flux == pytest.approx(ZERO_MAG_FLUX_DAY_SR * 10 ** (-0.4 * reference_mag[n]), rel=0.02)
            drawn += 1
    assert drawn > 40                                  # most of the 124 planet-instants are in view


def test_planet_behind_the_earth_too_faint_or_without_a_magnitude_is_not_drawn():
    inputs = synthetic_inputs(320, 320, fov_deg=20.0, with_objects=False)
    to_gcrs = inputs.gcrs_to_itrs.T

    def drawn(ahead_itrs: np.ndarray, mag: float, exposure: float = 3.3e6) -> int:
        sprites = planet_sprites(inputs.camera, _camera_at(ahead_itrs), inputs.gcrs_to_itrs, inputs.observer_itrs_km,
                                 exposure, (to_gcrs @ ahead_itrs)[:, None], np.array([mag]))
        return len(sprites[0])

    assert drawn(HIGH, -4.5) == 1
    assert drawn(_sky_direction(-30.0), -4.5) == 0                     # against the Earth
    assert drawn(HIGH, -4.5, exposure=1e-3) == 0                          # a daylight-short exposure
    assert drawn(HIGH, np.nan) == 0          # Saturn past the 6.5 deg phase angle Mallama & Hilton cover
