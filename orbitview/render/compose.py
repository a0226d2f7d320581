"""The frame compositor: the renderer's whole input contract and its one entry point.

``FrameInputs`` holds plain arrays (filled from the scene by the scenario layer), so the
renderer knows nothing of clocks, orbits or vehicles. Order of work: Earth/air/airglow kernel
into a linear radiance buffer, stars and objects splatted into it, exposure and tone map to
uint8, window frame, then text. Same inputs, same pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from typing import Sequence

import numpy as np

from ..errors import OrbitviewError, shorten
from ..view.camera import IMAGE_SIZE_EXPECTED, MAX_SIDE_PX, Camera, image_fits
from .captions import draw_text, format_readout
from .describe import FrameLayers
from .globe import ROW_STRIDE, Shutter, render_earth
from .moon import draw_moon
from .objects import SceneObject, object_sprites
from .raycache import EIGHTH_BLOCK, QUARTER_BLOCK, RayCache
from .sensor import apply_sensor, saturated
from .sprites import splat
from .stars import sky_sprites
from .sun import draw_sun
from .tonemap import NIGHT_EXPOSURE, frame_window


@dataclass(frozen=True)
class MoonLight:
    """The Moon, as the renderer needs it for the disc it draws and the light it sheds (ITRS).

    ``position_itrs_km``: geocentric (the direction from a ground point or the observer follows);
    ``sun_dir_itrs``: unit vector from the Moon towards the Sun (its phase and terminator);
    ``irradiance_ratio``: its light at the Earth over the Sun's at 1 au, V band
    (``orbitview.moon.moonlight_ratio``: about 2.5e-6 at full Moon).
    """

    position_itrs_km: np.ndarray
    sun_dir_itrs: np.ndarray
    irradiance_ratio: float


@dataclass
class FrameInputs:
    """Everything one frame needs, in ITRS (km) unless named otherwise.

    ``cam_to_itrs`` takes camera-frame vectors (+z boresight, +x right, +y down) to ITRS;
    ``gcrs_to_itrs`` turns the (GCRS/ICRS-fixed) stars and planets (``planets``: the apparent GCRS
    unit directions (3, 4) and V magnitudes (4,) of ``stars.PLANETS``, from ``stars.planet_sight``).
    ``exposure`` is the gain relative to a daylight exposure (``tonemap.NIGHT_EXPOSURE`` for a night
    photograph). ``render_frame`` checks them first (:func:`check_inputs`): the fields may change
    between frames. The state given is mid-shutter; ``shutter`` (the camera at opening and closing)
    makes the frame integrate the motion while it is open, None draws an instant.
    """

    camera: Camera
    cam_to_itrs: np.ndarray
    observer_itrs_km: np.ndarray
    sun_dir_itrs: np.ndarray
    gcrs_to_itrs: np.ndarray
    objects: Sequence[SceneObject] = ()
    captions: Sequence[str] = ()
    utc: str | None = None
    t_plus_s: float | None = None
    video_s: float | None = None
    range_km: float | None = None
    exposure: float = NIGHT_EXPOSURE
    window_frame: bool = False
    moon: MoonLight | None = None
    planets: tuple[np.ndarray, np.ndarray] | None = None
    shutter: Shutter | None = None


@dataclass(frozen=True)
class RenderStyle:
    """What to draw beyond the physics: layers to switch off, markers, text."""

    stars: bool = True
    objects: bool = True
    text: bool = True
    body_marker_mag: float | None = 5.0     # unlit bodies still show as stars this faint; None: physical only


DEFAULT_STYLE = RenderStyle()
HALF_RES_MIN_PX = 64          # smaller images are shaded at full resolution throughout
assert MAX_SIDE_PX < ROW_STRIDE       # the Earth kernel's row order visits every row below it
_MATRICES = (("cam_to_itrs", (3, 3)), ("observer_itrs_km", (3,)), ("sun_dir_itrs", (3,)), ("gcrs_to_itrs", (3, 3)))


def check_image_size(width_px: int, height_px: int) -> None:
    """Refuse an image the renderer cannot hold in memory (``MAX_SIDE_PX``, ``MAX_PIXELS``)."""
    if not image_fits(width_px, height_px):
        raise OrbitviewError(f"image size {width_px}x{height_px}: expected {IMAGE_SIZE_EXPECTED}")


def check_inputs(inputs: FrameInputs) -> None:
    """Refuse, in one line naming the field, inputs no frame can be drawn from: an image too large, an
    exposure that is not a finite gain > 0, a rotation or position that is not finite."""
    check_image_size(inputs.camera.width_px, inputs.camera.height_px)
    exposure = inputs.exposure
    if isinstance(exposure, bool) or not isinstance(exposure, Real) or not (math.isfinite(exposure) and exposure > 0):
        raise OrbitviewError(f"exposure = {_shown(exposure)}: expected a finite gain > 0 "
                             f"(1 for daylight, {NIGHT_EXPOSURE:g} for night)")
    for name, shape in _MATRICES:
        value = getattr(inputs, name)
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            array = None
        if array is None or array.shape != shape or not np.all(np.isfinite(array)) or not np.any(array):
            raise OrbitviewError(f"{name} = {_shown(value)}: expected finite numbers, not all zero, "
                                 f"of shape {shape}")
    moon = inputs.moon
    if moon is not None:
        position = np.asarray(moon.position_itrs_km, dtype=float)
        ratio = moon.irradiance_ratio
        if (position.shape != (3,) or not np.all(np.isfinite(position)) or isinstance(ratio, bool)
                or not isinstance(ratio, Real) or not (math.isfinite(ratio) and ratio >= 0)):
            raise OrbitviewError(f"moon = {_shown(moon)}: expected a finite position (3,) km and "
                                 "irradiance_ratio >= 0")
    for name in ("t_plus_s", "video_s", "range_km"):
        value = getattr(inputs, name)
        if value is not None and not (isinstance(value, Real) and math.isfinite(value)):
            raise OrbitviewError(f"{name} = {_shown(value)}: expected a finite number or None")


def _shown(value: object) -> str:
    """``repr(value)`` on one line (an array's spans several), cut if long."""
    return shorten(" ".join(repr(value).split()))


@lru_cache(maxsize=4)
def camera_rays(camera: Camera) -> np.ndarray:
    """Camera-frame unit rays (H, W, 3) float32, computed once per camera."""
    return np.ascontiguousarray(camera.pixel_rays(), dtype=np.float32)


@lru_cache(maxsize=4)
def camera_half_rays(camera: Camera) -> np.ndarray | None:
    """Camera-frame rays through the centres of 2x2 pixel blocks (H/2, W/2, 3), for the Earth's
    half-resolution pass; None for images too small to gain from it."""
    if camera.width_px < HALF_RES_MIN_PX or camera.height_px < HALF_RES_MIN_PX:
        return None
    return np.ascontiguousarray(camera.pixel_rays(block=2), dtype=np.float32)


@lru_cache(maxsize=4)
def camera_cache(camera: Camera) -> RayCache:
    """The camera's rays (full, half, quarter and eighth resolution) and their classes, kept from frame
    to frame (``raycache``)."""
    half = camera_half_rays(camera)
    quarter, eighth = ((None, None) if half is None else
                       (np.ascontiguousarray(camera.pixel_rays(block=block), dtype=np.float32)
                        for block in (QUARTER_BLOCK, EIGHTH_BLOCK)))
    return RayCache(camera_rays(camera), half, quarter, eighth)


@lru_cache(maxsize=2)
def _buffers(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Radiance and ground-distance buffers, reused from frame to frame (no per-frame allocation)."""
    return np.empty((height, width, 3), dtype=np.float32), np.empty((height, width), dtype=np.float32)


def render_radiance(inputs: FrameInputs, style: RenderStyle = DEFAULT_STYLE, sequence: bool = False,
                    distances: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Linear radiance (H, W, 3) float32 in day units before exposure, and each pixel's distance to
    the ground (H, W) in km (inf: sky; None without ``distances``). Both are reused buffers: copy
    them to keep them. ``sequence``: a frame of a video, which may reuse the light of a keyframe
    shortly before it (``globe.render_earth``); else the frame is shaded whole."""
    check_inputs(inputs)
    cam = inputs.camera
    cam_to_itrs = np.asarray(inputs.cam_to_itrs, dtype=float)
    observer = np.asarray(inputs.observer_itrs_km, dtype=float)
    buf, ground = _buffers(cam.height_px, cam.width_px)
    cache = camera_cache(cam)
    ground = ground if distances else None
    render_earth(cache, cam_to_itrs, observer, np.asarray(inputs.sun_dir_itrs, dtype=float),
                 cam.pixel_scale_rad, buf, ground, inputs.moon, inputs.shutter, sequence=sequence,
                 exposure=inputs.exposure)
    draw_sun(buf, cam, cam_to_itrs, observer, inputs.sun_dir_itrs)
    if style.stars:
        sprites = sky_sprites(cam, cam_to_itrs, np.asarray(inputs.gcrs_to_itrs, dtype=float), observer,
                              inputs.exposure, inputs.planets)
        splat(buf, *sprites, *_sky_motion(inputs, *sprites[:2]))
        draw_moon(buf, cam, cam_to_itrs, observer, inputs.moon)     # 0.4 px in 0.4 s: drawn still
    if style.objects:
        sprites = object_sprites(cam, cam_to_itrs, observer, inputs.objects, style.body_marker_mag,
                                 np.asarray(inputs.sun_dir_itrs, dtype=float))
        splat(buf, *sprites, *_object_motion(inputs, *sprites[:2]))
    return buf, ground


def _sky_motion(inputs: FrameInputs, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Image motion (du, dv) px over the shutter of sources at infinity seen at (u, v) mid-shutter
    (stars, planets): their fixed GCRS directions through the camera at opening and at closing."""
    shutter, cam = inputs.shutter, inputs.camera
    if shutter is None or len(u) == 0:
        return None, None
    rays = np.asarray(inputs.cam_to_itrs, dtype=float) @ cam.ray(np.array([u, v]))
    gcrs = np.asarray(inputs.gcrs_to_itrs, dtype=float).T @ rays
    (u0, v0), (u1, v1) = (cam.project(np.asarray(c).T @ (np.asarray(g) @ gcrs))[0]
                          for c, g in zip(shutter.cam_to_itrs, shutter.gcrs_to_itrs))
    return u1 - u0, v1 - v0


def _object_motion(inputs: FrameInputs, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Image motion (du, dv) px over the shutter of the object sprites at (u, v): that of the object
    whose mid-shutter image each sits on (sprites carry no name), the object moving along its ITRS
    velocity (none: fixed on the Earth, as an exhaust cloud in the air) and the camera with the station."""
    shutter = inputs.shutter
    if shutter is None or len(u) == 0:
        return None, None
    objects = inputs.objects
    pos = np.array([np.asarray(o.itrs_km, dtype=float) for o in objects]).T
    vel = np.array([np.zeros(3) if o.velocity_itrs_kms is None else np.asarray(o.velocity_itrs_kms, dtype=float)
                    for o in objects]).T

    def image(cam_to_itrs: np.ndarray, observer: np.ndarray, dt_s: float) -> np.ndarray:
        rel = pos + dt_s * vel - np.asarray(observer, dtype=float)[:, None]
        return inputs.camera.project(np.asarray(cam_to_itrs, dtype=float).T @ (rel / np.linalg.norm(rel, axis=0)))[0]

    half = 0.5 * shutter.seconds
    with np.errstate(all="ignore"):        # an object at NaN or 1e300 km: its motion is NaN, drawn still
        motion = image(shutter.cam_to_itrs[1], shutter.observer_itrs_km[1], half) - image(
            shutter.cam_to_itrs[0], shutter.observer_itrs_km[0], -half)
        mid = image(inputs.cam_to_itrs, inputs.observer_itrs_km, 0.0)
        gap = np.hypot(mid[0][None, :] - np.asarray(u)[:, None], mid[1][None, :] - np.asarray(v)[:, None])
    nearest = np.argmin(np.where(np.isfinite(gap), gap, np.inf), axis=1)
    return motion[0, nearest], motion[1, nearest]


def render_frame(inputs: FrameInputs, style: RenderStyle | None = None, sequence: bool = False,
                 out: np.ndarray | None = None) -> np.ndarray:
    """The frame as an (H, W, 3) uint8 sRGB image: the light drawn, through the camera's optics and
    sensor (glare wings, blooming, full well: ``sensor.apply_sensor``), its tone curve, the window
    frame and the text. ``sequence``: one of a video's consecutive frames (``render_radiance``).
    ``out``: a C-contiguous (H, W, 3) uint8 array the frame is drawn into and returned as (a video's
    frames, ``video.frame_buffers``); else a new one."""
    if out is not None and (not isinstance(out, np.ndarray) or out.dtype != np.uint8 or not out.flags.c_contiguous
                            or out.shape != (inputs.camera.height_px, inputs.camera.width_px, 3)):
        raise OrbitviewError(f"out = {_shown(out)}: expected a C-contiguous uint8 array of shape "
                             f"({inputs.camera.height_px}, {inputs.camera.width_px}, 3)")
    return _develop(inputs, style or DEFAULT_STYLE, keep_layers=False, sequence=sequence, out=out)[0]


def render_layers(inputs: FrameInputs, style: RenderStyle | None = None) -> tuple[np.ndarray, FrameLayers]:
    """The frame (as :func:`render_frame`) and the layers its description reads
    (``describe.describe_frame``): copies, kept past the next frame."""
    image, layers = _develop(inputs, style or DEFAULT_STYLE, keep_layers=True)
    assert layers is not None
    return image, layers


def _develop(inputs: FrameInputs, style: RenderStyle, keep_layers: bool, sequence: bool = False,
             out: np.ndarray | None = None) -> tuple[np.ndarray, FrameLayers | None]:
    radiance, ground = render_radiance(inputs, style, sequence, distances=keep_layers)
    frame = np.empty(radiance.shape, dtype=np.uint8) if out is None else out
    apply_sensor(radiance, inputs.exposure, inputs.camera.pixel_scale_rad, out=frame)   # and the tone map
    if inputs.window_frame:
        frame_window(frame)
    layers = (FrameLayers(inputs, style, ground.copy(), saturated(radiance, inputs.exposure))
              if keep_layers else None)
    if style.text:
        draw_text(frame, format_readout(inputs.utc, inputs.t_plus_s, inputs.video_s, inputs.range_km),
                  inputs.captions)
    return frame, layers
