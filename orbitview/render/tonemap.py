"""Exposure, a film-like shoulder and sRGB encoding, plus the optional Cupola window frame.

Radiance is in day units (1 = white ground under the overhead Sun). ``exposure`` is the camera's
gain relative to a daylight exposure: a night exposure is about two million times longer/more
sensitive, which is why the night photographs show stars, airglow and towns and why anything
sunlit in them burns out.
"""
from __future__ import annotations

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
_LUT_MAX = 8.0                 # exposed radiance mapped to ~1 (white): 1 - exp(-8)


def tone_curve(exposed: np.ndarray) -> np.ndarray:
    """The camera's tone curve: exposed radiance to display-linear light, a film-like shoulder
    1 - exp(-x) (slope 1 in the dark, rolling off towards white)."""
    return -np.expm1(-np.asarray(exposed, dtype=float))


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """sRGB's transfer function (IEC 61966-2-1): display-linear 0..1 to encoded 0..1."""
    y = np.asarray(linear, dtype=float)
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.maximum(y, 0.0) ** (1.0 / 2.4) - 0.055)


def _white_exposed() -> float:
    """The exposed radiance at which the tone curve reaches the top 8-bit code (rounding to 255):
    a camera's rendering puts its raw clipping point there, so the sensor's full well is here."""
    x = np.linspace(4.0, _LUT_MAX, 400_001)
    return float(x[np.searchsorted(srgb_encode(tone_curve(x)) * 255.0, 254.5)])


WHITE_EXPOSED = _white_exposed()    # 5.40: 1 - exp(-5.40) encodes to 254.5 / 255


@lru_cache(maxsize=1)
def tone_lut() -> np.ndarray:
    """uint8 sRGB for exposed radiance x, indexed by sqrt(x / max) (fine steps in the dark)."""
    x = (np.linspace(0.0, 1.0, _LUT_SIZE) ** 2) * _LUT_MAX
    return np.round(np.clip(srgb_encode(tone_curve(x)), 0.0, 1.0) * 255.0).astype(np.uint8)


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


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _tonemap_kernel(radiance, gain, lut, out):
    """Rows of interleaved RGB (H, W*3): a flat float32 loop the compiler vectorises up to the LUT.

    Any value indexes the LUT: NaN (such as 0 x an infinite gain) is black, +inf white."""
    top = lut.shape[0] - 1
    scale = np.float32(gain / _LUT_MAX)
    for row in prange(radiance.shape[0]):
        for k in range(radiance.shape[1]):
            x = min(radiance[row, k] * scale, np.float32(1.0))
            if not x > np.float32(0.0):
                x = np.float32(0.0)
            out[row, k] = lut[clamp_index(np.sqrt(x) * np.float32(top) + np.float32(0.5), top)]


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
    height, width = radiance.shape[:2]
    out = np.empty((height, width, 3), dtype=np.uint8)
    _tonemap_kernel(radiance.reshape(height, width * 3), float(exposure), tone_lut(), out.reshape(height, width * 3))
    if window_frame:
        _frame_kernel(out, window_mask(width, height), np.array(default_window_frame().frame_rgb, dtype=np.float32))
    return out
