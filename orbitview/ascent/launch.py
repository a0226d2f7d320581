"""``fly``: from a pad, a vehicle, a payload, a clock and a target to every body of the scene.

It wires the pieces: the target plane in the launch frame, the launch azimuth, the powered
flight, the fall of every part that leaves the stack, and the timeline of events.

**The heading.** The open-loop stages (the first stage and its strap-ons) fly the range's heading:
the classical Earth-relative azimuth of the plane over the pad, the one corridors and drop zones
are laid out for. Whatever plane error is left when the guided stage lights, its closed loop steers
out (it targets the plane). A launch on time leaves none: ``ignition_offset_km`` is the distance
the liftoff time is shot on (``opportunities``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..clock import Clock
from ..earth import spin_km_s
from ..errors import OrbitviewError, UnknownNameError
from ..sites import Site
from .dynamics import altitude_km_array, dynamic_pressure_pa
from .events import Event, Impact, Insertion, impact_at
from .falling import fall, powered_fall
from .flight import PoweredFlight, Separation, fly_powered, guided_ignition_offset_km
from .launchframe import LaunchFrame
from .targeting import TargetOrbit, TargetPlane, elements, launch_azimuth_deg, plane_angles_deg
from .track import AscentBody, Track
from .vehicle import PartLook, Stage, Vehicle

VEHICLE_BODY = "vehicle"
DEFAULT_SCENE_END_S = 1200.0


@dataclass
class Ascent:
    site: Site
    vehicle: Vehicle
    payload_kg: float
    clock: Clock
    frame: LaunchFrame
    bodies: dict[str, AscentBody]
    events: list[Event]
    impacts: dict[str, Impact | None]
    insertion: Insertion | None
    end_t_plus_s: float
    released: dict[str, float]          # T+ s at which each falling body left the stack
    looks: dict[str, PartLook]          # per body name; the vehicle's is the stack's (see look_at)
    payload_release_t_plus_s: float     # the payload flies free from here (inf: not in the scene)

    def look_at(self, name: str, t_plus_s: float) -> PartLook:
        """How body ``name`` looks at ``t_plus_s``: the vehicle body is the stack until the
        payload's separation event (the vehicle file's ``[payload]``), the spacecraft after."""
        if name == VEHICLE_BODY and t_plus_s >= self.payload_release_t_plus_s:
            return self.vehicle.payload.look
        return self.looks[name]

    def life_t_plus_s(self, name: str) -> tuple[float, float]:
        """When body ``name`` exists on its own (T+ s): from its release (-inf for the stack, on the
        pad before liftoff) to its impact (inf when it never comes down)."""
        impact = self.impacts.get(name)
        return self.released.get(name, -np.inf), np.inf if impact is None else impact.t_plus_s

    def event(self, name: str) -> Event:
        """The first event called ``name``."""
        for e in self.events:
            if e.name == name:
                return e
        raise UnknownNameError("event", name, sorted({e.name for e in self.events}))


def _stack_track(flight: PoweredFlight, pad_itrs_km: np.ndarray) -> tuple[Track, dict[str, np.ndarray]]:
    """The stack's samples, and per stage the (propellant per element, thrust per element) arrays.

    The stack's exhaust velocity is the thrust-weighted mean of the firing stages' Isp_vac g0.
    """
    stages = flight.vehicle.stages
    t = np.concatenate([s.t_s for s in flight.segments])
    y = np.concatenate([s.y for s in flight.segments], axis=1)
    mass = np.concatenate([s.inert_kg + sum(stages[i].count * s.y[6 + i] for i in s.attached_stages)
                           + 0.0 * s.t_s for s in flight.segments])
    per_stage = {}
    for i, stage in enumerate(stages):
        per_stage[stage.key] = np.concatenate([
            stage.thrust_n(s.pressure_pa, s.t_s) if stage.key in s.burning else 0.0 * s.t_s for s in flight.segments])
    thrust = sum(stage.count * per_stage[stage.key] for stage in stages)
    impulse = sum(stage.count * per_stage[stage.key] * stage.exhaust_speed_km_s for stage in stages)
    exhaust = np.divide(impulse, thrust, out=np.zeros_like(thrust), where=thrust > 0.0)
    accel = np.concatenate([s.accel for s in flight.segments], axis=1)
    return Track(t, y[:3], y[3:6], accel, mass, thrust, pad_itrs_km, None, exhaust), per_stage | {
        f"{s.key}.propellant": y[6 + i] for i, s in enumerate(stages)}


def _attached_track(stack: Track, part, per_stage: dict[str, np.ndarray], t_sep: float) -> Track:
    """The part riding on the stack until ``t_sep``, with its own mass and thrust."""
    head = stack.until(t_sep)
    n = len(head.t_s)
    if isinstance(part, Stage):
        head.mass_kg = part.inert_mass_kg + per_stage[f"{part.key}.propellant"][:n]
        head.thrust_n = per_stage[part.key][:n].copy()
        head.exhaust_km_s = np.where(head.thrust_n > 0.0, part.exhaust_speed_km_s, 0.0)
    else:
        head.mass_kg, head.thrust_n, head.exhaust_km_s = np.full(n, part.mass_kg), np.zeros(n), None
    return head


def _push(sep: Separation, k: int) -> np.ndarray:
    """Separation velocity of element ``k``: sideways around the axis (+) or backwards (-)."""
    forward = sep.v_km_s / np.linalg.norm(sep.v_km_s)
    if sep.part.separation_dv_m_s < 0.0:
        return sep.part.separation_dv_m_s / 1000.0 * forward
    side = sep.r_km - (sep.r_km @ forward) * forward
    side /= np.linalg.norm(side)
    angle = 2.0 * math.pi * k / sep.part.count + math.pi / 4.0
    direction = math.cos(angle) * side + math.sin(angle) * np.cross(forward, side)
    return sep.part.separation_dv_m_s / 1000.0 * direction


def _describe(track: Track, t: float) -> str:
    r, v = track.state(t)
    return f"alt {float(altitude_km_array(r)):.1f} km, inertial speed {float(np.linalg.norm(v)):.3f} km/s"


def _insertion(flight: PoweredFlight, plane: TargetPlane, azimuths: tuple[float, float]) -> Insertion | None:
    """The spacecraft's orbit at separation; ``azimuths`` = (inertial, Earth-relative flown)."""
    sep = flight.state_at_separation(flight.vehicle.guided_stage.separation_event)
    if sep is None:
        return None
    orbit = elements(sep.r_km, sep.v_km_s)
    normal = plane.normal_at(sep.t_s)
    h = np.cross(sep.r_km, sep.v_km_s)
    inc, node = plane_angles_deg(normal)
    error = math.degrees(math.acos(min(1.0, float(h @ normal) / np.linalg.norm(h))))
    return Insertion(sep.t_s, orbit["perigee_alt_km"], orbit["apogee_alt_km"], orbit["inclination_deg"], inc,
                     orbit["node_deg"], node, error, azimuths[1], azimuths[0], float(np.linalg.norm(sep.v_km_s)))


def _max_q(stack: Track) -> tuple[float, float]:
    """(T+ s, Pa) of the peak dynamic pressure on the stack, the samples' maximum refined by the
    parabola through it and its neighbours (the samples lie seconds apart)."""
    q = dynamic_pressure_pa(stack.r_km, stack.v_km_s)
    i = int(np.clip(np.argmax(q), 1, len(q) - 2))
    t3, q3 = stack.t_s[i - 1:i + 2], q[i - 1:i + 2]
    if len(set(t3)) < 3:
        return float(stack.t_s[i]), float(q[i])
    a, b, c = np.polyfit(t3 - t3[1], q3, 2)
    dt = float(np.clip(-b / (2.0 * a), t3[0] - t3[1], t3[2] - t3[1])) if a < 0.0 else 0.0
    return float(t3[1] + dt), float(a * dt * dt + b * dt + c)


def _aim(site: Site, clock: Clock, target: TargetOrbit) -> tuple[LaunchFrame, TargetPlane, tuple[float, float]]:
    """The launch frame, the plane to insert into in it, and the (inertial, Earth-relative) launch
    azimuths of that plane over the pad; refused when the range's limits forbid the heading."""
    frame = LaunchFrame(clock)
    plane = target.plane(frame.from_gcrs(np.asarray(target.normal_gcrs, float)))
    azimuths = launch_azimuth_deg(site.itrs_km, site.lat_deg, site.lon_deg, plane.normal0, target.perigee_speed_km_s)
    if not site.allows_azimuth(azimuths[0]):
        raise OrbitviewError(f"site {site.key!r}: the target plane needs a launch azimuth of {azimuths[0]:.1f} deg, "
                             f"outside the range's limits {list(site.azimuth_limits_deg)}")
    return frame, plane, azimuths


def ignition_offset_km(site: Site, vehicle: Vehicle, payload_kg: float, clock: Clock, target: TargetOrbit,
                       rtol: float = 1e-9, max_step_s: float = 5.0) -> float:
    """How far from the plane (km) the guided stage of the flight ``fly`` would fly lights: zero
    for a launch on time (``flight.guided_ignition_offset_km``)."""
    _, plane, (_, relative_az) = _aim(site, clock, target)
    pad = site.itrs_km
    return guided_ignition_offset_km(vehicle, payload_kg, target, plane, relative_az, pad, spin_km_s(pad),
                                     rtol, max_step_s)


def fly(site: Site, vehicle: Vehicle, payload_kg: float, clock: Clock, target: TargetOrbit,
        end_t_plus_s: float = DEFAULT_SCENE_END_S, rtol: float = 1e-9, max_step_s: float = 5.0) -> Ascent:
    """Fly ``vehicle`` from ``site`` at ``clock``'s liftoff into ``target``; every body to ``end_t_plus_s``.

    ``rtol`` and ``max_step_s`` are the integrator's relative tolerance and largest step in powered
    flight (the results are stable to well under a second and a kilometre across sensible values).
    """
    if not (isinstance(payload_kg, (int, float)) and payload_kg > 0.0):
        raise OrbitviewError(f"payload_kg = {payload_kg!r}: expected a mass in kg > 0")
    vehicle.check_liftoff_thrust(payload_kg)
    frame, plane, (inertial_az, relative_az) = _aim(site, clock, target)
    pad, pad_v = site.itrs_km, spin_km_s(site.itrs_km)
    flight = fly_powered(vehicle, payload_kg, target, plane, relative_az, pad, pad_v, end_t_plus_s, rtol, max_step_s)

    stack, per_stage = _stack_track(flight, pad)
    bodies = {VEHICLE_BODY: AscentBody(VEHICLE_BODY, stack, clock, frame, vehicle.nose_radius_m)}
    looks = {VEHICLE_BODY: vehicle.look}
    events = [Event(name, t, body, _describe(stack, t)) for name, t, body in flight.happenings]
    if vehicle.max_q_event:
        t_q, q_pa = _max_q(stack)
        events.append(Event(vehicle.max_q_event, t_q, VEHICLE_BODY, f"q {q_pa / 1000.0:.1f} kPa, {_describe(stack, t_q)}"))
    impacts: dict[str, Impact | None] = {}
    released: dict[str, float] = {}
    for sep in flight.separations:
        head = _attached_track(stack, sep.part, per_stage, sep.t_s)
        for k, name in enumerate(sep.part.body_names()):
            released[name] = sep.t_s
            looks[name] = sep.part.look
            start = (sep.t_s, sep.r_km, sep.v_km_s + _push(sep, k), sep.mass_kg,
                     sep.part.ballistic_coefficient_kg_m2, sep.part.nose_radius_m, end_t_plus_s, pad)
            if isinstance(sep.part, Stage) and sep.part.fall_burns:
                falling = powered_fall(sep.part, *start)
            else:
                falling = fall(*start)
            bodies[name] = AscentBody(name, Track.join([head, falling.track]), clock, frame, sep.part.nose_radius_m)
            impacts[name] = where = None
            if falling.impact_t_s is not None:
                impacts[name] = impact_at(falling.impact_t_s, falling.track.rest_itrs_km, site.lat_deg, site.lon_deg)
                where = (f"{impacts[name].lat_deg:.2f} N {impacts[name].lon_deg:.2f} E, "
                         f"{impacts[name].downrange_km:.0f} km down-range")
            for event, when in falling.burns:      # a landing burn's end is the landing: where, not how fast
                landing = falling.soft_landing and when == falling.impact_t_s
                events.append(Event(event, when, name, where if landing else _describe(falling.track, when)))
            if where is not None and not falling.soft_landing:     # a landing has its own event
                events.append(Event(f"{name}_impact", falling.impact_t_s, name, where))
            for event, when in ((sep.part.entry_event, falling.entry_t_s), (sep.part.heating_event, falling.heating_t_s)):
                if event and when is not None:
                    events.append(Event(event, when, name, _describe(falling.track, when)))
    events.sort(key=lambda e: e.t_plus_s)
    payload_free = next((e.t_plus_s for e in events if e.name == vehicle.payload.separation_event), math.inf)
    return Ascent(site, vehicle, float(payload_kg), clock, frame, bodies, events, impacts,
                  _insertion(flight, plane, (inertial_az, relative_az)), end_t_plus_s, released, looks, payload_free)
