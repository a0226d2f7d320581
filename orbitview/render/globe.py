"""The Earth, its air and its airglow, ray-cast per pixel in one compiled kernel.

Each pixel's ray is rotated to "scaled ITRS" (z times a/b: the WGS84 ellipsoid becomes a sphere
of radius a, see ``airlight``), met with the sphere, and shaded:

* ground: Blue Marble albedo lit by each light through the air (reddened near its terminator),
  a twilight skylight term that fades with the light's depression, and city lights where the Sun
  has set; the texture is mip-filtered to the pixel's footprint;
* air: Rayleigh + Mie single scattering of each light (blue limb, haze over the ground), with the
  Earth's shadow on the scattering column; extinction of what lies behind;
* airglow: the emitting shells' column along the ray, so the band stands above the night limb.

The lights are the Sun (irradiance 1, white: the day unit) and the Moon (sunlight reflected,
``moonlight_ratio`` of it, slightly redder: ``lunar_rgb``), one model for both: a light is a
direction at the point it shines on, an irradiance and a colour. The Sun is at infinity (one
direction); the Moon is not (its direction is taken from each point, 1 deg of parallax across the
Earth), so its terminator on the Earth falls where its elevation crosses zero.

Motion during the shutter (``Shutter``): the air and the airglow are spheres about the Earth's
centre and the camera is fixed in the station's frame, so they stand still in the image while the
ground slides under them (up to ~1 deg/s). A ground pixel therefore averages its surface (albedo
and city lights) over the ground its ray sweeps while the shutter is open: K sub-samples at the
mid-points of K equal parts of the shutter, K the pixel's own image motion in pixels rounded up
(consecutive sub-samples < 1 px apart), lit as at mid-shutter (the light changes over hundreds of
km, the texture over one texel). The air in front and the airglow are the mid-shutter ones. The
camera is fixed in the station's frame, so the ground point under a pixel is carried rigidly with
it: its points at opening and closing are its mid-shutter point turned (``raycache.shutter_maps``)
and the sub-samples lie evenly between them.

Which pixels are worth computing at all (the sky above every shell; in the half-resolution pass,
the pixels the full image interpolates from) is kept from frame to frame by ``raycache.RayCache``.

Output is linear radiance in day units (see ``airlight``); exposure and tone mapping come later.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numba import njit, parallel_chunksize, prange

from ..earth import WGS84_A_KM
from .airlight import (MIE_ASYMMETRY_G, RAY_COLUMNS, RAY_GLOW, RAY_SCATTER_M, RAY_SCATTER_R, RAY_TAU1,
                         RAYLEIGH_SCALE_HEIGHT_KM, SHELL_TOP_KM, Z_SCALE, ray_table, scaled)
from .colour import LUMINANCE, XYZ_TO_SRGB, cmf_table, spectrum_xyz
from .raycache import (ABOVE, COMPUTE, DEEP, EIGHTH_BLOCK, QUARTER, QUARTER_BLOCK, SKIP, RayCache, aim, block_corner,
                       coarse_step, light_margins, shutter_maps)
from .safety import KERNEL_OPTIONS, clamp_index
from .textures import surface_texture, texel_km
from .tonemap import NIGHT_EXPOSURE, lut_scale, tone_lut

if TYPE_CHECKING:
    from .compose import MoonLight

# Skylight on the ground as a fraction of direct overhead sunlight: ~0.1 by day; at sunset ~5e-3,
# falling ~e-fold per 1.2 deg of solar depression (illuminance 400-800 lx at sunset, ~3 lx at the
# end of civil twilight, -6 deg: Bond & Henderson, "The conquest of darkness", 1963).
SKYLIGHT_DAY = 0.10
SKYLIGHT_SUNSET = 5e-3
TWILIGHT_EFOLD_RAD = np.radians(1.2)
ASTRONOMICAL_NIGHT_MU = np.sin(np.radians(-18.0))      # below this the sky adds nothing
SKYLIGHT_RGB = np.array([0.55, 0.70, 1.00])           # the blue of the twilight sky
# Sunlight reflected by the Moon is redder than sunlight: the Moon's B-V is 0.92 against the
# Sun's 0.65 (Allen, Astrophysical Quantities, 3rd ed., 1973: p. 144, beside the V(1,0) of
# ``orbitview.moon``, and sec. 78). A reflectance rising as a power of wavelength, (lambda / 550
# nm)^k, makes B-V redder by 2.5 k log10(550/440) at the bands' effective wavelengths (440, 550
# nm): k = 0.27 / 0.242 = 1.11 [est: a smooth power law through the two bands]. ``lunar_rgb`` is
# that reflectance through the CIE observer, relative to sunlight's white, at unit luminance.
MOON_B_MINUS_V = 0.92
SUN_B_MINUS_V = 0.65
B_BAND_NM, V_BAND_NM = 440.0, 550.0
# Street lighting seen from orbit: high-pressure sodium (589 nm) dominant, some white LED.
CITY_LIGHT_RGB = np.array([1.00, 0.72, 0.42])
# A light's single scattering along a ray is skipped where it is surely below this (day units): the
# light's irradiance times the ray's scattering weights times the phase functions' peaks (Rayleigh
# 3 / (8 pi), Henyey-Greenstein's forward peak). 1e-4 of the faintest airglow column (~1e-9 day
# units): 1e-3 of an 8-bit level at the night exposure (3.3e6 day units to white, sRGB's dark slope
# 12.92), a quarter level at the largest exposure allowed (1e10).
FAINT_AIR = 1e-13
RAYLEIGH_PHASE_MAX = 3.0 / (8.0 * np.pi)
# Height band over which the Earth's shadow edge is softened (the Sun's 0.53 deg disc and
# refraction spread it over ~20 km at the limb distance).
SHADOW_SOFT_KM = 20.0
# A coarse pass serves the ground where its pixel's footprint is within this many texels of the finest
# level: its samples then lie no further apart than the texels they interpolate. The half pass serves
# the ground from ``limb_band_km`` below the limb down, where that holds for it (``_earth_kernel``'s
# ``band_km``); a video's frames draw the deep ground from a quarter-resolution pass where a quarter
# pixel's footprint is within it (``coarse_reach_km``).
COARSE_TEXELS = 1.0
# The air and the airglow in front of the ground change over a few km of tangent height only near the
# limb: shaded at half resolution from 30 km below it, with a flat surface, the Progress MS-10 stills
# at video 7, 19 and 34 s are within 1 level of those shaded per pixel (at sunset the Earth's shadow
# on the air over the ground, seen edge-on, is a sharper edge: below the band it spans two pixels, as
# it always has deeper down; README's Speed). The band shaded per pixel is at least this deep; it and
# the observer's radius it is found for are rounded up to BAND_STEP_KM, so that a video's frames
# share it (and the classes made for it) until the radius crosses a step.
AIR_BAND_KM = 50.0
BAND_STEP_KM = 10.0
ROW_STRIDE = 7919            # a prime above any image side the renderer accepts (view.camera.MAX_SIDE_PX)
ROW_BAND = 8                 # rows the Earth kernel draws in a row (they share their texels in the cache)
# Sub-samples of the swept ground per pixel at most: 1 deg/s of ground motion over a 1 s shutter
# is 16 px at 1080p through the 16 mm fisheye; beyond, the sub-samples space out (a dotted streak).
MAX_SUBSAMPLES = 64
# Sub-samples' texture coordinates are interpolated between the shutter's ends below this latitude
# (sine: 80 deg), where the second-order term of the map is ~1e-3 texel for a 10 km segment.
LERP_MAX_SIN_LAT = np.sin(np.radians(80.0))
# A pixel's radiance apart from its surface (``_shade``'s ``parts``, kept between frames by
# ``raycache.RayCache.lighting``): the albedo's weight (r, g, b), the city lights' weight (r, g, b),
# the air light and airglow in front (r, g, b), and what the ray met: ``GROUND``, ``AIR`` (it passes
# above the ground) or ``NOT_KEPT`` (the pixel was not shaded, nor will it be rebuilt).
PART_ALBEDO, PART_CITY, PART_AIR, PART_MET = 0, 3, 6, 9
PARTS = 10
GROUND, AIR, NOT_KEPT = 1.0, 0.0, -1.0
# A kept pixel's air light may move its 8-bit code (through the tone curve at the frame's exposure,
# ``tonemap.tone_lut``) by this many levels at most while its keyframe serves; pixels whose light may
# change more (a moving shadow edge, light grazing the ground) are shaded every frame.
EDGE_LEVELS = 2
# Kernel modes: shade every pixel; shade and keep the parts; rebuild from kept parts.
SHADE, KEEP, REUSE = 0, 1, 2
# No shutter: an array of the same shape (the kernel's parallel loop may hoist its reads), unused.
_NO_SHUTTER = np.zeros((2, 12))


@dataclass(frozen=True)
class Shutter:
    """The camera while its shutter is open: ``cam_to_itrs`` (3, 3), the observer (ITRS km) and the
    GCRS -> ITRS rotation at opening and at closing (``open``/``close`` pairs); the frame's own
    state is the one at mid-shutter. Each still integrates the motion in between."""

    seconds: float
    cam_to_itrs: tuple[np.ndarray, np.ndarray]
    observer_itrs_km: tuple[np.ndarray, np.ndarray]
    gcrs_to_itrs: tuple[np.ndarray, np.ndarray]

    def kernel_array(self) -> np.ndarray:
        """(2, 12) float64, rows opening and closing: the scaled rotation (9) and observer (3)."""
        rows = [np.concatenate([scaled(np.asarray(rot, dtype=np.float64)).ravel(), scaled(np.asarray(obs, dtype=np.float64))])
                for rot, obs in zip(self.cam_to_itrs, self.observer_itrs_km)]
        out = np.ascontiguousarray(rows, dtype=np.float64)
        if out.shape != (2, 12) or not np.all(np.isfinite(out)):
            raise ValueError(f"Shutter: expected finite (3, 3) rotations and (3,) positions, got {self.cam_to_itrs!r}, "
                             f"{self.observer_itrs_km!r}")
        return out

    def ends(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """The camera's pose (cam_to_itrs, observer) at opening and at closing."""
        return ((self.cam_to_itrs[0], self.observer_itrs_km[0]), (self.cam_to_itrs[1], self.observer_itrs_km[1]))


@njit(**KERNEL_OPTIONS, inline="always")
def _smoothstep(e0, e1, x):
    t = min(max((x - e0) / (e1 - e0), 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


@njit(**KERNEL_OPTIONS, inline="always")
def _ray_row(table, h_min, inv_step, h_t, k0, k1, out):
    """Interpolate columns k0..k1-1 of the ray table at tangent height ``h_t`` into ``out``.

    Above the table's top the air is empty (the last row: T1 = 1, nothing else).
    """
    x = (h_t - h_min) * inv_step
    i = np.uint32(clamp_index(x, table.shape[0] - 2))     # unsigned: no negative-index wraparound
    f = np.float32(min(max(x - i, 0.0), 1.0))
    lo, hi = table[i], table[i + np.uint32(1)]
    for k in range(k0, k1):
        out[k] = lo[k] + (hi[k] - lo[k]) * f


@njit(**KERNEL_OPTIONS, inline="always")
def _atan2(y, x):
    """arctan2 to ~1e-5 rad (60 m on the ground, 1/100 of a texel): 3x cheaper than libm."""
    ax, ay = abs(x), abs(y)
    big, small = max(ax, ay), min(ax, ay)
    q = small / max(big, 1e-300)
    s = q * q
    r = ((-0.0464964749 * s + 0.15931422) * s - 0.327622764) * s * q + q
    if ay > ax:
        r = 0.5 * np.pi - r
    if x < 0.0:
        r = np.pi - r
    return -r if y < 0.0 else r


@njit(**KERNEL_OPTIONS, inline="always")
def _cell(tex, s, t):
    """The texel cell of a bilinear sample at normalised coordinates (s east from 180 W, t south
    from 90 N): its corner (x0, y0; x0 -1 wraps, y0 -1 clamps) and the fractions across it."""
    h, w = tex.shape[0], tex.shape[1]
    u = s * w - 0.5
    v = t * h - 0.5
    x0 = clamp_index(u + 1.0, w) - 1
    y0 = clamp_index(v + 1.0, h) - 1
    return x0, y0, u - x0, v - y0


@njit(**KERNEL_OPTIONS, inline="always")
def _cell_sum(tex, x0, y0, w00, w01, w10, w11):
    """The four channels of the cell's four texels, weighted (row 0/1, column 0/1): one bilinear
    sample, or the sum of several in the same cell (the weights summed first). The channels are
    written out and the indices unsigned (no negative-index wraparound): a loop over the channels
    cost a reused 1080p frame 1-1.5 ms of its kernel's 31 (one thread's CPU; `docs/PERFORMANCE.md`)."""
    h, w = tex.shape[0], tex.shape[1]
    ya, yb = np.uint64(max(y0, 0)), np.uint64(min(y0 + 1, h - 1))
    xa, xb = np.uint64(x0 + w if x0 < 0 else x0), np.uint64(x0 + 1 - w if x0 + 1 >= w else x0 + 1)
    return (tex[ya, xa, 0] * w00 + tex[ya, xb, 0] * w01 + tex[yb, xa, 0] * w10 + tex[yb, xb, 0] * w11,
            tex[ya, xa, 1] * w00 + tex[ya, xb, 1] * w01 + tex[yb, xa, 1] * w10 + tex[yb, xb, 1] * w11,
            tex[ya, xa, 2] * w00 + tex[ya, xb, 2] * w01 + tex[yb, xa, 2] * w10 + tex[yb, xb, 2] * w11,
            tex[ya, xa, 3] * w00 + tex[ya, xb, 3] * w01 + tex[yb, xa, 3] * w10 + tex[yb, xb, 3] * w11)


@njit(**KERNEL_OPTIONS, inline="always")
def _tex_coords(px, py, pz):
    """The true ellipsoid normal at scaled ground point p ((x, y, z a/b), normalised) and its
    texture coordinates (s east from 180 W, t south from 90 N)."""
    nx, ny, nz = px, py, pz * Z_SCALE
    ninv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    nx, ny, nz = nx * ninv, ny * ninv, nz * ninv
    s_tex = 0.5 + _atan2(ny, nx) * (0.5 / np.pi)
    t_tex = 0.5 - _atan2(nz, np.sqrt(nx * nx + ny * ny)) * (1.0 / np.pi)
    return nx, ny, nz, s_tex, t_tex


@njit(**KERNEL_OPTIONS, inline="always")
def _ground_at(shutter, s, cx, cy, cz):
    """Scaled ground point of camera ray c at fraction ``s`` of the shutter (rotation and observer
    interpolated between its rows: 0.03 deg and 3 km in 0.4 s, so linearly to 1e-7), NaN on a miss."""
    q = 1.0 - s
    dx = ((q * shutter[0, 0] + s * shutter[1, 0]) * cx + (q * shutter[0, 1] + s * shutter[1, 1]) * cy
          + (q * shutter[0, 2] + s * shutter[1, 2]) * cz)
    dy = ((q * shutter[0, 3] + s * shutter[1, 3]) * cx + (q * shutter[0, 4] + s * shutter[1, 4]) * cy
          + (q * shutter[0, 5] + s * shutter[1, 5]) * cz)
    dz = ((q * shutter[0, 6] + s * shutter[1, 6]) * cx + (q * shutter[0, 7] + s * shutter[1, 7]) * cy
          + (q * shutter[0, 8] + s * shutter[1, 8]) * cz)
    inv = 1.0 / np.sqrt(dx * dx + dy * dy + dz * dz)
    dx, dy, dz = dx * inv, dy * inv, dz * inv
    ox, oy, oz = (q * shutter[0, 9] + s * shutter[1, 9], q * shutter[0, 10] + s * shutter[1, 10],
                  q * shutter[0, 11] + s * shutter[1, 11])
    b = ox * dx + oy * dy + oz * dz
    disc = WGS84_A_KM * WGS84_A_KM - (ox * ox + oy * oy + oz * oz - b * b)
    if not (b < 0.0 and disc > 0.0):
        return np.nan, np.nan, np.nan
    t = -b - np.sqrt(disc)
    return ox + t * dx, oy + t * dy, oz + t * dz


@njit(**KERNEL_OPTIONS, inline="always")
def _shutter_ends(shutter, maps, rigid, cx, cy, cz, px, py, pz, ends):
    """The ground point of camera ray c at the shutter's opening and closing into ``ends`` (NaN where
    the ray misses the Earth there): its mid-shutter point p turned by the station frame's two
    rotations (``raycache.shutter_maps``) when the camera holds still in it (``rigid``), else the
    ray met with the sphere at each end."""
    if rigid:
        for e in range(2):
            m = maps[e]
            ends[3 * e] = m[0, 0] * px + m[0, 1] * py + m[0, 2] * pz
            ends[3 * e + 1] = m[1, 0] * px + m[1, 1] * py + m[1, 2] * pz
            ends[3 * e + 2] = m[2, 0] * px + m[2, 1] * py + m[2, 2] * pz
        return
    ends[0], ends[1], ends[2] = _ground_at(shutter, 0.0, cx, cy, cz)
    ends[3], ends[4], ends[5] = _ground_at(shutter, 1.0, cx, cy, cz)


@njit(**KERNEL_OPTIONS, inline="always")
def _subsamples(ends, dx, dy, dz, t_p, pixel_scale):
    """Sub-samples for a ground pixel: its image motion over the shutter in pixels, plus one (so
    consecutive sub-samples lie < 1 px apart), at most ``MAX_SUBSAMPLES``. The motion is the angle
    the ground point under the pixel at opening has moved by at closing, |(p0 - p1) x d| / t_p
    (``ends``: p0 and p1)."""
    ex, ey, ez = ends[0] - ends[3], ends[1] - ends[4], ends[2] - ends[5]
    wx, wy, wz = ey * dz - ez * dy, ez * dx - ex * dz, ex * dy - ey * dx
    motion_px = np.sqrt(wx * wx + wy * wy + wz * wz) / (t_p * pixel_scale)
    return 1 + clamp_index(motion_px, MAX_SUBSAMPLES - 1)     # NaN (a miss at an end): 1


@njit(**KERNEL_OPTIONS, inline="always")
def _segment_span(px, py, pz, ends):
    """The change of the texture coordinates (s, t) along the shutter's segment of ground (``ends``:
    its points at opening and closing, scaled) to first order about its mid-point p: longitude
    atan2(y, x) and the normal's latitude atan2(z a/b, rho) differentiated (no arctangent: the
    ends' coordinates were two more ``_tex_coords``). The segment's mid-point is p to its sagitta,
    L^2 / 8R (2 m for 10 km), and the second-order terms are those ``_surface`` already neglects."""
    ex, ey, ez = ends[3] - ends[0], ends[4] - ends[1], ends[5] - ends[2]
    rho2 = px * px + py * py
    rho = np.sqrt(rho2)
    zs = pz * Z_SCALE
    d_lon = (px * ey - py * ex) / rho2
    d_lat = (rho * ez * Z_SCALE - zs * (px * ex + py * ey) / rho) / (rho2 + zs * zs)
    return d_lon * (0.5 / np.pi), -d_lat * (1.0 / np.pi)


@njit(**KERNEL_OPTIONS, inline="always")
def _surface(surface, need_albedo, need_lights, px, py, pz, nz, s_tex, t_tex, k, ends):
    """Albedo (r, g, b) and city-light radiance of the pixel's ground (``surface``:
    one level of ``textures.surface_texture``): at its mid-shutter point, or (``k`` > 1) their mean
    over ``k`` sub-samples of the ground its ray sweeps while the shutter is open (``k`` > 1 only
    where the ray meets the ground at both ends). What is not needed is 0.

    The camera is fixed in the station's frame, so the pixel's ground point is carried rigidly
    with the station: over the shutter (0.03 deg of orbit) it moves along a chord of its arc to
    1e-7 of its length, and the sub-samples are spaced evenly on the segment from its point at
    opening to its point at closing (``ends``). Their texture coordinates are spaced evenly too,
    about those of the mid-shutter point p (``s_tex``, ``t_tex``; normal's z ``nz``) along the
    segment's own (``_segment_span``), where p lies below ``LERP_MAX_SIN_LAT`` of latitude:
    longitude and latitude are then linear along it to the second-order term, (L / 2R)^2 / 2 (1 +
    tan(lat) / cos(lat)) radians at its ends (2e-4 texel for the ~3 km a pixel's ground moves in a
    0.4 s shutter, at 79 degrees: ``tests/test_motion.py``); nearer the poles each sub-sample is mapped."""
    if not (need_albedo or need_lights):
        return 0.0, 0.0, 0.0, 0.0
    if k == 1:
        x0, y0, fx, fy = _cell(surface, s_tex, t_tex)
        r, g, b, lights = _cell_sum(surface, x0, y0, (1.0 - fx) * (1.0 - fy), fx * (1.0 - fy), (1.0 - fx) * fy,
                                    fx * fy)
    else:
        linear = abs(nz) < LERP_MAX_SIN_LAT
        ds = dt = 0.0
        if linear:
            ds, dt = _segment_span(px, py, pz, ends)
        s0, t0 = s_tex - 0.5 * ds, t_tex - 0.5 * dt
        # Consecutive sub-samples mostly share a texel cell (1 px apart, a texel spans several):
        # their bilinear weights are summed and the cell's texels read once per run.
        cx, cy = -2, -2
        w00 = w01 = w10 = w11 = 0.0
        r = g = b = lights = 0.0
        for j in range(k):
            f = (j + 0.5) / k
            if linear:
                s = s0 + f * ds
                s -= np.floor(s)
                t = t0 + f * dt
            else:
                s, t = _tex_coords(ends[0] + f * (ends[3] - ends[0]), ends[1] + f * (ends[4] - ends[1]),
                                   ends[2] + f * (ends[5] - ends[2]))[3:]
            x0, y0, fx, fy = _cell(surface, s, t)
            if x0 != cx or y0 != cy:
                if j > 0:
                    dr, dg, db, dl = _cell_sum(surface, cx, cy, w00, w01, w10, w11)
                    r, g, b, lights = r + dr, g + dg, b + db, lights + dl
                cx, cy = x0, y0
                w00 = w01 = w10 = w11 = 0.0
            w00 += (1.0 - fx) * (1.0 - fy)
            w01 += fx * (1.0 - fy)
            w10 += (1.0 - fx) * fy
            w11 += fx * fy
        dr, dg, db, dl = _cell_sum(surface, cx, cy, w00, w01, w10, w11)
        r, g, b, lights = (r + dr) / k, (g + dg) / k, (b + db) / k, (lights + dl) / k
    if not need_albedo:
        r = g = b = 0.0
    return r, g, b, lights if need_lights else 0.0


@njit(**KERNEL_OPTIONS, inline="always")
def _mip_level(nx, ny, nz, dx, dy, dz, t_p, pixel_scale, level_edges):
    """The texture's mip level for a ground pixel: its footprint (distance times the pixel's angle,
    stretched by the ray's incidence on the ground normal n) against the levels' edges."""
    cos_inc = max(-(nx * dx + ny * dy + nz * dz), 0.02)
    footprint = t_p * pixel_scale / np.sqrt(cos_inc)
    level = 0
    while level < len(level_edges) and footprint > level_edges[level]:
        level += 1
    return level


@njit(**KERNEL_OPTIONS, inline="always")
def _ground_light(mu, table, h_min, inv_step, light_ray):
    """Irradiance (r, g, b) on the ground from a light of unit irradiance at cosine ``mu`` from the
    zenith: direct through the air, plus the skylight it raises, fading through its twilight."""
    if mu > 0.0:
        _ray_row(table, h_min, inv_step, WGS84_A_KM * np.sqrt(max(1.0 - mu * mu, 0.0)) - WGS84_A_KM, 0, 3,
                 light_ray)
        sky = SKYLIGHT_SUNSET + (SKYLIGHT_DAY - SKYLIGHT_SUNSET) * mu
        return (mu * light_ray[0] + sky * SKYLIGHT_RGB[0], mu * light_ray[1] + sky * SKYLIGHT_RGB[1],
                mu * light_ray[2] + sky * SKYLIGHT_RGB[2])
    sky = 0.0
    if mu > ASTRONOMICAL_NIGHT_MU:
        sky = SKYLIGHT_SUNSET * np.exp(np.arcsin(mu) / TWILIGHT_EFOLD_RAD)
    return sky * SKYLIGHT_RGB[0], sky * SKYLIGHT_RGB[1], sky * SKYLIGHT_RGB[2]


# Called, not inlined (as _code_shift): only a keyframe runs it, and inlined into both lights' air light
# it cost the kernel's first compilation 14 s of its 86 (frames as fast either way: bench_frame_stages).
@njit(**KERNEL_OPTIONS)
def _near_edge(ps, r_light, r_p, shaded, turn, shift_km, table, h_min, inv_step, light_ray):
    """How much a light's part of ``_air_light`` at a point of air may change while the light turns
    by up to ``turn`` (rad) about the Earth's centre and the point moves by up to ``shift_km``: its
    path's lowest point (``r_light``) then moves by up to dr = |ps| turn + shift, and p across the
    plane through the centre square to the light (``ps``) by up to r_p turn + shift. Returned: the
    change of the Earth's soft shadow on p (the smoothstep's steepest slope times dr, or its whole
    step where p may cross that plane), and of the path's optical depth in blue (``_columns`` of the
    table's ``RAY_TAU1``) when its lowest point moves by dr: the light's relative change, 0 where p
    is in the Earth's full shadow (``shaded``: the change weighs the shadow's light, none)."""
    a = WGS84_A_KM
    dr = abs(ps) * turn + shift_km
    reach = r_p * turn + shift_km
    lo, hi = a - 0.25 * SHADOW_SOFT_KM, a + SHADOW_SOFT_KM
    d_shade = 0.0
    if ps < reach and lo - dr < r_light < hi + dr:
        d_shade = min(1.5 * dr / (hi - lo), 1.0)
        if abs(ps) < reach:
            d_shade = max(d_shade, 1.0 - _smoothstep(lo, hi, r_light))
    if shaded:
        return d_shade, 0.0
    mid = _blue_depth(ps, r_light, r_p, table, h_min, inv_step, light_ray)
    below = _blue_depth(ps, r_light - dr, r_p, table, h_min, inv_step, light_ray)
    above = _blue_depth(ps, r_light + dr, r_p, table, h_min, inv_step, light_ray)
    return d_shade, max(abs(below - mid), abs(above - mid))


@njit(**KERNEL_OPTIONS, inline="always")
def _blue_depth(ps, r_light, r_p, table, h_min, inv_step, light_ray):
    """The optical depth in blue of a light's path from p whose lowest point is at ``r_light`` (``_columns``):
    three scalars, not an array (a keyframe's kernel allocated one per pixel and light: 3 of its 75 CPU ms)."""
    _ray_row(table, h_min, inv_step, r_light - WGS84_A_KM, RAY_TAU1 + 2, RAY_TAU1 + 3, light_ray)
    return _columns(ps, r_light, r_p) * light_ray[RAY_TAU1 + 2]


@njit(**KERNEL_OPTIONS)
def _code_shift(x, dx, scale, lut):
    """How many levels the 8-bit code of radiance ``x`` (``tonemap.tone_row``'s LUT at ``scale``)
    may move when ``x`` changes by up to ``dx`` either way."""
    top = lut.shape[0] - 1
    lo = np.int64(lut[clamp_index(np.sqrt(min(max((x - dx) * scale, 0.0), 1.0)) * top + 0.5, top)])
    mid = np.int64(lut[clamp_index(np.sqrt(min(max(x * scale, 0.0), 1.0)) * top + 0.5, top)])
    hi = np.int64(lut[clamp_index(np.sqrt(min(max((x + dx) * scale, 0.0), 1.0)) * top + 0.5, top)])
    return max(hi - mid, mid - lo)


@njit(**KERNEL_OPTIONS, inline="always")
def _columns(ps, r_light, r_p):
    """The light's path from p in columns of the table's one side at its lowest point (``_air_light``)."""
    h_above = r_p - max(r_light, WGS84_A_KM)     # p over the path's lowest point
    f = np.exp(-h_above / RAYLEIGH_SCALE_HEIGHT_KM) if h_above > 0.0 else 1.0
    return f if ps >= 0.0 else 2.0 - f


@njit(**KERNEL_OPTIONS, inline="always")
def _air_light(dx, dy, dz, px, py, pz, r_p, lx, ly, lz, lit, table, h_min, inv_step, phase_g, ray, light_ray,
               edge):
    """Single scattering (r, g, b) of a light of unit irradiance from direction (lx, ly, lz) into the
    ray, from the air lit at ``lit`` (0..1) around point p (``r_p`` from the centre): the Earth's shadow on the column, the
    reddening of the light's own path through the air, Rayleigh and Henyey-Greenstein phases.
    ``ray`` holds the view ray's scattering weights.

    The light's path from p lies on a line whose lowest point is at ``r_light`` from the centre, or
    on the ground if that is inside the Earth; the table gives the column of one side of it from
    that lowest point. Towards the light from a p past the lowest point (``ps`` >= 0) the path
    holds that column times f = exp(-(h_p - h_lowest) / 8 km), the density at p over the density
    there (exact for a vertical path, as ``airlight.line_of_sight`` cuts a column; the aerosols'
    1.2 km scale height leaves none above a limb's tangent point anyway); from a p before it
    (``ps`` < 0) the path crosses the lowest point and holds 2 - f columns. The two meet at the
    lowest point (f = 1): no edge in the sky where the light's path turns from rising to grazing.
    Taking the ground's column for every p left the day-side limb 5 / 10 / 23 % (r / g / b) too
    dim against single scattering summed along the ray by hand (tests/test_daylight.py).
    ``edge`` (turn rad, shift km; a keyframe's shading, else zeros): the fourth value returned is
    how much the light may change over the keyframe's life (``_near_edge``; 0 without ``edge``)."""
    a = WGS84_A_KM
    ps = px * lx + py * ly + pz * lz
    qx, qy, qz = px - ps * lx, py - ps * ly, pz - ps * lz
    r_light = np.sqrt(qx * qx + qy * qy + qz * qz)
    shade = _smoothstep(a - 0.25 * SHADOW_SOFT_KM, a + SHADOW_SOFT_KM, r_light) if ps < 0.0 else 1.0
    d_shade = d_depth = 0.0
    if edge[0] > 0.0:
        d_shade, d_depth = _near_edge(ps, r_light, r_p, shade == 0.0, edge[0], edge[1], table, h_min, inv_step,
                                      light_ray)
    unlit = lit
    lit *= shade
    if not (lit > 0.0 or d_shade > 0.0):
        return 0.0, 0.0, 0.0, 0.0
    columns = _columns(ps, r_light, r_p)
    if columns == 1.0:
        _ray_row(table, h_min, inv_step, r_light - a, 0, 3, light_ray)
    else:        # T1 ** columns as exp(-columns tau1): one exp a channel, not a pow (a log and an exp)
        _ray_row(table, h_min, inv_step, r_light - a, RAY_TAU1, RAY_TAU1 + 3, light_ray)
        for c in range(3):
            depth = columns * light_ray[RAY_TAU1 + c]
            # A path this thin (high over a limb) dims by 1 - depth to 5e-11: no exp needed.
            light_ray[c] = np.exp(-depth) if depth > 1e-5 else 1.0 - depth
    g2 = phase_g * phase_g
    cos_th = dx * lx + dy * ly + dz * lz
    p_r = 3.0 / (16.0 * np.pi) * (1.0 + cos_th * cos_th)
    q = 1.0 + g2 - 2.0 * phase_g * cos_th
    p_m = (1.0 - g2) / (4.0 * np.pi) / (q * np.sqrt(q))
    r, g, b = (lit * light_ray[0] * (p_r * ray[RAY_SCATTER_R] + p_m * ray[RAY_SCATTER_M]),
               lit * light_ray[1] * (p_r * ray[RAY_SCATTER_R + 1] + p_m * ray[RAY_SCATTER_M + 1]),
               lit * light_ray[2] * (p_r * ray[RAY_SCATTER_R + 2] + p_m * ray[RAY_SCATTER_M + 2]))
    change = 0.0
    if edge[0] > 0.0:
        for c in range(3):
            change = max(change, unlit * light_ray[c] * (p_r * ray[RAY_SCATTER_R + c] + p_m * ray[RAY_SCATTER_M + c]))
        change *= d_shade + shade * d_depth
    return r, g, b, change


@njit(**KERNEL_OPTIONS, inline="always")
def _toward(mx, my, mz, px, py, pz):
    """Unit vector from scaled point p to the true (ITRS) position m: p is unscaled first."""
    x, y, z = mx - px, my - py, mz - pz * (1.0 / Z_SCALE)
    inv = 1.0 / np.sqrt(x * x + y * y + z * z)
    return x * inv, y * inv, z * inv


@njit(**KERNEL_OPTIONS, inline="always")
def _shade(dx, dy, dz, t_p, h_t, ox, oy, oz, sx, sy, sz, moon, table, h_min, inv_step, surface_levels,
           level_edges, pixel_scale, phase_g, faint, ray, light_ray, k, ends, parts, edge, lut):
    """Radiance (r, g, b) along one ray that meets the air, scaled frame: ``h_t`` its tangent
    height, ``t_p`` the distance to the ground (ground rays) or to the tangent point. The Sun shines
    from (sx, sy, sz); ``moon`` is the Moon's ITRS position (km) and its (r, g, b) irradiance, or
    an irradiance of 0 for no Moon. The ground's surface is averaged over ``k`` sub-samples of the
    shutter, from its ground points at opening and closing (``ends``, ``_surface``).

    ``parts`` receives what the radiance is made of besides the surface (``PART_*``): the albedo's
    weight (its irradiance through the air in front), the city lights' weight, the air light and
    airglow added in front, and whether the ray met the ground; ``_from_parts`` rebuilds the radiance
    from them and a surface read for another turn of the Earth. ``edge`` (turn, shift: see ``_air_light``; the tone LUT's scale at the frame's
    exposure) and ``lut`` (``tonemap.tone_lut``): a pixel whose air light may move its 8-bit code by
    more than ``EDGE_LEVELS`` while the keyframe serves is marked ``NOT_KEPT``."""
    moon_on = moon[3] > 0.0
    mie_max = (1.0 + phase_g) / (4.0 * np.pi * (1.0 - phase_g) * (1.0 - phase_g))     # forward peak of HG
    _ray_row(table, h_min, inv_step, h_t, 0, RAY_SCATTER_R, ray)
    hit = h_t < 0.0
    # Radiance behind the air (ground) and where along the ray the air is lit from.
    r = g = bl = 0.0
    for c in range(PART_MET):
        parts[c] = 0.0
    parts[PART_MET] = GROUND if hit else AIR
    px, py, pz = ox + t_p * dx, oy + t_p * dy, oz + t_p * dz
    mx = my = mz = mu_moon = 0.0
    if hit:
        if moon_on:
            mx, my, mz = _toward(moon[0], moon[1], moon[2], px, py, pz)
        nx, ny, nz, s_tex, t_tex = _tex_coords(px, py, pz)
        level = _mip_level(nx, ny, nz, dx, dy, dz, t_p, pixel_scale, level_edges)
        mu = nx * sx + ny * sy + nz * sz
        if moon_on:
            mu_moon = nx * mx + ny * my + nz * mz
        lights = 1.0 - _smoothstep(-0.10, 0.05, mu)
        moonlit = mu_moon > ASTRONOMICAL_NIGHT_MU
        # Where the ground is lit by nothing its albedo is not read; where the Sun is up, nor its lights.
        albedo_r, albedo_g, albedo_b, city = _surface(surface_levels[level], mu > ASTRONOMICAL_NIGHT_MU or moonlit,
                                                      lights > 0.0, px, py, pz, nz, s_tex, t_tex, k, ends)
        for c in range(3):
            parts[PART_CITY + c] = lights * CITY_LIGHT_RGB[c] * ray[c]
        lights *= city
        sun_r, sun_g, sun_b = _ground_light(mu, table, h_min, inv_step, light_ray)
        if moonlit:
            moon_r, moon_g, moon_b = _ground_light(mu_moon, table, h_min, inv_step, light_ray)
            sun_r += moon[3] * moon_r
            sun_g += moon[4] * moon_g
            sun_b += moon[5] * moon_b
        parts[PART_ALBEDO], parts[PART_ALBEDO + 1], parts[PART_ALBEDO + 2] = sun_r * ray[0], sun_g * ray[1], sun_b * ray[2]
        r = (albedo_r * sun_r + lights * CITY_LIGHT_RGB[0]) * ray[0]
        g = (albedo_g * sun_g + lights * CITY_LIGHT_RGB[1]) * ray[1]
        bl = (albedo_b * sun_b + lights * CITY_LIGHT_RGB[2]) * ray[2]
        lit = _smoothstep(-0.15, 0.05, mu)     # the air above the ground stays lit a while
        lit_moon = _smoothstep(-0.15, 0.05, mu_moon) if moon_on else 0.0
    else:
        lit = 1.0
        lit_moon = 1.0 if moon_on else 0.0
    # Light on the scattering air: the view ray's weights once, then each light that can add more
    # than ``faint`` (high rays hold too little air to scatter a faint light: the Moon above ~180 km).
    change = 0.0       # how much the air light may change while a keyframe serves (``edge``)
    if lit > 0.0 or lit_moon > 0.0:
        _ray_row(table, h_min, inv_step, h_t, RAY_SCATTER_R, RAY_SCATTER_M + 3, ray)
        reach = 0.0
        for c in range(3):
            reach = max(reach, RAYLEIGH_PHASE_MAX * ray[RAY_SCATTER_R + c] + mie_max * ray[RAY_SCATTER_M + c])
        lit = lit if lit * reach > faint else 0.0
        lit_moon = lit_moon if lit_moon * reach * max(moon[3], moon[4], moon[5]) > faint else 0.0
        r_p = WGS84_A_KM + max(h_t, 0.0)       # p on the ground, or the tangent point
        if lit_moon > 0.0 and not hit:
            mx, my, mz = _toward(moon[0], moon[1], moon[2], px, py, pz)
        if lit > 0.0:
            sr, sg, sb, change = _air_light(dx, dy, dz, px, py, pz, r_p, sx, sy, sz, lit, table, h_min, inv_step,
                                            phase_g, ray, light_ray, edge)     # the Sun's irradiance: 1
            r += sr
            g += sg
            bl += sb
            parts[PART_AIR], parts[PART_AIR + 1], parts[PART_AIR + 2] = sr, sg, sb
        if lit_moon > 0.0:
            sr, sg, sb, moon_change = _air_light(dx, dy, dz, px, py, pz, r_p, mx, my, mz, lit_moon, table, h_min,
                                                 inv_step, phase_g, ray, light_ray, edge)
            change += max(moon[3], moon[4], moon[5]) * moon_change
            r += moon[3] * sr
            g += moon[4] * sg
            bl += moon[5] * sb
            parts[PART_AIR] += moon[3] * sr
            parts[PART_AIR + 1] += moon[4] * sg
            parts[PART_AIR + 2] += moon[5] * sb
    for c in range(3):
        parts[PART_AIR + c] += ray[RAY_GLOW + c]
    r, g, bl = r + ray[RAY_GLOW], g + ray[RAY_GLOW + 1], bl + ray[RAY_GLOW + 2]
    if change > 0.0 and _code_shift(max(r, g, bl), change, edge[2], lut) > EDGE_LEVELS:
        parts[PART_MET] = NOT_KEPT
    return r, g, bl


# Called, not inlined: only the pixels a leading keyframe does not keep run it. Inlined as a second
# ``_shade`` in the kernel, the first compilation took over 5 minutes and 8 GB a process.
@njit(**KERNEL_OPTIONS)
def _shade_afresh(dx, dy, dz, t_p, h_t, ox, oy, oz, sun, moon, table, h_min, inv_step, surface_levels, level_edges,
                  pixel_scale, phase_g, faint, ray, light_ray, k, ends, parts, lut):
    """``_shade`` for the frame's own ``sun`` and ``moon``, without the keyframe's edge bound."""
    return _shade(dx, dy, dz, t_p, h_t, ox, oy, oz, sun[0], sun[1], sun[2], moon, table, h_min, inv_step,
                  surface_levels, level_edges, pixel_scale, phase_g, faint, ray, light_ray, k, ends, parts,
                  _NO_EDGE, lut)


@njit(**KERNEL_OPTIONS, inline="always")
def _upsample(half, half_ground, row, col, out, ground_km, distances):
    """Bilinear sample of the half-resolution image and ground distance at full-resolution pixel
    (row, col): the distance is as smooth as the light far below the limb (a ray's own distance
    there would cost the pixel its ray and its meeting with the Earth, ``raycache.DEEP``)."""
    y0, x0, fy, fx = block_corner(half.shape[0], half.shape[1], row, col, 2)
    if distances:
        top = half_ground[y0, x0] + (half_ground[y0, x0 + 1] - half_ground[y0, x0]) * fx
        bot = half_ground[y0 + 1, x0] + (half_ground[y0 + 1, x0 + 1] - half_ground[y0 + 1, x0]) * fx
        ground_km[row, col] = top + (bot - top) * fy
    for c in range(3):
        top = half[y0, x0, c] + (half[y0, x0 + 1, c] - half[y0, x0, c]) * fx
        bot = half[y0 + 1, x0, c] + (half[y0 + 1, x0 + 1, c] - half[y0 + 1, x0, c]) * fx
        out[row, col, c] = top + (bot - top) * fy


# Called, not inlined: once per run of pixels.
@njit(**KERNEL_OPTIONS)
def _upsample_run(quarter, quarter_ground, row, start, end, out, ground_km, distances, columns):
    """The run of ``QUARTER`` pixels in row ``row``, columns ``start`` to ``end``: bilinear samples of the
    quarter-resolution image and ground distance (as ``_upsample``), each pair of quarter columns
    interpolated down to the row once (``columns``: 8 scratch values) for the 4 or so pixels between
    them. The sums' order is not ``_upsample``'s (float32 rounding apart): video frames only."""
    y0, fy = coarse_step(quarter.shape[0], row, QUARTER_BLOCK)
    at = -1
    for col in range(start, end):
        x0, fx = coarse_step(quarter.shape[1], col, QUARTER_BLOCK)
        if x0 != at:
            for side in range(2):
                x = x0 + side
                for c in range(3):
                    columns[4 * side + c] = quarter[y0, x, c] + (quarter[y0 + 1, x, c] - quarter[y0, x, c]) * fy
                if distances:
                    columns[4 * side + 3] = (quarter_ground[y0, x]
                                             + (quarter_ground[y0 + 1, x] - quarter_ground[y0, x]) * fy)
            at = x0
        for c in range(3):
            out[row, col, c] = columns[c] + (columns[4 + c] - columns[c]) * fx
        if distances:
            ground_km[row, col] = columns[3] + (columns[7] - columns[3]) * fx


@njit(**KERNEL_OPTIONS, inline="always")
def _sweep(moving, shutter, maps, rigid, rays, row, col, px, py, pz, dx, dy, dz, t_p, pixel_scale, ends):
    """The shutter's sub-samples for a ground pixel (``_subsamples``; its ground points at opening
    and closing into ``ends``), 1 for an instant."""
    if not moving:
        return 1
    _shutter_ends(shutter, maps, rigid, rays[row, col, 0], rays[row, col, 1], rays[row, col, 2], px, py, pz, ends)
    return _subsamples(ends, dx, dy, dz, t_p, pixel_scale)


@njit(**KERNEL_OPTIONS, inline="always")
def _from_parts(kept, dx, dy, dz, t_p, px, py, pz, k, ends, surface_levels, level_edges, pixel_scale):
    """Radiance (r, g, b) of a pixel from its kept ``parts`` (``_shade``) and its surface read now,
    at ground point p over ``k`` sub-samples (a ground ray's): albedo times its weight, plus city
    lights times theirs, plus the air in front."""
    r, g, bl = kept[PART_AIR], kept[PART_AIR + 1], kept[PART_AIR + 2]
    need_albedo = kept[PART_ALBEDO] > 0.0 or kept[PART_ALBEDO + 1] > 0.0 or kept[PART_ALBEDO + 2] > 0.0
    need_lights = kept[PART_CITY] > 0.0 or kept[PART_CITY + 1] > 0.0 or kept[PART_CITY + 2] > 0.0
    if need_albedo or need_lights:
        nx, ny, nz, s_tex, t_tex = _tex_coords(px, py, pz)
        level = _mip_level(nx, ny, nz, dx, dy, dz, t_p, pixel_scale, level_edges)
        albedo_r, albedo_g, albedo_b, city = _surface(surface_levels[level], need_albedo, need_lights, px, py, pz,
                                                      nz, s_tex, t_tex, k, ends)
        r += albedo_r * kept[PART_ALBEDO] + city * kept[PART_CITY]
        g += albedo_g * kept[PART_ALBEDO + 1] + city * kept[PART_CITY + 1]
        bl += albedo_b * kept[PART_ALBEDO + 2] + city * kept[PART_CITY + 2]
    return r, g, bl


@njit(parallel=True, **KERNEL_OPTIONS, cache=True, nogil=True)
def _earth_kernel(rays, classes, runs, rot, obs, sun, moon, table, h_min, inv_step, surface_levels, texel0_km,
                  pixel_scale, phase_g, faint, moving, shutter, rigid, maps, half, half_ground, band_km, coarse,
                  quarter, quarter_ground, mode, kept, shade_sun, shade_moon, lead, edge, lut, out, ground_km):
    """Linear radiance (H, W, 3) of the Earth, air and airglow along every pixel's ray, and the
    distance to the ground (scaled km, inf where the ray misses the Earth; ``ground_km`` empty: none).

    With a ``half``-resolution rendering of the same view (``half.shape[0] > 1``; its ground
    distances ``half_ground``), pixels whose ray meets the ground more than ``band_km`` of tangent
    height below the limb are interpolated from it, radiance and distance: there the image varies
    no faster than the surface texture, while the limb, the air and the airglow band are shaded at
    full resolution. ``moving``: each ground pixel averages the
    surface its ray sweeps while the ``shutter`` (``Shutter.kernel_array``) is open; else an instant.
    ``rigid``: the ground points at its ends are turned by ``maps`` (``raycache.shutter_maps``), not
    met with the sphere. ``classes`` (``raycache.RayClasses``, or an empty array for none): pixels marked
    ``SKIP`` are sky (or, in the half pass, never read) and are not computed; ``DEEP`` ones are
    interpolated without their rays. ``coarse``: there is a quarter-resolution rendering
    (``quarter``, ``quarter_ground``): the pixels marked ``QUARTER`` are interpolated from it (else as
    ``DEEP`` ones), and in the half pass skipped (only those read them). A light's scattering
    along a ray is skipped where it surely adds less than ``faint`` (day units).
    ``mode``: ``SHADE`` every pixel; ``KEEP``: shade and store each shaded pixel's ``parts`` in
    ``kept`` (H, W, ``PARTS``; ``NOT_KEPT`` where a pixel the classes compute was not shaded; the pixels
    they skip or interpolate are not written, nor read by the frames that reuse it, whose classes are
    the keyframe's: writing a whole 1080p keyframe cost it 11 of its 88 CPU ms); ``REUSE``: rebuild each
    pixel kept so from its parts and its surface read for this frame (``_from_parts``), shade the
    others (those not kept, and those whose ray has crossed the limb since). ``edge``: in ``KEEP``
    mode, how far the lights may turn (rad) and a point move (km) before the keyframe is renewed
    (``raycache.light_margins``): pixels whose light may change more are not kept (``_air_light``).
    ``shade_sun``, ``shade_moon``: the lights the pixels are shaded with (as ``sun`` and ``moon``, the
    frame's own); with ``lead``, a keyframe's ahead of them (``raycache.LIGHT_LEAD``), and the pixels
    it does not keep are shaded again with the frame's own.
    """
    height, width = rays.shape[0], rays.shape[1]
    a = WGS84_A_KM
    ox, oy, oz = obs[0], obs[1], obs[2]
    oo = ox * ox + oy * oy + oz * oz
    sx, sy, sz = shade_sun[0], shade_sun[1], shade_sun[2]
    # Level k serves footprints from ~texel * 2^(k - 1/2) (nearest mip level).
    level_edges = texel0_km * np.sqrt(2.0) * 2.0 ** np.arange(len(surface_levels) - 1)
    interpolate = half.shape[0] > 1 and half.shape[1] > 1
    classified = classes.shape[0] == height and classes.shape[1] == width
    distances = ground_km.shape[0] > 0       # else no one reads them (``_NO_DISTANCES``)
    bands = (height + ROW_BAND - 1) // ROW_BAND
    for step in prange(bands * ROW_BAND):
        # Threads take runs of ``step`` (``render_earth`` hands them out a band at a time); a prime stride
        # over bands of ``ROW_BAND`` rows (coprime to any count of them below it) spreads any run over
        # the whole image, so every thread gets its share of costly ground and cheap sky, and the rows
        # of a band, drawn one after another, share the texels they read in the cache.
        row = (step // ROW_BAND * ROW_STRIDE) % bands * ROW_BAND + step % ROW_BAND
        if row >= height:
            continue
        ray = np.empty(RAY_COLUMNS)
        light_ray = np.empty(RAY_COLUMNS)
        ends = np.empty(6)
        parts = np.empty(PARTS)
        columns = np.empty(8)
        start = 0
        for run in range(runs[row, 0] if classified else 1):
            end = runs[row, 1 + run] if classified else width
            kind = classes[row, start] if classified else COMPUTE
            first, start = start, end
            # (a half pixel marked QUARTER: only pixels the quarter pass serves read it)
            if kind == SKIP or (coarse and kind == QUARTER and not interpolate):
                out[row, first:end] = 0.0
                if distances:
                    ground_km[row, first:end] = np.inf
            elif interpolate and coarse and kind == QUARTER:
                _upsample_run(quarter, quarter_ground, row, first, end, out, ground_km, distances, columns)
            elif interpolate and (kind == DEEP or kind == QUARTER):
                for col in range(first, end):
                    _upsample(half, half_ground, row, col, out, ground_km, distances)
            else:
                for col in range(first, end):
                    if distances:
                        ground_km[row, col] = np.inf
                    # Surely air (above the ground, below the shells' top) and kept so: the kept air light is
                    # the pixel's (``_from_parts`` of an AIR pixel), its ray not needed.
                    if mode == REUSE and kind == ABOVE and kept[row, col, PART_MET] == AIR:
                        for c in range(3):
                            out[row, col, c] = kept[row, col, PART_AIR + c]
                        continue
                    dx, dy, dz, b = aim(rays, row, col, rot, ox, oy, oz)
                    rt2 = max(oo - b * b, 0.0)
                    h_t = np.sqrt(rt2) - a
                    if b >= 0.0 or h_t >= SHELL_TOP_KM:    # looking away from the Earth, or passing above every shell
                        out[row, col, 0] = out[row, col, 1] = out[row, col, 2] = 0.0
                        if mode == KEEP:
                            kept[row, col, PART_MET] = NOT_KEPT
                        continue
                    t_p = -b                          # to the tangent point, or (below) to the ground
                    if h_t < 0.0:
                        t_p -= np.sqrt(a * a - rt2)
                        if distances:
                            ground_km[row, col] = t_p
                    if interpolate and h_t < -band_km:
                        _upsample(half, half_ground, row, col, out, ground_km, distances)
                        if mode == KEEP:
                            kept[row, col, PART_MET] = NOT_KEPT
                        continue
                    px, py, pz = ox + t_p * dx, oy + t_p * dy, oz + t_p * dz
                    k = 1
                    if h_t < 0.0:
                        k = _sweep(moving, shutter, maps, rigid, rays, row, col, px, py, pz, dx, dy, dz, t_p,
                                   pixel_scale, ends)
                    # Rebuilt if kept, and on the same side of the limb as when it was (else shaded afresh).
                    met = kept[row, col, PART_MET] if mode == REUSE else NOT_KEPT
                    if met != NOT_KEPT and (met == GROUND) == (h_t < 0.0):
                        r, g, bl = _from_parts(kept[row, col], dx, dy, dz, t_p, px, py, pz, k, ends, surface_levels,
                                               level_edges, pixel_scale)
                    else:
                        r, g, bl = _shade(dx, dy, dz, t_p, h_t, ox, oy, oz, sx, sy, sz, shade_moon, table, h_min,
                                          inv_step, surface_levels, level_edges, pixel_scale, phase_g, faint, ray,
                                          light_ray, k, ends, parts, edge if mode == KEEP else _NO_EDGE, lut)
                        if mode == KEEP:
                            for c in range(PARTS):
                                kept[row, col, c] = parts[c]
                            if lead and parts[PART_MET] == NOT_KEPT:      # shaded every frame: for its own lights
                                r, g, bl = _shade_afresh(dx, dy, dz, t_p, h_t, ox, oy, oz, sun, moon, table, h_min,
                                                         inv_step, surface_levels, level_edges, pixel_scale, phase_g,
                                                         faint, ray, light_ray, k, ends, parts, lut)
                    out[row, col, 0] = r
                    out[row, col, 1] = g
                    out[row, col, 2] = bl


def render_earth(cache: RayCache, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray,
                 sun_dir_itrs: np.ndarray, pixel_scale_rad: float, out: np.ndarray,
                 ground_km: np.ndarray | None, moon: "MoonLight | None" = None, shutter: Shutter | None = None,
                 classify: bool = True, faint_air: float = FAINT_AIR, sequence: bool = False,
                 exposure: float = NIGHT_EXPOSURE) -> np.ndarray:
    """Fill ``out`` (H, W, 3) float32 with the linear radiance of Earth, air and airglow, and
    ``ground_km`` (H, W) float32 with each pixel's distance to the ground (inf: sky); None: the
    distances are not wanted (a frame that is not described), and not computed (8 MB at 1080p
    written every frame for no one).

    ``cache``: the camera's rays (``raycache.RayCache``); with its half-resolution rays (the
    centres of 2x2 pixel blocks) the ground away from the limb is shaded at half resolution and
    interpolated, its distance too (to 2e-3 of it at 640x360: ``tests/test_render.py``). Its classes, kept from frame to frame, skip the sky and the
    half-resolution pixels never read; ``classify=False`` computes every pixel instead (the
    pixels are the same either way: ``tests/test_raycache.py``). ``faint_air``: a light's
    scattering along a ray is skipped where it surely adds less (day units; 0: never skipped).
    ``moon``: the Moon's position and irradiance (a second light), or None.
    ``shutter``: the camera at opening and closing (the ground is integrated over it), or None
    for an instant. ``sequence``: the frame is one of a run (a video's), and may reuse each pixel's
    light apart from its surface from the cache's keyframe (``RayCache.lighting``: within its
    tolerances, the error budget README's Speed states); a keyframe is shaded whole, for the lights
    a little ahead of the frame's own when they turn steadily (``raycache.LIGHT_LEAD``: its pixels not
    kept again for the frame's own), and any frame drawn without ``sequence`` is shaded whole for
    its own. A frame of a sequence also interpolates the deep ground where a
    texel spans 4 pixels or more (``raycache.QUARTER``) from a quarter-resolution pass when the cache
    has its rays, and that pass the quarter pixels where a texel spans 8 pixels or more from an
    eighth-resolution one (README's Speed states the error budget); a still never does.
    ``exposure``: the frame's, for the keyframe's error budget
    (``EDGE_LEVELS``).
    """
    rays_cam, half_rays = cache.rays, cache.half_rays
    distances = ground_km is not None
    ground_km = ground_km if distances else _NO_DISTANCES
    if (out.shape != rays_cam.shape or (distances and ground_km.shape != rays_cam.shape[:2])
            or rays_cam.shape[2:] != (3,)):
        raise ValueError(f"render_earth: rays {rays_cam.shape}, out {out.shape}, ground {ground_km.shape}: "
                         "expected (H, W, 3), (H, W, 3), (H, W)")
    table = ray_table()
    rot = np.ascontiguousarray(scaled(np.asarray(cam_to_itrs, dtype=np.float64)))
    sun = np.asarray(sun_dir_itrs, dtype=np.float64)
    sun = sun / np.linalg.norm(sun)
    scene = (rot, scaled(observer_itrs_km), sun, _moon_light(moon), table.columns, table.h_min_km,
             1.0 / table.step_km, surface_texture(), texel_km())
    moving = shutter is not None
    motion, maps = _NO_SHUTTER, None
    if moving:
        motion = shutter.kernel_array()
        maps = shutter_maps(cam_to_itrs, observer_itrs_km, *shutter.ends())
    rigid = (maps is not None, _NO_MAPS if maps is None else maps)
    band_km = limb_band_km(pixel_scale_rad, float(np.linalg.norm(scene[1])))
    reach_km = coarse_reach_km(pixel_scale_rad, QUARTER_BLOCK)
    classes = cache.classes(cam_to_itrs, observer_itrs_km, band_km, reach_km) if classify else None
    light = (MIE_ASYMMETRY_G, float(faint_air), moving, motion, *rigid)
    mode, edge = SHADE, _NO_EDGE
    kept_full = kept_half = kept_quarter = kept_eighth = _NO_KEPT
    shade_lights = (sun, scene[3])        # the frame's own, or a new keyframe's ahead of them
    if sequence and classes is not None:
        keyframe, fresh = cache.lighting(cam_to_itrs, observer_itrs_km, sun, scene[3][:3], scene[3][3:],
                                         float(faint_air), classes, PARTS)
        if keyframe is not None:
            mode = KEEP if fresh else REUSE
            kept_full, kept_half, kept_quarter, kept_eighth = (
                _NO_KEPT if parts is None else parts for parts in (keyframe.full, keyframe.half, keyframe.quarter,
                                                                   keyframe.eighth))
            edge = np.array([*light_margins(keyframe.radius_km), lut_scale(exposure)])
            if fresh:
                shade_lights = (keyframe.sun_itrs, np.concatenate([keyframe.moon_itrs_km, scene[3][3:]]))
    lead = not (np.array_equal(shade_lights[0], sun) and np.array_equal(shade_lights[1], scene[3]))

    def shade_pass(rays, kinds, block, coarser, band_km, skip_quarter, finer, kept, into):
        """The kernel over ``rays`` (``block`` pixels a side), its classes ``kinds``, into ``into``
        (radiance, distances); ``coarser`` and ``finer``: the coarse images it interpolates from
        (``_earth_kernel``'s ``half`` and ``quarter``, each radiance and distances). The threads take a band
        of rows at a time as they come free, not one fixed share each: a core that another process holds
        (the video's encoder) no longer holds the frame back (frames into a 1080p MP4 5-8 % faster)."""
        grid = (_NO_CLASSES, _NO_RUNS) if kinds is None else (kinds, classes.runs[block])
        with parallel_chunksize(ROW_BAND):
            _earth_kernel(rays, *grid, *scene, block * float(pixel_scale_rad),
                          *light, *coarser, band_km, skip_quarter, *finer, mode, kept, *shade_lights, lead, edge,
                          tone_lut(), *into)

    none = (_NO_HALF, _NO_HALF_GROUND)
    eighth = quarter = half = none
    # A video's frames interpolate the deep ground whose texels span 4 pixels from a quarter-resolution
    # pass, and that pass its pixels marked DEEP (texels spanning 8 pixels) from an eighth-resolution one
    # (as the full pass its DEEP ones from the half pass; no band: only those).
    coarse = sequence and classes is not None and classes.quarter is not None
    if coarse:
        if classes.eighth is not None:
            eighth = _coarse_buffers(*cache.eighth_rays.shape[:2], distances)
            shade_pass(cache.eighth_rays, classes.eighth, EIGHTH_BLOCK, none, 0.0, False, none, kept_eighth, eighth)
        quarter = _coarse_buffers(*cache.quarter_rays.shape[:2], distances)
        shade_pass(cache.quarter_rays, classes.quarter, QUARTER_BLOCK, eighth, np.inf, False, none, kept_quarter,
                   quarter)
    if half_rays is not None:
        half = _coarse_buffers(*half_rays.shape[:2], distances)
        shade_pass(half_rays, None if classes is None else classes.half, 2, none, 0.0, coarse, none, kept_half, half)
    shade_pass(rays_cam, None if classes is None else classes.full, 1, half, band_km, coarse, quarter,
               kept_full, (out, ground_km))
    return out


def coarse_reach_km(pixel_scale_rad: float, block: int) -> float:
    """The ground distance (over the root of the incidence cosine) within which the footprint of a
    pass ``block`` pixels a side is at most ``COARSE_TEXELS`` of the finest level (the quarter pass's:
    ``raycache.QUARTER_BLOCK``; the half pass's: 2); 0 (no such pass) for a pixel angle that is not a
    positive number."""
    scale = float(pixel_scale_rad)
    return COARSE_TEXELS * texel_km() / (block * scale) if scale > 0.0 else 0.0


def limb_band_km(pixel_scale_rad: float, radius_km: float) -> float:
    """How far below the limb (tangent height, km) the ground is shaded per pixel, seen from ``radius_km``
    (scaled): ``AIR_BAND_KM`` at least, and down to where the half pass's footprint (2 pixels) reaches
    ``COARSE_TEXELS`` of the finest level, rounded up to ``BAND_STEP_KM``; the whole ground if it does
    nowhere. On the sphere the scaled frame makes of the ellipsoid, a ray whose tangent point lies r_t
    from the centre meets the ground t = sqrt(r^2 - r_t^2) - sqrt(a^2 - r_t^2) away at an incidence
    cosine sqrt(a^2 - r_t^2) / a; t over the root of that (against ``coarse_reach_km``) grows toward
    the limb and with r (taken rounded up to ``BAND_STEP_KM``: the band found holds for the observer
    below it)."""
    return _band_km(float(pixel_scale_rad), BAND_STEP_KM * np.ceil(float(radius_km) / BAND_STEP_KM))


@lru_cache(maxsize=16)
def _band_km(scale: float, r: float) -> float:
    """``limb_band_km`` for a pixel angle and a rounded radius: found once, then every frame reads it."""
    a, reach = WGS84_A_KM, coarse_reach_km(scale, 2)
    if not (scale > 0.0 and r > a):
        return AIR_BAND_KM

    def too_coarse(r_t: float) -> bool:
        near = np.sqrt(a * a - r_t * r_t)
        return np.sqrt(r * r - r_t * r_t) - near > reach * np.sqrt(near / a)

    if too_coarse(0.0):
        return a
    low, high = 0.0, a          # the tangent radius where the footprint reaches the texel: bisected to 1 m
    while high - low > 1e-3:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if too_coarse(mid) else (mid, high)
    return float(max(AIR_BAND_KM, BAND_STEP_KM * np.ceil((a - low) / BAND_STEP_KM)))


def _moon_light(moon: "MoonLight | None") -> np.ndarray:
    """The kernel's Moon: ITRS position (km) and (r, g, b) irradiance in Suns; zeros for none."""
    if moon is None:
        return np.zeros(6)
    position = np.asarray(moon.position_itrs_km, dtype=np.float64).reshape(3)
    ratio = float(moon.irradiance_ratio)
    if not (np.all(np.isfinite(position)) and np.isfinite(ratio) and ratio >= 0.0):
        raise ValueError(f"render_earth: moon at {position} km with irradiance {ratio}: expected finite "
                         "numbers, irradiance >= 0")
    return np.concatenate([position, ratio * lunar_rgb()])


@lru_cache(maxsize=1)
def lunar_rgb() -> np.ndarray:
    """The Moon's colour: its reflectance (lambda / V)^k through the CIE observer, over sunlight's
    white (a flat spectrum: the renderer's (1, 1, 1)), at unit luminance (the ratio is V-band)."""
    k = (MOON_B_MINUS_V - SUN_B_MINUS_V) / (2.5 * np.log10(V_BAND_NM / B_BAND_NM))
    wl = cmf_table()[0]
    rgb = (XYZ_TO_SRGB @ spectrum_xyz(wl, (wl / V_BAND_NM) ** k)) / (XYZ_TO_SRGB @ spectrum_xyz(wl, np.ones_like(wl)))
    return rgb / (LUMINANCE @ rgb)


_NO_HALF = np.zeros((1, 1, 3), dtype=np.float32)
_NO_HALF_GROUND = np.zeros((1, 1), dtype=np.float32)
_NO_CLASSES = np.zeros((0, 0), dtype=np.uint8)
_NO_RUNS = np.zeros((0, 0), dtype=np.int32)
_NO_KEPT = np.zeros((1, 1, PARTS), dtype=np.float32)     # SHADE mode: never read
_NO_EDGE = np.zeros(3)
_NO_MAPS = np.zeros((2, 3, 3))     # full-shaped, as ``_NO_SHUTTER``


_NO_DISTANCES = np.zeros((0, 0), dtype=np.float32)     # distances not wanted: the kernel writes none


@lru_cache(maxsize=4)
def _coarse_buffers(height: int, width: int, distances: bool) -> tuple[np.ndarray, np.ndarray]:
    """A coarse pass's radiance and (only if the frame's are wanted) distances, kept for the next frame."""
    ground = np.empty((height, width), dtype=np.float32) if distances else _NO_DISTANCES
    return np.empty((height, width, 3), dtype=np.float32), ground
