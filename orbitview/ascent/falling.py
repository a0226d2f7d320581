"""Spent stages and jettisoned parts falling back: gravity (J2) and drag in the turning air.

A falling part tumbles, so its drag is summarised by one ballistic coefficient
beta = m / (Cd A) from the vehicle file (constant with Mach: for a tumbling body the hypersonic
and subsonic coefficients differ by less than the uncertainty in its mean projected area).
The fall ends at the ellipsoid (terrain heights of the down-range zones, a few hundred metres,
are neglected) or at the end of the scene.

A stage that keeps propellant for its return (the vehicle file's ``fall_burns``) fires its engines
against its air-relative velocity: a burn lit descending through a height for a set time (an entry
burn), or a landing burn lit when its deceleration, held from then on, stops the fall at the
ground (the "suicide burn": height = v^2 / 2 (a_thrust - g)). It lands where that burn stops it.
Its drag area C_d A = m / beta stays that of the separation mass while the mass falls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from ..atmosphere import pressure_pa
from ..earth import KARMAN_LINE_KM
from .dynamics import (ATMOSPHERE, HEATING_ONSET_W_M2, air_relative, altitude_km, altitude_km_array, gravity,
                       stagnation_heat_flux_w_m2)
from .launchframe import LaunchFrame
from .track import Track
from .vehicle import FallBurn, Stage

# Position and velocity tolerances for the falls (km, km/s).
ATOL = np.array([1e-6] * 3 + [1e-9] * 3)


# A landing burn ends (the stage has landed) when its air-relative speed falls below this (km/s).
LANDED_SPEED_KM_S = 0.002
# [est] The Merlin 1D's deepest throttle, ~40 % of full thrust (SpaceX: "throttle down to 40 %"),
# the floor of the landing burn's closed-loop setting.
MIN_THROTTLE = 0.4


@dataclass
class Fall:
    track: Track
    impact_t_s: float | None
    entry_t_s: float | None        # first descent through the Karman line ("entry")
    heating_t_s: float | None      # first rise of the stagnation heat flux above HEATING_ONSET_W_M2
    burns: list[tuple[str, float]] = field(default_factory=list)   # (event, T+ s) of the fall burns
    soft_landing: bool = False     # its landing burn brought it down: the burn's end event says so, not an impact


def _heat_flux(y: np.ndarray, nose_radius_m: float) -> float:
    rho, _, _ = ATMOSPHERE.at(altitude_km(y[0], y[1], y[2]))
    vx, vy, vz = air_relative(*y[:6])
    speed_m_s = 1000.0 * math.sqrt(vx * vx + vy * vy + vz * vz)
    return stagnation_heat_flux_w_m2(rho, speed_m_s, nose_radius_m)


def _fall_events(nose_radius_m: float) -> list:
    """The fall's events: the ground (terminal), entry through the Karman line, heating onset."""
    def impact(t, y):
        return altitude_km(y[0], y[1], y[2])
    impact.terminal, impact.direction = True, -1

    def entry(t, y):
        return altitude_km(y[0], y[1], y[2]) - KARMAN_LINE_KM
    entry.direction = -1

    def heating(t, y):
        return _heat_flux(y, nose_radius_m) - HEATING_ONSET_W_M2
    heating.direction = 1
    return [impact, entry, heating]


def _first(times) -> float | None:
    return float(times[0]) if len(times) else None


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

    y0 = np.concatenate([r_km, v_km_s])
    sol = solve_ivp(rhs, (t0_s, end_t_s), y0, method="RK45", rtol=rtol, atol=ATOL,
                    events=_fall_events(nose_radius_m), max_step=max_step_s)
    accel = np.array([rhs(t, y)[3:] for t, y in zip(sol.t, sol.y.T)]).T
    landed = sol.status == 1
    rest = LaunchFrame.to_itrs(sol.t[-1], sol.y[:3, -1:], sol.y[3:, -1:])[0][:, 0] if landed else None
    n = len(sol.t)
    track = Track(sol.t, sol.y[:3], sol.y[3:], accel, np.full(n, mass_kg), np.zeros(n), start_itrs_km, rest)
    return Fall(track, float(sol.t[-1]) if landed else None, _first(sol.t_events[1]), _first(sol.t_events[2]))


class _PoweredFall:
    """A spent stage's fall with its burns: coast to each burn's start, burn, coast on."""

    def __init__(self, stage: Stage, mass_kg: float, ballistic_kg_m2: float, nose_radius_m: float,
                 start_itrs_km: np.ndarray, rtol: float, max_step_s: float):
        self.stage, self.nose_radius_m, self.start_itrs_km = stage, nose_radius_m, start_itrs_km
        self.drag_area_m2 = mass_kg / ballistic_kg_m2
        self.empty_kg = stage.dry_mass_kg + stage.unusable_propellant_kg
        self.flow_per_engine_kg_s = stage.mass_flow_kg_s / stage.engines     # at full thrust, auxiliary flow too
        self.rtol, self.max_step_s = rtol, max_step_s
        self.tracks: list[Track] = []
        self.burns: list[tuple[str, float]] = []
        self.entry_t_s = self.heating_t_s = None

    def _setting(self, burn: FallBurn, alt_km: float, pressure_pa: float, speed_km_s: float, g_km_s2: float,
                 mass_kg: float, drag_n: float) -> float:
        """The engines' setting: the file's for a timed burn; for the landing burn the one whose
        deceleration, held, stops the stage at the ground, v^2 / 2h + g, less what the air's drag
        already gives (a closed loop on the measured deceleration, between the Merlin's minimum
        throttle and full thrust: a loop blind to drag over-brakes early and creeps down the last
        hundred metres at minimum throttle)."""
        if burn.start != "suicide":
            return burn.setting
        needed = 1000.0 * (speed_km_s * speed_km_s / (2.0 * max(alt_km, 1e-3)) + g_km_s2) * mass_kg - drag_n
        idle = self.stage.engines_thrust_n(burn.engines, 0.0, pressure_pa)      # thrust is linear in the setting
        full = self.stage.engines_thrust_n(burn.engines, 1.0, pressure_pa)
        return min(1.0, max(MIN_THROTTLE, (needed - idle) / (full - idle)))

    def _rhs(self, burn: FallBurn | None):
        """(x, v, m) derivatives; thrust against the air-relative velocity while ``burn`` fires."""
        def rhs(t, y):
            x, yy, z, vx, vy, vz, m = y
            gx, gy, gz = gravity(x, yy, z)
            alt_km = altitude_km(x, yy, z)
            rho, p, _ = ATMOSPHERE.at(alt_km)
            wx, wy, wz = air_relative(x, yy, z, vx, vy, vz)
            w = math.sqrt(wx * wx + wy * wy + wz * wz)
            k = -500.0 * rho * w * self.drag_area_m2 / m
            flow = 0.0
            if burn is not None and w > 0.0:
                drag_n = 5.0e5 * rho * w * w * self.drag_area_m2              # 1/2 rho (1000 w)^2 C_d A
                setting = self._setting(burn, alt_km, p, w, math.sqrt(gx * gx + gy * gy + gz * gz), m, drag_n)
                k -= self.stage.engines_thrust_n(burn.engines, setting, p) / m / 1000.0 / w
                flow = burn.engines * setting * self.flow_per_engine_kg_s
            return [vx, vy, vz, gx + k * wx, gy + k * wy, gz + k * wz, -flow]
        return rhs

    def _stopping_margin(self, burn: FallBurn):
        """Height left over the distance ``burn`` needs to stop the fall (2 a h - v^2, m2/s2): zero
        when to light it, once below the burn's arming height ``start_alt_km``."""
        def margin(t, y):
            x, yy, z = y[0], y[1], y[2]
            alt_km = altitude_km(x, yy, z)
            _, p, _ = ATMOSPHERE.at(alt_km)
            gx, gy, gz = gravity(x, yy, z)
            wx, wy, wz = air_relative(*y[:6])
            thrust_accel = self.stage.engines_thrust_n(burn.engines, burn.setting, p) / y[6]
            net = thrust_accel - 1000.0 * math.sqrt(gx * gx + gy * gy + gz * gz)
            if alt_km > burn.start_alt_km:       # not armed yet: drag still does the braking up there
                return 1.0e6 * (alt_km - burn.start_alt_km) + 1.0
            return 2.0 * net * alt_km * 1000.0 - 1.0e6 * (wx * wx + wy * wy + wz * wz)
        margin.terminal, margin.direction = True, -1
        return margin

    def _stretch(self, t0: float, t1: float, y: np.ndarray, burn: FallBurn | None, stops: list):
        """One stretch to ``t1`` or the first of ``stops`` (terminal events) or the ground."""
        def empty(t, y):
            return y[6] - self.empty_kg
        empty.terminal, empty.direction = True, -1

        rhs = self._rhs(burn)
        sol = solve_ivp(rhs, (t0, t1), y, method="RK45", rtol=self.rtol, atol=np.append(ATOL, 1e-3),
                        events=_fall_events(self.nose_radius_m) + [empty] + stops, max_step=self.max_step_s)
        derivs = np.array([rhs(t, yy) for t, yy in zip(sol.t, sol.y.T)]).T
        n = len(sol.t)
        # thrust = -m a_thrust along the air-relative velocity: the mass flow over the engine flow
        # gives the setting, whatever set it
        thrust = np.zeros(n)
        if burn is not None:
            p = pressure_pa(altitude_km_array(sol.y[:3]))
            setting = -derivs[6] / (burn.engines * self.flow_per_engine_kg_s)
            thrust = np.where(setting > 0.0, self.stage.engines_thrust_n(burn.engines, setting, p), 0.0)
        exhaust = np.where(thrust > 0.0, self.stage.exhaust_speed_km_s, 0.0)
        self.tracks.append(Track(sol.t, sol.y[:3], sol.y[3:6], derivs[3:6], sol.y[6], thrust,
                                 self.start_itrs_km, None, exhaust))
        self.entry_t_s = self.entry_t_s if self.entry_t_s is not None else _first(sol.t_events[1])
        self.heating_t_s = self.heating_t_s if self.heating_t_s is not None else _first(sol.t_events[2])
        fired = [k for k, te in enumerate(sol.t_events) if k not in (1, 2) and len(te)]
        return float(sol.t[-1]), sol.y[:, -1].copy(), (fired[0] if fired else None)

    def run(self, t0: float, y: np.ndarray, end_t_s: float) -> Fall:
        """Each burn in turn: coast until it lights, fire it; then coast to the ground."""
        t, landed, soft = t0, False, False
        for burn in self.stage.fall_burns:
            t, y, stop = self._stretch(t, end_t_s, y, None, [self._start(burn)])
            if stop != _STOP:                               # the ground, or the scene's end, first
                landed = stop == _GROUND
                break
            self.burns.append((burn.event, t))
            if burn.start == "descending_through":
                t, y, stop = self._stretch(t, min(end_t_s, t + burn.duration_s), y, burn, [])
                done = stop in (_EMPTY, None) and t < end_t_s or stop == _GROUND
            else:
                t, y, stop = self._stretch(t, end_t_s, y, burn, [_stopped])
                done = stop in (_STOP, _GROUND)             # landed (softly or not), not run dry
            if done and burn.end_event:
                self.burns.append((burn.end_event, t))
            if stop == _GROUND or (stop == _STOP and burn.start == "suicide"):
                landed = True                               # on the ground, or stopped just over it
                soft = burn.start == "suicide" and bool(burn.end_event)
                break
        else:
            t, y, stop = self._stretch(t, end_t_s, y, None, [])
            landed = stop == _GROUND
        track = Track.join(self.tracks)
        if landed:
            track.rest_itrs_km = LaunchFrame.to_itrs(t, y[:3, None], y[3:6, None])[0][:, 0]
        return Fall(track, t if landed else None, self.entry_t_s, self.heating_t_s, self.burns, soft)

    def _start(self, burn: FallBurn):
        """The terminal event that lights ``burn``."""
        if burn.start == "suicide":
            return self._stopping_margin(burn)

        def start(t, y):
            return altitude_km(y[0], y[1], y[2]) - burn.start_alt_km
        start.terminal, start.direction = True, -1
        return start


# Indices of the terminal events of a stretch (see _PoweredFall._stretch).
_GROUND, _EMPTY, _STOP = 0, 3, 4


def _stopped(t, y):
    """The landing burn has stopped the stage (air-relative speed ~0)."""
    wx, wy, wz = air_relative(*y[:6])
    return math.sqrt(wx * wx + wy * wy + wz * wz) - LANDED_SPEED_KM_S


_stopped.terminal, _stopped.direction = True, -1


def powered_fall(stage: Stage, t0_s: float, r_km: np.ndarray, v_km_s: np.ndarray, mass_kg: float,
                 ballistic_kg_m2: float, nose_radius_m: float, end_t_s: float, start_itrs_km: np.ndarray,
                 rtol: float = 1e-9, max_step_s: float = 20.0) -> Fall:
    """:func:`fall` for a stage with ``fall_burns``: its entry and landing burns fly from its reserve."""
    y0 = np.concatenate([r_km, v_km_s, [mass_kg]])
    return _PoweredFall(stage, mass_kg, ballistic_kg_m2, nose_radius_m, start_itrs_km, rtol,
                        max_step_s).run(t0_s, y0, end_t_s)
