"""Point-like light (stars, rocket flames, stages, plumes) splatted as elliptical Gaussians.

A source of flux F (day-unit radiance times steradians) spread over a Gaussian of sigmas
(s_major, s_minor) pixels has peak radiance F / (2 pi s_major s_minor Omega_pixel). One kernel
serves every kind of source: one pass, no artist per object.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .safety import KERNEL_OPTIONS, clamp_index

CUTOFF_SIGMAS = 3.5
# The Gaussian is lowered by its value at the cutoff so it meets zero there: no visible rim when a
# bright source (a sunlit plume) is exposed far above its edge value. Costs ~1 % of the flux.
_FLOOR = float(np.exp(-0.5 * CUTOFF_SIGMAS**2))


@njit(cache=True, **KERNEL_OPTIONS, nogil=True)
def _splat_kernel(buf, u, v, s_major, s_minor, angle, rgb):
    """Add each sprite over its box of +-``CUTOFF_SIGMAS`` major sigmas, clipped to ``buf``.

    Any floats are safe: a sprite whose box misses the image, or that has a NaN position or size,
    is skipped; an enormous one covers at most the whole image."""
    height, width = buf.shape[0], buf.shape[1]
    for k in range(u.shape[0]):
        reach = CUTOFF_SIGMAS * s_major[k]
        if not (v[k] + reach > -1.0 and v[k] - reach < height and u[k] + reach > -1.0 and u[k] - reach < width):
            continue
        ca, sa = np.cos(angle[k]), np.sin(angle[k])
        ia, ib = 1.0 / (s_major[k] * s_major[k]), 1.0 / (s_minor[k] * s_minor[k])
        y0, y1 = clamp_index(v[k] - reach, height), min(clamp_index(v[k] + reach, height) + 1, height)
        x0, x1 = clamp_index(u[k] - reach, width), min(clamp_index(u[k] + reach, width) + 1, width)
        for y in range(y0, y1):
            dy = y + 0.5 - v[k]
            for x in range(x0, x1):
                dx = x + 0.5 - u[k]
                along = dx * ca + dy * sa
                across = -dx * sa + dy * ca
                q = along * along * ia + across * across * ib
                if q < CUTOFF_SIGMAS * CUTOFF_SIGMAS:
                    w = (np.exp(-0.5 * q) - _FLOOR) / (1.0 - _FLOOR)
                    for c in range(3):
                        buf[y, x, c] += w * rgb[k, c]


def peak_radiance(flux: np.ndarray, s_major_px: np.ndarray, s_minor_px: np.ndarray,
                  pixel_solid_angle_sr: float) -> np.ndarray:
    """Peak radiance of a Gaussian sprite carrying ``flux`` (day units x sr)."""
    return flux / (2.0 * np.pi * s_major_px * s_minor_px * pixel_solid_angle_sr)


def splat(buf: np.ndarray, u, v, s_major, s_minor, angle, rgb) -> None:
    """Add Gaussian sprites (pixel centre coordinates, sigmas in px, angle in rad, peak RGB) to ``buf``."""
    arrays = [np.ascontiguousarray(np.atleast_1d(x), dtype=np.float64) for x in (u, v, s_major, s_minor, angle)]
    rgb = np.ascontiguousarray(np.reshape(rgb, (-1, 3)), dtype=np.float64)
    if buf.ndim != 3 or buf.shape[2] != 3 or any(len(a) != len(rgb) for a in arrays):
        raise ValueError(f"splat: buffer {buf.shape} and {[len(a) for a in arrays]} sprites with {len(rgb)} colours")
    if len(rgb) == 0:
        return
    _splat_kernel(buf, *arrays, rgb)
