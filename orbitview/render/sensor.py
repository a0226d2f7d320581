"""The camera between the ideal image and the picture: glare wings, full well, blooming.

A bright source in a night photograph is not a small Gaussian: the lens and window spread a few
per cent of its light into a wide power-law wing (glare), and the sensor fills up where the light
exceeds its full well, the excess spilling into neighbouring pixels (blooming) before the raw
value clips. ``apply_sensor`` does the three in order, in place on the linear radiance the
renderer drew (``data/sensor.toml`` holds every figure, with its source):

1. the wing: only light above ``threshold_of_full_well`` is spread (fainter light's wing is below
   one 8-bit step), so the work is proportional to the bright pixels, not the image: each bright
   pixel adds the wing kernel (radius ``outer_deg``) around itself. Night frames have tens of such
   pixels (under a millisecond); a scene with very many (a sunlit cloud deck at a night exposure)
   spreads them on a coarser grid of cells so the work stays bounded (``WING_BUDGET``);
2. blooming: charge beyond the full well spills, a fraction ``spill_fraction`` of it to the four
   neighbours, step by step (the rest is drained by the CMOS anti-blooming gates);
3. clipping at the full well, per channel.

The full well is where the camera's tone curve reaches white (``tonemap.WHITE_EXPOSED``): below it
the picture is the tone curve of the light, unchanged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit, prange, types
from numba.typed import List

from ..datafile import load_toml
from ..resources import data_file
from .safety import KERNEL_OPTIONS
from .tonemap import WHITE_EXPOSED

# Multiply-adds the wing may take per frame (~30 ms on one core): beyond it, bright pixels are
# summed into square cells and the wing is laid on the cell grid.
WING_BUDGET = 3.0e7
WING_KERNEL_MAX = 2001 ** 2   # the kernel's cells at most (16 MB): a narrow lens on a large image lays it coarser
WING_CUT_OUTER = 2.0          # the wing kernel ends at this many taper scales (exp(-4): 2 % of the law)
# Light above this many full wells is held there before spreading: a finite bound for any input
# (an infinite radiance), far above any real source (the Sun at a night exposure: ~1e6).
_MAX_FULL_WELLS = 1.0e12


@dataclass(frozen=True)
class SensorModel:
    """The figures of ``data/sensor.toml`` (see there for their sources)."""

    wing_exponent: float
    wing_fraction: float
    core_deg: float
    outer_deg: float
    threshold_of_full_well: float
    spill_fraction: float
    max_steps: int


@lru_cache(maxsize=1)
def sensor_model() -> SensorModel:
    """The shipped sensor, read once."""
    data = load_toml(data_file("orbitview", "data/sensor.toml"))
    psf, bloom = data.table("psf"), data.table("blooming")
    model = SensorModel(wing_exponent=psf.number("exponent", above=0.0),
                        wing_fraction=psf.number("wing_fraction", min=0.0, max=1.0),
                        core_deg=psf.number("core_deg", above=0.0),
                        outer_deg=psf.number("outer_deg", above=0.0),
                        threshold_of_full_well=psf.number("threshold_of_full_well", above=0.0, max=1.0),
                        spill_fraction=bloom.number("spill_fraction", min=0.0, max=1.0),
                        max_steps=int(bloom.number("max_steps", min=0.0, max=10_000.0)))
    for table in (data, psf, bloom):
        table.reject_unknown()
    return model


def wing_radius(pixel_scale_rad: float, cell_px: int, side_px: int) -> int:
    """The wing kernel's radius in cells: to its cut, but never beyond the image's longer side."""
    cut_cells = WING_CUT_OUTER * sensor_model().outer_deg / (math.degrees(pixel_scale_rad) * cell_px)
    return max(int(min(cut_cells, -(-side_px // cell_px))), 1)


@lru_cache(maxsize=8)
def wing_kernel(pixel_scale_rad: float, cell_px: int = 1, side_px: int = 1 << 30) -> np.ndarray:
    """The glare wing on a grid of ``cell_px``-pixel cells, (2R+1, 2R+1) float32 summing to 1:
    (r^2 + r_core^2)^(-exponent/2) exp(-(r / outer)^2) for cell-centre distances r (the taper leaves
    no edge), cut at ``WING_CUT_OUTER`` times ``outer_deg`` where the taper is down to 2 %. Laid at
    the image centre's pixel scale (a fisheye's scale changes little over the wing)."""
    model = sensor_model()
    cell_deg = math.degrees(pixel_scale_rad) * cell_px
    cut = WING_CUT_OUTER * model.outer_deg
    radius = wing_radius(pixel_scale_rad, cell_px, side_px)
    d = np.arange(-radius, radius + 1) * cell_deg
    r2 = d[:, None] ** 2 + d[None, :] ** 2
    law = (r2 + model.core_deg ** 2) ** (-model.wing_exponent / 2.0) * np.exp(-r2 / model.outer_deg ** 2)
    kernel = np.where(r2 <= cut ** 2, law, 0.0)
    return (kernel / kernel.sum()).astype(np.float32)


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _count_bright(image, threshold, counts):
    """Pixels of each row with any channel above ``threshold`` (NaN is not bright)."""
    for y in prange(image.shape[0]):
        n = 0
        for x in range(image.shape[1]):
            if image[y, x, 0] > threshold or image[y, x, 1] > threshold or image[y, x, 2] > threshold:
                n += 1
        counts[y] = n


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _take_bright(image, threshold, ceiling, fraction, starts, ys, xs, energy):
    """Move ``fraction`` of each bright pixel's light above ``threshold`` (held under ``ceiling``)
    out of the image into ``energy``, noting where it came from."""
    for y in prange(image.shape[0]):
        k = starts[y]
        if k == starts[y + 1]:
            continue
        for x in range(image.shape[1]):
            if image[y, x, 0] > threshold or image[y, x, 1] > threshold or image[y, x, 2] > threshold:
                ys[k], xs[k] = y, x
                for c in range(3):
                    above = min(image[y, x, c], ceiling) - threshold
                    moved = fraction * above if above > 0.0 else 0.0
                    energy[k, c] = moved
                    image[y, x, c] -= moved
                k += 1


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _lay_wing(grid, cy, cx, energy, kernel):
    """Add each cell's light times the kernel centred on it to ``grid`` (rows in parallel: each
    row is written by one thread only)."""
    radius = kernel.shape[0] // 2
    height, width = grid.shape[0], grid.shape[1]
    for y in prange(height):
        for k in range(cy.shape[0]):
            dy = y - cy[k] + radius
            if dy < 0 or dy > 2 * radius:
                continue
            x0, x1 = max(cx[k] - radius, 0), min(cx[k] + radius + 1, width)
            for x in range(x0, x1):
                w = kernel[dy, x - cx[k] + radius]
                for c in range(3):
                    grid[y, x, c] += w * energy[k, c]


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _add_cells(image, grid, cell):
    """Spread each cell of ``grid`` evenly over its ``cell`` x ``cell`` pixels of ``image``."""
    share = np.float32(1.0 / (cell * cell))
    for y in prange(image.shape[0]):
        for x in range(image.shape[1]):
            for c in range(3):
                image[y, x, c] += grid[y // cell, x // cell, c] * share


def spread_glare(image: np.ndarray, full_well: float, pixel_scale_rad: float, model: SensorModel) -> None:
    """Move ``wing_fraction`` of the light above the threshold into the wing, on the finest grid
    of cells whose work stays within ``WING_BUDGET``."""
    height, width = image.shape[:2]
    threshold = np.float32(model.threshold_of_full_well * full_well)
    counts = np.empty(height, dtype=np.int64)
    _count_bright(image, threshold, counts)
    n = int(counts.sum())
    if n == 0 or model.wing_fraction == 0.0:
        return
    starts = np.concatenate(([0], np.cumsum(counts)))
    ys, xs = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    energy = np.empty((n, 3), dtype=np.float32)
    _take_bright(image, threshold, np.float32(_MAX_FULL_WELLS * full_well), np.float32(model.wing_fraction),
                 starts, ys, xs, energy)
    side = max(height, width)
    cell = 1
    while cell < side:
        size = (2 * wing_radius(pixel_scale_rad, cell, side) + 1) ** 2
        if size <= WING_KERNEL_MAX and min(n, -(-height // cell) * -(-width // cell)) * size <= WING_BUDGET:
            break
        cell *= 2
    rows, cols = -(-height // cell), -(-width // cell)
    if cell > 1:             # one source per cell: the light of its pixels summed
        index = (ys // cell) * cols + xs // cell
        cells, where = np.unique(index, return_inverse=True)
        energy = np.stack([np.bincount(where, energy[:, c], cells.size) for c in range(3)], axis=1).astype(np.float32)
        ys, xs = cells // cols * cell, cells % cols * cell
    grid = image if cell == 1 else np.zeros((rows, cols, 3), dtype=np.float32)
    _lay_wing(grid, ys // cell, xs // cell, energy, wing_kernel(pixel_scale_rad, cell, side))
    if cell > 1:
        _add_cells(image, grid, cell)


@njit(**KERNEL_OPTIONS, cache=True, nogil=True)
def _bloom(image, full_well, spill, max_steps, counts):
    """Spill charge beyond ``full_well``: each over-full pixel keeps the full well, ``spill`` of its
    excess goes to its four neighbours equally (the rest is drained); repeated on the pixels that
    overflowed, at most ``max_steps`` times. ``counts``: over-full pixels per row (rows without
    any are not visited). Returns the steps taken."""
    height, width = image.shape[0], image.shape[1]
    ceiling = full_well * _MAX_FULL_WELLS
    active = List.empty_list(types.int64)
    for y in range(height):
        if counts[y] > 0:
            for x in range(width):
                for c in range(3):
                    if image[y, x, c] > full_well:
                        active.append((y * width + x) * 3 + c)
    steps = 0
    while len(active) > 0 and steps < max_steps:
        steps += 1
        queued = {np.int64(-1)}
        following = List.empty_list(types.int64)
        for key in active:
            c = key % 3
            x = (key // 3) % width
            y = key // 3 // width
            excess = min(image[y, x, c] - full_well, ceiling)
            if not excess > 0.0:
                continue
            image[y, x, c] = full_well
            share = spill * excess / 4.0
            for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                ny, nx = y + dy, x + dx
                if 0 <= ny < height and 0 <= nx < width:
                    image[ny, nx, c] += share
                    near = (ny * width + nx) * 3 + c
                    if image[ny, nx, c] > full_well and near not in queued:
                        queued.add(near)
                        following.append(near)
        active = following
    return steps


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _clip(image, full_well):
    """Hold every channel at or below the full well (NaN, which no light gives, becomes 0)."""
    for y in prange(image.shape[0]):
        for x in range(image.shape[1]):
            for c in range(3):
                v = image[y, x, c]
                image[y, x, c] = min(v, full_well) if v >= 0.0 else 0.0


def apply_sensor(radiance: np.ndarray, exposure: float, pixel_scale_rad: float,
                 model: SensorModel | None = None) -> None:
    """Glare wing, blooming and full-well clipping, in place on linear radiance (H, W, 3) float32
    (day units) that ``exposure`` turns into the exposed values the tone curve takes."""
    model = model or sensor_model()
    full_well = np.float32(full_well_radiance(exposure))
    spread_glare(radiance, float(full_well), pixel_scale_rad, model)
    counts = np.empty(radiance.shape[0], dtype=np.int64)
    _count_bright(radiance, full_well, counts)
    if counts.any():
        _bloom(radiance, full_well, np.float32(model.spill_fraction), model.max_steps, counts)
    _clip(radiance, full_well)


def full_well_radiance(exposure: float) -> float:
    """The radiance (day units) that fills the full well at ``exposure``."""
    return WHITE_EXPOSED / exposure


def saturated(radiance: np.ndarray, exposure: float) -> np.ndarray:
    """Pixels (H, W) whose any channel is at the full well after :func:`apply_sensor`."""
    return np.max(radiance, axis=2) >= np.float32(full_well_radiance(exposure)) * np.float32(1.0 - 1e-6)
