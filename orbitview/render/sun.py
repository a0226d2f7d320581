"""The Sun's disc, drawn pixel by pixel: its size, limb darkening, the air's extinction and
reddening along each ray near the Earth's limb, and the Earth hiding it.

The disc is the source of the daylight the rest of the renderer works in: its radiance integrated
over its solid angle is the irradiance 1 that makes a white Lambertian surface's radiance 1 (the
day unit, ``airlight``), so its mean radiance is pi / Omega = 1 / rho^2 day units (rho its angular
radius in radians): some 46,000 at 1 au. At any exposure that lets a sunlit scene show, that is
thousands of times the sensor's full well: the disc saturates, and the camera's glare wing
(``sensor.apply_sensor``, run after this on the whole buffer) spreads a few per cent of it across
the frame, the veiling glare of a picture taken into the Sun.

Not modelled: the flattening of the disc by refraction at the limb (at most 0.5 deg of its 0.53
deg height, a few pixels at 24 mm; ``render.moon`` draws it for the Moon), and the glare of a Sun
just outside the frame (the wing is spread from the pixels the image holds).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from skyfield.constants import AU_KM

from ..skydata import SUN_RADIUS_KM
from .airlight import line_of_sight

if TYPE_CHECKING:
    from ..view.camera import Camera

# The day unit is the irradiance at 1 au (IAU 2012 B2), where the disc's angular radius is 959.6".
SUN_ANGULAR_RADIUS_RAD = float(np.arcsin(SUN_RADIUS_KM / AU_KM))
# Linear limb darkening I(mu) / I(1) = 1 - u (1 - mu), u = 0.6 near 550 nm (Allen, Astrophysical
# Quantities, 3rd ed. 1973, sec. 81: u = 0.56 at 600 nm, 0.71 at 450 nm; one grey value [est], the
# disc's colour is white, the day unit's). Its disc mean is 1 - u / 3.
LIMB_DARKENING_U = 0.6
# Sub-samples a pixel side: the disc's edge (a 6-7 px radius at 24 mm, 1920 px wide) anti-aliased
# to 1/8 of a pixel. A disc stretched over many pixels (a wide pinhole lens near its edge) is
# sampled more coarsely, so that the work stays within MAX_SAMPLES rays.
SUBSAMPLES = 8
MAX_SAMPLES = 262_144


def sun_disc_radiance_centre() -> float:
    """The radiance at the disc's centre (day units): the mean 1 / rho^2 over the limb-darkened mean."""
    return 1.0 / (SUN_ANGULAR_RADIUS_RAD ** 2 * (1.0 - LIMB_DARKENING_U / 3.0))


def draw_sun(buf: np.ndarray, camera: "Camera", cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray,
             sun_dir_itrs: np.ndarray) -> None:
    """Add the Sun's disc seen from the observer to the radiance buffer ``buf`` (H, W, 3): nothing
    when it is out of frame or behind the Earth. The Sun is at infinity: its direction is the same
    from the observer as from the Earth's centre (8.8" of parallax at most)."""
    ahead = np.asarray(sun_dir_itrs, dtype=float)
    ahead = ahead / np.linalg.norm(ahead)
    to_cam = np.asarray(cam_to_itrs, dtype=float).T
    rho = SUN_ANGULAR_RADIUS_RAD
    # The disc's pixel box: the centre and four points on its rim.
    side = np.cross(ahead, [0.0, 0.0, 1.0] if abs(ahead[2]) < 0.9 else [1.0, 0.0, 0.0])
    side /= np.linalg.norm(side)
    other = np.cross(ahead, side)
    rim = [np.cos(rho) * ahead + np.sin(rho) * s * axis for axis in (side, other) for s in (-1.0, 1.0)]
    px, _ = camera.project(to_cam @ np.stack([ahead, *rim], axis=1))
    if not np.all(np.isfinite(px)):
        return                                          # behind a pinhole camera's image plane
    height, width = buf.shape[:2]
    x0, x1 = int(np.clip(np.floor(px[0].min()) - 1, 0, width)), int(np.clip(np.ceil(px[0].max()) + 2, 0, width))
    y0, y1 = int(np.clip(np.floor(px[1].min()) - 1, 0, height)), int(np.clip(np.ceil(px[1].max()) + 2, 0, height))
    if x0 >= x1 or y0 >= y1:
        return
    n = int(np.clip(np.sqrt(MAX_SAMPLES / ((x1 - x0) * (y1 - y0))), 1, SUBSAMPLES))
    step = (np.arange(n) + 0.5) / n
    u = (np.arange(x0, x1)[:, None] + step[None, :]).ravel()
    v = (np.arange(y0, y1)[:, None] + step[None, :]).ravel()
    uu, vv = np.meshgrid(u, v)
    dirs = np.asarray(cam_to_itrs, dtype=float) @ camera.ray(np.array([uu.ravel(), vv.ravel()]))
    off = np.arccos(np.clip(ahead @ dirs, -1.0, 1.0)) / rho
    inside = np.flatnonzero(off < 1.0)
    if inside.size == 0:
        return
    blocked, trans = line_of_sight(np.asarray(observer_itrs_km, dtype=float), dirs[:, inside])
    mu = np.sqrt(1.0 - off[inside] ** 2)
    light = np.zeros((uu.size, 3))
    light[inside] = (np.where(blocked, 0.0, sun_disc_radiance_centre() * (1.0 - LIMB_DARKENING_U * (1.0 - mu)))[:, None]
                     * trans)
    # Mean over each pixel's sub-samples: (rows, n, cols, n, 3) -> (rows, cols, 3).
    per_pixel = light.reshape(y1 - y0, n, x1 - x0, n, 3).mean(axis=(1, 3))
    buf[y0:y1, x0:x1] += per_pixel.astype(buf.dtype)
