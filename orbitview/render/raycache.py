"""Each pixel's ray geometry in the observer's frame, kept from frame to frame.

The camera is fixed in the station's frame and the station flies level at a height that barely
changes, so seen from the observer's local frame (``local_frame``: up, and the camera's most
horizontal axis levelled) every pixel's ray does the same thing frame after frame: it misses the
air, grazes it, or meets the ground near the limb or far below it. The Earth kernel (``globe``)
needs that to know which pixels it may skip outright (rays that pass above every shell) and which
pixels of its half-resolution pass the full-resolution image will interpolate from (the rest of
that pass is never read), and which full-resolution pixels surely meet the ground far enough
below the limb to be interpolated without their rays (``DEEP``). ``RayCache`` classifies them once and reuses the classes while the
camera, seen in the local frame, turns by less than ``TURN_TOLERANCE`` and the observer's (scaled)
radius changes by less than ``HEIGHT_TOLERANCE_KM``; the classes carry a margin in tangent height
that covers both, so a frame drawn from cached classes is the same, bit for bit, as one drawn
from classes made for its own pose (``tests/test_raycache.py``). Everything a pixel's value
depends on (its ray, tangent height, ground point, air columns, light; for a ``DEEP`` pixel, the
half-resolution pixels it is interpolated from) is still computed for the frame itself: the cache
decides only which pixels are worth computing.

Over a shutter (``shutter_maps``) the camera turns with the station by ~1e-6 in the local frame,
so the ground under a pixel is carried rigidly with the local frame: its points at the shutter's
opening and closing are its mid-shutter point turned by two fixed rotations (no ray to meet with
the sphere again), when the camera holds still in the local frame to ``SHUTTER_TURN_TOLERANCE``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from ..earth import WGS84_A_KM
from .airlight import SHELL_TOP_KM, scaled
from .safety import KERNEL_OPTIONS

# The camera may turn by this much in the local frame (largest change of an element of the rotation
# ``local_frame`` gives, ~radians) before the classes are made again: 4e-5 per video second in the
# Progress MS-10 scene (the ellipsoid's z-scaling varies with latitude), so ~2.5 s of video.
TURN_TOLERANCE = 1e-4
# The observer's scaled radius may change by this much (km): ~0.1 km per video second in that scene.
HEIGHT_TOLERANCE_KM = 2.0
# A shutter's ends are turned from mid-shutter only if the camera holds this still in the local
# frame over it (1.2-1.9e-6 in that scene): a ray's ground point then moves < 0.15 km at 2,500 km.
SHUTTER_TURN_TOLERANCE = 1e-5
SHUTTER_HEIGHT_TOLERANCE_KM = 0.05
# An element change e of the local rotation turns a unit ray by at most 3 e (Frobenius bound) and the
# normalised ray by at most twice that (the scaled rows are stretched by at most a/b < 1.01).
_TURN_PER_ELEMENT = 6.0

SKIP, COMPUTE, DEEP, QUARTER, ABOVE = np.uint8(0), np.uint8(1), np.uint8(2), np.uint8(3), np.uint8(4)
# The quarter-resolution pass serves a deep pixel whose 4 x 4 block's footprint on the ground (its
# distance over the root of its ray's incidence cosine, times 4 pixels' angle: as ``globe._mip_level``)
# is at most one texel of the finest level: its samples then lie no further apart than the texels
# they interpolate. 4: the quarter pass's block.
QUARTER_BLOCK = 4
# The same for the quarter pass: a quarter pixel whose 8 x 8 block's footprint is within one texel is
# interpolated from an eighth-resolution pass (the quarter grid's ``DEEP``), whose samples then lie no
# further apart than the texels either.
EIGHTH_BLOCK = 2 * QUARTER_BLOCK

# A frame of a sequence (a video's) may reuse each pixel's light (all but its surface: ``globe._shade``'s
# parts) from a keyframe while, in the local frame, the Sun's and the Moon's directions have turned by
# less than LIGHT_TURN_RAD, the camera by less than LIGHT_CAMERA_TOLERANCE (as TURN_TOLERANCE), the
# observer's scaled radius has changed by less than LIGHT_HEIGHT_TOLERANCE_KM and the Moon's light by
# a relative LIGHT_MOON_RTOL. In the Progress MS-10 video the lights turn by 4.3e-4 (Sun) and 5.0e-4
# (Moon) rad a frame (0.45 s of orbit), the camera by 1.4-1.7e-6 and the radius by 3 m. Pixels whose
# air light could move their 8-bit code by more than ``globe.EDGE_LEVELS`` within these tolerances (a
# shadow edge, light grazing the ground) are shaded every frame; the rest of the budget (the light on
# the ground, the phase functions, the view ray's own turn) is measured: README's Speed.
LIGHT_TURN_RAD = 3e-3
LIGHT_CAMERA_TOLERANCE = 1.5e-5
LIGHT_HEIGHT_TOLERANCE_KM = 0.2
LIGHT_MOON_RTOL = 1e-3
# A keyframe is shaded for the lights as they will be LIGHT_LEAD of the way through their tolerance
# ahead, along the turn each made since the frame before (when that turn is at least
# LIGHT_LEAD_MIN_TURN of the tolerance, and under it): the frames it serves then lie on both sides of
# its lights, not on one, and the same tolerance covers twice as many. In that video a keyframe so
# shaded serves 9 frames, the camera's turn ending it (6 frames without the lead, the Moon's ending
# it; a camera tolerance of 2e-5 served 11 but left a few pixels 4 levels off).
LIGHT_LEAD = 0.9
LIGHT_LEAD_MIN_TURN = 1.0 / 16.0


def local_frame(cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The observer's local frame in the scaled frame (rows: level axis, level axis, up), the
    camera's scaled rotation seen in it (what a pixel's ray depends on) and the scaled radius (km).
    The level axis is the camera axis nearest the horizontal, made level."""
    rot = scaled(np.asarray(cam_to_itrs, dtype=np.float64))
    obs = scaled(np.asarray(observer_itrs_km, dtype=np.float64))
    radius = float(np.linalg.norm(obs))
    up = obs / radius
    axis = rot[:, int(np.argmin(np.abs(up @ rot)))]
    level = axis - (axis @ up) * up
    level /= np.linalg.norm(level)
    frame = np.array([level, np.cross(up, level), up])
    return frame, frame @ rot, radius


def shutter_maps(cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, opening: tuple[np.ndarray, np.ndarray],
                 closing: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    """Rotations (2, 3, 3) taking a scaled ground point at mid-shutter to where the station's frame
    carries it at the shutter's opening and closing (``(cam_to_itrs, observer)`` each), or None when
    the camera turns or the observer climbs in the local frame beyond the shutter tolerances."""
    mid, key, radius = local_frame(cam_to_itrs, observer_itrs_km)
    maps = []
    for end in (opening, closing):
        frame, end_key, end_radius = local_frame(*end)
        if (np.max(np.abs(end_key - key)) > SHUTTER_TURN_TOLERANCE
                or abs(end_radius - radius) > SHUTTER_HEIGHT_TOLERANCE_KM):
            return None
        maps.append(frame.T @ mid)
    return np.ascontiguousarray(maps)


@njit(**KERNEL_OPTIONS, inline="always")
def aim(rays, row, col, rot, ox, oy, oz):
    """The pixel's unit ray in the scaled frame and its projection on the observer's radius (the
    Earth kernel's and the classes' one definition of a pixel's ray)."""
    cx, cy, cz = rays[row, col, 0], rays[row, col, 1], rays[row, col, 2]
    dx = rot[0, 0] * cx + rot[0, 1] * cy + rot[0, 2] * cz
    dy = rot[1, 0] * cx + rot[1, 1] * cy + rot[1, 2] * cz
    dz = rot[2, 0] * cx + rot[2, 1] * cy + rot[2, 2] * cz
    inv = 1.0 / np.sqrt(dx * dx + dy * dy + dz * dz)
    dx, dy, dz = dx * inv, dy * inv, dz * inv
    return dx, dy, dz, ox * dx + oy * dy + oz * dz


@njit(**KERNEL_OPTIONS, inline="always")
def block_corner(height, width, row, col, block):
    """The coarse pixel (y0, x0) at the top left of the 2 x 2 coarse pixels a full-resolution pixel
    (row, col) is interpolated from, on the grid of ``block`` x ``block`` pixel squares (2: the
    half-resolution pass, 4: the quarter one; ``height`` x ``width`` of them), and its fractions (fy,
    fx) across them (the Earth kernel's upsampling and the classes' choice of coarse pixels both call
    this, or ``coarse_step`` for each axis)."""
    y0, fy = coarse_step(height, row, block)
    x0, fx = coarse_step(width, col, block)
    return y0, x0, fy, fx


@njit(**KERNEL_OPTIONS, inline="always")
def coarse_step(count, index, block):
    """Along one axis of ``count`` coarse pixels: the first of the two that full-resolution pixel
    ``index`` is interpolated from, and its fraction towards the second. Coarse pixel i is centred on
    full-resolution (i + 1/2) ``block`` - 1/2, clamped to the image."""
    x = min(max((index + 0.5) / block - 0.5, 0.0), count - 1.0)
    x0 = min(int(x), count - 2)
    return x0, x - x0


@njit(**KERNEL_OPTIONS, cache=True)
def _mark_blocks(interpolated, full, half, quarter, coarser, eighth):
    """Per coarse pixel, whether any full pixel that may be interpolated reads it: ``COMPUTE`` on the
    2 x 2 half pixels each one reads, or for a ``QUARTER`` pixel on the 2 x 2 ``quarter`` pixels it
    reads and ``QUARTER`` on its half pixels (read only where there is no quarter pass) that no other
    full pixel reads. A quarter pixel read whose own ray may be served by the eighth pass (``coarser``:
    the quarter grid's ``QUARTER``, ``_classify``'s choice there) is ``DEEP`` instead, and the 2 x 2
    ``eighth`` pixels it reads ``COMPUTE`` (``eighth`` empty: no eighth pass)."""
    for row in range(interpolated.shape[0]):
        for col in range(interpolated.shape[1]):
            if not interpolated[row, col]:
                continue
            y0, x0 = block_corner(half.shape[0], half.shape[1], row, col, 2)[:2]
            if full[row, col] == QUARTER:
                for y in range(y0, y0 + 2):
                    for x in range(x0, x0 + 2):
                        if half[y, x] == SKIP:
                            half[y, x] = QUARTER
                y0, x0 = block_corner(quarter.shape[0], quarter.shape[1], row, col, QUARTER_BLOCK)[:2]
                for y in range(y0, y0 + 2):
                    for x in range(x0, x0 + 2):
                        if eighth.shape[0] > 1 and coarser[y, x] == QUARTER:
                            quarter[y, x] = DEEP
                            ey, ex = block_corner(eighth.shape[0], eighth.shape[1], y, x, 2)[:2]
                            eighth[ey, ex] = eighth[ey, ex + 1] = eighth[ey + 1, ex] = eighth[ey + 1, ex + 1] = COMPUTE
                        else:
                            quarter[y, x] = COMPUTE
            else:
                half[y0, x0] = half[y0, x0 + 1] = half[y0 + 1, x0] = half[y0 + 1, x0 + 1] = COMPUTE


@njit(parallel=True, **KERNEL_OPTIONS, cache=True)
def _classify(rays, rot, ox, oy, oz, top_km, away_km, below_km, deep_km, margin_km, quarter_reach_km, full,
              interpolated):
    """Per pixel: ``full`` ``SKIP`` where the ray surely passes above ``top_km`` of tangent height or
    away from the Earth (its tangent point ``away_km`` or more behind the observer), ``DEEP`` where
    it surely meets the ground ``deep_km`` or more below the limb, ``ABOVE`` where it surely passes
    through the air between the ground and the shells' top (``margin_km`` from either), else
    ``COMPUTE``; a deep pixel is
    ``QUARTER`` where its distance to the ground over the root of its incidence cosine (the sphere's
    normal: a choice of pass, not a value) is at most ``quarter_reach_km``; ``interpolated`` where it
    may meet the ground ``below_km`` or more below the limb."""
    a = WGS84_A_KM
    oo = ox * ox + oy * oy + oz * oz
    for row in prange(rays.shape[0]):
        for col in range(rays.shape[1]):
            b = aim(rays, row, col, rot, ox, oy, oz)[3]
            rt2 = max(oo - b * b, 0.0)
            h_t = np.sqrt(rt2) - a
            full[row, col] = (SKIP if b >= away_km or h_t >= top_km
                              else DEEP if b < -away_km and h_t < deep_km
                              else ABOVE if b < -away_km and margin_km <= h_t < SHELL_TOP_KM - margin_km
                              else COMPUTE)
            if full[row, col] == DEEP:
                t_p = -b - np.sqrt(max(a * a - rt2, 0.0))
                cos_inc = max(-(b + t_p) / a, 0.02)
                if t_p <= quarter_reach_km * np.sqrt(cos_inc):
                    full[row, col] = QUARTER
            interpolated[row, col] = b < away_km and h_t < below_km


@dataclass(frozen=True)
class RayClasses:
    """Which pixels the Earth kernel computes (``COMPUTE``), skips (``SKIP``: radiance 0, no ground)
    or interpolates from the half-resolution pass without meeting their rays with the Earth
    (``DEEP``: full grid only), for the full grid and the half-resolution one, and the pose they
    were made for. With a quarter-resolution grid (``quarter``: ``COMPUTE`` or ``SKIP``), a video's
    frames interpolate the full pixels marked ``QUARTER`` from it (others: as ``DEEP``), and skip the
    half pixels marked ``QUARTER`` (only those pixels read them); ``quarter_reach_km``: see ``_classify``;
    ``band_km``: how far below the limb the full grid's ground is computed (``ray_classes``).
    With an eighth-resolution grid (``eighth``: ``COMPUTE`` or ``SKIP``), the quarter pixels marked ``DEEP``
    are interpolated from it (``_mark_blocks``).
    ``ABOVE`` (full grid): the ray surely passes through the air above the ground, below the shells'
    top; a frame that reuses a keyframe's light takes such a pixel's kept air light without its ray
    (elsewhere it is computed as ``COMPUTE``). ``runs``: each grid's runs of one class (``class_runs``),
    by its block (1: full, 2: half, 4: quarter, 8: eighth)."""

    key: np.ndarray
    radius_km: float
    full: np.ndarray
    half: np.ndarray | None
    quarter: np.ndarray | None = None
    quarter_reach_km: float = 0.0
    eighth: np.ndarray | None = None
    runs: dict[int, np.ndarray] = field(default_factory=dict)
    band_km: float = 0.0


@dataclass
class Keyframe:
    """Each pixel's light apart from its surface (``parts``, float32: the full grid and the coarse
    ones), and the pose, lights and classes it was shaded for: in the local frame, the camera
    (``key``), the Sun's and the Moon's directions; the scaled radius; the Moon's (r, g, b) light.
    ``sun_itrs`` and ``moon_itrs_km``: those lights in ITRS for the kernel that shades it (the Sun's
    direction, the Moon's position), ahead of the frame's own when they lead (``LIGHT_LEAD``)."""

    key: np.ndarray
    radius_km: float
    sun: np.ndarray
    moon: np.ndarray
    moon_rgb: np.ndarray
    faint: float
    classes: RayClasses
    full: np.ndarray
    half: np.ndarray | None
    quarter: np.ndarray | None = None
    eighth: np.ndarray | None = None
    served: int = 0
    sun_itrs: np.ndarray | None = None
    moon_itrs_km: np.ndarray | None = None

    def serves(self, other: "Keyframe") -> bool:
        """Whether this keyframe's light stands for ``other``'s pose and lights, within the tolerances."""
        return (self.classes is other.classes and self.faint == other.faint
                and np.max(np.abs(self.key - other.key)) <= LIGHT_CAMERA_TOLERANCE
                and abs(self.radius_km - other.radius_km) <= LIGHT_HEIGHT_TOLERANCE_KM
                and float(np.linalg.norm(self.sun - other.sun)) <= LIGHT_TURN_RAD
                and float(np.linalg.norm(self.moon - other.moon)) <= LIGHT_TURN_RAD
                and np.allclose(self.moon_rgb, other.moon_rgb, rtol=LIGHT_MOON_RTOL, atol=0.0))


_NO_PARTS = np.empty((0, 0, 0), dtype=np.float32)     # a pose remembered without its light


def _lead(direction: np.ndarray, turn: np.ndarray) -> np.ndarray:
    """A light's unit ``direction`` moved ``LIGHT_LEAD`` of ``LIGHT_TURN_RAD`` on along ``turn`` (its
    turn since the frame before), when that turn is steady enough to lead by (``LIGHT_LEAD_MIN_TURN``)
    and within tolerance; else as it is. Over 11 frames the arc departs from the line by < 2e-5."""
    step = float(np.linalg.norm(turn))
    if not LIGHT_LEAD_MIN_TURN * LIGHT_TURN_RAD <= step < LIGHT_TURN_RAD:
        return direction
    ahead = direction + (LIGHT_LEAD * LIGHT_TURN_RAD / step) * turn
    return ahead / np.linalg.norm(ahead)


def light_margins(radius_km: float) -> tuple[float, float]:
    """How far the lights may turn (rad) and a point of air move (km, relative to them) while a
    keyframe serves: ``LIGHT_TURN_RAD``; the observer climbing, and the camera turning its rays over
    a path at most ``radius_km`` long (``_TURN_PER_ELEMENT`` per element of its rotation)."""
    return LIGHT_TURN_RAD, _TURN_PER_ELEMENT * LIGHT_CAMERA_TOLERANCE * radius_km + LIGHT_HEIGHT_TOLERANCE_KM


class RayCache:
    """One camera's rays (full resolution and the coarse grids') and their classes, made again only
    when the pose leaves the tolerances. ``hits`` and ``misses`` count the frames served and the makings;
    ``light_hits`` and ``light_misses`` those of the light kept for frames of a sequence (``lighting``).
    One cache in the process holds a keyframe at a time (40 bytes a pixel: 100 MB at 1080p): a
    video is drawn through one camera, and the caches of others (``compose.camera_cache`` keeps
    four) would hold theirs for nothing."""

    _keyframe_owner: "RayCache | None" = None

    def __init__(self, rays: np.ndarray, half_rays: np.ndarray | None, quarter_rays: np.ndarray | None = None,
                 eighth_rays: np.ndarray | None = None) -> None:
        self.rays = rays
        self.half_rays = half_rays
        self.quarter_rays = quarter_rays if half_rays is not None else None
        self.eighth_rays = eighth_rays if self.quarter_rays is not None else None
        self.hits = 0
        self.misses = 0
        self.light_hits = 0
        self.light_misses = 0
        self._classes: RayClasses | None = None
        self._keyframe: Keyframe | None = None
        self._parts: tuple[np.ndarray | None, ...] | None = None
        self._lights: tuple[np.ndarray, np.ndarray] | None = None      # the last frame's Sun and Moon

    def lighting(self, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, sun_dir_itrs: np.ndarray,
                 moon_itrs_km: np.ndarray, moon_rgb: np.ndarray, faint: float, classes: RayClasses,
                 parts: int) -> tuple[Keyframe | None, bool]:
        """The keyframe whose light this frame reuses, and False; or, beyond the tolerances, a new
        one (its ``parts`` arrays to be filled by the kernel that shades this frame, for its
        ``sun_itrs`` and ``moon_itrs_km``: ahead of this frame's along their turn since the frame
        before, ``LIGHT_LEAD``) and True; or
        None (True): the frame is shaded whole without keeping its light, when the last keyframe
        served no frame (a camera turning in the local frame, as one tracking the rocket: keeping
        would cost each frame the keyframe's extra work for nothing). Its pose is remembered: the
        next frame within tolerance of it makes a keyframe."""
        frame, key, radius = local_frame(cam_to_itrs, observer_itrs_km)
        observer = np.asarray(observer_itrs_km, dtype=np.float64)
        toward = np.asarray(moon_itrs_km, dtype=np.float64) - observer
        moon_on = bool(np.any(np.asarray(moon_rgb) > 0.0))
        moon = frame @ (toward / np.linalg.norm(toward)) if moon_on else np.zeros(3)
        sun = np.asarray(sun_dir_itrs, dtype=np.float64)
        kept, before = self._keyframe, self._lights
        wanted = Keyframe(key, radius, frame @ (sun / np.linalg.norm(sun)), moon,
                          np.array(moon_rgb, dtype=np.float64), float(faint), classes, _NO_PARTS, None)
        self._lights = (wanted.sun, wanted.moon)
        near = kept is not None and kept.serves(wanted)
        if near and kept.full is not _NO_PARTS:
            self.light_hits += 1
            kept.served += 1
            return kept, False
        self.light_misses += 1
        self._keyframe = wanted
        if kept is not None and kept.served == 0 and not near:
            return None, True
        owner = RayCache._keyframe_owner
        if owner is not None and owner is not self:
            owner._keyframe, owner._parts = None, None
        RayCache._keyframe_owner = self
        if self._parts is None:
            self._parts = tuple(None if rays is None else np.empty((*rays.shape[:2], parts), dtype=np.float32)
                                for rays in (self.rays, self.half_rays, self.quarter_rays, self.eighth_rays))
        # the keyframe's kernels write every pixel its classes compute
        wanted.full, wanted.half, wanted.quarter, wanted.eighth = self._parts
        sun_led, moon_led = ((wanted.sun, wanted.moon) if before is None else
                             (_lead(now, now - then) for now, then in zip((wanted.sun, wanted.moon), before)))
        # a light that does not lead is the frame's own, exactly (not turned there and back)
        wanted.sun_itrs = sun if sun_led is wanted.sun else frame.T @ sun_led
        wanted.moon_itrs_km = (np.asarray(moon_itrs_km, dtype=np.float64) if moon_led is wanted.moon
                               else observer + np.linalg.norm(toward) * (frame.T @ moon_led))
        wanted.sun, wanted.moon = sun_led, moon_led
        return wanted, True

    def classes(self, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, band_km: float,
                quarter_reach_km: float = 0.0) -> RayClasses:
        """The classes for this pose and ``band_km``: the cached ones if it is within tolerance of theirs
        and their band the same. ``quarter_reach_km``: see ``_classify`` (0, or no quarter rays: no
        ``QUARTER`` pixels)."""
        _, key, radius = local_frame(cam_to_itrs, observer_itrs_km)
        kept = self._classes
        reach = quarter_reach_km if self.quarter_rays is not None else 0.0
        if (kept is not None and np.max(np.abs(key - kept.key)) <= TURN_TOLERANCE
                and abs(radius - kept.radius_km) <= HEIGHT_TOLERANCE_KM and kept.quarter_reach_km == reach
                and kept.band_km == band_km):
            self.hits += 1
            return kept
        self.misses += 1
        self._classes = ray_classes(self.rays, self.half_rays, cam_to_itrs, observer_itrs_km, band_km,
                                    self.quarter_rays, reach, self.eighth_rays)
        return self._classes


def ray_classes(rays: np.ndarray, half_rays: np.ndarray | None, cam_to_itrs: np.ndarray,
                observer_itrs_km: np.ndarray, band_km: float, quarter_rays: np.ndarray | None = None,
                quarter_reach_km: float = 0.0, eighth_rays: np.ndarray | None = None) -> RayClasses:
    """Classes for a pose, with a margin in tangent height covering any pose within tolerance.

    A ray at distance |b| from its tangent point changes tangent height by |b| per radian it
    turns, and it turns by at most ``_TURN_PER_ELEMENT * TURN_TOLERANCE``; the rays near the two
    thresholds (the shells' top, ``band_km`` below the limb) have |b| at most ``sqrt(r^2 - (a -
    band_km)^2)``. The observer's radius moves every tangent height by at most its own change;
    1 km more covers the second-order terms (~1e-3 km) and float32 rays. A ray looks away from the
    Earth where its tangent point lies behind the observer (b >= 0); b moves by at most r per radian
    and by the radius's change (this matters only to an observer inside the shells)."""
    _, key, radius = local_frame(cam_to_itrs, observer_itrs_km)
    rot = np.ascontiguousarray(scaled(np.asarray(cam_to_itrs, dtype=np.float64)))
    obs = scaled(np.asarray(observer_itrs_km, dtype=np.float64))
    reach = np.sqrt(max(radius ** 2 - (WGS84_A_KM - band_km) ** 2, 0.0))
    margin = HEIGHT_TOLERANCE_KM + _TURN_PER_ELEMENT * TURN_TOLERANCE * reach + 1.0
    away = HEIGHT_TOLERANCE_KM + _TURN_PER_ELEMENT * TURN_TOLERANCE * radius + 1.0
    height, width = rays.shape[:2]
    full = np.empty((height, width), dtype=np.uint8)
    interpolated = np.empty((height, width), dtype=np.bool_)
    reach = quarter_reach_km if half_rays is not None and quarter_rays is not None else 0.0
    thresholds = (SHELL_TOP_KM + margin, away, -band_km + margin, -band_km - margin, margin)
    _classify(rays, rot, *obs, *thresholds, reach, full, interpolated)
    half = quarter = eighth = None
    if half_rays is not None:
        half = np.zeros(half_rays.shape[:2], dtype=np.uint8)
        quarter = np.zeros((1, 1) if quarter_rays is None else quarter_rays.shape[:2], dtype=np.uint8)
        coarser, eighth = _NO_EIGHTH, _NO_EIGHTH
        if quarter_rays is not None and eighth_rays is not None and reach > 0.0:
            # the eighth pass's choice, made on the quarter grid as the quarter pass's on the full one
            coarser = np.empty(quarter.shape, dtype=np.uint8)
            _classify(quarter_rays, rot, *obs, *thresholds, reach * QUARTER_BLOCK / EIGHTH_BLOCK, coarser,
                      np.empty(quarter.shape, dtype=np.bool_))
            eighth = np.zeros(eighth_rays.shape[:2], dtype=np.uint8)
        _mark_blocks(interpolated, full, half, quarter, coarser, eighth)
        quarter = quarter if quarter_rays is not None else None
        eighth = eighth if eighth.shape[0] > 1 else None
    grids = {1: full, 2: half, QUARTER_BLOCK: quarter, EIGHTH_BLOCK: eighth}
    runs = {block: class_runs(kinds) for block, kinds in grids.items() if kinds is not None}
    return RayClasses(key, radius, full, half, quarter, reach, eighth, runs, band_km)


def class_runs(classes: np.ndarray) -> np.ndarray:
    """Each row's runs of one class, so that the Earth kernel visits a run at a time, not a pixel
    (a row of a 1080p Progress MS-10 frame holds 6 on average: sky, air, limb, ground near it, deep
    ground): (H, 1 + the most runs in a row) int32, the row's count of runs, then the column each
    ends at (the next one's first)."""
    height, width = classes.shape
    change_rows, change_cols = np.nonzero(classes[:, 1:] != classes[:, :-1])
    counts = np.bincount(change_rows, minlength=height) + 1
    runs = np.zeros((height, 1 + int(counts.max())), dtype=np.int32)
    runs[:, 0] = counts
    first = np.concatenate(([0], np.cumsum(counts - 1)[:-1]))    # each row's first change in the lists
    runs[change_rows, 1 + np.arange(change_rows.size) - first[change_rows]] = change_cols + 1
    runs[np.arange(height), counts] = width
    return runs


_NO_EIGHTH = np.zeros((1, 1), dtype=np.uint8)     # no eighth pass: ``_mark_blocks`` marks none
