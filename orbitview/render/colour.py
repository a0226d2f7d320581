"""Spectra to the renderer's linear sRGB, through the CIE 1931 2-degree standard observer.

The renderer's colours are linear sRGB (ITU-R BT.709 primaries, D65 white) with sunlight's white
at (1, 1, 1). A spectrum becomes CIE XYZ through the colour-matching functions (CIE 015:2018,
tabulated in ``data/cie1931_2deg.csv``), and XYZ becomes linear sRGB through the inverse of
IEC 61966-2-1's matrix. A spectral line lies outside the sRGB gamut (every monochromatic colour
does): :func:`into_gamut` moves it towards the white of the same luminance until no channel is
negative, which keeps its luminance and its dominant wavelength (its hue) and gives up saturation.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from ..resources import data_file

# IEC 61966-2-1:1999 (sRGB), eq. (7): linear sRGB to CIE XYZ, D65 white at Y = 1.
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805],
                        [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])
XYZ_TO_SRGB = np.linalg.inv(SRGB_TO_XYZ)
LUMINANCE = SRGB_TO_XYZ[1]          # Y of a linear sRGB colour
CMF_STEP_NM = 5.0                   # the table's spacing: CIE 015's sums run over it


@lru_cache(maxsize=1)
def cmf_table() -> tuple[np.ndarray, np.ndarray]:
    """Wavelengths (N,) nm and the colour-matching functions x-bar, y-bar, z-bar (N, 3)."""
    table = np.loadtxt(data_file("orbitview", "data/cie1931_2deg.csv"), delimiter=",", comments=("#", "wavelength"))
    return table[:, 0], table[:, 1:4]


def cmf(wavelength_nm: ArrayLike) -> np.ndarray:
    """x-bar, y-bar, z-bar at each wavelength (..., 3), linear between the table's rows; 0 outside it."""
    wl, xyz = cmf_table()
    lam = np.asarray(wavelength_nm, dtype=float)
    return np.stack([np.interp(lam, wl, xyz[:, k], left=0.0, right=0.0) for k in range(3)], axis=-1)


def spectrum_xyz(wavelength_nm: ArrayLike, radiance: ArrayLike) -> np.ndarray:
    """XYZ (3,) of a spectral radiance sampled at ``wavelength_nm`` (linear between samples, 0
    outside), summed over the table's 5 nm rows (CIE 015's rule): radiance units x nm."""
    wl, xyz = cmf_table()
    spectrum = np.interp(wl, np.asarray(wavelength_nm, dtype=float), np.asarray(radiance, dtype=float),
                         left=0.0, right=0.0)
    return CMF_STEP_NM * spectrum @ xyz


def mean_y_bar(lo_nm: float, hi_nm: float) -> float:
    """y-bar averaged over a band: the luminous weight of a flat spectrum spread over it."""
    wl = np.arange(lo_nm, hi_nm + 0.5, 1.0)
    return float(np.trapezoid(cmf(wl)[:, 1], wl) / (hi_nm - lo_nm))


def chromaticity(xyz: ArrayLike) -> np.ndarray:
    """CIE (x, y) of XYZ (..., 3)."""
    v = np.asarray(xyz, dtype=float)
    return v[..., :2] / np.sum(v, axis=-1, keepdims=True)


def into_gamut(rgb: ArrayLike) -> np.ndarray:
    """Linear sRGB (3,) with no negative channel: mixed with the D65 grey of its own luminance,
    (1 - s) rgb + s Y (1, 1, 1), the least s that lifts every channel to 0 or above. The chromaticity
    moves along the straight line to the white point: the same luminance and dominant wavelength."""
    v = np.asarray(rgb, dtype=float)
    y = float(LUMINANCE @ v)
    low = float(v.min())
    if low >= 0.0:
        return v
    s = -low / (y - low)
    out = (1.0 - s) * v + s * y
    out[np.argmin(v)] = 0.0            # exactly, not a rounding residue either side of it
    return out
