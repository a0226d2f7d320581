"""The rocket, its plume and the bodies it sheds, as light sources in the frame.

* A burning engine is a bright point whose flux scales with thrust (a Soyuz at full thrust seen
  from ~1,000 km shines like a magnitude -4 star in the night photographs).
* The exhaust clouds it leaves (``orbitview.exhaust``, which also sizes them: the plume expands
  until its pressure meets the air's; kind ``"exhaust"``) scatter sunlight by their particles'
  cross-section: over dark ground at dusk they shine (the Soyuz MS-15 photograph).
* Spent stages and fairings reflect sunlight by their side-on area and albedo (dim points); with
  ``style.body_marker_mag`` an unlit body still shows as a faint marker.
* A falling stage glows in proportion to its aerodynamic heat flux.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .airlight import DAY_RADIANCE_W_M2_SR, line_of_sight
from .sprites import peak_radiance
from .stars import STAR_PSF_SIGMA_PX, ZERO_MAG_FLUX_DAY_SR

FLAME_REFERENCE_THRUST_N = 4.0e6
FLAME_REFERENCE_RANGE_KM = 1000.0
FLAME_REFERENCE_MAG = -4.0
FLAME_RGB = np.array([1.00, 0.85, 0.62])
PLUME_RGB = np.array([0.95, 0.97, 1.00])
# Fraction of the aerodynamic heating radiated as visible light by a tumbling stage (incandescence
# and ablation products; an order-of-magnitude figure) and its colour (~1,800 K).
GLOW_VISIBLE_EFFICIENCY = 0.01
GLOW_RGB = np.array([1.00, 0.55, 0.22])
GLOW_TRAIL_ELONGATION = 3.0
SOLAR_VISIBLE_IRRADIANCE_W_M2 = DAY_RADIANCE_W_M2_SR * np.pi


@dataclass(frozen=True)
class SceneObject:
    """A body to draw: position (ITRS km), engine thrust (N), heat flux (W/m^2), sunlit fraction,
    side-on area (m^2) and albedo (what sunlight and entry heating make of it)."""

    name: str
    kind: str
    itrs_km: np.ndarray
    thrust_n: float = 0.0
    heat_flux_w_m2: float = 0.0
    sunlit: float = 0.0
    alt_km: float = 0.0
    velocity_itrs_kms: np.ndarray | None = None   # orients the glowing trail
    radius_km: float = 0.0                        # an exhaust cloud's radius
    cross_section_m2: float = 0.0                 # ... and its particles' scattering cross-section
    area_m2: float = 0.0                          # side-on (length x diameter), from the vehicle file
    albedo: float = 0.0                           # ... and its surface's


def exhaust_flux(cross_section_m2: float, radius_km: float, sunlit: float, range_km: float) -> float:
    """Flux (day units x sr) of sunlight scattered by an exhaust cloud, isotropically.

    The particles' cross-section counts up to the cloud's own disc: a dense young cloud shadows
    itself (optical depth tau = sigma / (pi r^2); effective area pi r^2 (1 - exp(-tau)))."""
    disc_m2 = np.pi * (radius_km * 1000.0) ** 2
    area = disc_m2 * -np.expm1(-cross_section_m2 / disc_m2)
    return float(area * sunlit / (4.0 * (range_km * 1000.0) ** 2))


def flame_flux(thrust_n: float, range_km: float) -> float:
    """Flux (day units x sr) of a burning engine."""
    ref = ZERO_MAG_FLUX_DAY_SR * 10.0 ** (-0.4 * FLAME_REFERENCE_MAG)
    return ref * thrust_n / FLAME_REFERENCE_THRUST_N * (FLAME_REFERENCE_RANGE_KM / range_km) ** 2


def object_sprites(camera, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, objects,
                   body_marker_mag: float | None) -> tuple[np.ndarray, ...]:
    """Sprites (u, v, s_major, s_minor, angle, peak RGB) of every visible object."""
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
    for k, obj in enumerate(objects):
        if blocked[k] or not np.all(np.isfinite(px[:, k])):
            continue
        u, v = px[:, k]
        angle = _trail_angle(camera, cam_to_itrs, dirs[:, k], obj.velocity_itrs_kms)
        rng_m = rng[k] * 1000.0
        psf = STAR_PSF_SIGMA_PX
        if obj.kind == "exhaust":
            s = max(obj.radius_km / rng[k] / camera.pixel_scale_rad / 2.0, psf)
            flux = exhaust_flux(obj.cross_section_m2, obj.radius_km, obj.sunlit, rng[k])
            sprites.append((u, v, s, s, 0.0, PLUME_RGB * trans[k] * peak_radiance(flux, s, s, omega)))
            continue
        area, albedo = obj.area_m2, obj.albedo
        if obj.thrust_n > 0.0:
            flux = flame_flux(obj.thrust_n, rng[k])
            sprites.append((u, v, psf, psf, 0.0, FLAME_RGB * trans[k] * peak_radiance(flux, psf, psf, omega)))
        else:
            flux = albedo * area / (4.0 * rng_m ** 2) * obj.sunlit
            if body_marker_mag is not None:
                flux = max(flux, ZERO_MAG_FLUX_DAY_SR * 10.0 ** (-0.4 * body_marker_mag))
            sprites.append((u, v, psf, psf, 0.0, np.full(3, 1.0) * trans[k] * peak_radiance(flux, psf, psf, omega)))
        if obj.heat_flux_w_m2 > 0.0:
            flux = GLOW_VISIBLE_EFFICIENCY * obj.heat_flux_w_m2 * area / (rng_m ** 2 * SOLAR_VISIBLE_IRRADIANCE_W_M2)
            major = psf * (GLOW_TRAIL_ELONGATION if obj.velocity_itrs_kms is not None else 1.0)
            sprites.append((u, v, major, psf, angle, GLOW_RGB * trans[k] * peak_radiance(flux, major, psf, omega)))
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
