"""The camera between the ideal image and the picture: glare wings, full well, blooming.

A bright source in a night photograph is not a small Gaussian: the lens and window spread a few
per cent of its light into a wide power-law wing (glare), and the sensor fills up where the light
exceeds its full well, the excess spilling into neighbouring pixels (blooming) before the raw
value clips. ``apply_sensor`` does the three in order, in place on the linear radiance the
renderer drew (``data/sensor.toml`` holds every figure, with its source):

1. the wing: only light above ``threshold_of_full_well`` is spread (fainter light's wing is below
   one 8-bit step), so the work is proportional to the bright pixels, not the image: each bright
   pixel adds the wing's near part around itself pixel by pixel, and its far part (out to twice
   ``outer_deg``) on 4 x 4-pixel cells spread back bilinearly where the cells hold light, in the
   pass that writes the tone map's codes when the frame is developed (``apply_sensor``'s ``out``;
   with the bright pixels' count before it, the frame is read twice). Night frames
   have tens of such pixels; a scene with very many (a sunlit cloud deck at a night exposure)
   spreads them on coarser cells so the work stays bounded (``WING_BUDGET``);
2. blooming: charge beyond the full well spills, a fraction ``spill_fraction`` of it to the four
   neighbours, step by step (the rest is drained by the CMOS anti-blooming gates);
3. clipping at the full well, per channel (of the pixels still over it after the last step; NaN,
   which no light gives, is left for the tone map, which shows it black).

The full well is where the camera's tone curve reaches white (``tonemap.WHITE_EXPOSED``): below it
the picture is the tone curve of the light, unchanged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit, parallel_chunksize, prange, types
from numba.typed import List

from ..datafile import load_toml
from ..resources import data_file
from .safety import KERNEL_OPTIONS
from .tonemap import INF_BITS, WHITE_EXPOSED, count_over, lut_scale, tone_lut, tone_row, tonemap_rows

# Multiply-adds the wing may take per frame (~30 ms on one core): beyond it, the far wing's cells
# grow and the near wing joins them.
WING_BUDGET = 3.0e7
WING_KERNEL_MAX = 2001 ** 2   # the kernel's cells at most (16 MB): a narrow lens on a large image lays it coarser
# Beyond a few pixels the wing changes slowly across a cell of FAR_CELL_PX: it is laid on such
# cells (16 times less work) and spread back bilinearly; the near part is laid pixel by pixel.
FAR_CELL_PX = 4
BAND_ROWS = 64                # the far wing is added back by bands of about this many rows, each with its own cell lines
NEAR_FULL_PX = 8.0            # the near part is the whole wing within this ...
NEAR_END_PX = 24              # ... and none of it beyond this (a smoothstep between)
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
def wing_kernels(pixel_scale_rad: float, cell_px: int, side_px: int, near: bool) -> tuple[np.ndarray, np.ndarray]:
    """The glare wing (r^2 + r_core^2)^(-exponent/2) exp(-(r / outer)^2) (the taper leaves no edge),
    cut at ``WING_CUT_OUTER`` times ``outer_deg`` (the taper down to 2 %), in two parts summing to 1
    and meeting smoothly (a smoothstep from ``NEAR_FULL_PX`` to ``NEAR_END_PX``):

    * near (1, 1, 2 NEAR_END_PX + 1, same), on pixels around the source (all zero without ``near``);
    * far (cell, cell, 2R + 1, 2R + 1): for a source at each place in its cell, the wing's light on
      each ``cell_px`` cell, at the cell centre's distance times its area, per pixel of the cell
      (the grid's cells are spread back over their pixels).

    Laid at the image centre's pixel scale (a fisheye's scale changes little over the wing)."""
    model = sensor_model()
    pixel_deg = math.degrees(pixel_scale_rad)
    cut_px = WING_CUT_OUTER * model.outer_deg / pixel_deg

    def law(dy_px: np.ndarray, dx_px: np.ndarray) -> np.ndarray:
        r_px = np.hypot(dy_px, dx_px)
        r2 = (r_px * pixel_deg) ** 2
        value = (r2 + model.core_deg ** 2) ** (-model.wing_exponent / 2.0) * np.exp(-r2 / model.outer_deg ** 2)
        t = np.clip((r_px - NEAR_FULL_PX) / (NEAR_END_PX - NEAR_FULL_PX), 0.0, 1.0) if near else np.ones_like(r_px)
        outward = t * t * (3.0 - 2.0 * t)
        return np.where(r_px <= cut_px, value, 0.0), outward

    d = np.arange(-NEAR_END_PX, NEAR_END_PX + 1, dtype=float)
    value, outward = law(d[:, None], d[None, :])
    near_kernel = (value * (1.0 - outward))[None, None] if near else np.zeros((1, 1, 1, 1))
    radius = wing_radius(pixel_scale_rad, cell_px, side_px)
    centres = np.arange(-radius, radius + 1, dtype=float) * cell_px + cell_px / 2.0   # from the source's cell's corner
    phase = np.arange(cell_px, dtype=float) + 0.5                                      # the source's pixel centre in it
    dy = centres[None, :, None] - phase[:, None, None]                                 # (phase, cell offset, 1)
    value, outward = law(dy[:, None, :, :], dy.transpose(0, 2, 1)[None, :, :, :])
    far_kernel = value * outward * cell_px ** 2
    far_sums = far_kernel.sum(axis=(2, 3), keepdims=True)
    near_kernel = near_kernel / (near_kernel.sum() + far_sums.mean())
    far_kernel = far_kernel * (1.0 - near_kernel.sum()) / far_sums        # every place in the cell: all the light
    return near_kernel.astype(np.float32), far_kernel.astype(np.float32) / np.float32(cell_px * cell_px)


@njit(**KERNEL_OPTIONS, cache=True, nogil=True)
def _count_bright(image, threshold, counts):
    """Pixels of each row with any channel above ``threshold`` (NaN is not bright): first the
    row's values over it, a loop the compiler vectorises, then, in the few rows that have any,
    the pixels. On one thread: the loop runs at the memory's speed, which a second thread barely
    raises (0.73 ms on two, 0.85 on one at 1080p), and a parallel region's start costs
    milliseconds when other work keeps the cores busy."""
    for y in range(image.shape[0]):
        values, n = image[y].reshape(-1), 0
        for k in range(values.shape[0]):
            if values[k] > threshold:
                n += 1
        if n > 0:
            n = 0
            for x in range(image.shape[1]):
                if image[y, x, 0] > threshold or image[y, x, 1] > threshold or image[y, x, 2] > threshold:
                    n += 1
        counts[y] = n


@njit(**KERNEL_OPTIONS, cache=True, nogil=True)
def _take_bright(image, threshold, ceiling, fraction, starts, ys, xs, energy):
    """Move ``fraction`` of each bright pixel's light above ``threshold`` (held under ``ceiling``)
    out of the image into ``energy``, noting where it came from, row by row (``ys`` never falls).
    On one thread: it visits only the rows with bright pixels (a parallel region's start costs
    more on a busy machine)."""
    for y in range(image.shape[0]):
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


@njit(**KERNEL_OPTIONS, inline="always")
def _lay_row(planes, y, cy, cx, py, px, energy, kernels):
    """Add row ``y`` of each source's light times its kernel (``kernels[py, px]``: for its place
    in its cell) centred on its cell (cy, cx) to ``planes`` (3, rows, columns): the cell grid, or
    the image seen channel first. A channel's row is one run, which the compiler vectorises when
    it lies in one block, as the grid's does. The sources come row by row (``cy`` never falls):
    those whose kernel reaches row ``y`` are one run of them, found by bisection."""
    radius = kernels.shape[2] // 2
    width = planes.shape[2]
    for k in range(np.searchsorted(cy, y - radius), np.searchsorted(cy, y + radius, side="right")):
        dy = y - cy[k] + radius
        x0, x1 = max(cx[k] - radius, 0), min(cx[k] + radius + 1, width)
        if x1 <= x0:
            continue
        weights = kernels[py[k], px[k], dy, x0 - cx[k] + radius:x1 - cx[k] + radius]
        for c in range(3):
            e, row = energy[k, c], planes[c, y, x0:x1]
            if e == 0.0:                         # a channel under the threshold (half of them at night) adds 0
                continue
            for i in range(row.shape[0]):        # from 0 on views: no negative index, vectorised
                row[i] += weights[i] * e


@njit(**KERNEL_OPTIONS, inline="always")
def _interleaved(slot, count):
    """The row (or band) a parallel loop's ``slot`` of ``count`` works on: the first half of the
    slots take the even rows, the second the odd ones. A night frame's work is not spread evenly
    down it (black sky above, the lit ground and the glare below): so any run of slots a thread
    takes (one at a time as it comes free, ``spread_glare``; or half of them) spans it top to bottom."""
    half = (count + 1) // 2
    return 2 * slot if slot < half else 2 * (slot - half) + 1


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _lay_wings(image, near_kernel, grid, far_kernels, ys, xs, energy):
    """Lay the sources' wings (at pixels ``ys``, ``xs``): the near part pixel by pixel on
    ``image`` (3, H, W) (none when ``near_kernel`` is 1 x 1), the far part on the cells of
    ``grid`` (3, H / cell, W / cell). One parallel pass over the cell rows, each laying its
    grid row and its ``cell`` rows of pixels (a row is written by one thread; the two parts'
    work follows the same sources, so the threads share it evenly)."""
    cell = far_kernels.shape[0]
    height = image.shape[1]
    zeros = np.zeros(ys.shape[0], dtype=np.int64)
    cy, cx, py, px = ys // cell, xs // cell, ys % cell, xs % cell
    for slot in prange(grid.shape[1]):
        j = _interleaved(slot, grid.shape[1])
        _lay_row(grid, j, cy, cx, py, px, energy, far_kernels)
        if near_kernel.shape[2] > 1:
            for y in range(j * cell, min((j + 1) * cell, height)):
                _lay_row(image, y, ys, xs, zeros, zeros, energy, near_kernel)


@njit(**KERNEL_OPTIONS, inline="always")
def _cell_line(grid, j, left, right, across, col0, col1, line):
    """The far wing along the centre line of cell row ``j`` into ``line`` (W*3, RGB interleaved as
    the image's rows), bilinear between cell centres across (``left``, ``right``, ``across``:
    :func:`_between_cells`), over pixels ``col0`` to ``col1``: by runs of pixels between the same
    two cells (a cell's width), whose values are read once."""
    x = col0
    while x < col1:
        x0, x1 = left[x], right[x]
        r0, g0, b0 = grid[0, j, x0], grid[1, j, x0], grid[2, j, x0]
        r1, g1, b1 = grid[0, j, x1], grid[1, j, x1], grid[2, j, x1]
        while x < col1 and left[x] == x0:
            wx = across[x]
            line[3 * x] = r0 + wx * (r1 - r0)
            line[3 * x + 1] = g0 + wx * (g1 - g0)
            line[3 * x + 2] = b0 + wx * (b1 - b0)
            x += 1


@njit(**KERNEL_OPTIONS, inline="always")
def _lit_pixels(grid, j, left, right, col0, col1):
    """The pixels ``col0`` to ``col1`` whose far wing on cell row ``j`` may be other than 0: those
    read from a cell holding light in some channel (each pixel reads the two cells about it,
    ``left`` and ``right``), as a span (first, end); (col1, col0) when the row holds none. Beyond
    it the line is 0 exactly, and a value plus 0 is the value."""
    cells = grid.shape[2]
    first, last = cells, -1
    for i in range(cells):
        if grid[0, j, i] != 0.0 or grid[1, j, i] != 0.0 or grid[2, j, i] != 0.0:
            first = i
            break
    for i in range(cells - 1, first - 1, -1):
        if grid[0, j, i] != 0.0 or grid[1, j, i] != 0.0 or grid[2, j, i] != 0.0:
            last = i
            break
    if last < first:
        return col1, col0
    return max(np.searchsorted(right, first), col0), min(np.searchsorted(left, last, side="right"), col1)


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _add_cells(image, grid, rows, cols, row0, row1, col0, col1, full_well, overfull, scale, lut, out):
    """Spread the far wing on ``grid``'s cells back over the pixels of ``image`` (H, W*3) in rows
    ``row0`` to ``row1``, pixels ``col0`` to ``col1``, bilinearly between cell centres (``rows``,
    ``cols``: :func:`_between_cells`): across, once per cell row, into lines, then down, pixel by
    pixel between the two lines about each row; only where a line holds light (:func:`_lit_pixels`:
    the wing of a few sources leaves much of the box dark). With ``out`` of H rows (else 0), writes
    every pixel's tone code (``tonemap.tone_row``) in the same pass, the image read once, not once
    here and once by the tone map, and counts each row's values over ``full_well`` into ``overfull``
    in that read; without, those in the box (0 outside its rows: no value beyond it can be over).
    In parallel by bands of about ``BAND_ROWS`` rows, each with the lines it lies between."""
    height, values = image.shape[0], image.shape[1]
    upper, lower, down = rows
    left, right, across = cols
    tone = out.shape[0] > 0
    well_bits = np.full(1, full_well, dtype=np.float32).view(np.uint32)[0]
    bands = 2 * -(-height // (2 * BAND_ROWS))             # an even count: two threads share them evenly
    band_rows = -(-height // bands)
    for slot in prange(bands):
        band = _interleaved(slot, bands)
        top, bottom = min(band * band_rows, height), min((band + 1) * band_rows, height)
        first, last = upper[min(max(top, row0), height - 1)], lower[max(min(bottom, row1) - 1, 0)]
        count = max(last - first + 1, 1)
        lines = np.empty((count, values), dtype=np.float32)
        lit = np.empty((count + 2, 2), dtype=np.int64)     # each line's lit pixels, a dark line either side
        lit[:, 0], lit[:, 1] = col1, col0
        index = np.empty(values, dtype=np.uint16)
        if min(bottom, row1) > max(top, row0):
            for j in range(first, last + 1):
                lit[j - first + 1, 0], lit[j - first + 1, 1] = _lit_pixels(grid, j, left, right, col0, col1)
            for j in range(first, last + 1):           # a line is read where it or a neighbour is lit
                i = j - first + 1
                x0 = min(lit[i - 1, 0], lit[i, 0], lit[i + 1, 0])
                x1 = max(lit[i - 1, 1], lit[i, 1], lit[i + 1, 1])
                _cell_line(grid, j, left, right, across, x0, x1, lines[j - first])
        for y in range(top, bottom):
            if row0 <= y < row1:
                y0, y1, wy = upper[y] - first, lower[y] - first, down[y]
                x0, x1 = min(lit[y0 + 1, 0], lit[y1 + 1, 0]), max(lit[y0 + 1, 1], lit[y1 + 1, 1])
                if x1 > x0:
                    row, above, below = image[y, 3 * x0:3 * x1], lines[y0, 3 * x0:3 * x1], lines[y1, 3 * x0:3 * x1]
                    for k in range(row.shape[0]):
                        row[k] = row[k] + (above[k] + wy * (below[k] - above[k]))
            if tone:
                overfull[y] = tone_row(image[y], scale, lut, out[y], index, well_bits)
            elif row0 <= y < row1:
                overfull[y] = count_over(image[y, 3 * col0:3 * col1], full_well)
            else:
                overfull[y] = 0


def _between_cells(side_px: int, cell_px: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For pixels 0..side_px-1 along one axis: the cells whose centres bracket each pixel's centre
    (int64, clamped to the ``ceil(side_px / cell_px)`` cells, so the kernels index with them as
    they are) and its weight towards the second (float32, 0 to 1)."""
    f = (np.arange(side_px) + 0.5) / cell_px - 0.5
    top = -(-side_px // cell_px) - 1
    lo = np.clip(np.floor(f), 0, top)
    return lo.astype(np.int64), np.minimum(lo + 1, top).astype(np.int64), np.clip(f - lo, 0.0, 1.0).astype(np.float32)


@lru_cache(maxsize=2)
def _wing_grid(rows: int, columns: int) -> np.ndarray:
    """The far wing's cells (3, rows, columns), kept for the next frame: a new 1.5 MB array a 1080p
    frame faulted in afresh whenever the process had given memory back to the system in between
    (`docs/PERFORMANCE.md`)."""
    return np.empty((3, rows, columns), dtype=np.float32)


_NO_OUT = np.zeros((0, 0), dtype=np.uint8)         # no tone codes wanted (numba takes no None here)
_NO_OUT_RGB = np.zeros((0, 0, 3), dtype=np.uint8)


def spread_glare(image: np.ndarray, full_well: float, pixel_scale_rad: float, model: SensorModel,
                 out: np.ndarray | None = None, gain: float = 1.0) -> np.ndarray:
    """Move ``wing_fraction`` of the light above the threshold into the wing: its near part pixel
    by pixel, the rest on cells of ``FAR_CELL_PX`` or, when the work would pass ``WING_BUDGET``,
    coarser ones (and then the near part on them too). Returns the channels over the full well
    in each row (only bright pixels can be, and the rows the wing reaches). With ``out`` (H, W, 3)
    uint8, also writes the image's tone codes at ``gain`` (``tonemap.tonemap``'s) as it is on return."""
    height, width = image.shape[:2]
    flat = image.reshape(height, width * 3)
    codes = _NO_OUT if out is None else out.reshape(height, width * 3)
    scale, lut = lut_scale(gain), tone_lut()
    threshold = np.float32(model.threshold_of_full_well * full_well)
    counts = np.empty(height, dtype=np.int64)
    _count_bright(image, threshold, counts)
    n = int(counts.sum())
    if n == 0 or model.wing_fraction == 0.0:
        if n:
            _count_bright(image, np.float32(full_well), counts)
        if out is not None:
            tonemap_rows(image, gain, out)
        return counts
    starts = np.concatenate(([0], np.cumsum(counts)))
    ys, xs = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    energy = np.empty((n, 3), dtype=np.float32)
    _take_bright(image, threshold, np.float32(_MAX_FULL_WELLS * full_well), np.float32(model.wing_fraction),
                 starts, ys, xs, energy)
    side = max(height, width)
    near = n * (2 * NEAR_END_PX + 1) ** 2 <= WING_BUDGET
    cell = FAR_CELL_PX
    while cell < side:
        size = (2 * wing_radius(pixel_scale_rad, cell, side) + 1) ** 2
        if size * cell * cell <= WING_KERNEL_MAX and n * size <= WING_BUDGET:
            break
        cell *= 2
    near_kernel, far_kernel = wing_kernels(pixel_scale_rad, cell, side, near)
    grid = _wing_grid(-(-height // cell), -(-width // cell))
    grid.fill(0.0)
    reach = (far_kernel.shape[2] // 2 + 1) * cell              # how far the far wing reaches
    row0, row1 = max(int(ys.min()) - reach, 0), min(int(ys.max()) + reach + 1, height)
    col0, col1 = max(int(xs.min()) - reach, 0), min(int(xs.max()) + reach + 1, width)
    with parallel_chunksize(1):         # a slot at a time to each thread as it comes free (``globe.render_earth``)
        _lay_wings(image.transpose(2, 0, 1), near_kernel, grid, far_kernel, ys, xs, energy)
        _add_cells(flat, grid, _between_cells(height, cell), _between_cells(width, cell), row0, row1, col0, col1,
                   np.float32(full_well), counts, scale, lut, codes)
    return counts


@njit(**KERNEL_OPTIONS, cache=True, nogil=True)
def _bloom(image, full_well, spill, max_steps, counts, scale, lut, out):
    """Spill charge beyond ``full_well``: each over-full pixel keeps the full well, ``spill`` of its
    excess goes to its four neighbours equally (the rest is drained); repeated on the pixels that
    overflowed, at most ``max_steps`` times. ``counts``: over-full pixels per row (rows without
    any are not visited). With ``out`` (H, W, 3; else empty), the tone codes of the pixels it
    changed are written anew (``tonemap.tone_row``)."""
    height, width = image.shape[0], image.shape[1]
    ceiling = full_well * _MAX_FULL_WELLS
    active = List.empty_list(types.int64)
    changed = List.empty_list(types.int64)        # pixels (y * width + x), each perhaps more than once
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
            changed.append(y * width + x)
            share = spill * excess / 4.0
            for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                ny, nx = y + dy, x + dx
                if 0 <= ny < height and 0 <= nx < width:
                    image[ny, nx, c] += share
                    changed.append(ny * width + nx)
                    near = (ny * width + nx) * 3 + c
                    if image[ny, nx, c] > full_well and near not in queued:
                        queued.add(near)
                        following.append(near)
        active = following
    for key in active:                  # still over after the last step: clipped
        image[key // 3 // width, (key // 3) % width, key % 3] = min(image[key // 3 // width, (key // 3) % width, key % 3],
                                                                    full_well)
    if out.shape[0] > 0:
        index = np.empty(3, dtype=np.uint16)
        for pixel in changed:
            tone_row(image[pixel // width, pixel % width], scale, lut, out[pixel // width, pixel % width], index,
                     INF_BITS)


def apply_sensor(radiance: np.ndarray, exposure: float, pixel_scale_rad: float,
                 model: SensorModel | None = None, out: np.ndarray | None = None) -> None:
    """Glare wing, blooming and full-well clipping, in place on linear radiance (H, W, 3) float32
    (day units) that ``exposure`` turns into the exposed values the tone curve takes. With ``out``
    (H, W, 3) uint8, also writes the picture, ``tonemap.tonemap(radiance, exposure)`` of the result,
    in the pass that adds the glare's far wing (and anew where blooming changed them)."""
    model = model or sensor_model()
    full_well = np.float32(full_well_radiance(exposure))
    overfull = spread_glare(radiance, float(full_well), pixel_scale_rad, model, out, exposure)
    if overfull.any():
        _bloom(radiance, full_well, np.float32(model.spill_fraction), model.max_steps, overfull,
               lut_scale(exposure), tone_lut(), _NO_OUT_RGB if out is None else out)


def full_well_radiance(exposure: float) -> float:
    """The radiance (day units) that fills the full well at ``exposure``."""
    return WHITE_EXPOSED / exposure


def saturated(radiance: np.ndarray, exposure: float) -> np.ndarray:
    """Pixels (H, W) whose any channel is at the full well after :func:`apply_sensor`."""
    return np.max(radiance, axis=2) >= np.float32(full_well_radiance(exposure)) * np.float32(1.0 - 1e-6)
