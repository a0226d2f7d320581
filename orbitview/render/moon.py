"""The Moon's disc, drawn pixel by pixel: its size, phase and terminator, and near the Earth's
limb the air's refraction (a flattened disc), extinction and reddening, and the Earth hiding it.

The disc's light is sunlight reflected by a grey surface. How it spreads over the disc follows
the Lommel-Seeliger law, radiance ~ mu0 / (mu0 + mu) (mu0, mu: cosines of the Sun's and the
observer's direction from the local normal), which describes the Moon's flat, limb-bright
disc (Hapke, Theory of Reflectance and Emittance Spectroscopy, 2nd ed. 2012). How bright it is in
all comes from its observed magnitude (``orbitview.moon``: Allen's phase law, which includes the
opposition surge and shadowing Lommel-Seeliger lacks): the law's disc integral, (pi / 2) Phi(a)
with Phi(a) = 1 - sin(a/2) tan(a/2) ln cot(a/4) (the law's integral phase function, same
reference), scales it so that the disc's flux is the Moon's. Its colour is the moonlight's
(``globe.lunar_rgb``, at unit luminance: the V-band flux is the luminance's).

Near the limb the disc is mapped through the air: the ray seen at angle ``e`` above the solid
limb comes from the geometric height ``orbitview.moon.refracted_above_limb_deg`` lifts to ``e``
(tabulated over the disc's height and inverted by interpolation), through the transmittance of
``airlight.line_of_sight`` along that ray; rays with ``e <= 0`` meet the ground.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from ..moon import (MOON_RADIUS_KM, REFRACTION_GRAZING_DEG, SUN_V_MAG, angle_above_limb,
                    refracted_above_limb_deg)
from .airlight import line_of_sight
from .globe import lunar_rgb
from .safety import KERNEL_OPTIONS, clamp_index
from .stars import ZERO_MAG_FLUX_DAY_SR

if TYPE_CHECKING:
    from ..view.camera import Camera
    from .compose import MoonLight

# Heights (geometric, across the disc) at which refraction and the air's transmittance are
# tabulated: the refraction's scale (8 km at a limb 2,000 km away: 0.23 deg, about the disc's
# radius) spans some 120 of them.
HEIGHT_SAMPLES = 256
# Anti-aliasing: sub-samples a pixel side, enough for about this many across the disc's radius
# (a 4.6 px Moon gets 8 x 8 a pixel), between 2 and 8.
SUBSAMPLES_PER_RADIUS = 40.0
MAX_SUBSAMPLES = 8


def lommel_seeliger_disc_integral(phase_angle_rad: float) -> float:
    """Integral of mu0 / (mu0 + mu) over the lit part of the unit disc (dx dy): (pi / 2) Phi(a)."""
    a = min(abs(phase_angle_rad), np.pi - 1e-9)
    if a < 1e-9:
        return np.pi / 2.0
    return np.pi / 2.0 * (1.0 - np.sin(a / 2.0) * np.tan(a / 2.0) * np.log(1.0 / np.tan(a / 4.0)))


def moon_flux(irradiance_ratio: float) -> float:
    """The Moon's flux (day units x sr, V band) from its irradiance over the Sun's: the flux of a
    point of magnitude ``SUN_V_MAG - 2.5 log10(ratio)``, on the stars' scale."""
    return float(ZERO_MAG_FLUX_DAY_SR * 10.0 ** (-0.4 * SUN_V_MAG) * irradiance_ratio)


def draw_moon(buf: np.ndarray, camera: Camera, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray,
              moon: MoonLight | None) -> None:
    """Add the Moon's disc to the radiance buffer ``buf`` (nothing without a Moon)."""
    if moon is None:
        return
    observer = np.asarray(observer_itrs_km, dtype=float)
    to_moon = np.asarray(moon.position_itrs_km, dtype=float) - observer
    distance = float(np.linalg.norm(to_moon))
    if not (np.all(np.isfinite(to_moon)) and distance > MOON_RADIUS_KM and moon.irradiance_ratio > 0.0):
        return
    ahead = to_moon / distance
    rho = float(np.arcsin(MOON_RADIUS_KM / distance))
    up, right = _sky_axes(observer, ahead)
    geometric_deg, limb_km = angle_above_limb(observer, ahead)
    h_c = float(np.radians(geometric_deg))
    if h_c + rho + np.radians(REFRACTION_GRAZING_DEG) <= 0.0:
        return                                  # behind the Earth, refraction and all
    to_cam = np.asarray(cam_to_itrs, dtype=float).T
    centre, jacobian = _local_projection(camera, to_cam, ahead, right, up, rho)
    if centre is None:
        return
    # The air lifts the disc's image by at most the grazing refraction: where even that box misses
    # the frame, nothing is drawn (and the refraction and the air's columns need not be computed).
    lifted = rho + np.radians(REFRACTION_GRAZING_DEG)
    if not _box_meets(buf, centre, jacobian @ np.array([[-rho, rho, -rho, rho], [-rho, -rho, lifted, lifted]])):
        return
    # Refraction and transmittance against the image's height above the limb, from the disc's
    # geometric heights.
    geometric = h_c + rho * np.linspace(-1.0, 1.0, HEIGHT_SAMPLES)
    image = np.radians(refracted_above_limb_deg(np.degrees(geometric), float(limb_km)))
    seen = np.cos(image - h_c)[None, :] * ahead[:, None] + np.sin(image - h_c)[None, :] * up[:, None]
    blocked, trans = line_of_sight(observer, seen)
    trans = np.where(blocked[:, None], 0.0, trans)
    sun = np.asarray(moon.sun_dir_itrs, dtype=float)
    sun_disc = np.array([sun @ right, sun @ up, -(sun @ ahead)])
    phase = float(np.arccos(np.clip(sun_disc[2], -1.0, 1.0)))
    scale = moon_flux(moon.irradiance_ratio) / (rho * rho * lommel_seeliger_disc_integral(phase))
    radius_px = rho * np.sqrt(abs(np.linalg.det(jacobian)))
    subsamples = int(min(MAX_SUBSAMPLES, max(2, np.ceil(SUBSAMPLES_PER_RADIUS / max(radius_px, 1e-9)))))
    corners = jacobian @ np.array([[-rho, rho, -rho, rho], [image[0] - h_c] * 2 + [image[-1] - h_c] * 2])
    _disc_kernel(buf, centre[0], centre[1], np.linalg.inv(jacobian), corners.min(axis=1), corners.max(axis=1),
                 h_c, rho, image, geometric, np.ascontiguousarray(trans), sun_disc, scale * lunar_rgb(), subsamples)


def _box_meets(buf: np.ndarray, centre: np.ndarray, corners: np.ndarray) -> bool:
    """Whether the pixel box :func:`_disc_kernel` visits for a disc of these corner offsets (2, 4)
    about ``centre`` (px; the kernel's margins, one pixel more) meets ``buf``'s image."""
    height, width = buf.shape[:2]
    lo, hi = centre + corners.min(axis=1) - 2.0, centre + corners.max(axis=1) + 3.0
    return bool(hi[0] > 0.0 and lo[0] < width and hi[1] > 0.0 and lo[1] < height)


def _sky_axes(observer: np.ndarray, ahead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit "up" (away from the Earth's centre, across the line of sight) and "right" at ``ahead``.

    Looking straight away from the Earth any "up" will do (the limb is far: no refraction)."""
    out = observer / np.linalg.norm(observer)
    up = out - (out @ ahead) * ahead
    if np.linalg.norm(up) < 1e-9:
        up = np.cross(ahead, [1.0, 0.0, 0.0] if abs(ahead[0]) < 0.9 else [0.0, 1.0, 0.0])
    up /= np.linalg.norm(up)
    return up, np.cross(up, ahead)


def _local_projection(camera: Camera, to_cam: np.ndarray, ahead: np.ndarray, right: np.ndarray, up: np.ndarray,
                      rho: float) -> tuple[np.ndarray | None, np.ndarray]:
    """The pixel of ``ahead`` and the projection's Jacobian (px per rad along ``right``, ``up``),
    by central differences one disc radius wide; (None, _) when the Moon is not in front of the camera."""
    offsets = np.array([[0.0, rho, -rho, 0.0, 0.0], [0.0, 0.0, 0.0, rho, -rho]])
    dirs = np.cos(np.hypot(*offsets)) * ahead[:, None] + np.sin(offsets[0]) * right[:, None] \
        + np.sin(offsets[1]) * up[:, None]
    px, _ = camera.project(to_cam @ dirs)
    if not np.all(np.isfinite(px)):
        return None, np.eye(2)
    jacobian = np.stack([px[:, 1] - px[:, 2], px[:, 3] - px[:, 4]], axis=1) / (2.0 * rho)
    if not abs(np.linalg.det(jacobian)) > 0.0:
        return None, jacobian
    return px[:, 0], jacobian


@njit(cache=True, **KERNEL_OPTIONS, nogil=True)
def _disc_kernel(buf, u0, v0, to_angle, box_lo, box_hi, h_c, rho, image, geometric, trans, sun, rgb, n):
    """Add the disc over its pixel box: each of ``n x n`` sub-samples a pixel is mapped to angles
    (right, up) from the centre's direction, its height above the limb ``e`` to the geometric
    height it shows (``image`` -> ``geometric``, increasing), then to the Moon's surface; the
    Lommel-Seeliger shade times the air's transmittance at ``e`` is averaged over the pixel.

    Any floats are safe: a NaN or far-away box is empty or clipped to ``buf``."""
    height, width = buf.shape[0], buf.shape[1]
    y0, y1 = clamp_index(v0 + box_lo[1] - 1.0, height), clamp_index(v0 + box_hi[1] + 2.0, height)
    x0, x1 = clamp_index(u0 + box_lo[0] - 1.0, width), clamp_index(u0 + box_hi[0] + 2.0, width)
    step = 1.0 / n
    weight = step * step
    for y in range(y0, y1):
        for x in range(x0, x1):
            r_acc, g_acc, b_acc = 0.0, 0.0, 0.0
            for j in range(n):
                dv = y + (j + 0.5) * step - v0
                for i in range(n):
                    du = x + (i + 0.5) * step - u0
                    a = to_angle[0, 0] * du + to_angle[0, 1] * dv
                    e = h_c + to_angle[1, 0] * du + to_angle[1, 1] * dv
                    if not (e > 0.0 and e >= image[0] and e <= image[-1]):
                        continue
                    g = np.interp(e, image, geometric)
                    px, py = a / rho, (g - h_c) / rho
                    r2 = px * px + py * py
                    if not r2 < 1.0:
                        continue
                    mu = np.sqrt(1.0 - r2)
                    mu0 = px * sun[0] + py * sun[1] + mu * sun[2]
                    if not mu0 > 0.0:
                        continue
                    shade = mu0 / (mu0 + mu)
                    r_acc += shade * np.interp(e, image, trans[:, 0])
                    g_acc += shade * np.interp(e, image, trans[:, 1])
                    b_acc += shade * np.interp(e, image, trans[:, 2])
            if r_acc > 0.0 or g_acc > 0.0 or b_acc > 0.0:
                buf[y, x, 0] += weight * r_acc * rgb[0]
                buf[y, x, 1] += weight * g_acc * rgb[1]
                buf[y, x, 2] += weight * b_acc * rgb[2]
