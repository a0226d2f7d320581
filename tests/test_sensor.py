"""The camera's sensor (render/sensor.py): full well, the glare wing, blooming, against hand figures."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from scipy.integrate import quad

from boundscheck import run_bounds_checked
from orbitview import load_scenario
from orbitview.render.objects import emitted_flux
from orbitview.render.sensor import apply_sensor, full_well_radiance, sensor_model, spread_glare
from orbitview.render.sprites import peak_radiance, splat
from orbitview.render.stars import STAR_PSF_SIGMA_PX
from orbitview.render.tonemap import WHITE_EXPOSED, tonemap

SCALE_RAD = math.radians(0.1)        # 0.1 deg a pixel: a 16 mm fisheye across 1,280 px
EXPOSURE = 3.3e5


def _point(value: float, size: tuple[int, int] = (721, 1281)) -> tuple[np.ndarray, tuple[int, int]]:
    image = np.zeros(size + (3,), dtype=np.float32)
    centre = (size[0] // 2, size[1] // 2)
    image[centre] = value
    return image, centre


def test_the_tone_curve_follows_iso_12232_grey_and_saturation():
    # ISO 12232:2019: exposure 10/S renders 18 % grey as sRGB 118 (SOS), the sensor clips at 78/S.
    # Under the sunny-16 gain 1, white ground is exposed radiance 1, so grey is 0.18 and the full
    # well 0.18 x 7.8 = 1.404.
    assert full_well_radiance(EXPOSURE) * EXPOSURE == pytest.approx(1.404, abs=1e-3)
    assert tonemap(np.full((1, 1, 3), 0.18, np.float32), 1.0)[0, 0].tolist() == [118] * 3
    codes = tonemap(np.array([[[1.35] * 3, [1.41] * 3, [30.0] * 3]], np.float32), 1.0)[0, :, 0]
    assert codes[0] < 255 and codes[1] == 255 and codes[2] == 255
    dark = tonemap(np.array([[[1e-3] * 3, [2e-3] * 3]], np.float32), 1.0)[0, :, 0]
    assert dark[1] > dark[0] > 0           # no crushed shadows: the curve is near linear at the foot


def test_light_below_half_the_full_well_passes_unchanged():
    rng = np.random.default_rng(1)
    well = full_well_radiance(EXPOSURE)
    image = (rng.random((90, 160, 3)) * 0.49 * well).astype(np.float32)
    before = image.copy()
    apply_sensor(image, EXPOSURE, SCALE_RAD)
    np.testing.assert_array_equal(image, before)
    np.testing.assert_array_equal(tonemap(image, EXPOSURE), tonemap(before, EXPOSURE))


def test_saturation_clips_only_above_the_full_well():
    """Without glare and blooming the sensor is the identity up to the full well and the full well
    above it; the 8-bit picture below it is the tone curve's."""
    bare = dataclasses.replace(sensor_model(), wing_fraction=0.0, spill_fraction=0.0)
    well = full_well_radiance(EXPOSURE)
    ramp = np.linspace(0.0, 3.0, 301) * well
    image = np.repeat(ramp[None, :, None], 3, axis=2).astype(np.float32)
    before = image.copy()
    apply_sensor(image, EXPOSURE, SCALE_RAD, bare)
    below = ramp < well
    np.testing.assert_array_equal(image[0, below], before[0, below])
    np.testing.assert_allclose(image[0, ~below], np.float32(well), rtol=1e-6)
    frame = tonemap(image, EXPOSURE)[0, :, 0]
    np.testing.assert_array_equal(frame[below], tonemap(before, EXPOSURE)[0, below, 0])
    assert frame[~below].min() == 255 and frame[ramp < 0.9 * well].max() < 255


def test_glare_conserves_a_points_light():
    image, _ = _point(1000.0)
    before = image.sum(dtype=np.float64)
    spread_glare(image, 1.0, SCALE_RAD, sensor_model())
    assert image.sum(dtype=np.float64) == pytest.approx(before, rel=0.01)


def test_glare_wing_follows_its_law_and_carries_its_share():
    """The wing falls as (r^2 + r_c^2)^-1 times exp(-(theta/10 deg)^2) (data/sensor.toml), and
    holds 5 % of the light above the threshold."""
    model = sensor_model()
    image, (row, col) = _point(1000.0)
    spread_glare(image, 1.0, SCALE_RAD, model)
    profile = image[row, col:, 0].astype(float)

    def law(r_px: float) -> float:
        theta = r_px * 0.1
        return (theta ** 2 + 0.07 ** 2) ** -1.0 * math.exp(-(theta / 10.0) ** 2)

    # The wing's near part is laid pixel by pixel, its far part on 4-px cells spread back
    # bilinearly (the two blend from 8 to 24 px): within 4 % of the law everywhere, 1 % outside the blend.
    for r in (2, 3, 5, 8, 12, 16, 20, 24, 30, 40, 80, 120, 160):
        assert profile[r] / law(r) == pytest.approx(profile[60] / law(60), rel=0.04 if 8 <= r <= 28 else 0.01), r
    # The law's light beyond 2 px (0.2 deg) over all of it, integrated by hand (r dr in the plane):
    # 76 % of the wing's 5 %; a quarter stays within the core's two pixels.
    def ring(r0: float, r1: float) -> float:
        return quad(lambda t: t * law(t / 0.1), r0, r1, limit=200)[0]

    v, u = np.mgrid[:image.shape[0], :image.shape[1]]
    beyond = np.hypot(v - row, u - col) > 2.0
    share = image[beyond, 0].sum(dtype=np.float64) / 999.5          # light above the threshold 0.5
    assert share == pytest.approx(model.wing_fraction * ring(0.2, 20.0) / ring(0.0, 20.0), rel=0.05)


def test_blooming_spills_five_per_cent_to_the_four_neighbours():
    """A point 1,000 full wells deep (no glare): its four neighbours get 5 % x 999 / 4 = 12.49
    wells and overflow in turn, 5 % x 11.49 / 4 = 0.1436 wells to each of theirs; a diagonal pixel
    gets that from two neighbours (0.287), the pixel two along from one (0.144)."""
    model = dataclasses.replace(sensor_model(), wing_fraction=0.0)
    image, (row, col) = _point(1000.0, (41, 41))
    apply_sensor(image, 1.0, SCALE_RAD, model)
    well = full_well_radiance(1.0)
    image = image[:, :, 0] / well
    assert np.count_nonzero(image >= 1.0 - 1e-6) == 5
    assert image[row + 1, col + 1] == pytest.approx(2 * 0.05 * (0.05 * (1000 / well - 1) / 4 - 1) / 4, rel=0.01)
    assert image[row, col + 2] == pytest.approx(0.05 * (0.05 * (1000 / well - 1) / 4 - 1) / 4, rel=0.01)


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e38, -1e38])
def test_any_float_leaves_a_picture_within_the_full_well(value):
    """Infinite light fills the well; NaN and negative values (no light gives them) stay, and the
    tone map shows them black."""
    image, centre = _point(1.0, (60, 80))
    image[centre] = value
    image[10, 10] = np.inf
    apply_sensor(image, 1.0, SCALE_RAD)
    assert not np.any(np.isinf(image)) and not np.any(image > np.float32(full_well_radiance(1.0)))
    assert tonemap(image, 1.0)[10, 10].tolist() == [255, 255, 255]
    if not value > 0.0:
        assert tonemap(image, 1.0)[centre].tolist() == [0, 0, 0]


def test_many_bright_pixels_keep_the_work_bounded_and_the_light():
    """A frame half over the threshold (a sunlit cloud deck at a night exposure) is spread on a
    coarser grid of cells: the light still adds up."""
    image = np.zeros((360, 640, 3), dtype=np.float32)
    image[:, :320] = 10.0
    before = image.sum(dtype=np.float64)
    spread_glare(image, 1.0, SCALE_RAD, sensor_model())
    assert image.sum(dtype=np.float64) == pytest.approx(before, rel=0.02)
    assert image[:, 330:340].mean() > 0.0            # the glare reaches past the edge of the deck


def test_no_sensor_kernel_reads_or_writes_out_of_bounds(tmp_path):
    """Bright points on every edge and corner, infinities, NaN and a half-bright frame (the cells'
    path), coded or not, compiled afresh with numba's bounds checking (first proved on)."""
    run_bounds_checked("""
        from orbitview.render.sensor import apply_sensor

        for h, w in ((1, 1), (2, 3), (37, 53), (9, 80), (80, 9), (40, 200)):
            image = np.zeros((h, w, 3), dtype=np.float32)
            image[0, 0], image[-1, -1], image[0, -1], image[-1, 0] = 1e6, np.inf, np.nan, 1e38
            coded = image.copy()
            apply_sensor(image, 1.0, 1e-3)
            assert not np.any(np.isinf(image))
            apply_sensor(coded, 1.0, 1e-3, out=np.empty(coded.shape, dtype=np.uint8))   # the tone map's runs too
        half = np.zeros((64, 96, 3), dtype=np.float32)
        half[:, :48] = 1e3
        apply_sensor(half, 1.0, 1e-4)
    """, tmp_path)


def test_the_third_stage_at_1500_km_is_a_saturated_core_with_a_glare_halo():
    """The RD-0110's flame at 1,500 km, a magnitude -2 point (test_rocket_light), through the Progress
    MS-10 camera (f/2.8, 0.4 s, ISO 25,600, 0.067 deg pixels): it fills the full well nine times over a few
    pixels and the wing lifts the black around it beyond the sprite's reach (3.9 px), as a bright
    point in a night photograph is a white disc with a glow; without the wing, nothing is there."""
    camera = load_scenario("progress-ms10").camera
    gain, scale = camera.exposure_gain, camera.pixel_scale_rad
    sigma = STAR_PSF_SIGMA_PX
    peak = peak_radiance(emitted_flux(2.05e6, 1500.0), sigma, sigma, scale ** 2)

    def picture(model):
        image = np.zeros((201, 201, 3), dtype=np.float32)
        splat(image, [100.5], [100.5], [sigma], [sigma], [0.0], np.full((1, 3), peak))
        apply_sensor(image, gain, scale, model)
        return tonemap(image, gain)[:, :, 1]

    lit = picture(sensor_model())
    assert peak * gain > 8.0 * WHITE_EXPOSED                       # 9.3 full wells at its centre
    assert (lit == 255).sum() >= 5
    assert lit[100, 106] >= 3 and lit[100, 108] >= 2               # the halo, 6 and 8 px out
    bare = picture(dataclasses.replace(sensor_model(), wing_fraction=0.0))
    assert bare[100, 106] == 0 and bare[100, 108] == 0


@pytest.mark.parametrize("case", ["night", "dark", "no_wing", "hostile", "many"])
def test_the_picture_written_in_the_sensors_pass_is_the_tone_map_of_its_light(case):
    """``apply_sensor(..., out=)`` codes the frame in the pass that adds the far wing (and anew
    where blooming changed it): the same codes as the tone map of the light it leaves, whether
    points bloom, nothing is bright, the wing is off (the early path), values are hostile or the
    bright pixels are so many that the cells coarsen."""
    rng = np.random.default_rng(7)
    well = full_well_radiance(EXPOSURE)
    image = (rng.random((181, 320, 3)) ** 4 * 0.4 * well).astype(np.float32)
    model = sensor_model()
    if case in ("night", "no_wing", "hostile"):
        for row, col, depth in ((90, 160, 500.0), (3, 2, 3.0), (178, 317, 40.0), (60, 20, 0.8)):
            image[row, col] = depth * well                      # deep, shallow and just-under points
    if case == "no_wing":
        model = dataclasses.replace(model, wing_fraction=0.0)
    if case == "hostile":
        image[10, 100], image[11, 101], image[12, 102] = np.inf, np.nan, -1e38
    if case == "many":
        image[:, :200] = 5.0 * well
    out = np.empty(image.shape, dtype=np.uint8)
    apply_sensor(image, EXPOSURE, SCALE_RAD, model, out=out)
    np.testing.assert_array_equal(out, tonemap(image, EXPOSURE))
    if case == "night":
        assert out[90, 160].tolist() == [255] * 3 and out[91, 160].tolist() == [255] * 3   # bloomed


def test_the_glare_of_several_sources_is_the_sum_of_each_ones():
    """Glare is linear in the light: sources far apart in rows and columns (the far wing added back
    only where its cells hold light) give the sum of their wings laid one at a time, to float
    rounding, and the picture coded in the sensor's pass counts the same over-full values as the
    pass without it."""
    model = dataclasses.replace(sensor_model(), spill_fraction=0.0)
    points = ((40, 60, 900.0), (300, 1100, 60.0), (690, 700, 5.0), (200, 1270, 300.0))

    def glare(which) -> tuple[np.ndarray, np.ndarray]:
        image = np.zeros((721, 1281, 3), dtype=np.float32)
        for row, col, depth in which:
            image[row, col] = depth
        counts = spread_glare(image, 1.0, SCALE_RAD, model)
        return image, counts

    together, counts = glare(points)
    alone = sum(glare([p])[0].astype(np.float64) for p in points)
    assert 0.2 < np.count_nonzero(alone) / alone.size < 0.5          # lit discs, dark between them
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-9)
    coded = np.zeros((721, 1281, 3), dtype=np.float32)
    for row, col, depth in points:
        coded[row, col] = depth
    out = np.empty(coded.shape, dtype=np.uint8)
    np.testing.assert_array_equal(spread_glare(coded, 1.0, SCALE_RAD, model, out=out, gain=1.0), counts)
    assert all(counts[row] >= 3 for row, _, _ in points)        # each source stays over the well
