"""The vehicle data model: stages with engines, jettisoned parts, aerodynamics, guidance.

Loaded from ``data/vehicles/NAME.toml`` (or any path) and validated on load, so every later
error is a physics question, not a typo: each problem raises :class:`DataError` naming the
file and the field, and a field the model does not know (a misspelling) is refused, not
ignored. A second vehicle is a second file: everything vehicle-specific, down to how each part
looks in a render, is read from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atmosphere import P0_PA
from ..datafile import Table, load_toml
from ..earth import G0_M_S2
from ..errors import DataError
from ..resources import resolve

MASS_FLOW_TOLERANCE = 0.02              # sea-level and vacuum figures must agree on the mass flow
BURN_TIME_TOLERANCE = 0.10              # propellant / mass flow vs the published burn time
LIFTOFF_EVENT = "liftoff"


@dataclass(frozen=True)
class Aero:
    """Drag at a Mach number: the element's Mach-0 coefficient times a shape factor."""

    mach: np.ndarray
    cd_factor: np.ndarray


@dataclass(frozen=True)
class PartLook:
    """How a body shows in a render: the renderer's ``kind``, its size and its surface albedo.

    ``area_m2`` is the side-on silhouette (length x diameter) that reflects sunlight and glows
    when heated.
    """

    kind: str
    length_m: float
    diameter_m: float
    albedo: float

    @property
    def area_m2(self) -> float:
        return self.length_m * self.diameter_m


@dataclass(frozen=True)
class Light:
    """The vehicle's own light at night (kerosene/LOX: every engine alike), read from ``[light]``.

    The flame radiates ``flame_visible_efficiency`` of its jet power 1/2 F v_e as visible light in
    dense air, where its fuel-rich exhaust afterburns, falling towards ``vacuum_flame_visible_efficiency``
    as the air thins (half way at ``afterburning_half_pressure_pa``: ``rocketlight``), in a
    blackbody's colour at ``flame_temperature_k``; ``plume_glow_fraction`` of that comes from the
    afterburning exhaust spread over the plume (``exhaust.plume_radius_km``). A falling stage
    radiates ``entry_glow_efficiency`` of its aerodynamic heating (stagnation heat flux x side-on
    area) at ``entry_glow_temperature_k``. ``combustion_energy_j_kg`` is what a kilogram of the
    propellant mixture releases when it burns (the staging flashes).
    """

    flame_temperature_k: float
    flame_visible_efficiency: float
    vacuum_flame_visible_efficiency: float
    afterburning_half_pressure_pa: float
    plume_glow_fraction: float
    combustion_energy_j_kg: float
    entry_glow_efficiency: float
    entry_glow_temperature_k: float


@dataclass(frozen=True)
class SeparationGlow:
    """The burst of light when a stage leaves: ``burned_fraction`` of its unusable propellant
    burns, ``visible_efficiency`` of that energy leaves as visible light, fading with the e-folding
    time ``fade_s``, from the products within ``burn_zone_m`` of the parting stages and as far
    beyond as they stay above ``glow_end_temperature_k`` (``rocketlight``). With
    ``plume_half_angle_deg`` (hot staging), the stack's exhaust also strikes the released stage's
    forward end while the stages are close, radiating ``impingement_visible_efficiency`` of the jet
    power it meets, with a blackbody's colour at ``impingement_temperature_k`` (the exhaust brought
    to rest: whiter than the flame)."""

    burned_fraction: float
    visible_efficiency: float
    burn_zone_m: float
    glow_end_temperature_k: float
    fade_s: float
    plume_half_angle_deg: float | None = None
    impingement_visible_efficiency: float | None = None
    impingement_temperature_k: float | None = None


@dataclass(frozen=True)
class Throttle:
    """The engines' setting (fraction of full thrust and flow) against T+ s, linear between points.

    Thrust is ``setting x F_vac - p A_e``: throttling lowers the chamber pressure, not the nozzle's
    exit area, so the ambient-pressure loss stays whole.
    """

    t_s: tuple[float, ...]
    setting: tuple[float, ...]

    def at(self, t_s):
        return np.interp(t_s, self.t_s, self.setting)


@dataclass(frozen=True)
class FallBurn:
    """A burn of a spent stage falling back (entry or landing), against its air-relative velocity.

    ``start`` is ``"descending_through"`` (lit descending through ``start_alt_km``, at ``setting``
    for ``duration_s``) or ``"suicide"`` (armed below ``start_alt_km``, lit when ``engines`` at
    ``setting`` would just stop the fall at the ground, then throttled in a closed loop until it
    stops: the landing).
    """

    event: str
    start: str
    start_alt_km: float
    engines: int
    setting: float
    duration_s: float
    end_event: str | None


@dataclass(frozen=True)
class Restart:
    """The guided stage's second burn: its first burn ends in a parking orbit (perigee and apogee
    heights, insertion at its perigee), it coasts ``coast_s`` with its engine off, relights at
    ``event`` and flies the closed loop again into the scenario's target, cut off at ``cutoff_event``."""

    coast_s: float
    event: str
    cutoff_event: str
    parking_perigee_alt_km: float
    parking_apogee_alt_km: float


@dataclass(frozen=True)
class Payload:
    """The spacecraft the vehicle carries: how it looks, and the event that sets it free."""

    name: str
    look: PartLook
    separation_event: str


@dataclass(frozen=True)
class Part:
    """What every separable element shares: how it flies, falls and heats once released."""

    key: str
    count: int
    mounting: str                    # "inline" (in the stack's line) or "strap-on" (beside it)
    separation_event: str
    separation_dv_m_s: float         # + outward/forward, - backward (see ``falling``)
    reference_area_m2: float
    drag_coefficient: float
    ballistic_coefficient_kg_m2: float
    nose_radius_m: float
    entry_event: str | None          # emitted when the falling part descends through 100 km
    heating_event: str | None        # emitted when its heat flux first passes the "burning" onset
    look: PartLook

    def body_names(self) -> list[str]:
        """``core`` for one element, ``booster_1`` .. ``booster_4`` for several."""
        return [self.key] if self.count == 1 else [f"{self.key}_{i + 1}" for i in range(self.count)]


@dataclass(frozen=True)
class Stage(Part):
    """A propulsive stage (per element: a ``count`` of 4 means four identical strap-ons)."""

    gross_mass_kg: float
    dry_mass_kg: float
    unusable_propellant_kg: float
    auxiliary_flow_fraction: float   # non-propulsive consumption (peroxide, pressurant) per unit main flow
    thrust_sl_n: float
    thrust_vac_n: float
    isp_sl_s: float
    isp_vac_s: float
    burn_time_s: float
    ignition: str                    # "liftoff" or the event that lights it
    shutdown: str                    # "guidance" for [guidance] closed_loop_stage, else "depletion"
    cutoff_event: str | None         # named at its shutdown (required for the guided stage)
    separation_delay_s: float
    separation_glow: SeparationGlow | None = None   # its flash at separation, if it has one
    ignition_delay_s: float = 0.0    # lit this long after ``ignition`` ...
    ignition_event: str | None = None    # ... at this named event (required with a delay)
    reserve_propellant_kg: float = 0.0   # kept at shutdown for the fall's own burns
    throttle: Throttle | None = None     # thrust (and flow) against T+ s; full thrust if None
    fall_burns: tuple[FallBurn, ...] = ()    # engine burns of the spent element as it falls back
    engines: int = 1                     # engines per element (a fall burn may light some of them)
    restart: Restart | None = None       # the guided stage's coast and second burn, if it has them

    @property
    def propellant_kg(self) -> float:
        """What the ascent burns: the load less what cannot be used and what is kept for landing."""
        return self.gross_mass_kg - self.dry_mass_kg - self.unusable_propellant_kg - self.reserve_propellant_kg

    @property
    def inert_mass_kg(self) -> float:
        """What is left of one element at shutdown: structure, unusable and reserved propellant."""
        return self.dry_mass_kg + self.unusable_propellant_kg + self.reserve_propellant_kg

    @property
    def lighting_event(self) -> str:
        """The event at which the engines light: ``ignition`` itself, or the delayed ``ignition_event``."""
        return self.ignition_event if self.ignition_delay_s > 0.0 else self.ignition

    @property
    def exhaust_speed_km_s(self) -> float:
        """Effective exhaust velocity in a vacuum, Isp_vac g0 (km/s)."""
        return self.isp_vac_s * G0_M_S2 / 1000.0

    @property
    def engine_flow_kg_s(self) -> float:
        """The flow that makes the thrust: F_vac / (Isp_vac g0)."""
        return self.thrust_vac_n / (self.isp_vac_s * G0_M_S2)

    @property
    def mass_flow_kg_s(self) -> float:
        """Everything the stage loses per second: engine flow plus auxiliary consumption."""
        return self.engine_flow_kg_s * (1.0 + self.auxiliary_flow_fraction)

    @property
    def nozzle_exit_area_m2(self) -> float:
        """Exit area that makes thrust fall linearly with ambient pressure: F = F_vac - p A_e."""
        return (self.thrust_vac_n - self.thrust_sl_n) / P0_PA

    def setting_at(self, t_s):
        """The engines' setting at T+ ``t_s`` (floats or arrays): the throttle schedule's, or full
        thrust when the file has none or no instant is given."""
        return 1.0 if self.throttle is None or t_s is None else self.throttle.at(t_s)

    def thrust_n(self, pressure_pa, t_s=None):
        """Thrust per element at ambient ``pressure_pa``, throttled at ``t_s`` (floats or arrays)."""
        return self.engines_thrust_n(self.engines, self.setting_at(t_s), pressure_pa)

    def engines_thrust_n(self, engines, setting, pressure_pa):
        """Thrust of ``engines`` of one element's engines at ``setting`` under ambient
        ``pressure_pa``: each engine's share of ``setting x F_vac - p A_e`` (see :class:`Throttle`).
        The one place the throttled thrust is written: the ascent, the stack's samples and the
        fall burns (a few of the stage's engines) all call it."""
        share = engines / self.engines
        return share * (setting * self.thrust_vac_n - pressure_pa * self.nozzle_exit_area_m2)


@dataclass(frozen=True)
class Jettison(Part):
    """An unpowered part dropped at a delay after an event (fairing halves, aft skirt)."""

    mass_kg: float
    after: str
    delay_s: float


@dataclass(frozen=True)
class Guidance:
    vertical_rise_s: float
    pitchover_duration_s: float
    pitchover_deg: float
    pitch_bias_deg: float            # thrust above the air-relative velocity once the bias starts
    pitch_bias_after: str            # the event that starts it (the strap-ons leaving)
    cycle_s: float
    final_freeze_s: float
    closed_loop_stage: str           # the stage the closed-loop guidance steers to orbit


@dataclass(frozen=True)
class Vehicle:
    name: str
    path: Path
    nose_radius_m: float
    look: PartLook                   # the whole stack on the pad
    payload: Payload
    aero: Aero
    guidance: Guidance
    stages: tuple[Stage, ...]
    jettisons: tuple[Jettison, ...]
    light: Light
    max_q_event: str | None = None   # named at the peak dynamic pressure, if the file asks

    @property
    def guided_stage(self) -> Stage:
        return next(s for s in self.stages if s.shutdown == "guidance")

    def liftoff_mass_kg(self, payload_kg: float) -> float:
        return (sum(s.gross_mass_kg * s.count for s in self.stages)
                + sum(j.mass_kg * j.count for j in self.jettisons) + payload_kg)

    def check_liftoff_thrust(self, payload_kg: float) -> None:
        """Sea-level thrust at liftoff must exceed the weight, or the rocket never leaves the pad."""
        lit = [s for s in self.stages if s.ignition == LIFTOFF_EVENT]
        thrust_n = sum(s.thrust_sl_n * s.count for s in lit)
        weight_n = self.liftoff_mass_kg(payload_kg) * G0_M_S2
        if thrust_n <= weight_n:
            names = "+".join(f"stages.{s.key}" for s in lit)
            raise DataError(self.path, f"{names}.thrust_sl_n", round(thrust_n),
                            f"a liftoff thrust above the liftoff weight {weight_n:.0f} N "
                            f"(mass {self.liftoff_mass_kg(payload_kg):.0f} kg with a "
                            f"{payload_kg:.0f} kg payload)")


def _look(t: Table) -> PartLook:
    return PartLook(kind=t.string("render_kind"), length_m=t.number("length_m", above=0.0, max=200.0),
                    diameter_m=t.number("diameter_m", above=0.0, max=50.0),
                    albedo=t.number("albedo", min=0.0, max=1.0))


def _part_fields(key: str, t: Table) -> dict:
    return dict(key=key, count=int(t.number("count", min=1, max=16)),
                mounting=t.string("mounting", choices=["inline", "strap-on"]),
                separation_dv_m_s=t.number("separation_dv_m_s", min=-50.0, max=50.0),
                reference_area_m2=t.number("reference_area_m2", above=0.0),
                drag_coefficient=t.number("drag_coefficient", above=0.0, max=5.0),
                ballistic_coefficient_kg_m2=t.number("ballistic_coefficient_kg_m2", above=0.0),
                nose_radius_m=t.number("nose_radius_m", above=0.0),
                entry_event=t.string("entry_event", None), heating_event=t.string("heating_event", None),
                look=_look(t))


def _stage(key: str, t: Table, guided: bool) -> Stage:
    """Stage ``key``; ``guided``: the closed-loop stage ([guidance] closed_loop_stage), which shuts
    down on the target orbit, every other one on depletion."""
    stage = Stage(**_part_fields(key, t),
                  gross_mass_kg=t.number("gross_mass_kg", above=0.0),
                  dry_mass_kg=t.number("dry_mass_kg", above=0.0),
                  unusable_propellant_kg=t.number("unusable_propellant_kg", min=0.0),
                  auxiliary_flow_fraction=t.number("auxiliary_flow_fraction", 0.0, min=0.0, max=0.2),
                  thrust_sl_n=t.number("thrust_sl_n", min=0.0),
                  thrust_vac_n=t.number("thrust_vac_n", above=0.0),
                  isp_sl_s=t.number("isp_sl_s", above=0.0),
                  isp_vac_s=t.number("isp_vac_s", above=0.0),
                  burn_time_s=t.number("burn_time_s", above=0.0),
                  ignition=t.string("ignition"),
                  shutdown="guidance" if guided else "depletion",
                  cutoff_event=t.string("cutoff_event", None),
                  separation_event=t.string("separation_event"),
                  separation_delay_s=t.number("separation_delay_s", 0.0, min=0.0),
                  separation_glow=_separation_glow(t.table("separation_glow", None)),
                  ignition_delay_s=t.number("ignition_delay_s", 0.0, min=0.0, max=3600.0),
                  ignition_event=t.string("ignition_event", None),
                  reserve_propellant_kg=t.number("reserve_propellant_kg", 0.0, min=0.0),
                  throttle=_throttle(t),
                  fall_burns=tuple(_fall_burn(b) for b in t.tables("fall_burns", [])),
                  engines=int(t.number("engines", 1, min=1, max=64)),
                  restart=_restart(t.table("restart", None)))
    if stage.restart is not None and stage.shutdown != "guidance":
        raise t.error("restart", "{...}", "none: only the closed-loop stage (guidance.closed_loop_stage) coasts "
                                          "and relights")
    if stage.ignition_delay_s > 0.0 and stage.ignition_event is None:
        raise t.error("ignition_event", None, f"an event name for the ignition {stage.ignition_delay_s:g} s "
                                              f"after {stage.ignition!r}")
    if stage.reserve_propellant_kg > 0.0 and stage.shutdown == "guidance":
        raise t.error("reserve_propellant_kg", stage.reserve_propellant_kg,
                      "0 for the guided stage (it shuts down on the target, not on a reserve)")
    if stage.throttle is not None and stage.shutdown == "guidance":
        raise t.error("throttle", list(stage.throttle.setting),
                      "no throttle on the guided stage (its guidance assumes full thrust)")
    if stage.fall_burns and stage.reserve_propellant_kg <= 0.0:
        raise t.error("reserve_propellant_kg", stage.reserve_propellant_kg,
                      "a reserve above 0 kg for the fall_burns to burn")
    for b in stage.fall_burns:
        if b.engines > stage.engines:
            raise t.error("fall_burns.engines", b.engines, f"at most the stage's engines ({stage.engines})")
    timed_kg = sum(b.engines * b.setting * b.duration_s * stage.mass_flow_kg_s / stage.engines
                   for b in stage.fall_burns if b.start == "descending_through")
    if timed_kg > stage.reserve_propellant_kg:
        raise t.error("reserve_propellant_kg", stage.reserve_propellant_kg,
                      f"at least the {timed_kg:.0f} kg the timed fall_burns need")
    if stage.propellant_kg <= 0.0:
        raise t.error("dry_mass_kg", stage.dry_mass_kg,
                      f"less than gross_mass_kg - unusable_propellant_kg "
                      f"({stage.gross_mass_kg - stage.unusable_propellant_kg:g})")
    if stage.thrust_sl_n > stage.thrust_vac_n:
        raise t.error("thrust_sl_n", stage.thrust_sl_n, f"<= thrust_vac_n ({stage.thrust_vac_n:g})")
    sl_flow = stage.thrust_sl_n / (stage.isp_sl_s * G0_M_S2)
    if abs(sl_flow / stage.engine_flow_kg_s - 1.0) > MASS_FLOW_TOLERANCE:
        raise t.error("isp_sl_s", stage.isp_sl_s,
                      f"a value giving the vacuum mass flow {stage.engine_flow_kg_s:.1f} kg/s "
                      f"within {MASS_FLOW_TOLERANCE:.0%} (sea-level figures give {sl_flow:.1f})")
    full_burn_s = stage.propellant_kg / stage.mass_flow_kg_s
    if abs(full_burn_s / stage.burn_time_s - 1.0) > BURN_TIME_TOLERANCE:
        raise t.error("burn_time_s", stage.burn_time_s,
                      f"within {BURN_TIME_TOLERANCE:.0%} of propellant / mass flow = {full_burn_s:.1f} s")
    if stage.shutdown == "guidance" and stage.cutoff_event is None:
        raise t.error("cutoff_event", None, "an event name for the guided stage's cutoff")
    return stage


def _restart(t: Table | None) -> Restart | None:
    if t is None:
        return None
    if "coast_s" not in t:
        raise t.error("coast_s", None, "a coast (seconds > 0 with the engine off) between the first "
                                       "cutoff and the restart")
    restart = Restart(coast_s=t.number("coast_s", above=0.0, max=86400.0), event=t.string("event"),
                      cutoff_event=t.string("cutoff_event"),
                      parking_perigee_alt_km=t.number("parking_perigee_alt_km", min=100.0, max=2000.0),
                      parking_apogee_alt_km=t.number("parking_apogee_alt_km", min=100.0, max=400000.0))
    if restart.parking_apogee_alt_km < restart.parking_perigee_alt_km:
        raise t.error("parking_apogee_alt_km", restart.parking_apogee_alt_km,
                      f">= parking_perigee_alt_km ({restart.parking_perigee_alt_km:g})")
    return restart


def _throttle(t: Table) -> Throttle | None:
    if "throttle_t_s" not in t:
        return None
    times = t.numbers("throttle_t_s")
    settings = t.numbers("throttle", length=len(times))
    if len(times) < 2 or np.any(np.diff(times) <= 0.0):
        raise t.error("throttle_t_s", times, "at least two increasing instants (T+ s)")
    if min(settings) <= 0.0 or max(settings) > 1.0:
        raise t.error("throttle", settings, "settings in (0, 1] (a fraction of full thrust)")
    return Throttle(tuple(times), tuple(settings))


def _fall_burn(t: Table) -> FallBurn:
    burn = FallBurn(event=t.string("event"), start=t.string("start", choices=["descending_through", "suicide"]),
                    start_alt_km=t.number("start_alt_km", 0.0, min=0.0, max=200.0),
                    engines=int(t.number("engines", min=1, max=64)),
                    setting=t.number("setting", 1.0, above=0.0, max=1.0),
                    duration_s=t.number("duration_s", 0.0, min=0.0, max=600.0),
                    end_event=t.string("end_event", None))
    if burn.start_alt_km <= 0.0:
        raise t.error("start_alt_km", burn.start_alt_km, "a height above 0 km (where the burn lights, or for "
                                                         "a suicide burn where it is armed)")
    if burn.start == "descending_through" and burn.duration_s <= 0.0:
        raise t.error("duration_s", burn.duration_s, "a duration above 0 s for a burn lit descending through a height")
    if burn.start == "suicide" and burn.end_event is None:
        raise t.error("end_event", None, "an event name for the landing (the end of the suicide burn)")
    return burn


def _separation_glow(t: Table | None) -> SeparationGlow | None:
    if t is None:
        return None
    hot = {"plume_half_angle_deg": t.number("plume_half_angle_deg", None, above=0.0, max=89.0),
           "impingement_visible_efficiency": t.number("impingement_visible_efficiency", None, min=0.0, max=1.0),
           "impingement_temperature_k": t.number("impingement_temperature_k", None, min=500.0, max=6000.0)}
    missing = [key for key, value in hot.items() if value is None]
    if missing and len(missing) < len(hot):
        raise t.error(missing[0], None, "a number: hot staging needs all of " + ", ".join(hot))
    return SeparationGlow(burned_fraction=t.number("burned_fraction", min=0.0, max=1.0),
                          visible_efficiency=t.number("visible_efficiency", min=0.0, max=1.0),
                          burn_zone_m=t.number("burn_zone_m", above=0.0, max=1.0e5),
                          glow_end_temperature_k=t.number("glow_end_temperature_k", min=300.0, max=6000.0),
                          fade_s=t.number("fade_s", above=0.0, max=600.0), **hot)


def _light(t: Table) -> Light:
    in_air = t.number("flame_visible_efficiency", min=0.0, max=1.0)
    return Light(flame_temperature_k=t.number("flame_temperature_k", min=500.0, max=6000.0),
                 flame_visible_efficiency=in_air,
                 vacuum_flame_visible_efficiency=t.number("vacuum_flame_visible_efficiency", min=0.0, max=in_air),
                 afterburning_half_pressure_pa=t.number("afterburning_half_pressure_pa", above=0.0, max=P0_PA),
                 plume_glow_fraction=t.number("plume_glow_fraction", min=0.0, max=1.0),
                 combustion_energy_j_kg=t.number("combustion_energy_j_kg", above=0.0, max=1.5e8),
                 entry_glow_efficiency=t.number("entry_glow_efficiency", min=0.0, max=1.0),
                 entry_glow_temperature_k=t.number("entry_glow_temperature_k", min=500.0, max=6000.0))


def _jettison(key: str, t: Table) -> Jettison:
    return Jettison(**_part_fields(key, t), separation_event=t.string("event"),
                    mass_kg=t.number("mass_kg", above=0.0), after=t.string("after"),
                    delay_s=t.number("delay_s", min=0.0))


def _known_events(vehicle: Vehicle) -> set[str]:
    """The events the flight emits by name: liftoff, each stage's cutoff, separation and delayed
    ignition (jettisons and the payload are released at one of these, or after them)."""
    return {LIFTOFF_EVENT} | {s.separation_event for s in vehicle.stages} | {
        s.cutoff_event for s in vehicle.stages if s.cutoff_event} | {
        s.ignition_event for s in vehicle.stages if s.ignition_delay_s > 0.0} | {
        name for s in vehicle.stages if s.restart for name in (s.restart.event, s.restart.cutoff_event)}


def _check_event_names(vehicle: Vehicle, root: Table, tables: dict[str, Table]) -> None:
    """Every ignition/``after`` names an event some part emits, and strap-ons leave before the guided stage.

    ``tables`` holds the table each stage, jettison and the payload was read from (for errors).
    """
    known = _known_events(vehicle)
    expected = "one of " + ", ".join(sorted(known))
    for s in vehicle.stages:
        if s.ignition not in known:
            raise tables[s.key].error("ignition", s.ignition, expected)
    for j in vehicle.jettisons:
        if j.after not in known:
            raise tables[j.key].error("after", j.after, expected)
    if vehicle.payload.separation_event not in known:
        raise tables["payload"].error("separation_event", vehicle.payload.separation_event, expected)
    if vehicle.stages[0].ignition != LIFTOFF_EVENT:
        raise tables[vehicle.stages[0].key].error("ignition", vehicle.stages[0].ignition,
                                                  f"{LIFTOFF_EVENT!r} for the first stage")
    rides_to_orbit = {vehicle.guided_stage.separation_event, vehicle.payload.separation_event}
    for s in vehicle.stages:
        if s.mounting == "strap-on" and (s.shutdown != "depletion" or s.separation_event in rides_to_orbit):
            raise tables[s.key].error("separation_event", s.separation_event,
                                      "a parallel (strap-on) stage that shuts down on depletion and separates "
                                      f"before the guided stage (not at {' or '.join(sorted(rides_to_orbit))})")


def _check_guidance_phases(vehicle: Vehicle, guid: Table, known_events: set[str]) -> None:
    """The guidance phases name stages and events that exist: the closed-loop stage (the last, see
    ``load_vehicle``) flies single, and the pitch bias starts at an event some part emits."""
    g = vehicle.guidance
    if vehicle.guided_stage.count != 1:
        raise guid.error("closed_loop_stage", g.closed_loop_stage, f"a stage flown single (count = 1), not "
                                                                   f"{vehicle.guided_stage.count}")
    if g.pitch_bias_after not in known_events:
        raise guid.error("pitch_bias_after", g.pitch_bias_after, "one of " + ", ".join(sorted(known_events)))


def _check_guidance(vehicle: Vehicle, guid: Table) -> None:
    """The pitch-over must end while the stages lit at liftoff still burn: after that nothing
    turns the ascent from the vertical, and the guided stage would light pointing straight up."""
    burn_s = min(s.burn_time_s for s in vehicle.stages if s.ignition == LIFTOFF_EVENT)
    g = vehicle.guidance
    if g.vertical_rise_s + g.pitchover_duration_s >= burn_s:
        raise guid.error("vertical_rise_s", g.vertical_rise_s,
                         f"a vertical rise plus pitch-over ({g.pitchover_duration_s:g} s) shorter than "
                         f"the first stages' burn ({burn_s:g} s)")


def load_vehicle(name_or_path: str | Path) -> Vehicle:
    """A bundled vehicle by name (``"soyuz-fg"``) or any vehicle TOML file, validated."""
    path = resolve("vehicle", name_or_path)
    root = load_toml(path)
    head, aero, guid = root.table("vehicle"), root.table("aero"), root.table("guidance")
    head.string("source", None)                       # provenance, for the reader
    mach = aero.numbers("mach")
    factors = aero.numbers("cd_factor", length=len(mach))
    if len(mach) < 2 or np.any(np.diff(mach) <= 0) or min(factors) <= 0:
        raise aero.error("mach", mach, "at least two increasing Mach numbers with positive cd_factor")
    tables = dict(root.table("stages").items())
    if not tables:
        raise root.error("stages", {}, "at least one [stages.NAME] table")
    closed_loop = guid.string("closed_loop_stage", list(tables)[-1])
    if closed_loop not in tables:
        raise guid.error("closed_loop_stage", closed_loop, "one of the stages: " + ", ".join(tables))
    if closed_loop != list(tables)[-1]:
        raise guid.error("closed_loop_stage", closed_loop, f"the last stage ({list(tables)[-1]}): the one that "
                                                           "carries the payload to orbit")
    stages = tuple(_stage(k, t, k == closed_loop) for k, t in tables.items())
    jettisons = dict(root.table("jettison", {}).items())
    payload = root.table("payload")
    tables.update(jettisons, payload=payload)
    vehicle = Vehicle(
        name=head.string("name"), path=path, nose_radius_m=head.number("nose_radius_m", above=0.0),
        look=_look(head),
        payload=Payload(payload.string("name"), _look(payload), payload.string("separation_event")),
        aero=Aero(np.array(mach), np.array(factors)),
        guidance=Guidance(vertical_rise_s=guid.number("vertical_rise_s", min=0.0),
                          pitchover_duration_s=guid.number("pitchover_duration_s", above=0.0),
                          pitchover_deg=guid.number("pitchover_deg", above=0.0, max=45.0),
                          pitch_bias_deg=guid.number("pitch_bias_deg", 0.0, min=-30.0, max=30.0),
                          pitch_bias_after=guid.string("pitch_bias_after", LIFTOFF_EVENT),
                          cycle_s=guid.number("cycle_s", above=0.0, max=30.0),
                          final_freeze_s=guid.number("final_freeze_s", min=0.0, max=60.0),
                          closed_loop_stage=closed_loop),
        stages=stages,
        jettisons=tuple(_jettison(k, t) for k, t in jettisons.items()),
        light=_light(root.table("light")),
        max_q_event=head.string("max_q_event", None))
    _check_event_names(vehicle, root, tables)
    _check_guidance_phases(vehicle, guid, _known_events(vehicle))
    _check_guidance(vehicle, guid)
    root.reject_unknown()
    return vehicle
