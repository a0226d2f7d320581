"""Point-like light (stars, rocket flames, stages, plumes) splatted as elliptical Gaussians.

A source of flux F (day-unit radiance times steradians) spread over a Gaussian of sigmas
(s_major, s_minor) pixels has peak radiance F / (2 pi s_major s_minor Omega_pixel). One kernel
serves every kind of source: one pass, no artist per object.

A source that moves by (du, dv) px while the shutter is open leaves the time average of its
Gaussian over the segment (analytic streaking): along the motion, the Gaussian integrated over a
uniform motion is a difference of error functions; the flux is the still sprite's, and a streak
of N px measures N px between its half-peak points (the edges of the box it is a blur of).
"""
from __future__ import annotations

from math import erf

import numpy as np
from numba import njit

from .safety import KERNEL_OPTIONS, clamp_index

CUTOFF_SIGMAS = 3.5
# The Gaussian is lowered by its value at the cutoff so it meets zero there: no visible rim when a
# bright source (a sunlit plume) is exposed far above its edge value. Costs ~1 % of the flux.
_FLOOR = float(np.exp(-0.5 * CUTOFF_SIGMAS**2))
STILL_PX = 1e-3                # a sprite moving less than this during the shutter is drawn still


@njit(**KERNEL_OPTIONS, inline="always")
def _streak_weight(dx, dy, mx, my, qa, qb, qc, big_a):
    """Mean over the shutter (s from -1/2 to 1/2) of the floored Gaussian at offset (dx, dy) from the
    sprite's mid-shutter centre, the centre moving by (mx, my): the sub-frame average with
    infinitely many sub-frames, each lowered by the floor within its own cutoff as a still sprite is.

    q(s) = A s^2 - 2 B s + C (quadratic form [[qa, qb], [qb, qc]]); the Gaussian exceeds the floor
    for q < cutoff^2, an interval of s; over it, int exp(-q/2) ds is an erf difference."""
    big_b = mx * (qa * dx + qb * dy) + my * (qb * dx + qc * dy)
    big_c = dx * (qa * dx + qb * dy) + dy * (qb * dx + qc * dy)
    centre = big_b / big_a
    rest = max(big_c - big_b * centre, 0.0)              # C - B^2 / A >= 0 (Cauchy-Schwarz)
    reach2 = (CUTOFF_SIGMAS * CUTOFF_SIGMAS - rest) / big_a
    if not reach2 > 0.0:
        return 0.0
    half_width = np.sqrt(reach2)
    s0, s1 = max(centre - half_width, -0.5), min(centre + half_width, 0.5)
    if not s1 > s0:
        return 0.0
    root = np.sqrt(0.5 * big_a)
    inside = np.exp(-0.5 * rest) * np.sqrt(0.5 * np.pi / big_a) * (erf(root * (s1 - centre)) - erf(root * (s0 - centre)))
    return max(inside - _FLOOR * (s1 - s0), 0.0) / (1.0 - _FLOOR)


@njit(cache=True, **KERNEL_OPTIONS, nogil=True)
def _splat_kernel(buf, u, v, s_major, s_minor, angle, rgb, du, dv):
    """Add each sprite over its box of +-``CUTOFF_SIGMAS`` major sigmas (widened by half its motion
    (du, dv) each way), clipped to ``buf``.

    Any floats are safe: a sprite whose box misses the image, or that has a NaN position, size or
    motion, is skipped; an enormous one covers at most the whole image."""
    height, width = buf.shape[0], buf.shape[1]
    for k in range(u.shape[0]):
        reach = CUTOFF_SIGMAS * s_major[k]
        reach_u, reach_v = reach + 0.5 * abs(du[k]), reach + 0.5 * abs(dv[k])
        if not (v[k] + reach_v > -1.0 and v[k] - reach_v < height and u[k] + reach_u > -1.0
                and u[k] - reach_u < width):
            continue
        ca, sa = np.cos(angle[k]), np.sin(angle[k])
        ia, ib = 1.0 / (s_major[k] * s_major[k]), 1.0 / (s_minor[k] * s_minor[k])
        # The quadratic form of the Gaussian in image axes, and its value along the motion (A).
        qa, qb, qc = ia * ca * ca + ib * sa * sa, (ia - ib) * ca * sa, ia * sa * sa + ib * ca * ca
        big_a = du[k] * (qa * du[k] + qb * dv[k]) + dv[k] * (qb * du[k] + qc * dv[k])
        still = not abs(du[k]) + abs(dv[k]) > STILL_PX
        y0, y1 = clamp_index(v[k] - reach_v, height), min(clamp_index(v[k] + reach_v, height) + 1, height)
        x0, x1 = clamp_index(u[k] - reach_u, width), min(clamp_index(u[k] + reach_u, width) + 1, width)
        for y in range(y0, y1):
            dy = y + 0.5 - v[k]
            for x in range(x0, x1):
                dx = x + 0.5 - u[k]
                if still:
                    along = dx * ca + dy * sa
                    across = -dx * sa + dy * ca
                    q = along * along * ia + across * across * ib
                    if not q < CUTOFF_SIGMAS * CUTOFF_SIGMAS:
                        continue
                    w = (np.exp(-0.5 * q) - _FLOOR) / (1.0 - _FLOOR)
                else:
                    w = _streak_weight(dx, dy, du[k], dv[k], qa, qb, qc, big_a)
                for c in range(3):
                    buf[y, x, c] += w * rgb[k, c]


def peak_radiance(flux: np.ndarray, s_major_px: np.ndarray, s_minor_px: np.ndarray,
                  pixel_solid_angle_sr: float) -> np.ndarray:
    """Peak radiance of a Gaussian sprite carrying ``flux`` (day units x sr)."""
    return flux / (2.0 * np.pi * s_major_px * s_minor_px * pixel_solid_angle_sr)


def splat(buf: np.ndarray, u, v, s_major, s_minor, angle, rgb, du=None, dv=None) -> None:
    """Add Gaussian sprites (pixel centre coordinates at mid-shutter, sigmas in px, angle in rad,
    peak RGB when still) to ``buf``, each streaked over its motion (du, dv) px during the shutter
    (None: still)."""
    still = np.zeros(len(np.atleast_1d(u)))
    du, dv = (still if m is None else np.atleast_1d(m) for m in (du, dv))
    if len(du) == len(dv):
        moving = np.isfinite(du) & np.isfinite(dv)        # a motion not known (NaN) draws the sprite still
        du, dv = np.where(moving, du, 0.0), np.where(moving, dv, 0.0)
    arrays = [np.ascontiguousarray(np.atleast_1d(x), dtype=np.float64) for x in (u, v, s_major, s_minor, angle, du, dv)]
    rgb = np.ascontiguousarray(np.reshape(rgb, (-1, 3)), dtype=np.float64)
    if buf.ndim != 3 or buf.shape[2] != 3 or any(len(a) != len(rgb) for a in arrays):
        raise ValueError(f"splat: buffer {buf.shape} and {[len(a) for a in arrays]} sprites with {len(rgb)} colours")
    if len(rgb) == 0:
        return
    _splat_kernel(buf, *arrays[:5], rgb, *arrays[5:])
