"""The powered flight: 3-DOF point mass in the launch frame, with staging as integration events.

State: position (km), velocity (km/s) and each stage's remaining propellant per element (kg).
Forces: J2 gravity, thrust F = F_vac - p A_e along the steering direction (mass flow from the
vacuum Isp and G0), drag 0.5 rho V^2 Cd(Mach) A against the air turning with the Earth. Each
stretch between two happenings is one ``solve_ivp`` call whose terminal events are the
happenings themselves: a stage running dry, the guided stage reaching the target energy.
Timed happenings (a fairing released some seconds after staging, the spacecraft released
after cutoff) and guidance cycles end a stretch at their instant.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp

from ..earth import GM_EARTH_KM3_S2
from ..errors import OrbitviewError, UnreachableOrbitError
from .dynamics import ATMOSPHERE, air_relative, altitude_km, gravity
from .guidance import OpenLoopSteering, PoweredExplicitGuidance
from .targeting import TargetOrbit, TargetPlane, elements
from .vehicle import LIFTOFF_EVENT, Part, Stage, Vehicle

ATOL_STATE = [1e-6] * 3 + [1e-9] * 3     # km, km/s
ATOL_PROPELLANT_KG = 1e-3
COAST_STEP_FACTOR = 5.0                  # unpowered stretches may take longer steps
IGNITION_HORIZON_S = 1200.0              # the guided stage must light before this
# [est] A cutoff on the target's energy whose perigee falls further below the target's is not an
# insertion (the nominal Soyuz-FG insertions land within ~1 km of it).
INSERTION_PERIGEE_TOLERANCE_KM = 50.0
# Below the pad by this much the stack has struck the ground: the steering failed to climb.
CRASH_DEPTH_KM = 1.0
# Right-hand side evaluations one flight may take: a nominal Soyuz-FG flight takes ~3,500 (0.9 k
# per open-loop run to the guided stage's ignition); a vehicle file that needs ten times that (steering that chatters
# between two laws, a stiff stage) is refused within a second or two, not flown for minutes.
MAX_EVALUATIONS = 40_000


@dataclass
class Separation:
    """A part leaving the stack: when, and the stack's state (launch frame) at that instant."""

    part: Part
    t_s: float
    r_km: np.ndarray
    v_km_s: np.ndarray
    mass_kg: float                       # of one element


@dataclass
class Segment:
    """The samples of one stretch, with what was attached and burning during it."""

    t_s: np.ndarray
    y: np.ndarray
    accel: np.ndarray
    pressure_pa: np.ndarray
    burning: frozenset[str]
    inert_kg: float
    attached_stages: tuple[int, ...]


@dataclass
class PoweredFlight:
    """The stack's flight from the pad to the end of the scene."""

    vehicle: Vehicle
    payload_kg: float
    segments: list[Segment] = field(default_factory=list)
    separations: list[Separation] = field(default_factory=list)
    happenings: list[tuple[str, float, str]] = field(default_factory=list)   # (event, T+ s, body)

    def state_at_separation(self, event: str) -> Separation | None:
        return next((s for s in self.separations if s.part.separation_event == event), None)


class _Flight:
    def __init__(self, vehicle: Vehicle, payload_kg: float, target: TargetOrbit, plane: TargetPlane,
                 azimuth_deg: float, rtol: float, max_step_s: float):
        self.v, self.plane = vehicle, plane
        # The closed loop's target: a parking orbit first when the guided stage relights (see _cutoff).
        restart = vehicle.guided_stage.restart
        self.final_target = target
        self.target = target if restart is None else dataclasses.replace(
            target, perigee_alt_km=restart.parking_perigee_alt_km, apogee_alt_km=restart.parking_apogee_alt_km)
        self.rtol, self.max_step_s = rtol, max_step_s
        self.open_loop = OpenLoopSteering(vehicle.guidance, azimuth_deg)
        self.peg: PoweredExplicitGuidance | None = None
        self.index = {s.key: i for i, s in enumerate(vehicle.stages)}
        self.attached: set[str] = {p.key for p in (*vehicle.stages, *vehicle.jettisons)}
        self.burning: set[str] = set()
        self.schedule: list[tuple[float, str]] = []
        self.out = PoweredFlight(vehicle, payload_kg)
        self.mach, self.cd_factor = list(vehicle.aero.mach), list(vehicle.aero.cd_factor)
        self.open_loop_only = False        # stop when the guided stage lights (guided_ignition_offset_km)
        self.stopped_y: np.ndarray | None = None

    # --- the stack as it stands now -------------------------------------------------------
    def _inert_kg(self) -> float:
        stages = sum(s.count * s.inert_mass_kg for s in self.v.stages if s.key in self.attached)
        parts = sum(j.count * j.mass_kg for j in self.v.jettisons if j.key in self.attached)
        return self.out.payload_kg + stages + parts

    def _drag_area_m2(self) -> float:
        """Cd0 x A of the stack: the largest in-line element plus every strap-on beside it."""
        parts = [p for p in (*self.v.stages, *self.v.jettisons) if p.key in self.attached]
        inline = max((p.drag_coefficient * p.reference_area_m2 for p in parts if p.mounting == "inline"), default=0.0)
        return inline + sum(p.count * p.drag_coefficient * p.reference_area_m2
                            for p in parts if p.mounting == "strap-on")

    def _cd_factor(self, mach: float) -> float:
        i = bisect.bisect_right(self.mach, mach) - 1
        if i >= len(self.mach) - 1:
            return self.cd_factor[-1]
        w = (mach - self.mach[i]) / (self.mach[i + 1] - self.mach[i])
        return self.cd_factor[i] + w * (self.cd_factor[i + 1] - self.cd_factor[i])

    def _mass(self, y, inert_kg: float, attached: tuple[int, ...]) -> float:
        return inert_kg + sum(self.v.stages[i].count * y[6 + i] for i in attached)

    def _attached_indices(self) -> tuple[int, ...]:
        return tuple(i for i, s in enumerate(self.v.stages) if s.key in self.attached)

    def _derivatives(self):
        """The right-hand side for the current configuration (constant over a stretch)."""
        inert, cda = self._inert_kg(), self._drag_area_m2()
        attached = self._attached_indices()
        engines = [(6 + self.index[k], s) for k in self.burning for s in (self.v.stages[self.index[k]],)]
        counts = [(6 + i, self.v.stages[i].count) for i in attached]
        guided = self.peg if self.v.guided_stage.key in self.burning else None
        n = len(self.v.stages)

        def derivs(t, y):
            x, yy, z, vx, vy, vz = y[0], y[1], y[2], y[3], y[4], y[5]
            ax, ay, az = gravity(x, yy, z)
            rho, p, sound = ATMOSPHERE.at(altitude_km(x, yy, z))
            wx, wy, wz = air_relative(x, yy, z, vx, vy, vz)
            m = inert
            for j, count in counts:
                m += count * y[j]
            dy = [vx, vy, vz, 0.0, 0.0, 0.0] + [0.0] * n
            thrust = 0.0
            for j, stage in engines:
                setting = float(stage.setting_at(t))
                thrust += stage.count * stage.engines_thrust_n(stage.engines, setting, p)
                dy[j] = -stage.mass_flow_kg_s * setting
            if thrust > 0.0:
                if guided is not None:
                    ux, uy, uz = guided.direction(t, x, yy, z, vx, vy, vz, m)
                else:
                    ux, uy, uz = self.open_loop.direction(t, x, yy, z, wx, wy, wz)
                k = thrust / m / 1000.0
                ax, ay, az = ax + k * ux, ay + k * uy, az + k * uz
            if cda > 0.0 and rho > 0.0:
                w = math.sqrt(wx * wx + wy * wy + wz * wz)
                k = -500.0 * rho * w * cda * self._cd_factor(1000.0 * w / sound) / m
                ax, ay, az = ax + k * wx, ay + k * wy, az + k * wz
            dy[3], dy[4], dy[5] = ax, ay, az
            return dy, p

        return derivs, inert, attached

    # --- happenings -----------------------------------------------------------------------
    def _fire(self, name: str, t: float, y: np.ndarray) -> None:
        """Record an event, release the parts it releases, light the stages it lights."""
        leaving = [p for p in (*self.v.stages, *self.v.jettisons)
                   if p.separation_event == name and p.key in self.attached]
        body = ", ".join(n for p in leaving for n in p.body_names()) or "vehicle"
        self.out.happenings.append((name, t, body))
        if name == self.v.guidance.pitch_bias_after:
            self.open_loop.bias_on()
        for part in leaving:
            self.attached.discard(part.key)
            mass = (part.inert_mass_kg + y[6 + self.index[part.key]]) if isinstance(part, Stage) else part.mass_kg
            self.out.separations.append(Separation(part, t, y[:3].copy(), y[3:6].copy(), mass))
        for stage in self.v.stages:
            if stage.ignition == name and stage.ignition_delay_s > 0.0:
                self.schedule.append((t + stage.ignition_delay_s, stage.ignition_event))
            elif stage.lighting_event == name or (stage.restart is not None and stage.restart.event == name):
                self.burning.add(stage.key)
                if stage.shutdown == "guidance" and self.open_loop_only:
                    self.stopped_y = y.copy()
                elif stage.shutdown == "guidance":
                    self._start_guidance(stage, t, y)
        for j in self.v.jettisons:
            if j.after == name:
                self.schedule.append((t + j.delay_s, j.separation_event))

    def _start_guidance(self, stage: Stage, t: float, y: np.ndarray) -> None:
        self.peg = PoweredExplicitGuidance(self.target, self.plane, stage.exhaust_speed_km_s,
                                           stage.mass_flow_kg_s, stage.thrust_vac_n)
        self._guide(t, y, iterations=20)

    def _guide(self, t: float, y: np.ndarray, iterations: int = 2) -> None:
        inert, attached = self._inert_kg(), self._attached_indices()
        try:
            self.peg.update(t, y[:3], y[3:6], self._mass(y, inert, attached), iterations)
        except OrbitviewError as exc:
            raise self._unreachable(self.v.guided_stage, t, y, f"the closed-loop guidance failed ({exc})") from None

    def _unreachable(self, stage: Stage, t: float, y: np.ndarray, why: str) -> UnreachableOrbitError:
        """Refusal with the shortfall: the velocity change that would leave the stack flying
        horizontally at its radius with the target's energy (its velocity to go, if the engine had
        the propellant to fly it)."""
        r, v = y[:3], y[3:6]
        up = r / np.linalg.norm(r)
        horizontal = v - (v @ up) * up
        needed = math.sqrt(max(0.0, 2.0 * (self.target.energy_km2_s2 + GM_EARTH_KM3_S2 / np.linalg.norm(r))))
        short_m_s = float(np.linalg.norm(needed * horizontal / np.linalg.norm(horizontal) - v)) * 1000.0
        return UnreachableOrbitError(
            f"{self.v.path}: stages.{stage.key}: the target orbit "
            f"({self.target.perigee_alt_km:g} x {self.target.apogee_alt_km:g} km) is unreachable: "
            f"{why} at T+{t:.1f} s about {short_m_s:.0f} m/s short (payload {self.out.payload_kg:g} kg)", short_m_s)

    def _stage_events(self):
        """Terminal events of the stretch, each with what to do when it happens."""
        events, actions = [], []
        for key in sorted(self.burning):
            stage = self.v.stages[self.index[key]]
            dry = lambda t, y, j=6 + self.index[key]: y[j]  # noqa: E731
            dry.terminal, dry.direction = True, -1
            events.append(dry)
            actions.append(lambda t, y, s=stage: self._burnout(s, t, y))
            if stage.shutdown == "guidance":
                energy = self.target.energy_km2_s2

                def cutoff(t, y):
                    return 0.5 * (y[3] ** 2 + y[4] ** 2 + y[5] ** 2) - GM_EARTH_KM3_S2 / math.sqrt(
                        y[0] ** 2 + y[1] ** 2 + y[2] ** 2) - energy
                cutoff.terminal, cutoff.direction = True, 1
                events.append(cutoff)
                actions.append(lambda t, y, s=stage: self._cutoff(s, t, y))
        return events, actions

    def _burnout(self, stage: Stage, t: float, y: np.ndarray) -> None:
        self.burning.discard(stage.key)
        if stage.shutdown == "guidance":
            self._guide(t, y, iterations=5)
            raise self._unreachable(stage, t, y, "propellant ran out")
        if stage.cutoff_event:
            self.out.happenings.append((stage.cutoff_event, t, ", ".join(stage.body_names())))
        self._after(stage.separation_event, t + stage.separation_delay_s, y)

    def _cutoff(self, stage: Stage, t: float, y: np.ndarray) -> None:
        perigee_alt_km = elements(y[:3], y[3:6])["perigee_alt_km"]
        if perigee_alt_km < self.target.perigee_alt_km - INSERTION_PERIGEE_TOLERANCE_KM:
            raise self._unreachable(stage, t, y, f"cutoff on the target's energy with a perigee at "
                                                 f"{perigee_alt_km:.0f} km")
        self.burning.discard(stage.key)
        if stage.restart is not None and self.target is not self.final_target:
            # The first burn's end in the parking orbit: coast, relight into the final target.
            self.out.happenings.append((stage.cutoff_event, t, stage.key))
            self.target = self.final_target
            self._after(stage.restart.event, t + stage.restart.coast_s, y)
            return
        final = stage.cutoff_event if stage.restart is None else stage.restart.cutoff_event
        self.out.happenings.append((final, t, stage.key))
        self._after(stage.separation_event, t + stage.separation_delay_s, y)

    def _after(self, name: str, when: float, y: np.ndarray) -> None:
        if when <= self.t:
            self._fire(name, self.t, y)
        else:
            self.schedule.append((when, name))

    def _crash_event(self, pad_r_km: np.ndarray):
        """A terminal event for the stack falling back to the ground, and what to do then."""
        ground_km = altitude_km(*pad_r_km) - CRASH_DEPTH_KM

        def crash(t, y):
            return altitude_km(y[0], y[1], y[2]) - ground_km
        crash.terminal, crash.direction = True, -1

        def refuse(t: float, y: np.ndarray) -> None:
            raise self._refused(t, "the stack falls back to the ground")
        return crash, refuse

    def _refused(self, t: float, what: str) -> OrbitviewError:
        """The flight cannot go on: blame the open-loop guidance fields, or the guided stage once lit."""
        g = self.v.guidance
        if self.peg is None:
            fields = (f"guidance: vertical_rise_s = {g.vertical_rise_s:g}, pitchover_duration_s = "
                      f"{g.pitchover_duration_s:g}, pitchover_deg = {g.pitchover_deg:g}")
            advice = "the open-loop ascent does not turn cleanly towards orbit"
        else:
            fields = f"stages.{self.v.guided_stage.key}"
            advice = "the closed-loop stage cannot fly to the target"
        return OrbitviewError(f"{self.v.path}: {fields}: {what} at T+{t:.0f} s: {advice}")

    def _rhs(self, derivs):
        """``derivs`` for ``solve_ivp``, counting calls: a flight over budget is refused."""
        def rhs(t, y):
            self.evaluations += 1
            if self.evaluations > MAX_EVALUATIONS:
                raise self._refused(t, f"the integration needs over {MAX_EVALUATIONS:,} steps (steering "
                                       "that chatters, or a stiff stage)")
            return derivs(t, y)[0]
        return rhs

    # --- the integration loop -------------------------------------------------------------
    def run(self, pad_r_km: np.ndarray, pad_v_km_s: np.ndarray, end_t_s: float) -> PoweredFlight:
        y = np.concatenate([pad_r_km, pad_v_km_s, [s.propellant_kg for s in self.v.stages]])
        self.t = 0.0
        self.evaluations = 0
        crash, refuse = self._crash_event(pad_r_km)
        self._fire(LIFTOFF_EVENT, 0.0, y)
        guidance = self.v.guidance
        while self.t < end_t_s and self.stopped_y is None:
            stop = min([end_t_s] + [w for w, _ in self.schedule])
            guided = self.peg is not None and self.v.guided_stage.key in self.burning
            if guided:
                if self.peg.steering.time_to_go_s - (self.t - self.peg.steering.t0) > guidance.final_freeze_s:
                    self._guide(self.t, y)
                stop = min(stop, self.t + guidance.cycle_s)
            derivs, inert, attached = self._derivatives()
            events, actions = self._stage_events()
            events, actions = events + [crash], actions + [refuse]
            step = self.max_step_s * (1.0 if self.burning else COAST_STEP_FACTOR)
            sol = solve_ivp(self._rhs(derivs), (self.t, stop), y, method="RK45",
                            rtol=self.rtol, atol=ATOL_STATE + [ATOL_PROPELLANT_KG] * len(self.v.stages),
                            events=events, max_step=step)
            samples = [derivs(t, yy) for t, yy in zip(sol.t, sol.y.T)]
            self.out.segments.append(Segment(sol.t, sol.y, np.array([d[3:6] for d, _ in samples]).T,
                                             np.array([p for _, p in samples]), frozenset(self.burning),
                                             inert, attached))
            self.t, y = float(sol.t[-1]), sol.y[:, -1].copy()
            if sol.status == 1:
                fired = next(k for k, te in enumerate(sol.t_events) if len(te))
                y[6:] = np.maximum(y[6:], 0.0)
                actions[fired](self.t, y)
            for when, name in sorted(w for w in self.schedule if w[0] <= self.t + 1e-9):
                self.schedule.remove((when, name))
                self._fire(name, self.t, y)
        return self.out


def guided_ignition_offset_km(vehicle: Vehicle, payload_kg: float, target: TargetOrbit, plane: TargetPlane,
                              azimuth_deg: float, pad_r_km: np.ndarray, pad_v_km_s: np.ndarray,
                              rtol: float = 1e-9, max_step_s: float = 5.0) -> float:
    """How far (km, along the plane's normal) from the target plane the guided stage lights when
    the open-loop stages fly ``azimuth_deg`` (Earth-relative): the plane error the guided stage's
    yaw steering has to remove. Launching when this is zero is launching on time."""
    flight = _Flight(vehicle, payload_kg, target, plane, azimuth_deg, rtol, max_step_s)
    flight.open_loop_only = True
    flight.run(pad_r_km, pad_v_km_s, IGNITION_HORIZON_S)
    if flight.stopped_y is None:
        raise OrbitviewError(f"{vehicle.path}: the guided stage did not light within T+{IGNITION_HORIZON_S:.0f} s")
    return float(flight.stopped_y[:3] @ plane.normal_at(flight.t))


def fly_powered(vehicle: Vehicle, payload_kg: float, target: TargetOrbit, plane: TargetPlane,
                azimuth_deg: float, pad_r_km: np.ndarray, pad_v_km_s: np.ndarray, end_t_s: float,
                rtol: float = 1e-9, max_step_s: float = 5.0) -> PoweredFlight:
    """Fly the stack from the pad (launch-frame state) to ``end_t_s`` seconds after liftoff."""
    return _Flight(vehicle, payload_kg, target, plane, azimuth_deg, rtol, max_step_s).run(
        pad_r_km, pad_v_km_s, end_t_s)
