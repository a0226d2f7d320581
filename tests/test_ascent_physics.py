"""Physics bookkeeping of the ascent: energy, drag, the integrator's tolerance, interpolation."""
from __future__ import annotations

import numpy as np
import pytest
from ascent_cases import ascent

from orbitview.ascent.dynamics import jacobi_energy, orbital_energy
from orbitview.ascent.falling import fall

EVENTS = ["booster_separation", "core_separation", "third_stage_cutoff", "spacecraft_separation",
          "core_stage_entry", "core_stage_heating"]


def test_a_vacuum_coast_conserves_orbital_energy():
    a = ascent("progress-ms10")
    track = a.bodies["vehicle"].track
    coast = track.t_s > a.insertion.t_plus_s
    energy = orbital_energy(track.r_km[:, coast], track.v_km_s[:, coast])
    assert np.ptp(energy) / abs(energy.mean()) < 1e-6
    assert track.t_s[coast][-1] - track.t_s[coast][0] > 600.0


def test_the_vacuum_propagator_conserves_energy_over_an_orbit():
    r0, v0 = np.array([6778.0, 0.0, 0.0]), np.array([0.0, 4.8, 5.9])
    result = fall(0.0, r0, v0, 1000.0, None, 1.0, 5600.0, r0)
    energy = orbital_energy(result.track.r_km, result.track.v_km_s)
    assert np.ptp(energy) / abs(energy.mean()) < 1e-6


@pytest.mark.parametrize("body", ["core", "booster_1", "fairing_1", "aft_skirt"])
def test_drag_only_removes_energy_from_falling_parts(body):
    """In the Earth-turning frame (Jacobi integral), drag against the turning air can only take energy."""
    a = ascent("progress-ms10")
    sep = {"core": "core_separation", "booster_1": "booster_separation",
           "fairing_1": "fairing_separation", "aft_skirt": "aft_skirt_separation"}[body]
    track = a.bodies[body].track
    falling = track.t_s > a.event(sep).t_plus_s
    energy = jacobi_energy(track.r_km[:, falling], track.v_km_s[:, falling])
    assert np.all(np.diff(energy) <= 1e-9 * np.abs(energy[:-1]))
    assert energy[-1] < energy[0]


def test_results_are_stable_under_the_integrator_tolerance_and_step():
    fine, coarse = ascent("progress-ms10"), ascent("progress-ms10", rtol=1e-8, max_step_s=3.0)
    for name in EVENTS:
        assert fine.event(name).t_plus_s == pytest.approx(coarse.event(name).t_plus_s, abs=0.5), name
    for name in ["booster_1", "core", "aft_skirt"]:
        assert fine.impacts[name].downrange_km == pytest.approx(coarse.impacts[name].downrange_km, abs=2.0)
    assert fine.insertion.perigee_alt_km == pytest.approx(coarse.insertion.perigee_alt_km, abs=0.2)
    assert fine.insertion.apogee_alt_km == pytest.approx(coarse.insertion.apogee_alt_km, abs=0.2)


def test_interpolated_velocity_is_the_derivative_of_interpolated_position():
    a = ascent("progress-ms10")
    body = a.bodies["core"]
    t = np.linspace(1.0, 1100.0, 400)
    h = 1e-3
    r_plus, _ = body.launch_frame_state(t + h)
    r_minus, _ = body.launch_frame_state(t - h)
    _, v = body.launch_frame_state(t)
    # Away from the jumps (separation impulse, impact), central differences match to 0.1 m/s.
    smooth = np.abs(t - a.event("core_separation").t_plus_s) > 2 * h
    smooth &= np.abs(t - a.impacts["core"].t_plus_s) > 2 * h
    err = np.linalg.norm((r_plus - r_minus) / (2 * h) - v, axis=0)[smooth]
    assert err.max() < 1e-4      # km/s


def test_interpolation_reproduces_the_samples():
    track = ascent("progress-ms10").bodies["vehicle"].track
    unique = np.r_[np.diff(track.t_s) > 0, True]
    r, v = track.state(track.t_s[unique])
    assert np.allclose(r, track.r_km[:, unique], atol=1e-9)
    assert np.allclose(v, track.v_km_s[:, unique], atol=1e-12)
