"""Exposure, a film-like shoulder and sRGB encoding, plus the optional Cupola window frame.

Radiance is in day units (1 = white ground under the overhead Sun). ``exposure`` is the camera's
gain relative to a daylight exposure: a night exposure is about two million times longer/more
sensitive, which is why the night photographs show stars, airglow and towns and why anything
sunlit in them burns out.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit, prange

# "Sunny 16" daylight (f/16, 1/100 s, ISO 100) against a typical ISS night time-lapse setting
# (f/1.4, 1 s, ISO 25600, Nikon D5): (16/1.4)^2 * 100 * 256 = 3.3e6.
DAYLIGHT_EXPOSURE = 1.0
NIGHT_EXPOSURE = 3.3e6
_LUT_SIZE = 4096
_LUT_MAX = 8.0                 # exposed radiance mapped to ~1 (white): 1 - exp(-8)
WINDOW_FRAME_RGB = np.array([14, 14, 16], dtype=np.float32)   # the dark window frame, unlit
WINDOW_EDGE_PX_FRACTION = 0.006                                # soft edge of the glass opening


@lru_cache(maxsize=1)
def tone_lut() -> np.ndarray:
    """uint8 sRGB for exposed radiance x, indexed by sqrt(x / max) (fine steps in the dark)."""
    x = (np.linspace(0.0, 1.0, _LUT_SIZE) ** 2) * _LUT_MAX
    y = 1.0 - np.exp(-x)
    srgb = np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1.0 / 2.4) - 0.055)
    return np.round(np.clip(srgb, 0.0, 1.0) * 255.0).astype(np.uint8)


@lru_cache(maxsize=8)
def window_mask(width: int, height: int) -> np.ndarray:
    """Open glass (1) inside a Cupola side window's trapezoid, frame (0) outside, float32 (H, W).

    The side windows are trapezoids whose short edge meets the round top window, which faces the
    Earth; with the image's bottom towards nadir (as every orbitview camera is levelled), that edge
    is at the bottom.
    """
    v, u = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    x = (u - width / 2.0) / (width / 2.0)
    y = (v - height / 2.0) / (height / 2.0)
    half_width = 0.80 + 0.16 * (1.0 - y) / 2.0          # narrower at the bottom
    slant = np.hypot(1.0, 0.08 * width / height)
    edge = np.minimum.reduce([(half_width - np.abs(x)) * width / 2.0 / slant,
                              (0.94 - np.abs(y)) * height / 2.0])
    soft = max(WINDOW_EDGE_PX_FRACTION * width, 1.0)
    return np.clip(edge / soft + 0.5, 0.0, 1.0).astype(np.float32)


@njit(parallel=True, fastmath=True, cache=True, nogil=True)
def _tonemap_kernel(radiance, gain, lut, out):
    """Rows of interleaved RGB (H, W*3): a flat float32 loop the compiler vectorises up to the LUT."""
    top = np.float32(lut.shape[0] - 1)
    scale = np.float32(gain / _LUT_MAX)
    for row in prange(radiance.shape[0]):
        for k in range(radiance.shape[1]):
            x = min(max(radiance[row, k] * scale, np.float32(0.0)), np.float32(1.0))
            out[row, k] = lut[int(np.sqrt(x) * top + np.float32(0.5))]


@njit(parallel=True, fastmath=True, cache=True, nogil=True)
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
        _frame_kernel(out, window_mask(width, height), WINDOW_FRAME_RGB)
    return out
