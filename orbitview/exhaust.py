"""The exhaust a burning rocket leaves behind: clouds that drift, spread and, at dusk, shine.

Each puff is the exhaust of ``PUFF_INTERVAL_S`` of burn (mass = thrust x interval / exhaust
velocity, the exhaust velocity being the thrust-weighted vacuum Isp x g0 of the engines firing
at the emission instant, from the vehicle file). What scatters sunlight is its condensed part, water ice and soot: ``CONDENSED_FRACTION``
of the mass as micron-sized particles, whose mass extinction is 3 Q / (4 rho r) = 1,100 m2/kg
for ice (rho = 920 kg/m3, r = 1.5 um, extinction efficiency Q = 2 for particles larger than the
wavelength). Below the Karman line (``earth.KARMAN_LINE_KM``) the air stops the gas within seconds: the puff stays where it
was left (Earth-fixed; winds ignored). Above, it coasts on the vehicle's velocity less the
exhaust velocity, under gravity, and spreads at the gas's thermal speed until its pressure meets
the ambient air's (:func:`plume_radius_km`). The gas of a rocket still short of orbital speed
(3-4 km/s out of a core stage's 4-7) falls back: where its coast comes down through the Karman
line the air stops it the same way, and it stays there, Earth-fixed. This is what makes the twilight
"jellyfish" of launches seen at dusk, and the sunlit trail of the Soyuz MS-15 photograph.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ascent import AscentBody
from .atmosphere import pressure_pa
from .earth import EARTH_ROTATION_RAD_S, GM_EARTH_KM3_S2, KARMAN_LINE_KM, itrs_to_geodetic
from .frames import gcrs_to_itrs, mxv

CONDENSED_FRACTION = 0.1         # [est] of the exhaust mass, as ice and soot particles
EXTINCTION_M2_PER_KG = 1100.0    # ice spheres of 1.5 um radius (see above)
# How the particles share the light they scatter between directions: the Henyey-Greenstein
# asymmetry of spheres of size parameter 2 pi r / lambda = 17 (1.5 um at 550 nm) is about 0.85
# (Hansen & Travis, "Light scattering in planetary atmospheres", Space Sci. Rev. 16, 527, 1974,
# fig. 12, water spheres). Half the extinction is diffraction into a few degrees about the Sun's
# direction, so a trail seen near the Sun outshines the same trail seen side-on some 25 times.
ASYMMETRY_G = 0.85
SPREAD_KM_S = 1.0                # thermal speed of ~1,500 K water and CO2 molecules
PUFF_INTERVAL_S = 4.0
MAX_AGE_S = 240.0                # older puffs have spread too thin to show
MIN_RADIUS_KM = 0.05             # the nozzle exit's scale
PLUME_MAX_RADIUS_KM = 300.0
PLUME_MIN_PRESSURE_PA = 1e-9     # beyond the model's top the plume is capped by PLUME_MAX_RADIUS_KM
# A falling puff's crossing of the Karman line is found to this fraction of its age (bisection):
# 240 s / 2^20 = 0.2 ms, metres of path.
CROSSING_BISECTIONS = 20


def plume_radius_km(thrust_n, alt_km):
    """Radius at which the exhaust's pressure falls to the ambient air's (km); arrays welcome.

    The plume's momentum flux (the thrust) spread over a disc of radius R balances the ambient
    pressure: pi R^2 p = F, a few metres at sea level, tens of km in the thermosphere.
    """
    p = np.maximum(pressure_pa(alt_km), PLUME_MIN_PRESSURE_PA)
    radius = np.minimum(np.sqrt(np.asarray(thrust_n, dtype=float) / (np.pi * p)) / 1000.0, PLUME_MAX_RADIUS_KM)
    return float(radius) if np.ndim(radius) == 0 else radius


@dataclass(frozen=True)
class Puffs:
    """Exhaust puffs at N instants, K ages each: arrays ``(3, N, K)`` or ``(N, K)``."""

    itrs_km: np.ndarray
    alt_km: np.ndarray
    radius_km: np.ndarray
    cross_section_m2: np.ndarray      # of the condensed particles (before any self-shadowing)
    present: np.ndarray               # emitted after liftoff by a burning engine


def exhaust_puffs(body: AscentBody, t_plus_s: np.ndarray) -> Puffs:
    """Where the exhaust ``body`` left over the last ``MAX_AGE_S`` is at each instant ``t_plus_s``."""
    now = np.asarray(t_plus_s, dtype=float)
    ages = np.arange(PUFF_INTERVAL_S / 2.0, MAX_AGE_S, PUFF_INTERVAL_S)
    emitted = now[:, None] - ages[None, :]                                     # (N, K)
    thrust = np.where(emitted >= 0.0, body.thrust_n(np.maximum(emitted, 0.0)), 0.0)
    present = thrust > 0.0
    exhaust_km_s = np.where(present, body.exhaust_speed_km_s(np.maximum(emitted, 0.0)), 1.0)   # 1: no puff
    t_emit = body.clock.t_plus(emitted.ravel())
    r, v = (a.reshape((3,) + emitted.shape) for a in body.gcrs_state(t_emit))
    emit_rotation = gcrs_to_itrs(t_emit)
    emit_itrs = mxv(emit_rotation, r.reshape(3, -1)).reshape(r.shape)
    _, _, emit_alt = itrs_to_geodetic(emit_itrs.reshape(3, -1))
    emit_alt = emit_alt.reshape(emitted.shape)

    # Above the air: coast on (vehicle velocity - exhaust velocity along it) under gravity.
    speed = np.linalg.norm(v, axis=0)
    gas_v = v * (1.0 - exhaust_km_s / np.maximum(speed, 1e-9))
    age = np.broadcast_to(ages[None, :], emitted.shape)
    line_km = np.linalg.norm(r, axis=0) - emit_alt + KARMAN_LINE_KM
    landed = _crossing_age(r, gas_v, age, line_km)
    now_rotation = gcrs_to_itrs(body.clock.t_plus(now)).reshape(3, 3, -1)       # one per instant
    coast_itrs = np.einsum("ijn,jnk->ink", now_rotation, _coast(r, gas_v, age))
    # A puff stopped on the line turned with the Earth from then on: the ITRS of the crossing is its
    # point turned from the emission's ITRS by the Earth's rotation over the coast (the slow terms
    # change by 1e-9 rad in 240 s).
    stopped = _turned(mxv(emit_rotation, _coast(r, gas_v, landed).reshape(3, -1)).reshape(r.shape),
                      EARTH_ROTATION_RAD_S * landed)
    itrs = np.where(emit_alt[None] < KARMAN_LINE_KM, emit_itrs, np.where(landed < age, stopped, coast_itrs))
    _, _, alt = itrs_to_geodetic(itrs.reshape(3, -1))

    spread = np.minimum(MIN_RADIUS_KM + SPREAD_KM_S * age, plume_radius_km(thrust, emit_alt))
    mass = thrust * PUFF_INTERVAL_S / (exhaust_km_s * 1000.0)
    return Puffs(itrs, alt.reshape(emitted.shape), np.maximum(spread, MIN_RADIUS_KM),
                 mass * CONDENSED_FRACTION * EXTINCTION_M2_PER_KG, present)


def _coast(r: np.ndarray, v: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Where gas left at GCRS ``r`` (3, ...) with velocity ``v`` is ``age`` seconds later: a
    parabola under the gravity at ``r`` (second order in the age)."""
    return r + v * age - 0.5 * GM_EARTH_KM3_S2 / np.linalg.norm(r, axis=0) ** 3 * r * age ** 2


def _crossing_age(r: np.ndarray, v: np.ndarray, age: np.ndarray, line_km: np.ndarray) -> np.ndarray:
    """The age at which each coast first comes down to radius ``line_km`` (the Karman line over the
    point it was left at: the ellipsoid's radius changes by ~1 km along a few hundred km of coast),
    or ``age`` itself where it is still above then. The coast's radius rises then falls, so a
    coast below the line at ``age`` crossed it once: bisection between 0 and ``age``."""
    below = np.linalg.norm(_coast(r, v, age), axis=0) < line_km
    lo, hi = np.zeros_like(age), np.array(age, dtype=float)
    for _ in range(CROSSING_BISECTIONS):
        mid = 0.5 * (lo + hi)
        down = np.linalg.norm(_coast(r, v, mid), axis=0) < line_km
        hi, lo = np.where(down, mid, hi), np.where(down, lo, mid)
    return np.where(below, hi, age)


def _turned(itrs_km: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """ITRS points (3, ...) ``angle_rad`` later in the Earth's turning (a fixed inertial point's
    longitude falls): the frame turned by the angle about the z axis."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    x, y, z = itrs_km
    return np.array([c * x + s * y, c * y - s * x, z])
