"""Spent stages and jettisoned parts falling back: gravity (J2) and drag in the turning air.

A falling part tumbles, so its drag is summarised by one ballistic coefficient
beta = m / (Cd A) from the vehicle file (constant with Mach: for a tumbling body the hypersonic
and subsonic coefficients differ by less than the uncertainty in its mean projected area).
The fall ends at the ellipsoid (terrain heights of the down-range zones, a few hundred metres,
are neglected) or at the end of the scene.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from ..earth import KARMAN_LINE_KM
from .dynamics import ATMOSPHERE, HEATING_ONSET_W_M2, air_relative, altitude_km, gravity, stagnation_heat_flux_w_m2
from .launchframe import LaunchFrame
from .track import Track

# Position and velocity tolerances for the falls (km, km/s).
ATOL = np.array([1e-6] * 3 + [1e-9] * 3)


@dataclass
class Fall:
    track: Track
    impact_t_s: float | None
    entry_t_s: float | None        # first descent through the Karman line ("entry")
    heating_t_s: float | None      # first rise of the stagnation heat flux above HEATING_ONSET_W_M2


def _heat_flux(y: np.ndarray, nose_radius_m: float) -> float:
    rho, _, _ = ATMOSPHERE.at(altitude_km(y[0], y[1], y[2]))
    vx, vy, vz = air_relative(*y)
    speed_m_s = 1000.0 * math.sqrt(vx * vx + vy * vy + vz * vz)
    return stagnation_heat_flux_w_m2(rho, speed_m_s, nose_radius_m)


def fall(t0_s: float, r_km: np.ndarray, v_km_s: np.ndarray, mass_kg: float,
         ballistic_kg_m2: float | None, nose_radius_m: float, end_t_s: float,
         start_itrs_km: np.ndarray, rtol: float = 1e-9, max_step_s: float = 20.0) -> Fall:
    """Propagate one part from its separation state to the ground or to ``end_t_s``.

    ``ballistic_kg_m2=None`` coasts in a vacuum (gravity only).
    """
    drag_factor = 0.0 if ballistic_kg_m2 is None else 500.0 / ballistic_kg_m2   # 0.5 rho V v / beta, in km/s2

    def rhs(t, y):
        x, yy, z, vx, vy, vz = y
        gx, gy, gz = gravity(x, yy, z)
        if drag_factor:
            rho, _, _ = ATMOSPHERE.at(altitude_km(x, yy, z))
            wx, wy, wz = air_relative(x, yy, z, vx, vy, vz)
            k = -drag_factor * rho * math.sqrt(wx * wx + wy * wy + wz * wz)
            gx, gy, gz = gx + k * wx, gy + k * wy, gz + k * wz
        return [vx, vy, vz, gx, gy, gz]

    def impact(t, y):
        return altitude_km(y[0], y[1], y[2])
    impact.terminal, impact.direction = True, -1

    def entry(t, y):
        return altitude_km(y[0], y[1], y[2]) - KARMAN_LINE_KM
    entry.direction = -1

    def heating(t, y):
        return _heat_flux(y, nose_radius_m) - HEATING_ONSET_W_M2
    heating.direction = 1

    y0 = np.concatenate([r_km, v_km_s])
    sol = solve_ivp(rhs, (t0_s, end_t_s), y0, method="RK45", rtol=rtol, atol=ATOL,
                    events=[impact, entry, heating], max_step=max_step_s)
    accel = np.array([rhs(t, y)[3:] for t, y in zip(sol.t, sol.y.T)]).T
    landed = sol.status == 1
    rest = LaunchFrame.to_itrs(sol.t[-1], sol.y[:3, -1:], sol.y[3:, -1:])[0][:, 0] if landed else None
    n = len(sol.t)
    track = Track(sol.t, sol.y[:3], sol.y[3:], accel, np.full(n, mass_kg), np.zeros(n), start_itrs_km, rest)
    first = lambda times: float(times[0]) if len(times) else None  # noqa: E731
    return Fall(track, float(sol.t[-1]) if landed else None, first(sol.t_events[1]), first(sol.t_events[2]))
