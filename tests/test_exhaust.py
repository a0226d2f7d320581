"""The exhaust clouds: where they go, how they spread, how much light they can give."""
from __future__ import annotations

import numpy as np
import pytest

from orbitview import exhaust, shots
from orbitview.earth import KARMAN_LINE_KM, itrs_to_geodetic
from orbitview.frames import gcrs_to_itrs
from orbitview.render import RenderStyle
from orbitview.exhaust import plume_radius_km
from orbitview.render.objects import exhaust_flux
from orbitview import load_scenario


@pytest.fixture(scope="module")
def ms15():
    return load_scenario("soyuz-ms15")


def test_low_puffs_stay_where_they_were_left_and_high_ones_coast(ms15):
    now = np.array([300.0])
    puffs = exhaust.exhaust_puffs(ms15.vehicle, now)
    ages = np.arange(exhaust.PUFF_INTERVAL_S / 2.0, exhaust.MAX_AGE_S, exhaust.PUFF_INTERVAL_S)
    emitted = now[0] - ages
    vehicle_then = ms15.vehicle.itrs_state(ms15.clock.t_plus(emitted))[0]
    _, _, alt_then = itrs_to_geodetic(vehicle_then)
    low = (alt_then < KARMAN_LINE_KM) & puffs.present[0]
    high = (alt_then > KARMAN_LINE_KM + 20.0) & puffs.present[0]
    assert low.any() and high.any()
    assert np.allclose(puffs.itrs_km[:, 0, low], vehicle_then[:, low], atol=1e-6)
    # Above the air the gas coasts at the vehicle's inertial speed less the exhaust velocity (the
    # third stage's Isp_vac g0, 3.2 km/s): in GCRS a young puff is (|v| - 3.2 km/s) x age from
    # where it was left (gravity: metres).
    young = high & (ages <= 10.0)
    assert young.any()
    to_itrs = gcrs_to_itrs(ms15.clock.t_plus(now))[:, :, 0]
    puff_gcrs = to_itrs.T @ puffs.itrs_km[:, 0, young]
    r_then, v_then = ms15.vehicle.gcrs_state(ms15.clock.t_plus(emitted[young]))
    speed = np.linalg.norm(v_then, axis=0)
    moved = np.linalg.norm(puff_gcrs - r_then, axis=0)
    exhaust_km_s = ms15.vehicle.exhaust_speed_km_s(emitted[young])
    assert exhaust_km_s == pytest.approx(326.0 * 9.80665 / 1000.0)
    assert moved == pytest.approx((speed - exhaust_km_s) * ages[young], rel=0.01)


def test_puffs_spread_with_age_up_to_pressure_balance_and_carry_the_exhaust_mass(ms15):
    now = np.array([400.0])
    puffs = exhaust.exhaust_puffs(ms15.vehicle, now)
    ages = np.arange(exhaust.PUFF_INTERVAL_S / 2.0, exhaust.MAX_AGE_S, exhaust.PUFF_INTERVAL_S)
    on = puffs.present[0]
    radius = puffs.radius_km[0, on]
    assert np.all(radius <= exhaust.MIN_RADIUS_KM + exhaust.SPREAD_KM_S * ages[on] + 1e-9)
    # Conservation against first principles: the exhaust of the last 240 s is the mass flow
    # thrust / exhaust velocity integrated finely here (not per puff); its condensed part, as ice
    # spheres of r = 1.5 um, rho = 920 kg/m3, with Mie's large-particle extinction Q = 2,
    # shadows 3 Q / (4 rho r) = 1,087 m2 per kg (the module rounds to 1,100).
    mie_m2_per_kg = 3.0 * 2.0 / (4.0 * 920.0 * 1.5e-6)
    fine = np.linspace(now[0] - exhaust.MAX_AGE_S, now[0], 48_001)     # T+160 to 400 s
    mass_flow_kg_s = ms15.vehicle.thrust_n(fine) / np.maximum(ms15.vehicle.exhaust_speed_km_s(fine) * 1000.0, 1.0)
    condensed_kg = np.trapezoid(mass_flow_kg_s, fine) * exhaust.CONDENSED_FRACTION
    assert puffs.cross_section_m2[0, on].sum() == pytest.approx(condensed_kg * mie_m2_per_kg, rel=0.03)
    # The third stage's 298 kN at 200 km: the plume reaches pressure balance at ~40 km.
    assert plume_radius_km(298e3, 200.0) == pytest.approx(40.0, rel=0.3)
    assert np.all(plume_radius_km(np.array([298e3, 298e3]), np.array([0.0, 200.0])) < [0.01, 300.0])


def test_a_cloud_scatters_no_more_than_its_disc():
    """Optically thin: flux ~ cross-section; thick: the disc's area, whatever the particles."""
    thin = exhaust_flux(1e3, 10.0, 1.0, 1000.0)
    assert thin == pytest.approx(1e3 / (4.0 * 1e12), rel=1e-3)
    disc = np.pi * 1e4**2
    assert exhaust_flux(1e15, 10.0, 1.0, 1000.0) == pytest.approx(disc / (4.0 * 1e12), rel=1e-9)
    assert exhaust_flux(1e3, 10.0, 0.0, 1000.0) == 0.0


def test_the_sunlit_exhaust_lights_up_the_dusk_frame_and_not_the_night_one(ms15):
    style = RenderStyle(stars=False, text=False)
    size = (240, 160)
    lit = shots.frame_at(ms15, 276.0, size, style).astype(float)
    bare = shots.frame_at(ms15, 276.0, size, RenderStyle(stars=False, text=False, objects=False)).astype(float)
    added = (lit - bare).sum(axis=2)
    assert (added > 30).sum() > 40            # a cloud tens of pixels across, not a point
    night = next(shots.frame_series(load_scenario("progress-ms10"), [300.0], size))
    assert not any(o.kind == "exhaust" for o in night.objects)


def test_gas_that_falls_back_stops_on_the_karman_line_and_turns_with_the_earth(ms15):
    """The core stage's gas (3-4 km/s, far short of orbit) comes down within minutes: the air stops
    it where it crosses the line (it once coasted 160 km below the ground by T+400)."""
    every = np.arange(300.0, 800.0, exhaust.PUFF_INTERVAL_S)
    puffs = exhaust.exhaust_puffs(ms15.vehicle, every)
    ages = np.arange(exhaust.PUFF_INTERVAL_S / 2.0, exhaust.MAX_AGE_S, exhaust.PUFF_INTERVAL_S)
    _, _, alt_then = itrs_to_geodetic(ms15.vehicle.itrs_state(ms15.clock.t_plus((every[:, None] - ages).ravel()))[0])
    high = puffs.present & (alt_then.reshape(puffs.present.shape) >= KARMAN_LINE_KM)
    assert np.nanmin(np.where(high, puffs.alt_km, np.nan)) > KARMAN_LINE_KM - 2.0      # ellipsoid vs sphere: ~1 km
    # The same puff one interval later (one step older): a puff the air has stopped stands still on
    # the ground, and every puff that stands still does so on the line.
    both = high[:-1, :-1] & high[1:, 1:]
    moved = np.linalg.norm(puffs.itrs_km[:, 1:, 1:] - puffs.itrs_km[:, :-1, :-1], axis=0)
    still = both & (moved < 1e-3)
    assert still.sum() > 100
    assert np.all(np.abs(puffs.alt_km[:-1, :-1][still] - KARMAN_LINE_KM) < 2.0)


def test_the_earths_turn_over_a_coast_matches_the_full_rotation():
    """``exhaust._turned`` (a turn about the pole by the WGS84 rate) against Skyfield's rotation
    at two instants 240 s apart (precession, nutation and polar motion included)."""
    from orbitview.skydata import timescale

    ts = timescale()
    rotation = gcrs_to_itrs(ts.utc(2019, 9, 25, 14, 0, [0.0, 240.0]))
    point = np.array([3000.0, -4000.0, 4500.0])
    exact = rotation[:, :, 1] @ (rotation[:, :, 0].T @ point)
    assert np.linalg.norm(exhaust._turned(point, 7.292115e-5 * 240.0) - exact) < 1e-3       # km
