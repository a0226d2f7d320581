"""The rocket, its plume and the bodies it sheds, as light sources in the frame.

The renderer draws the light it is given (``orbitview.rocketlight`` computes it from the flight):

* ``"flame"``: a point emitting ``light_w`` of visible light, a blackbody's colour at
  ``temperature_k``;
* ``"glow"``: a glowing volume of radius ``radius_km`` (the afterburning plume, a staging flash);
* ``"entry_glow"``: a falling stage's glow, a short trail along its velocity;
* ``"exhaust"``: an exhaust cloud (``orbitview.exhaust``) scattering sunlight by its particles'
  cross-section, mostly forwards (a Henyey-Greenstein phase): over dark ground at dusk it shines
  (the Soyuz MS-15 photograph), and seen near the Sun it shines against a sunlit view (Soyuz MS-11);
* any other kind is a body reflecting sunlight by its side-on area and albedo (dim points); with
  ``style.body_marker_mag`` an unlit body still shows as a faint marker.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..exhaust import ASYMMETRY_G
from .airlight import DAY_RADIANCE_W_M2_SR, line_of_sight
from .sprites import peak_radiance
from .stars import STAR_PSF_SIGMA_PX, ZERO_MAG_FLUX_DAY_SR

PLUME_RGB = np.array([0.95, 0.97, 1.00])
GLOW_TRAIL_ELONGATION = 3.0
# CIE 1931 XYZ to linear sRGB (IEC 61966-2-1, D65).
XYZ_TO_LINEAR_SRGB = np.array([[3.2406, -1.5372, -0.4986], [-0.9689, 1.8758, 0.0415], [0.0557, -0.2040, 1.0570]])


@dataclass(frozen=True)
class SceneObject:
    """A thing to draw: position (ITRS km), the visible light it emits (W, isotropically) and its
    colour temperature, its sunlit fraction, side-on area (m^2) and albedo."""

    name: str
    kind: str
    itrs_km: np.ndarray
    light_w: float = 0.0
    temperature_k: float = 0.0
    sunlit: float = 0.0
    alt_km: float = 0.0
    velocity_itrs_kms: np.ndarray | None = None   # orients the glowing trail
    radius_km: float = 0.0                        # an exhaust cloud's or a glowing volume's radius
    cross_section_m2: float = 0.0                 # ... and its particles' scattering cross-section
    area_m2: float = 0.0                          # side-on (length x diameter), from the vehicle file
    albedo: float = 0.0                           # ... and its surface's


def exhaust_flux(cross_section_m2: float, radius_km: float, sunlit: float, range_km: float,
                 phase: float = 1.0) -> float:
    """Flux (day units x sr) of sunlight scattered by an exhaust cloud: isotropically, times
    ``phase`` (:func:`scattering_phase`: the share sent towards the observer over the isotropic one).

    The particles' cross-section counts up to the cloud's own disc: a dense young cloud shadows
    itself (optical depth tau = sigma / (pi r^2); effective area pi r^2 (1 - exp(-tau)))."""
    disc_m2 = np.pi * (radius_km * 1000.0) ** 2
    area = disc_m2 * -np.expm1(-cross_section_m2 / disc_m2)
    return float(area * sunlit * phase / (4.0 * (range_km * 1000.0) ** 2))


def scattering_phase(cos_scatter: np.ndarray, g: float = ASYMMETRY_G) -> np.ndarray:
    """4 pi times the Henyey-Greenstein phase function at the scattering angle's cosine (1: light
    carried straight on, the observer looking towards the Sun through the cloud): 1 for isotropic
    scattering, its mean over all directions is 1 for any ``g``."""
    q = 1.0 + g * g - 2.0 * g * np.asarray(cos_scatter, dtype=float)
    return (1.0 - g * g) / (q * np.sqrt(q))


def emitted_flux(light_w: float, range_km: float) -> float:
    """Flux (day units x sr) of ``light_w`` of visible light emitted isotropically, at ``range_km``."""
    return float(light_w / (4.0 * np.pi * (range_km * 1000.0) ** 2) / DAY_RADIANCE_W_M2_SR)


def _cie_xyz(wavelength_nm: np.ndarray) -> np.ndarray:
    """CIE 1931 2-degree colour matching functions, the multi-lobe fit of Wyman, Sloan & Shirley
    (J. Computer Graphics Techniques 2, 1, 2013), (3, N)."""
    def lobe(mu: float, below: float, above: float) -> np.ndarray:
        d = (wavelength_nm - mu) * np.where(wavelength_nm < mu, below, above)
        return np.exp(-0.5 * d * d)
    x = 1.056 * lobe(599.8, 0.0264, 0.0323) + 0.362 * lobe(442.0, 0.0624, 0.0374) - 0.065 * lobe(501.1, 0.0490, 0.0382)
    y = 0.821 * lobe(568.8, 0.0213, 0.0247) + 0.286 * lobe(530.9, 0.0613, 0.0322)
    z = 1.217 * lobe(437.0, 0.0845, 0.0278) + 0.681 * lobe(459.0, 0.0385, 0.0725)
    return np.array([x, y, z])


@lru_cache(maxsize=64)
def _blackbody_rgb(temperature_k: float) -> tuple[float, float, float]:
    wavelength_nm = np.linspace(380.0, 780.0, 401)
    planck = 1.0 / (wavelength_nm ** 5 * np.expm1(1.4388e7 / (wavelength_nm * temperature_k)))
    rgb = np.clip(XYZ_TO_LINEAR_SRGB @ (_cie_xyz(wavelength_nm) @ planck), 0.0, None)
    return tuple(rgb / rgb.max())


def blackbody_rgb(temperature_k: float) -> np.ndarray:
    """Linear sRGB colour of a blackbody at ``temperature_k`` (its brightest channel 1): the hue of
    a flame or a glow; any non-finite or non-positive temperature draws white."""
    if not (np.isfinite(temperature_k) and 100.0 <= temperature_k <= 1e6):
        return np.ones(3)
    return np.array(_blackbody_rgb(round(float(temperature_k), 1)))


def cloud_sigma_px(radius_km: float, range_km: float, pixel_scale_rad: float) -> float:
    """Gaussian sigma (px) drawing a cloud of ``radius_km``: half its radius, at least a star's."""
    return max(radius_km / range_km / pixel_scale_rad / 2.0, STAR_PSF_SIGMA_PX)


def object_sprites(camera, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, objects,
                   body_marker_mag: float | None, sun_dir_itrs: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Sprites (u, v, s_major, s_minor, angle, peak RGB) of every visible object; exhaust clouds
    scatter forwards, by their angle from the Sun (``sun_dir_itrs``; None: isotropically)."""
    sprites: list[tuple] = []
    if not objects:
        return _stack(sprites)
    omega = camera.pixel_scale_rad ** 2
    pos = np.array([np.asarray(o.itrs_km, dtype=float) for o in objects]).T
    rel = pos - np.asarray(observer_itrs_km, dtype=float)[:, None]
    rng = np.linalg.norm(rel, axis=0)
    dirs = rel / rng
    blocked, trans = line_of_sight(observer_itrs_km, dirs, rng, [o.alt_km for o in objects])
    px, _ = camera.project(cam_to_itrs.T @ dirs)
    # Sunlight travels along -sun; scattered towards the observer along -dirs.
    phase = np.ones(rng.size) if sun_dir_itrs is None else scattering_phase(
        np.asarray(sun_dir_itrs, dtype=float) @ dirs / np.linalg.norm(sun_dir_itrs))
    for k, obj in enumerate(objects):
        if blocked[k] or not np.all(np.isfinite(px[:, k])):
            continue
        u, v = px[:, k]
        psf = STAR_PSF_SIGMA_PX
        if obj.kind in ("exhaust", "glow"):
            s = cloud_sigma_px(obj.radius_km, rng[k], camera.pixel_scale_rad)
            if obj.kind == "exhaust":
                flux, rgb = exhaust_flux(obj.cross_section_m2, obj.radius_km, obj.sunlit, rng[k],
                                         float(phase[k])), PLUME_RGB
            else:
                flux, rgb = emitted_flux(obj.light_w, rng[k]), blackbody_rgb(obj.temperature_k)
            sprites.append((u, v, s, s, 0.0, rgb * trans[k] * peak_radiance(flux, s, s, omega)))
        elif obj.kind in ("flame", "entry_glow"):
            trail = obj.kind == "entry_glow" and obj.velocity_itrs_kms is not None
            major = psf * (GLOW_TRAIL_ELONGATION if trail else 1.0)
            angle = _trail_angle(camera, cam_to_itrs, dirs[:, k], obj.velocity_itrs_kms) if trail else 0.0
            rgb = blackbody_rgb(obj.temperature_k) * trans[k]
            sprites.append((u, v, major, psf, angle, rgb * peak_radiance(emitted_flux(obj.light_w, rng[k]), major, psf, omega)))
        else:
            flux = obj.albedo * obj.area_m2 / (4.0 * (rng[k] * 1000.0) ** 2) * obj.sunlit
            if body_marker_mag is not None:
                flux = max(flux, ZERO_MAG_FLUX_DAY_SR * 10.0 ** (-0.4 * body_marker_mag))
            sprites.append((u, v, psf, psf, 0.0, np.full(3, 1.0) * trans[k] * peak_radiance(flux, psf, psf, omega)))
    return _stack(sprites)


def _trail_angle(camera, cam_to_itrs: np.ndarray, dir_itrs: np.ndarray, velocity_itrs_kms) -> float:
    """Image angle (rad) of the body's motion, along which its plume or trail stretches."""
    if velocity_itrs_kms is None:
        return 0.0
    step = dir_itrs + 1e-3 * np.asarray(velocity_itrs_kms, dtype=float) / max(np.linalg.norm(velocity_itrs_kms), 1e-9)
    p, _ = camera.project(cam_to_itrs.T @ np.stack([dir_itrs, step], axis=1))
    d = p[:, 1] - p[:, 0]
    return float(np.arctan2(d[1], d[0])) if np.all(np.isfinite(d)) else 0.0


def _stack(sprites: list[tuple]) -> tuple[np.ndarray, ...]:
    if not sprites:
        return tuple(np.zeros(0) for _ in range(5)) + (np.zeros((0, 3)),)
    cols = list(zip(*sprites))
    return tuple(np.array(c, dtype=float) for c in cols[:5]) + (np.array(cols[5], dtype=float),)
