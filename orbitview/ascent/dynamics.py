"""Forces on a point mass in the launch frame: J2 gravity, drag in the turning air, heating.

Scalar functions use ``math`` on floats: they sit inside ODE right-hand sides, called tens of
thousands of times, where numpy's per-call overhead would dominate. Units: km, km/s, kg, s.
"""
from __future__ import annotations

import math

import numpy as np

from ..atmosphere import FastAtmosphere, density_kg_m3
from ..earth import (EARTH_ROTATION_RAD_S, GM_EARTH_KM3_S2, J2_EARTH, WGS84_A_KM, WGS84_B_KM, spin_km_s,
                     spin_xy_km_s)

# Sutton & Graves (1971), NASA TR R-376: stagnation-point convective heating in air,
# q = k sqrt(rho / R_n) v^3 with q in W/m2, rho in kg/m3, R_n in m, v in m/s.
SUTTON_GRAVES_K_AIR = 1.7415e-4
# "Burning" seen from orbit: the heat flux whose radiative-equilibrium wall temperature
# (q = eps sigma T^4) reaches the melting point of aluminium (933.47 K, CRC Handbook), with
# emissivity 0.8 [est] for an oxidised, sooty stage: ~34 kW/m2. The core's aluminium-alloy
# skin glows and starts to melt and shed from there on.
STEFAN_BOLTZMANN_W_M2_K4 = 5.670374419e-8   # CODATA 2018
ALUMINIUM_MELTING_K = 933.47
STAGE_EMISSIVITY = 0.8
HEATING_ONSET_W_M2 = STAGE_EMISSIVITY * STEFAN_BOLTZMANN_W_M2_K4 * ALUMINIUM_MELTING_K**4

ATMOSPHERE = FastAtmosphere()
_AB = WGS84_A_KM * WGS84_B_KM
_A2, _B2 = WGS84_A_KM**2, WGS84_B_KM**2
_J2_FACTOR = 1.5 * J2_EARTH * WGS84_A_KM**2


def gravity(x: float, y: float, z: float) -> tuple[float, float, float]:
    """Point-mass plus J2 acceleration (km/s2); z is the Earth's axis."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    k = -GM_EARTH_KM3_S2 / (r2 * r)
    j = _J2_FACTOR / r2
    zz = 5.0 * z * z / r2
    kxy = k * (1.0 + j * (1.0 - zz))
    return kxy * x, kxy * y, k * (1.0 + j * (3.0 - zz)) * z


def potential(r_km: np.ndarray) -> np.ndarray:
    """Gravitational potential energy per unit mass (km2/s2) of :func:`gravity`, ``(3, ...)``."""
    r = np.linalg.norm(r_km, axis=0)
    sin2 = (r_km[2] / r) ** 2
    return -GM_EARTH_KM3_S2 / r * (1.0 - 0.5 * J2_EARTH * (WGS84_A_KM / r) ** 2 * (3.0 * sin2 - 1.0))


def orbital_energy(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    """Specific mechanical energy in the inertial launch frame: conserved in a vacuum coast."""
    return 0.5 * np.sum(v_km_s**2, axis=0) + potential(r_km)


def jacobi_energy(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    """Energy in the Earth-turning frame (Jacobi integral): drag in the turning air only lowers it."""
    v_rel = v_km_s - spin_km_s(r_km)
    centrifugal = 0.5 * EARTH_ROTATION_RAD_S**2 * (r_km[0] ** 2 + r_km[1] ** 2)
    return 0.5 * np.sum(v_rel**2, axis=0) + potential(r_km) - centrifugal


def altitude_km(x: float, y: float, z: float) -> float:
    """Height above the WGS84 ellipsoid along the radius (within 1 m of the geodetic height below 300 km)."""
    rho2 = x * x + y * y
    r = math.sqrt(rho2 + z * z)
    return r - _AB * r / math.sqrt(_B2 * rho2 + _A2 * z * z)


def altitude_km_array(r_km: np.ndarray) -> np.ndarray:
    """:func:`altitude_km` for ``(3, ...)`` arrays."""
    rho2 = r_km[0] ** 2 + r_km[1] ** 2
    r = np.sqrt(rho2 + r_km[2] ** 2)
    return r - _AB * r / np.sqrt(_B2 * rho2 + _A2 * r_km[2] ** 2)


def air_relative(x: float, y: float, z: float, vx: float, vy: float, vz: float) -> tuple[float, float, float]:
    """Velocity relative to the air turning with the Earth (km/s)."""
    sx, sy = spin_xy_km_s(x, y)
    return vx - sx, vy - sy, vz


def stagnation_heat_flux_w_m2(rho_kg_m3, speed_m_s, nose_radius_m: float):
    """Sutton-Graves stagnation-point heat flux (W/m2) from the air density and the air-relative
    speed; floats (in event functions) or arrays alike."""
    return SUTTON_GRAVES_K_AIR * np.sqrt(rho_kg_m3 / nose_radius_m) * speed_m_s**3


def heat_flux_w_m2(r_km: np.ndarray, v_km_s: np.ndarray, nose_radius_m: float) -> np.ndarray:
    """Sutton-Graves stagnation-point heat flux (W/m2) for launch-frame states ``(3, ...)``."""
    return stagnation_heat_flux_w_m2(density_kg_m3(altitude_km_array(r_km)), _air_speed_m_s(r_km, v_km_s),
                                     nose_radius_m)


def _air_speed_m_s(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v_km_s - spin_km_s(r_km), axis=0) * 1000.0


def dynamic_pressure_pa(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    """1/2 rho V^2 (Pa) against the air turning with the Earth, for launch-frame states ``(3, ...)``."""
    return 0.5 * density_kg_m3(altitude_km_array(r_km)) * _air_speed_m_s(r_km, v_km_s) ** 2
