"""What a frame shows, as data, computed from the render's own layers.

``describe_frame`` reads the final 8-bit image and the layers the compositor kept
(:class:`FrameLayers`: the inputs, each pixel's distance to the ground, the pixels at full well):

* the limb: the boundary of the ground (finite ground distance) against the sky, its direction
  by a principal-axis fit to the boundary pixels, as an angle from the image horizontal (0-90 deg,
  the measure the camera framing is fitted to, ``orbitview.framing``);
* each quadrant's share of a layer's flux: the stars and planets from the sprite lists the renderer
  splats (position and flux of each); the city lights from the ground the frame shows: each ground
  pixel's point on the Earth, the city-light texture the Earth kernel reads there (its third mip
  level, 30 km texels), counted where the Sun is below the horizon (unweighted by the air's
  transmittance or the pixel's solid angle, which varies by under 20 % across a 16 mm fisheye);
* the Moon's place, if its centre is in frame and not behind the Earth;
* each visible body (not behind the Earth, in frame): where it projects, the brightest 8-bit value
  within ``PEAK_RADIUS_PX`` of it, whether a pixel there is at full well, and the length of its
  image above half that peak over the local background (a streak's length along its principal axis).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from .airlight import Z_SCALE, line_of_sight, scaled
from .stars import sky_sprites
from .textures import earth_texture

if TYPE_CHECKING:
    from .compose import FrameInputs, RenderStyle

PEAK_RADIUS_PX = 2          # a body's peak: within this of its projected place (its sprite core's reach)
EXTENT_BOX_PX = 128         # the half-peak region is followed this far from the peak
BACKGROUND_BOX_PX = 16      # a body's background: the median within this of its peak (a streak fills
                            # under a tenth of the box's 33 x 33 pixels)
CITY_LIGHT_MIP = 2          # the city-light texture's level the description reads (4 x 7.4 km texels)
LIMB_MIN_PX = 8             # boundary pixels needed to call the limb visible and fit its tilt
QUADRANTS = ("upper_left", "upper_right", "lower_left", "lower_right")


@dataclass(frozen=True)
class FrameLayers:
    """What the compositor keeps of a frame for its description: its inputs and style, each pixel's
    distance to the ground (H, W; inf for sky) and the pixels at full well (H, W)."""

    inputs: "FrameInputs"
    style: "RenderStyle"
    ground_km: np.ndarray
    saturated: np.ndarray


def describe_frame(image: np.ndarray, layers: FrameLayers) -> dict:
    """The frame's description (see the module's docstring): plain Python values, JSON-ready."""
    inputs = layers.inputs
    cam = inputs.camera
    observer = np.asarray(inputs.observer_itrs_km, dtype=float)
    cam_to_itrs = np.asarray(inputs.cam_to_itrs, dtype=float)
    stars = _sky_points(inputs) if layers.style.stars else (np.zeros(0), np.zeros(0), np.zeros(0))
    return {"t_plus_s": inputs.t_plus_s, "video_s": inputs.video_s,
            "limb": limb(layers.ground_km),
            "quadrants": {"city_lights": quadrant_shares(*_city_light_points(layers), cam.width_px, cam.height_px),
                          "stars": quadrant_shares(*stars, cam.width_px, cam.height_px)},
            "moon": _moon(inputs, cam_to_itrs, observer),
            "bodies": _bodies(image, layers, cam_to_itrs, observer)}


def limb(ground_km: np.ndarray) -> dict:
    """Whether the limb is in frame and its tilt from the image horizontal (deg, 0-90): the
    principal axis of the ground pixels bordering the sky (image edges are not a limb)."""
    ground = np.isfinite(ground_km)
    inner = ground[1:-1, 1:-1]
    edge = inner & ~(ground[:-2, 1:-1] & ground[2:, 1:-1] & ground[1:-1, :-2] & ground[1:-1, 2:])
    v, u = np.nonzero(edge)
    if u.size < LIMB_MIN_PX:
        return {"visible": False, "tilt_deg": None}
    du, dv = u - u.mean(), v - v.mean()
    angle = 0.5 * np.degrees(np.arctan2(2.0 * np.mean(du * dv), np.mean(du * du) - np.mean(dv * dv)))
    return {"visible": True, "tilt_deg": round(abs(float(angle)), 1)}


def quadrant_shares(u: np.ndarray, v: np.ndarray, flux: np.ndarray, width: int, height: int) -> dict:
    """Each image quadrant's share of the total ``flux`` of points at pixel coordinates (u, v)
    (all 0 when there is none)."""
    index = 2 * (np.asarray(v) >= height / 2.0) + (np.asarray(u) >= width / 2.0)
    sums = np.bincount(index.astype(int), weights=np.asarray(flux, dtype=float), minlength=4)
    total = sums.sum()
    return {name: round(float(s / total), 4) if total > 0.0 else 0.0 for name, s in zip(QUADRANTS, sums)}


def _sky_points(inputs: "FrameInputs") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, flux) of the stars and planets the renderer splats: a Gaussian's flux is its peak
    times its two sigmas (the common 2 pi and pixel solid angle cancel in the shares)."""
    cam, observer = inputs.camera, np.asarray(inputs.observer_itrs_km, dtype=float)
    cam_to_itrs, to_itrs = np.asarray(inputs.cam_to_itrs, dtype=float), np.asarray(inputs.gcrs_to_itrs, dtype=float)
    u, v, s_major, s_minor, _, rgb = sky_sprites(cam, cam_to_itrs, to_itrs, observer, inputs.exposure, inputs.planets)
    return u, v, rgb.sum(axis=1) * s_major * s_minor


def _city_light_points(layers: FrameLayers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u, v, light) of every ground pixel on the night side: the city-light texture at its point."""
    inputs = layers.inputs
    rows, cols = np.nonzero(np.isfinite(layers.ground_km))
    if rows.size == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    u, v = cols + 0.5, rows + 0.5
    rays = scaled(np.asarray(inputs.cam_to_itrs, dtype=float) @ inputs.camera.ray(np.array([u, v])))
    rays /= np.linalg.norm(rays, axis=0)
    point = scaled(np.asarray(inputs.observer_itrs_km, dtype=float))[:, None] + rays * layers.ground_km[rows, cols]
    normal = point * np.array([1.0, 1.0, Z_SCALE])[:, None]        # the ellipsoid's normal, as the Earth kernel's
    normal /= np.linalg.norm(normal, axis=0)
    night = normal.T @ np.asarray(inputs.sun_dir_itrs, dtype=float) < 0.0
    texture = earth_texture()[1][CITY_LIGHT_MIP][:, :, 0]
    height, width = texture.shape
    lon = np.arctan2(normal[1], normal[0])
    lat = np.arctan2(normal[2], np.hypot(normal[0], normal[1]))
    col = np.clip(((lon / (2.0 * np.pi) + 0.5) * width).astype(int), 0, width - 1)
    row = np.clip(((0.5 - lat / np.pi) * height).astype(int), 0, height - 1)
    return u, v, np.where(night, texture[row, col], 0.0)


def _moon(inputs: "FrameInputs", cam_to_itrs: np.ndarray, observer: np.ndarray) -> dict:
    """The Moon's centre on the image, if it is in frame and not behind the Earth."""
    if inputs.moon is None:
        return {"in_frame": False, "px": None}
    line = np.asarray(inputs.moon.position_itrs_km, dtype=float) - observer
    direction = (line / np.linalg.norm(line))[:, None]
    px, inside = inputs.camera.project(cam_to_itrs.T @ direction)
    if not inside[0] or line_of_sight(observer, direction)[0][0]:
        return {"in_frame": False, "px": None}
    return {"in_frame": True, "px": [round(float(px[0, 0]), 1), round(float(px[1, 0]), 1)]}


def _bodies(image: np.ndarray, layers: FrameLayers, cam_to_itrs: np.ndarray, observer: np.ndarray) -> list[dict]:
    """Every body in frame and not behind the Earth, with its image's peak, saturation and extent."""
    first = {}
    for obj in layers.inputs.objects:
        if obj.kind != "exhaust":
            first.setdefault(obj.name, obj)
    if not first:
        return []
    objects = list(first.values())
    line = np.array([np.asarray(o.itrs_km, dtype=float) for o in objects]).T - observer[:, None]
    rng = np.linalg.norm(line, axis=0)
    blocked, _ = line_of_sight(observer, line / rng, rng, [o.alt_km for o in objects])
    px, inside = layers.inputs.camera.project(cam_to_itrs.T @ (line / rng))
    brightness = image.max(axis=2)
    out = []
    for k, obj in enumerate(objects):
        if blocked[k] or not inside[k]:
            continue
        u, v = float(px[0, k]), float(px[1, k])
        peak, at, saturated = _peak(brightness, layers.saturated, u, v)
        out.append({"name": obj.name, "px": [round(u, 1), round(v, 1)], "peak": peak, "saturated": saturated,
                    "extent_px": image_extent(brightness, at, peak)})
    return out


def _peak(brightness: np.ndarray, saturated: np.ndarray, u: float, v: float) -> tuple[int, tuple[int, int], bool]:
    """The brightest value within ``PEAK_RADIUS_PX`` of (u, v), where it is, and whether any pixel
    there is at full well."""
    height, width = brightness.shape
    col, row = min(max(int(u), 0), width - 1), min(max(int(v), 0), height - 1)
    r0, c0 = max(row - PEAK_RADIUS_PX, 0), max(col - PEAK_RADIUS_PX, 0)
    box = brightness[r0:row + PEAK_RADIUS_PX + 1, c0:col + PEAK_RADIUS_PX + 1]
    at = np.unravel_index(int(np.argmax(box)), box.shape)
    full = saturated[r0:row + PEAK_RADIUS_PX + 1, c0:col + PEAK_RADIUS_PX + 1]
    return int(box[at]), (r0 + int(at[0]), c0 + int(at[1])), bool(full.any())


def image_extent(brightness: np.ndarray, at: tuple[int, int], peak: int) -> float:
    """Length (px) along its principal axis of the region at or above half ``peak`` over the local
    background (the median within ``BACKGROUND_BOX_PX``), joined to the peak pixel ``at`` (row, col):
    1 for a lone pixel, a streak's length for a streak, 0 for a body not above its background (nor
    above a structure it lies on that runs ``EXTENT_BOX_PX`` and more from it)."""
    row, col = at
    near = brightness[max(row - BACKGROUND_BOX_PX, 0):row + BACKGROUND_BOX_PX + 1,
                      max(col - BACKGROUND_BOX_PX, 0):col + BACKGROUND_BOX_PX + 1]
    background = float(np.median(near))
    if not peak > background:
        return 0.0
    r0, c0 = max(row - EXTENT_BOX_PX, 0), max(col - EXTENT_BOX_PX, 0)
    box = brightness[r0:row + EXTENT_BOX_PX + 1, c0:col + EXTENT_BOX_PX + 1]
    labels, _ = ndimage.label(box >= (peak + background) / 2.0, structure=np.ones((3, 3)))     # 8-connected
    region = labels == labels[row - r0, col - c0]
    # A region that runs out of the box (where the box is inside the image) is the structure the body
    # lies on (the limb's airglow behind a faint stage), not its image: it does not stand out.
    inner = [region[0].any() and r0 > 0, region[-1].any() and r0 + box.shape[0] < brightness.shape[0],
             region[:, 0].any() and c0 > 0, region[:, -1].any() and c0 + box.shape[1] < brightness.shape[1]]
    if any(inner):
        return 0.0
    v, u = np.nonzero(region)
    if u.size == 1:
        return 1.0
    du, dv = u - u.mean(), v - v.mean()
    _, vectors = np.linalg.eigh(np.cov(np.stack([du, dv])))
    along = vectors[:, -1] @ np.stack([du, dv])
    return round(float(along.max() - along.min() + 1.0), 1)
