"""The air and the airglow as spherical shells, reduced to column integrals along straight rays.

The renderer works in "scaled ITRS": z multiplied by a/b, which turns the WGS84 ellipsoid into a
sphere of radius a (shells at height h become spheres of radius a + h to within h*f, 0.3 km at
100 km). A straight ray is then fixed, for the shells, by one number: its closest approach to the
centre, ``r_t``. For an observer above every shell (the ISS at ~400 km, above ``SHELL_TOP_KM``)
the column along a ray that misses the Earth is ``2 G(r_t)`` and along a ray that meets the
ground it is ``G(r_t)``, with ``G(r_t) = int_{max(r_t, a)}^inf n(r) r / sqrt(r^2 - r_t^2) dr``.
One table of ``G`` over the tangent height ``h_t = r_t - a`` serves every pixel of every frame.

Radiance is in "day units": 1 is a white Lambertian surface under the overhead Sun.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit, prange

from ..datafile import Table, load_toml
from ..earth import WGS84_A_KM, WGS84_B_KM
from ..resources import data_file
from .colour import XYZ_TO_SRGB, cmf, into_gamut, mean_y_bar, spectrum_xyz

# Rayleigh scattering at sea level for (680, 550, 440) nm and its scale height; Mie (aerosol)
# scattering, extinction/scattering ratio and scale height: Bruneton, "A qualitative and
# quantitative evaluation of 8 clear sky models" (IEEE TVCG 2017), table 1 / reference model.
RAYLEIGH_BETA_PER_KM = np.array([5.802e-3, 13.558e-3, 33.100e-3])
RAYLEIGH_SCALE_HEIGHT_KM = 8.0
MIE_BETA_PER_KM = 3.996e-3
MIE_EXTINCTION_RATIO = 1.11
MIE_SCALE_HEIGHT_KM = 1.2
MIE_ASYMMETRY_G = 0.8

# Solar irradiance in the visible (400-700 nm) ~39% of the 1361 W/m^2 total (ASTM E-490):
# the radiance of a white Lambertian surface under the overhead Sun, our radiance unit.
DAY_RADIANCE_W_M2_SR = 1361.0 * 0.39 / np.pi
DAY_BAND_NM = (400.0, 700.0)
# One rayleigh: 1e10/(4 pi) photons s^-1 m^-2 sr^-1 (Hunten, Roach & Chamberlain 1956); a photon
# carries h c / lambda (SI 2019 exact constants: 3.56e-19 J at 557.7 nm).
RAYLEIGH_PHOTONS_M2_S_SR = 1e10 / (4.0 * np.pi)
PLANCK_J_S = 6.62607015e-34
LIGHT_SPEED_M_S = 299_792_458.0


@dataclass(frozen=True)
class AirglowLayer:
    """One emitting shell (``data/airglow.toml``): peak height, Gaussian width, zenith intensity
    and spectrum (lines with their photon shares, or a continuum's relative spectral density)."""

    name: str
    peak_km: float
    sigma_km: float
    zenith_rayleigh: float
    continuum: bool
    wavelengths_nm: tuple[float, ...]
    shares: tuple[float, ...]
    source: str

    @classmethod
    def from_table(cls, table: Table) -> "AirglowLayer":
        wavelengths = table.numbers("wavelengths_nm")
        shares = table.numbers("shares", length=len(wavelengths))
        if not wavelengths or not all(300.0 <= w <= 1100.0 for w in wavelengths):
            raise table.error("wavelengths_nm", wavelengths, "wavelengths from 300 to 1100 nm")
        if min(shares) < 0.0 or sum(shares) <= 0.0:
            raise table.error("shares", shares, "numbers >= 0, not all 0")
        continuum = table.string("spectrum", choices=["lines", "continuum"]) == "continuum"
        if continuum and (len(wavelengths) < 2 or any(b <= a for a, b in zip(wavelengths, wavelengths[1:]))):
            raise table.error("wavelengths_nm", wavelengths, "at least two increasing wavelengths (a continuum)")
        layer = cls(name=table.string("name"), peak_km=table.number("peak_km", above=0.0, max=SHELL_TOP_KM),
                    sigma_km=table.number("sigma_km", above=0.0, max=SHELL_TOP_KM),
                    zenith_rayleigh=table.number("zenith_rayleigh", min=0.0), continuum=continuum,
                    wavelengths_nm=tuple(wavelengths), shares=tuple(shares), source=table.string("source"))
        if layer.peak_km + 4.0 * layer.sigma_km > SHELL_TOP_KM:
            raise table.error("sigma_km", layer.sigma_km, f"a layer within the shells: peak + 4 sigma <= {SHELL_TOP_KM:g} km")
        table.reject_unknown()
        return layer

    def xyz(self) -> np.ndarray:
        """CIE XYZ of the zenith column's radiance, W m^-2 sr^-1 weighted by the colour-matching
        functions (Y: the photometric weight before the luminous efficacy)."""
        wl = np.asarray(self.wavelengths_nm)
        share = np.asarray(self.shares)
        photon_j = PLANCK_J_S * LIGHT_SPEED_M_S / (wl * 1e-9)
        if self.continuum:       # photons per nm: shares scaled so that they integrate to the intensity
            per_nm = share / np.trapezoid(share, wl)
            watts_per_nm = self.zenith_rayleigh * RAYLEIGH_PHOTONS_M2_S_SR * per_nm * photon_j
            return spectrum_xyz(wl, watts_per_nm)
        watts = self.zenith_rayleigh * RAYLEIGH_PHOTONS_M2_S_SR * share / share.sum() * photon_j
        return watts @ cmf(wl)

    def rgb(self) -> np.ndarray:
        """Linear sRGB radiance of the zenith column in day units, brought into the sRGB gamut.

        The day unit is white at Y = 1: the sunlit white ground's DAY_RADIANCE_W_M2_SR spread flat
        over 400-700 nm, whose luminous weight is the mean of y-bar there (0.356: with 683 lm/W,
        129 klx of sunlight, against the published 133.8 klx outside the air)."""
        return into_gamut(XYZ_TO_SRGB @ self.xyz() / (DAY_RADIANCE_W_M2_SR * mean_y_bar(*DAY_BAND_NM)))


@lru_cache(maxsize=1)
def airglow_layers() -> tuple[AirglowLayer, ...]:
    """The nightglow layers of ``data/airglow.toml``, read and checked once."""
    root = load_toml(data_file("orbitview", "data/airglow.toml"))
    layers = tuple(AirglowLayer.from_table(t) for t in root.tables("layer"))
    root.reject_unknown()
    return layers


Z_SCALE = WGS84_A_KM / WGS84_B_KM    # ITRS z -> scaled z
SHELL_TOP_KM = 350.0           # above the F-region red line (250 km, sigma 25 km: 4 sigma); below the ISS
TABLE_STEP_KM = 0.1            # resolves the 1.2 km Mie scale height and the ~4 km airglow layers
_SAMPLES = 512                 # quadrature points per table entry
GAUSS_CUT_SIGMAS = 8.0         # a layer adds exp(-32) = 1e-14 of its peak beyond this: skipped


@dataclass(frozen=True)
class ShellTable:
    """Columns tabulated over tangent height ``h_t = h_min_km + step_km * i``."""

    columns: np.ndarray        # (N, k) float32
    h_min_km: float
    step_km: float


def _shell_parameters() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Airglow layers as arrays (peak, sigma, RGB radiance of the zenith column) for the kernel."""
    layers = airglow_layers()
    peak = np.array([layer.peak_km for layer in layers])
    sigma = np.array([layer.sigma_km for layer in layers])
    rgb = np.array([layer.rgb() for layer in layers])
    return peak, sigma, rgb, np.array([RAYLEIGH_SCALE_HEIGHT_KM, MIE_SCALE_HEIGHT_KM])


@njit(parallel=True, fastmath=True, cache=True)
def _integrate_shells(a, top, h_t, peak, sigma, glow_rgb, scale_heights, samples, out):
    """``G(r_t)`` per shell; r = r_t + u^2 removes the 1/sqrt singularity at the tangent point."""
    norm = 1.0 / np.sqrt(2.0 * np.pi)
    for i in prange(h_t.shape[0]):
        r_t = a + h_t[i]
        u_lo = np.sqrt(max(a - r_t, 0.0))
        u_hi = np.sqrt(max(a + top - r_t, 0.0))
        du = (u_hi - u_lo) / samples
        acc = np.zeros(5)
        for k in range(samples):
            u = u_lo + (k + 0.5) * du
            r = r_t + u * u
            h = max(r - a, 0.0)
            w = 2.0 * r / np.sqrt(r + r_t) * du
            acc[0] += w * np.exp(-h / scale_heights[0])
            acc[1] += w * np.exp(-h / scale_heights[1])
            for j in range(peak.shape[0]):
                z = (h - peak[j]) / sigma[j]
                if abs(z) < GAUSS_CUT_SIGMAS:
                    e = w * np.exp(-0.5 * z * z) * norm / sigma[j]
                    for c in range(3):
                        acc[2 + c] += e * glow_rgb[j, c]
        for c in range(5):
            out[i, c] = acc[c]


@lru_cache(maxsize=1)
def shell_table() -> ShellTable:
    """``G`` of every shell, from the centre of the Earth to ``SHELL_TOP_KM``: Rayleigh and Mie
    columns (km of sea-level air), airglow radiance RGB (day units)."""
    h_t = np.arange(-WGS84_A_KM, SHELL_TOP_KM, TABLE_STEP_KM)
    out = np.empty((len(h_t), 5), dtype=np.float32)
    _integrate_shells(WGS84_A_KM, SHELL_TOP_KM, h_t, *_shell_parameters(), _SAMPLES, out)
    return ShellTable(out, float(h_t[0]), TABLE_STEP_KM)


# Columns of the per-ray table (see ``ray_table``).
RAY_T1, RAY_GLOW, RAY_SCATTER_R, RAY_SCATTER_M, RAY_TAU1 = 0, 3, 6, 9, 12
RAY_COLUMNS = 15


@lru_cache(maxsize=1)
def ray_table() -> ShellTable:
    """What a pixel needs from its ray's tangent height, so the kernel computes no column integral.

    Columns (RGB each): ``T1`` the transmittance of one side (a ray that meets the ground; a miss
    sees ``T1**2``); the airglow radiance, whose far half of a limb ray comes through the air
    (``G (1 + T1**2)``); Rayleigh and Mie single-scattering weights ``pi beta col (1 - T) / tau``
    (to be times the phase function and the sunlight); ``tau1 = -ln T1``, so that a light's path
    of a fractional number of one-side columns costs one ``exp`` a channel. Hit (h_t < 0) and miss
    (h_t > 0) differ.
    """
    shells = shell_table()
    cols = shells.columns.astype(np.float64)
    h_t = shells.h_min_km + shells.step_km * np.arange(len(cols))
    sides = np.where(h_t < 0.0, 1.0, 2.0)[:, None]
    col_r, col_m = cols[:, 0:1], cols[:, 1:2]
    tau1 = col_r * RAYLEIGH_BETA_PER_KM + col_m * MIE_BETA_PER_KM * MIE_EXTINCTION_RATIO
    t1 = np.exp(-tau1)
    tau = sides * tau1
    thin = np.where(tau > 1e-9, -np.expm1(-tau) / np.maximum(tau, 1e-9), 1.0)
    scatter_r = np.pi * sides * col_r * RAYLEIGH_BETA_PER_KM * thin
    scatter_m = np.pi * sides * col_m * MIE_BETA_PER_KM * thin
    glow = cols[:, 2:5] * np.where(h_t[:, None] < 0.0, 1.0, 1.0 + t1 ** 2)
    table = np.concatenate([t1, glow, scatter_r, scatter_m, tau1], axis=1).astype(np.float32)
    return ShellTable(table, shells.h_min_km, shells.step_km)


def scaled(v_itrs: np.ndarray) -> np.ndarray:
    """ITRS vectors (3, ...) in the scaled frame where the ellipsoid is a sphere of radius a."""
    s = np.array([1.0, 1.0, Z_SCALE]).reshape((3,) + (1,) * (np.ndim(v_itrs) - 1))
    return np.asarray(v_itrs, dtype=np.float64) * s


def line_of_sight(observer_itrs_km: np.ndarray, dirs_itrs: np.ndarray, range_km: np.ndarray | None = None,
                  target_alt_km: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whether the Earth blocks each sight line along unit ``dirs_itrs`` (3, N), and its RGB
    transmittance (N, 3). Without ``range_km`` the targets are at infinity (stars).

    For a target inside the air the column is cut by the density at its height relative to the
    ray's lowest point (exact for a vertical ray, within tens of percent for slant ones).
    """
    o = scaled(observer_itrs_km)
    d = scaled(dirs_itrs)
    stretch = np.linalg.norm(d, axis=0)
    d = d / stretch
    n = d.shape[1]
    rng = np.full(n, np.inf) if range_km is None else np.asarray(range_km, dtype=float) * stretch
    b = o @ d
    rt2 = np.maximum(o @ o - b * b, 0.0)
    rt = np.sqrt(rt2)
    t_c = -b
    a = WGS84_A_KM
    t_hit = t_c - np.sqrt(np.maximum(a * a - rt2, 0.0))
    blocked = (t_c > 0.0) & (rt < a) & (t_hit < rng)
    sides = np.where(t_c <= 0.0, 0.0, np.where(t_c < rng, 2.0, 1.0))
    table = shell_table()
    grid = table.h_min_km + table.step_km * np.arange(len(table.columns))
    h_t = rt - a
    alt = np.zeros(n) if target_alt_km is None else np.asarray(target_alt_km, dtype=float)
    above = np.where(t_c < rng, 0.0, np.maximum(alt - np.maximum(h_t, 0.0), 0.0))
    col_r = sides * np.interp(h_t, grid, table.columns[:, 0], right=0.0) * np.exp(-above / RAYLEIGH_SCALE_HEIGHT_KM)
    col_m = sides * np.interp(h_t, grid, table.columns[:, 1], right=0.0) * np.exp(-above / MIE_SCALE_HEIGHT_KM)
    tau = np.outer(col_r, RAYLEIGH_BETA_PER_KM) + (MIE_BETA_PER_KM * MIE_EXTINCTION_RATIO * col_m)[:, None]
    return blocked, np.exp(-tau)
