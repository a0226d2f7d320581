"""Exposure, a film-like shoulder and sRGB encoding, plus the optional Cupola window frame.

Radiance is in day units (1 = white ground under the overhead Sun). ``exposure`` is the camera's
gain relative to a daylight exposure: a night exposure is about two million times longer/more
sensitive, which is why the night photographs show stars, airglow and towns and why anything
sunlit in them burns out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit, prange

from ..datafile import Table, load_toml
from ..resources import data_file
from .safety import KERNEL_OPTIONS, clamp_index

# "Sunny 16" daylight (f/16, 1/100 s, ISO 100) against a typical ISS night time-lapse setting
# (f/1.4, 1 s, ISO 25600, Nikon D5): (16/1.4)^2 * 100 * 256 = 3.3e6.
DAYLIGHT_EXPOSURE = 1.0
NIGHT_EXPOSURE = 3.3e6
_LUT_SIZE = 4096
assert _LUT_SIZE <= 2 ** 16          # tone_row indexes the LUT with uint16

# Where a camera clips, by ISO 12232:2019 (digital still cameras, exposure index): the
# standard-output-sensitivity exposure 10/S renders 18 % grey as 18 % output (sRGB 118), and the
# saturation-based speed puts the raw clipping point at 78/S, 7.8 times that exposure (the white of
# a 100 % reflector with half a stop of headroom: 78 = 10 x 100/18 x sqrt 2). Radiance 1 under the
# sunny-16 gain 1 being white ground, grey is exposed radiance 0.18 and the full well 1.40.
GREY_EXPOSED = 0.18
SATURATION_OVER_GREY = 78.0 / 10.0
WHITE_EXPOSED = GREY_EXPOSED * SATURATION_OVER_GREY


def _shoulder(a: float, x):
    return -np.expm1(-a * x) / -np.expm1(-a * WHITE_EXPOSED)


def _shoulder_rate() -> float:
    """The rate of the film-like shoulder that renders grey as grey and the full well as white."""
    lo, hi = 1e-6, 50.0          # _shoulder(a, GREY) rises with a from GREY/WHITE (0.128) towards 1
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _shoulder(mid, GREY_EXPOSED) < GREY_EXPOSED else (lo, mid)
    return 0.5 * (lo + hi)


_SHOULDER_RATE = _shoulder_rate()    # 0.60: slope 1.06 in the dark, white at the full well


def tone_curve(exposed: np.ndarray) -> np.ndarray:
    """The camera's tone curve: exposed radiance to display-linear light, a film-like shoulder
    (1 - exp(-a x)) / (1 - exp(-a x_sat)) through ISO 12232's grey point to white at the full well,
    and clipped above it."""
    return np.minimum(_shoulder(_SHOULDER_RATE, np.asarray(exposed, dtype=float)), 1.0)


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """sRGB's transfer function (IEC 61966-2-1): display-linear 0..1 to encoded 0..1."""
    y = np.asarray(linear, dtype=float)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.maximum(y, 0.0) ** (1.0 / 2.4) - 0.055)


_LUT_MAX = WHITE_EXPOSED       # the LUT spans the exposures below the full well; above is white
TONE_RUN = 192                 # values a run of which one code may serve (tone_row): 64 RGB pixels
INF_BITS = np.uint32(0x7F800000)   # +inf's bits: above them, NaN and negative values


@lru_cache(maxsize=1)
def tone_lut() -> np.ndarray:
    """uint8 sRGB for exposed radiance x, indexed by sqrt(x / max) (fine steps in the dark)."""
    x = (np.linspace(0.0, 1.0, _LUT_SIZE) ** 2) * _LUT_MAX
    lut = np.round(np.clip(srgb_encode(tone_curve(x)), 0.0, 1.0) * 255.0).astype(np.uint8)
    assert np.all(lut[1:] >= lut[:-1])          # never falling: tone_row's runs rely on it
    return lut


@dataclass(frozen=True)
class WindowFrame:
    """A Cupola side window's opening on the image and its frame's colour (``[window_frame]`` of
    ``data/cupola.toml``, an estimate: see there). Sizes are fractions of the image's half-width or
    half-height from its centre."""

    half_width_bottom: float
    half_width_widening: float
    half_height: float
    edge_width_fraction: float
    frame_rgb: tuple[float, float, float]

    @classmethod
    def from_table(cls, table: Table) -> "WindowFrame":
        rgb = table.numbers("frame_rgb", length=3)
        if not all(0.0 <= c <= 255.0 for c in rgb):
            raise table.error("frame_rgb", rgb, "3 numbers from 0 to 255 (sRGB)")
        frame = cls(half_width_bottom=table.number("half_width_bottom", above=0.0, max=1.0),
                    half_width_widening=table.number("half_width_widening", min=0.0, max=1.0),
                    half_height=table.number("half_height", above=0.0, max=1.0),
                    edge_width_fraction=table.number("edge_width_fraction", min=0.0, max=0.5),
                    frame_rgb=(rgb[0], rgb[1], rgb[2]))
        table.reject_unknown()
        return frame


@lru_cache(maxsize=1)
def default_window_frame() -> WindowFrame:
    """The shipped window frame, read once."""
    return WindowFrame.from_table(load_toml(data_file("orbitview", "data/cupola.toml")).table("window_frame"))


@lru_cache(maxsize=8)
def window_mask(width: int, height: int) -> np.ndarray:
    """Open glass (1) inside a Cupola side window's trapezoid, frame (0) outside, float32 (H, W).

    The side windows are trapezoids whose short edge meets the round top window, which faces the
    Earth; with the image's bottom towards nadir (as every orbitview camera is levelled), that edge
    is at the bottom.
    """
    shape = default_window_frame()
    v, u = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    x = (u - width / 2.0) / (width / 2.0)
    y = (v - height / 2.0) / (height / 2.0)
    half_width = shape.half_width_bottom + shape.half_width_widening * (1.0 - y) / 2.0   # narrower at the bottom
    # Distance to a slanted side: the horizontal one times the cosine of its slant, in pixels.
    slant = np.hypot(1.0, shape.half_width_widening / 2.0 * width / height)
    edge = np.minimum.reduce([(half_width - np.abs(x)) * width / 2.0 / slant,
                              (shape.half_height - np.abs(y)) * height / 2.0])
    soft = max(shape.edge_width_fraction * width, 1.0)
    return np.clip(edge / soft + 0.5, 0.0, 1.0).astype(np.float32)


@njit(**KERNEL_OPTIONS, inline="always")
def _lut_index(value, scale, top):
    """The LUT index of one radiance value: NaN and negatives index 0, +inf ``top``."""
    x = min(value * scale, np.float32(1.0))
    if not x > np.float32(0.0):
        x = np.float32(0.0)
    return clamp_index(np.sqrt(x) * np.float32(top) + np.float32(0.5), top)


@njit(**KERNEL_OPTIONS, inline="always")
def _lut_indices(values, scale, top, index):
    """The LUT indices of ``values`` into ``index`` (uint16: unsigned indices spare the look-up
    numba's test for negative ones). A loop the compiler vectorises; the look-up is a loop of its
    own, as one loop doing both would not vectorise (twice as slow)."""
    for k in range(values.shape[0]):
        index[k] = _lut_index(values[k], scale, top)


@njit(**KERNEL_OPTIONS, inline="always")
def _bits_value(bits):
    """The float32 whose bit pattern is ``bits`` (not NaN): mantissa and exponent put back exactly."""
    exponent = np.int64(bits >> np.uint32(23)) & 255
    mantissa = np.int64(bits & np.uint32(0x7FFFFF))
    if exponent == 0:
        return np.float32(math.ldexp(float(mantissa), -149))
    return np.float32(math.ldexp(float(mantissa | 0x800000), exponent - 150))


@njit(**KERNEL_OPTIONS, inline="always")
def tone_row(values, scale, lut, codes, index, limit_bits):
    """The 8-bit codes of a row of radiance values, and how many of the values exceed the float
    whose bits are ``limit_bits`` (the sensor's full well: its overfull values, counted in the same
    read; ``INF_BITS``: none). ``scale``: :func:`lut_scale`'s; ``index``: uint16 scratch at least
    ``min(len(values), TONE_RUN)`` long (the caller's, made once for many rows). Any value indexes
    the LUT: NaN (such as 0 x an infinite gain) is black, +inf white.

    The look-up, not the arithmetic, is the cost, and a night frame is mostly runs of one code
    (black sky, dark ground): a run of ``TONE_RUN`` values whose least and greatest take the same
    code all take it, one store a value. Exact: the code never falls as the value rises, and from
    +0 to +inf a float32's bits, read as an unsigned integer, rise with it (so the run's extremes
    are its bits' extremes, a loop the compiler vectorises); a NaN or a negative value (bits above
    +inf's) sends its run the long way, and only a run whose greatest bits pass ``limit_bits``
    is counted value by value. Inlined into every kernel that tone-maps (here, the sensor's pass
    that adds the glare's far wing, blooming)."""
    top = lut.shape[0] - 1
    limit = _bits_value(limit_bits)
    bits = values.view(np.uint32)
    n = values.shape[0]
    runs_end = n - n % TONE_RUN
    over = 0
    for k0 in range(0, runs_end, TONE_RUN):
        run = bits[k0:k0 + TONE_RUN]
        least, greatest = np.uint32(0xFFFFFFFF), np.uint32(0)
        for k in range(TONE_RUN):
            least = min(least, run[k])
            greatest = max(greatest, run[k])
        if greatest > limit_bits:
            over += count_over(values[k0:k0 + TONE_RUN], limit)
        out = codes[k0:k0 + TONE_RUN]
        if greatest <= INF_BITS:
            code = lut[_lut_index(_bits_value(least), scale, top)]
            if code == lut[_lut_index(_bits_value(greatest), scale, top)]:
                for k in range(TONE_RUN):
                    out[k] = code
                continue
        _lut_indices(values[k0:k0 + TONE_RUN], scale, top, index)
        for k in range(TONE_RUN):
            out[k] = lut[index[k]]
    if runs_end < n:
        over += count_over(values[runs_end:], limit)
        _lut_indices(values[runs_end:], scale, top, index)
        out = codes[runs_end:]
        for k in range(out.shape[0]):
            out[k] = lut[index[k]]
    return over


@njit(**KERNEL_OPTIONS, inline="always")
def count_over(values, limit):
    """How many ``values`` exceed ``limit`` (NaN does not)."""
    n = 0
    for k in range(values.shape[0]):
        if values[k] > limit:
            n += 1
    return n


def lut_scale(gain: float) -> np.float32:
    """The factor taking radiance seen with ``gain`` to :func:`tone_row`'s LUT span (any gain:
    beyond float32's range it is inf, which :func:`tone_row` takes)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.float32(gain / _LUT_MAX)


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _tonemap_kernel(radiance, scale, lut, out):
    """Rows of interleaved RGB (H, W*3), in parallel."""
    for row in prange(radiance.shape[0]):
        tone_row(radiance[row], scale, lut, out[row], np.empty(radiance.shape[1], dtype=np.uint16), INF_BITS)


def tonemap_rows(radiance: np.ndarray, gain: float, out: np.ndarray) -> None:
    """Tone-map ``radiance`` (H, W, 3) float32 seen with ``gain`` into ``out`` (H, W, 3) uint8, a
    C-ordered array (written through its flat rows)."""
    height, width = radiance.shape[:2]
    _tonemap_kernel(radiance.reshape(height, width * 3), lut_scale(gain), tone_lut(), out.reshape(height, width * 3))


def frame_window(image: np.ndarray) -> None:
    """Blend the Cupola window's frame (``data/cupola.toml``) over a tone-mapped image, in place."""
    height, width = image.shape[:2]
    _frame_kernel(image, window_mask(width, height), np.array(default_window_frame().frame_rgb, dtype=np.float32))


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _frame_kernel(image, mask, frame_rgb):
    """Blend the window frame over the image where the mask is below 1."""
    for row in prange(image.shape[0]):
        for col in range(image.shape[1]):
            m = mask[row, col]
            if m < 1.0:
                for c in range(3):
                    image[row, col, c] = np.uint8(image[row, col, c] * m + frame_rgb[c] * (1.0 - m) + 0.5)


def tonemap(radiance: np.ndarray, exposure: float, window_frame: bool = False) -> np.ndarray:
    """uint8 sRGB image (H, W, 3) of linear radiance seen with ``exposure``."""
    out = np.empty(radiance.shape, dtype=np.uint8)
    tonemap_rows(radiance, exposure, out)
    if window_frame:
        frame_window(out)
    return out
