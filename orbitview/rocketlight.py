"""The light a launch makes at night, over time: flames, the afterburning plume, staging flashes and
entry glows, as visible radiant power (W, 400-700 nm, emitted isotropically) and sizes.

Every figure comes from the vehicle file's ``[light]`` and ``separation_glow`` tables (sources and
estimates there); the renderer only draws what this module says shines.

* **The flame** radiates a fraction of its jet power 1/2 F v_e (F the thrust, v_e the exhaust
  velocity of the engines firing): ``flame_visible_efficiency`` in dense air, where the fuel-rich
  exhaust afterburns, falling to ``vacuum_flame_visible_efficiency`` as the air thins
  (:func:`flame_efficiency`). Of that light,
  ``plume_glow_fraction`` comes from the afterburning exhaust, spread over the plume's radius
  (:func:`orbitview.exhaust.plume_radius_km`: metres at sea level, tens of km in the thermosphere).
* **A staging flash**: ``burned_fraction`` of the stage's unusable propellant burns as it leaves,
  releasing ``combustion_energy_j_kg`` per kg; ``visible_efficiency`` of that energy is radiated,
  at a rate fading as exp(-t / ``fade_s``), by the products in the burning zone and as far beyond
  as they stay hot enough to glow (:func:`glow_radius_km`: tens of metres, a point from orbit;
  in the air no further than its pressure lets them: :func:`burst_radius_km`). In hot staging
  the stack's exhaust also strikes the released stage's forward end while the stages are close
  (:func:`impingement_visible_w`): its jet power meeting that end, thermalised there at the
  exhaust's stagnation temperature, radiates ``impingement_visible_efficiency`` of it.
* **An entry glow**: ``entry_glow_efficiency`` of the aerodynamic heating (stagnation heat flux x
  side-on area) of a falling stage.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ascent import VEHICLE_BODY, Ascent
from .ascent.vehicle import Light, SeparationGlow, Stage
from .atmosphere import pressure_pa
from .exhaust import PLUME_MIN_PRESSURE_PA, plume_radius_km

# Ratio of specific heats of hot kerosene/LOX combustion products (CO2, H2O, CO at ~2,000-3,000 K):
# ~1.2 (the figure rocket-performance codes use for the RP-1/LOX chamber gas, Sutton & Biblarz,
# Rocket Propulsion Elements, 9th ed., table 5-5). A burst of energy E fills the volume where its
# gas pressure (gamma - 1) E / V meets the air's.
GAMMA_PRODUCTS = 1.2
# A staging flash is over after this many e-folding times (e^-12 = 6e-6 of its first light).
FLASH_END_FADES = 12.0
# How fast afterburning dies with the air's pressure p: its share of the flame's light is D / (1 + D)
# for a Damkoehler number D = (p / p_half)^1.5, the time the exhaust spends in the mixing layer over
# the time its heat takes to come out. Most of that heat is released by three-body recombinations
# (H + OH + M, rate ~ p^2), and the mixing layer's transit time grows as the plume widens
# (radius ~ p^-1/2, exhaust.plume_radius_km): p^2 x p^-1/2.
AFTERBURNING_PRESSURE_EXPONENT = 1.5


def jet_power_w(thrust_n, exhaust_km_s):
    """Jet power (W) 1/2 F v_e of an exhaust of thrust F and speed v_e; arrays welcome."""
    return 0.5 * np.asarray(thrust_n, float) * np.asarray(exhaust_km_s, float) * 1e3


def flame_efficiency(light: Light, alt_km):
    """Visible power over jet power of a flame at ``alt_km``: the vacuum figure, plus afterburning's
    share D / (1 + D) of the difference to the dense-air figure (``AFTERBURNING_PRESSURE_EXPONENT``)."""
    damkoehler = (pressure_pa(alt_km) / light.afterburning_half_pressure_pa) ** AFTERBURNING_PRESSURE_EXPONENT
    afterburning = damkoehler / (1.0 + damkoehler)
    vacuum = light.vacuum_flame_visible_efficiency
    return vacuum + (light.flame_visible_efficiency - vacuum) * afterburning


def flame_visible_w(light: Light, thrust_n, exhaust_km_s, alt_km):
    """Visible power (W) of a flame at ``alt_km``: its efficiency there times its jet power
    (:func:`jet_power_w`)."""
    return flame_efficiency(light, alt_km) * jet_power_w(thrust_n, exhaust_km_s)


def burst_radius_km(energy_j: float, alt_km):
    """Radius (km) at which a burst of ``energy_j`` of hot gas reaches the ambient pressure:
    (4/3) pi R^3 p = (gamma - 1) E: ~40 m for 200 MJ at 45 km."""
    p = np.maximum(pressure_pa(alt_km), PLUME_MIN_PRESSURE_PA)
    return (3.0 * (GAMMA_PRODUCTS - 1.0) * energy_j / (4.0 * np.pi * p)) ** (1.0 / 3.0) / 1000.0


def flash_energy_j(stage: Stage, light: Light) -> float:
    """Combustion energy (J) of the propellant that burns when one element of ``stage`` leaves."""
    glow = stage.separation_glow
    return 0.0 if glow is None else stage.unusable_propellant_kg * glow.burned_fraction * light.combustion_energy_j_kg


def flash_visible_w(glow: SeparationGlow, energy_j: float, since_s):
    """Visible power (W) of a staging flash ``since_s`` after it starts: the light
    ``visible_efficiency x energy_j`` released at a rate fading as exp(-t / fade_s); 0 before."""
    t = np.asarray(since_s, float)
    rate = glow.visible_efficiency * energy_j / glow.fade_s
    lit = (t >= 0.0) & (t < FLASH_END_FADES * glow.fade_s)
    return np.where(lit, rate * np.exp(-np.clip(t, 0.0, None) / glow.fade_s), 0.0)


def glow_radius_km(glow: SeparationGlow, flame_temperature_k: float) -> float:
    """Radius (km) within which a flash's products glow: they leave the burning zone at their
    limiting speed, density falling as r^-2, so their temperature falls isentropically as
    r^(-2 (gamma - 1)) from the flame's to ``glow_end_temperature_k``: 29 m for a 10 m zone."""
    cooling = max(flame_temperature_k / glow.glow_end_temperature_k, 1.0)
    return glow.burn_zone_m * cooling ** (1.0 / (2.0 * (GAMMA_PRODUCTS - 1.0))) / 1000.0


def flash_radius_km(glow: SeparationGlow, flame_temperature_k: float, energy_j: float, since_s, alt_km):
    """Radius (km) of a staging flash's glowing products from its start: the glow radius, or less
    where the air stops them first (:func:`burst_radius_km`); 0 before the flash."""
    radius = np.minimum(glow_radius_km(glow, flame_temperature_k), burst_radius_km(energy_j, alt_km))
    return np.where(np.asarray(since_s, float) >= 0.0, radius, 0.0)


def impingement_visible_w(glow: SeparationGlow, jet_power_w, distance_km, end_radius_m: float):
    """Visible power (W) of the stack's exhaust striking a released stage's forward end of radius
    ``end_radius_m`` from ``distance_km`` behind the nozzles: ``impingement_visible_efficiency`` of
    the jet power in the share of the plume's cone (``plume_half_angle_deg``) that the end covers,
    min(1, (R / (d tan theta))^2); 0 without a half-angle (no hot staging)."""
    jet = np.asarray(jet_power_w, float)
    if glow.plume_half_angle_deg is None:
        return np.zeros_like(jet)
    cone_m = np.asarray(distance_km, float) * 1000.0 * np.tan(np.radians(glow.plume_half_angle_deg))
    with np.errstate(divide="ignore"):
        share = np.minimum(1.0, (end_radius_m / cone_m) ** 2)
    return glow.impingement_visible_efficiency * jet * share


@dataclass(frozen=True)
class BodyLight:
    """A body's own light at N instants (W of visible light, km, K)."""

    flame_w: np.ndarray
    plume_w: np.ndarray
    plume_radius_km: np.ndarray
    flash_w: np.ndarray
    flash_radius_km: np.ndarray
    impingement_w: np.ndarray
    entry_glow_w: np.ndarray
    flame_temperature_k: float
    entry_glow_temperature_k: float
    impingement_temperature_k: float


def body_light(ascent: Ascent, name: str, t_plus_s: np.ndarray, alt_km: np.ndarray) -> BodyLight:
    """What body ``name`` emits at each instant ``t_plus_s`` (its altitudes ``alt_km``)."""
    light = ascent.vehicle.light
    body = ascent.bodies[name]
    t = np.asarray(t_plus_s, float)
    thrust = body.thrust_n(t)
    total = flame_visible_w(light, thrust, body.exhaust_speed_km_s(t), alt_km)
    plume = light.plume_glow_fraction * total
    stage = _stage_of(ascent, name)
    energy = 0.0 if stage is None else flash_energy_j(stage, light)
    zeros = np.zeros_like(t)
    flash_w, flash_r, impingement, impingement_k = zeros, zeros, zeros, 0.0
    if energy > 0.0:
        since = t - ascent.released[name]
        flash_w = flash_visible_w(stage.separation_glow, energy, since)
        flash_r = flash_radius_km(stage.separation_glow, light.flame_temperature_k, energy, since, alt_km)
        impingement = _impingement_w(ascent, stage, name, t, since)
        impingement_k = stage.separation_glow.impingement_temperature_k or 0.0
    # Entry glow is for the parts that fall back unprotected; the climbing stack's fairing is
    # insulated and its nose heating brief, and its flame outshines it anyway.
    heat = zeros if name == VEHICLE_BODY else body.heat_flux_w_m2(t)
    entry = light.entry_glow_efficiency * heat * ascent.looks[name].area_m2
    return BodyLight(total - plume, plume, plume_radius_km(thrust, alt_km), flash_w, flash_r, impingement, entry,
                     light.flame_temperature_k, light.entry_glow_temperature_k, impingement_k)


def _impingement_w(ascent: Ascent, stage: Stage, name: str, t: np.ndarray, since: np.ndarray) -> np.ndarray:
    """The stack's exhaust striking released body ``name`` (after its release), from the flown
    distance between them and the stack's jet power 1/2 F v_e."""
    stack = ascent.bodies[VEHICLE_BODY]
    jet = jet_power_w(stack.thrust_n(t), stack.exhaust_speed_km_s(t))
    gap = np.linalg.norm(ascent.bodies[name].launch_frame_state(t)[0] - stack.launch_frame_state(t)[0], axis=0)
    end_radius_m = np.sqrt(stage.reference_area_m2 / np.pi)
    return np.where(since >= 0.0, impingement_visible_w(stage.separation_glow, jet, gap, end_radius_m), 0.0)


def _stage_of(ascent: Ascent, name: str) -> Stage | None:
    """The stage whose element body ``name`` is (None for the stack, fairings, the aft skirt)."""
    return next((s for s in ascent.vehicle.stages if name in s.body_names()), None)
