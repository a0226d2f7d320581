"""The frame compositor: the renderer's whole input contract and its one entry point.

``FrameInputs`` holds plain arrays (filled from the scene by the scenario layer), so the
renderer knows nothing of clocks, orbits or vehicles. Order of work: Earth/air/airglow kernel
into a linear radiance buffer, stars and objects splatted into it, exposure and tone map to
uint8, window frame, then text. Same inputs, same pixels.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..view.camera import Camera
from .captions import draw_text, format_readout
from .globe import render_earth
from .objects import SceneObject, object_sprites
from .sprites import splat
from .stars import star_sprites
from .tonemap import NIGHT_EXPOSURE, tonemap


@dataclass
class FrameInputs:
    """Everything one frame needs, in ITRS (km) unless named otherwise.

    ``cam_to_itrs`` takes camera-frame vectors (+z boresight, +x right, +y down) to ITRS;
    ``gcrs_to_itrs`` turns the (GCRS/ICRS-fixed) stars. ``exposure`` is the gain relative to a
    daylight exposure (``tonemap.NIGHT_EXPOSURE`` for a night photograph).
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


@dataclass(frozen=True)
class RenderStyle:
    """What to draw beyond the physics: layers to switch off, markers, text."""

    stars: bool = True
    objects: bool = True
    text: bool = True
    body_marker_mag: float | None = 5.0     # unlit bodies still show as stars this faint; None: physical only


DEFAULT_STYLE = RenderStyle()
HALF_RES_MIN_PX = 64          # smaller images are shaded at full resolution throughout


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


@lru_cache(maxsize=2)
def _buffers(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Radiance and ground-distance buffers, reused from frame to frame (no per-frame allocation)."""
    return np.empty((height, width, 3), dtype=np.float32), np.empty((height, width), dtype=np.float32)


def render_radiance(inputs: FrameInputs, style: RenderStyle = DEFAULT_STYLE) -> tuple[np.ndarray, np.ndarray]:
    """Linear radiance (H, W, 3) float32 in day units before exposure, and each pixel's distance to
    the ground (H, W) in km (inf: sky). Both are reused buffers: copy them to keep them."""
    cam = inputs.camera
    cam_to_itrs = np.asarray(inputs.cam_to_itrs, dtype=float)
    observer = np.asarray(inputs.observer_itrs_km, dtype=float)
    buf, ground = _buffers(cam.height_px, cam.width_px)
    render_earth(camera_rays(cam), cam_to_itrs, observer, np.asarray(inputs.sun_dir_itrs, dtype=float),
                 cam.pixel_scale_rad, buf, ground, camera_half_rays(cam))
    if style.stars:
        splat(buf, *star_sprites(cam, cam_to_itrs, np.asarray(inputs.gcrs_to_itrs, dtype=float), observer,
                                 inputs.exposure))
    if style.objects:
        splat(buf, *object_sprites(cam, cam_to_itrs, observer, inputs.objects, style.body_marker_mag))
    return buf, ground


def render_frame(inputs: FrameInputs, style: RenderStyle | None = None) -> np.ndarray:
    """The frame as an (H, W, 3) uint8 sRGB image."""
    style = style or DEFAULT_STYLE
    frame = tonemap(render_radiance(inputs, style)[0], inputs.exposure, inputs.window_frame)
    if style.text:
        draw_text(frame, format_readout(inputs.utc, inputs.t_plus_s, inputs.video_s, inputs.range_km),
                  inputs.captions)
    return frame
