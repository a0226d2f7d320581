"""The U.S. Standard Atmosphere 1976 from the ground to 1000 km, vectorised.

Source: *U.S. Standard Atmosphere, 1976*, NOAA/NASA/USAF, NASA-TM-X-74335 (October 1976).

- 0-86 km: the defining layers (geopotential height, molecular-scale temperature and its
  lapse rates, Table 4), pressure from the hydrostatic equation in closed form, density from
  the perfect-gas law. Below 80 km the molecular-scale temperature is the kinetic temperature;
  between 80 and 86 km the two differ by less than 0.05 % (the publication's M/M0 table),
  which we neglect.
- 86-1000 km: the kinetic temperature from the publication's defining piecewise functions
  (isothermal, elliptical, linear, exponential to T_inf = 1000 K); pressure and density from
  the publication's Table I values, interpolated by a monotone cubic in their logarithm (the
  full model integrates diffusion equations for six species, which the ascent does not need).
- The speed of sound uses the sea-level mean molar mass and gamma = 1.4 throughout: exact
  below 86 km; above, the flow around a vehicle is hypersonic whichever value is used.

Above 1000 km the model returns zero density and pressure (the vacuum of the ascent model).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import PchipInterpolator

from .earth import G0_M_S2

# Defining constants (NASA-TM-X-74335, section 1.2); its g0 is the standard gravity of ``earth``.
R_STAR_J_KMOL_K = 8314.32          # universal gas constant as the 1976 standard defines it
M0_KG_KMOL = 28.9644               # sea-level mean molar mass of air
R0_KM = 6356.766                   # Earth radius used for geopotential height
GAMMA_AIR = 1.4                    # ratio of specific heats of air
P0_PA = 101325.0                   # sea-level pressure (also the reference of sea-level thrust)
TOP_ALT_KM = 1000.0                # the model's upper limit

# Table 4: base geopotential height (km'), molecular-scale temperature (K), lapse rate (K/km').
_LAYER_H_KM = np.array([0.0, 11.0, 20.0, 32.0, 47.0, 51.0, 71.0, 84.8520])
_LAYER_LAPSE_K_KM = np.array([-6.5, 0.0, 1.0, 2.8, 0.0, -2.8, -2.0, 0.0])
LOWER_TOP_ALT_KM = 86.0            # geometric top of the homogeneous layers

# Table I (geometric altitude km, pressure Pa, density kg/m3) from 86 km up.
_UPPER_TABLE = np.array([
    (86.0, 3.7338e-1, 6.958e-6), (90.0, 1.8359e-1, 3.416e-6), (95.0, 7.5966e-2, 1.393e-6),
    (100.0, 3.2011e-2, 5.604e-7), (110.0, 7.1042e-3, 9.708e-8), (115.0, 4.0096e-3, 4.289e-8),
    (120.0, 2.5382e-3, 2.222e-8), (130.0, 1.2505e-3, 8.152e-9), (140.0, 7.2028e-4, 3.831e-9),
    (150.0, 4.5422e-4, 2.076e-9), (160.0, 3.0395e-4, 1.233e-9), (175.0, 1.7936e-4, 6.339e-10),
    (180.0, 1.5271e-4, 5.194e-10), (200.0, 8.4736e-5, 2.541e-10), (250.0, 2.4767e-5, 6.073e-11),
    (300.0, 8.7704e-6, 1.916e-11), (350.0, 3.4518e-6, 7.014e-12), (400.0, 1.4518e-6, 2.803e-12),
    (450.0, 6.3819e-7, 1.184e-12), (500.0, 3.0236e-7, 5.215e-13), (600.0, 8.2130e-8, 1.137e-13),
    (700.0, 3.1908e-8, 3.070e-14), (800.0, 1.7036e-8, 1.136e-14), (900.0, 1.0873e-8, 5.759e-15),
    (1000.0, 7.5138e-9, 3.561e-15),
])
_LN_P_UPPER = PchipInterpolator(_UPPER_TABLE[:, 0], np.log(_UPPER_TABLE[:, 1]))
_LN_RHO_UPPER = PchipInterpolator(_UPPER_TABLE[:, 0], np.log(_UPPER_TABLE[:, 2]))


def _layer_base_pressures() -> np.ndarray:
    """Pressure at each layer base, integrated upwards from sea level (Table 4 follows)."""
    p, t = [P0_PA], [288.15]
    for i in range(len(_LAYER_H_KM) - 1):
        dh = _LAYER_H_KM[i + 1] - _LAYER_H_KM[i]
        p.append(_layer_pressure(p[-1], t[-1], _LAYER_LAPSE_K_KM[i], dh))
        t.append(t[-1] + _LAYER_LAPSE_K_KM[i] * dh)
    return np.array(p), np.array(t)


def _layer_pressure(p_base, t_base, lapse_k_km, dh_km):
    """Hydrostatic pressure ``dh_km`` above a layer base (closed form for a linear profile)."""
    k = G0_M_S2 * M0_KG_KMOL / R_STAR_J_KMOL_K * 1000.0   # K/km' (g0 M0 / R*)
    with np.errstate(divide="ignore", invalid="ignore"):
        power = p_base * (t_base / (t_base + lapse_k_km * dh_km)) ** (k / np.where(lapse_k_km == 0, 1, lapse_k_km))
    return np.where(lapse_k_km == 0, p_base * np.exp(-k * dh_km / t_base), power)


_BASE_P_PA, _BASE_T_K = _layer_base_pressures()


def _upper_temperature_k(z_km: np.ndarray) -> np.ndarray:
    """Kinetic temperature above 86 km from the defining functions (section 1.2.5)."""
    elliptic = 263.1905 - 76.3232 * np.sqrt(np.clip(1.0 - ((z_km - 91.0) / 19.9429) ** 2, 0.0, 1.0))
    xi = (z_km - 120.0) * (R0_KM + 120.0) / (R0_KM + z_km)
    exponential = 1000.0 - 640.0 * np.exp(-0.01875 * xi)
    return np.select([z_km < 91.0, z_km < 110.0, z_km < 120.0],
                     [np.full_like(z_km, 186.8673), elliptic, 240.0 + 12.0 * (z_km - 110.0)],
                     exponential)


def properties(alt_km) -> dict[str, np.ndarray]:
    """Temperature (K), pressure (Pa), density (kg/m3) and speed of sound (m/s) at ``alt_km``.

    ``alt_km`` is the geometric height above sea level (any shape); values below 0 km take
    sea-level conditions, values above 1000 km are vacuum (zero pressure and density).
    """
    z = np.clip(np.asarray(alt_km, dtype=float), 0.0, None)
    h = R0_KM * z / (R0_KM + z)                                   # geopotential height, km'
    i = np.clip(np.searchsorted(_LAYER_H_KM, h, side="right") - 1, 0, len(_LAYER_H_KM) - 1)
    dh = h - _LAYER_H_KM[i]
    t_low = _BASE_T_K[i] + _LAYER_LAPSE_K_KM[i] * dh
    p_low = _layer_pressure(_BASE_P_PA[i], _BASE_T_K[i], _LAYER_LAPSE_K_KM[i], dh)
    upper = z >= LOWER_TOP_ALT_KM
    z_up = np.clip(z, LOWER_TOP_ALT_KM, TOP_ALT_KM)
    t = np.where(upper, _upper_temperature_k(z_up), t_low)
    p = np.where(upper, np.exp(_LN_P_UPPER(z_up)), p_low)
    rho = np.where(upper, np.exp(_LN_RHO_UPPER(z_up)), p_low * M0_KG_KMOL / (R_STAR_J_KMOL_K * t_low))
    vacuum = z > TOP_ALT_KM
    p, rho = np.where(vacuum, 0.0, p), np.where(vacuum, 0.0, rho)
    sound = np.sqrt(GAMMA_AIR * R_STAR_J_KMOL_K / M0_KG_KMOL * t)
    return {"temperature_k": t, "pressure_pa": p, "density_kg_m3": rho, "speed_of_sound_m_s": sound}


def density_kg_m3(alt_km) -> np.ndarray:
    return properties(alt_km)["density_kg_m3"]


def pressure_pa(alt_km) -> np.ndarray:
    return properties(alt_km)["pressure_pa"]


def temperature_k(alt_km) -> np.ndarray:
    return properties(alt_km)["temperature_k"]


def speed_of_sound_m_s(alt_km) -> np.ndarray:
    return properties(alt_km)["speed_of_sound_m_s"]


class FastAtmosphere:
    """Scalar look-ups for ODE right-hand sides, where numpy's per-call overhead dominates.

    The exact model is sampled once every ``step_km``; look-ups interpolate linearly in the
    logarithm of pressure and density (exact for an isothermal layer) and linearly in the
    speed of sound. With 50 m steps the error is below 1e-4 relative (``tests/test_atmosphere``).
    """

    def __init__(self, step_km: float = 0.05):
        self.step_km = step_km
        alt = np.arange(0.0, TOP_ALT_KM + step_km, step_km)
        table = properties(alt)
        self._ln_p = np.log(table["pressure_pa"]).tolist()
        self._ln_rho = np.log(table["density_kg_m3"]).tolist()
        self._sound = table["speed_of_sound_m_s"].tolist()
        self._last = len(alt) - 2

    def at(self, alt_km: float) -> tuple[float, float, float]:
        """Density (kg/m3), pressure (Pa) and speed of sound (m/s) at one altitude."""
        if alt_km >= TOP_ALT_KM:
            return 0.0, 0.0, self._sound[-1]
        x = alt_km / self.step_km if alt_km > 0.0 else 0.0
        i = min(int(x), self._last)
        w = x - i
        rho = math.exp(self._ln_rho[i] + w * (self._ln_rho[i + 1] - self._ln_rho[i]))
        p = math.exp(self._ln_p[i] + w * (self._ln_p[i + 1] - self._ln_p[i]))
        return rho, p, self._sound[i] + w * (self._sound[i + 1] - self._sound[i])
