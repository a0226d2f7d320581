"""Ascent targeting, guidance, launch frame and tracks on cases solved by hand.

The expected numbers come from textbook relations written out here (vis-viva, spherical
trigonometry of a plane over a pad, the rocket equation, the J2 potential and nodal regression,
a circular orbit's closed form), not from the functions under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from orbitview.ascent.falling import fall
from orbitview.ascent.guidance import PoweredExplicitGuidance
from orbitview.ascent.launchframe import LaunchFrame
from orbitview.ascent.targeting import TargetOrbit, elements, launch_azimuth_deg, plane_angles_deg
from orbitview.ascent.track import Track

MU = 398600.4418            # km3/s2, WGS84
R_EQ = 6378.137             # km
J2 = 1.08262668e-3
OMEGA = 7.292115e-5         # rad/s
SIDEREAL_DAY_S = 2.0 * math.pi / OMEGA


def _plane_normal(inclination_deg: float, node_deg: float) -> np.ndarray:
    """Unit normal (h / |h|) of a prograde plane: ascending node at ``node_deg``."""
    i, node = math.radians(inclination_deg), math.radians(node_deg)
    return np.array([math.sin(i) * math.sin(node), -math.sin(i) * math.cos(node), math.cos(i)])


def test_target_orbit_energy_and_speed_are_vis_viva():
    target = TargetOrbit(_plane_normal(51.6, 0.0), perigee_alt_km=200.0, apogee_alt_km=240.0)
    rp, ra = R_EQ + 200.0, R_EQ + 240.0
    a = 0.5 * (rp + ra)                                   # 6598.137 km
    assert target.energy_km2_s2 == pytest.approx(-MU / (2.0 * a), rel=1e-12)
    assert target.energy_km2_s2 == pytest.approx(-30.2055, abs=1e-4)
    assert target.perigee_speed_km_s == pytest.approx(math.sqrt(MU * (2.0 / rp - 1.0 / a)), rel=1e-12)
    circular = TargetOrbit(_plane_normal(51.6, 0.0), perigee_alt_km=400.0, apogee_alt_km=400.0)
    assert circular.perigee_speed_km_s == pytest.approx(7.6686, abs=1e-4)   # sqrt(mu / 6778.137 km)


def test_osculating_elements_of_a_circular_inclined_orbit():
    normal = _plane_normal(51.6, 120.0)
    node_dir = np.array([math.cos(math.radians(120.0)), math.sin(math.radians(120.0)), 0.0])
    r = (R_EQ + 400.0) * node_dir                        # at the ascending node
    v = math.sqrt(MU / (R_EQ + 400.0)) * np.cross(normal, node_dir)
    e = elements(r, v)
    assert e["perigee_alt_km"] == pytest.approx(400.0, abs=1e-6)
    assert e["apogee_alt_km"] == pytest.approx(400.0, abs=1e-6)
    assert e["inclination_deg"] == pytest.approx(51.6, abs=1e-9)
    assert e["node_deg"] == pytest.approx(120.0, abs=1e-9)


def test_the_iss_plane_regresses_about_five_degrees_a_day():
    """J2: dOmega/dt = -3/2 n J2 (R/p)^2 cos i; for the ISS (400 km, 51.6 deg) about -5.0 deg/day."""
    target = TargetOrbit(_plane_normal(51.6, 0.0), 400.0, 400.0)
    plane = target.plane(target.normal_gcrs)
    a = R_EQ + 400.0
    by_hand = -1.5 * math.sqrt(MU / a**3) * J2 * (R_EQ / a) ** 2 * math.cos(math.radians(51.6))
    assert plane.node_rate_rad_s == pytest.approx(by_hand, rel=1e-9)
    assert math.degrees(plane.node_rate_rad_s) * 86400.0 == pytest.approx(-5.0, abs=0.1)
    day_later = plane_angles_deg(plane.normal_at(86400.0))
    assert day_later[0] == pytest.approx(51.6, abs=1e-9)
    assert day_later[1] == pytest.approx(360.0 + math.degrees(by_hand) * 86400.0, abs=1e-6)


@pytest.mark.parametrize("lat_deg, inclination_deg", [(45.965, 51.6), (28.5, 51.6), (5.2, 6.0), (62.9, 82.4)])
def test_launch_azimuth_is_spherical_trigonometry(lat_deg, inclination_deg):
    """A plane of inclination i over a pad at latitude phi, crossed going north:
    sin(az) = cos(i) / cos(phi) inertially; Earth-relative, the pad's eastward speed
    w R cos(phi) is taken off the insertion velocity."""
    lon_deg = 63.3
    phi, i = math.radians(lat_deg), math.radians(inclination_deg)
    u = math.asin(math.sin(phi) / math.sin(i))           # argument of latitude over the pad
    node_deg = lon_deg - math.degrees(math.atan2(math.cos(i) * math.sin(u), math.cos(u)))
    normal = _plane_normal(inclination_deg, node_deg)
    pad = R_EQ * np.array([math.cos(phi) * math.cos(math.radians(lon_deg)),
                           math.cos(phi) * math.sin(math.radians(lon_deg)), math.sin(phi)])
    assert plane_angles_deg(normal) == pytest.approx((inclination_deg, node_deg % 360.0), abs=1e-9)
    speed = 7.8
    inertial, relative = launch_azimuth_deg(pad, lat_deg, lon_deg, normal, speed)
    az = math.asin(math.cos(i) / math.cos(phi))
    assert inertial == pytest.approx(math.degrees(az), abs=1e-9)
    ground = OMEGA * R_EQ * math.cos(phi)
    expected = math.degrees(math.atan2(speed * math.sin(az) - ground, speed * math.cos(az)))
    assert relative == pytest.approx(expected, abs=1e-6)
    if lat_deg == 45.965:                                 # Baikonur to the ISS: 63.3 and 62.2 deg
        assert (inertial, relative) == pytest.approx((63.33, 62.23), abs=0.01)


def test_guidance_coefficients_satisfy_the_rocket_equation_integrals():
    """With thrust acceleration ve / (tau - t) (rocket equation), the solved linear radial and
    plane fractions A + B t must cancel the radial/plane speed and reach the target radius and
    plane at cutoff: checked by quadrature of the hand-written thrust integrals. (The stored
    time-to-go is one Newton step past the T the fractions were solved for, ~1 ms here: hence
    1 cm/s and 1 m, not rounding-level, tolerances.)"""
    target = TargetOrbit(_plane_normal(51.6, 0.0), 200.0, 240.0)
    guidance = PoweredExplicitGuidance(target, target.plane(target.normal_gcrs), exhaust_speed_km_s=3.2,
                                       mass_flow_kg_s=90.0, thrust_n=3.2e3 * 90.0)
    up = np.array([1.0, 0.0, 0.0])
    along = np.cross(target.normal_gcrs, up)
    r = (R_EQ + 170.0) * up + 3.0 * target.normal_gcrs                      # 3 km off the plane
    v = 0.25 * up + 5.5 * along / np.linalg.norm(along) + 0.01 * target.normal_gcrs
    mass = 25_000.0
    s = guidance.update(0.0, r, v, mass, iterations=30)
    tau, big_t = mass / 90.0, s.time_to_go_s
    accel = lambda t: 3.2 / (tau - t)                                       # noqa: E731
    speed = lambda a, b: quad(lambda t: accel(t) * (a + b * t), 0.0, big_t)[0]  # noqa: E731
    # Distance: the integral of the speed gained, i.e. the (T - t)-weighted integral.
    reach = lambda a, b: quad(lambda t: accel(t) * (a + b * t) * (big_t - t), 0.0, big_t)[0]  # noqa: E731
    radius, rdot = np.linalg.norm(r), v @ up
    assert speed(s.a_radial, s.b_radial) == pytest.approx(-rdot, abs=1e-5)
    assert reach(s.a_radial, s.b_radial) == pytest.approx(target.perigee_radius_km - radius - rdot * big_t,
                                                          abs=1e-3)
    offset, odot = r @ s.normal, v @ s.normal          # the plane where it will be at cutoff
    assert speed(s.a_normal, s.b_normal) == pytest.approx(-odot, abs=1e-5)
    assert reach(s.a_normal, s.b_normal) == pytest.approx(-offset - odot * big_t, abs=1e-3)
    assert s.velocity_to_go_km_s == pytest.approx(3.2 * math.log(tau / (tau - big_t)), rel=1e-9)
    assert 0.0 < big_t < tau


def test_a_vacuum_coast_keeps_its_energy_and_polar_angular_momentum():
    """Gravity with J2 is conservative and axially symmetric: E = v^2/2 + U with
    U = -mu/r [1 - J2 (R/r)^2 (3 sin^2(lat) - 1) / 2], and h_z, hold along a coast."""
    r0 = np.array([R_EQ + 300.0, 0.0, 0.0])
    v0 = np.array([0.0, 6.0, 3.0])                 # 6.7 km/s, below circular: it comes down
    coast = fall(0.0, r0, v0, 1000.0, None, 1.0, 3000.0, r0)
    r, v = coast.track.r_km, coast.track.v_km_s
    radius = np.linalg.norm(r, axis=0)
    sin2 = (r[2] / radius) ** 2
    energy = 0.5 * np.sum(v**2, axis=0) - MU / radius * (1.0 - 0.5 * J2 * (R_EQ / radius) ** 2 * (3 * sin2 - 1))
    h_z = r[0] * v[1] - r[1] * v[0]
    assert coast.impact_t_s is not None
    assert np.ptp(energy) / abs(energy[0]) < 1e-7
    assert np.ptp(h_z) / abs(h_z[0]) < 1e-7


def test_a_track_of_a_circular_orbit_interpolates_the_closed_form():
    """Samples of r(t) = R (cos nt, sin nt, 0) a minute apart; the Hermite track between them
    follows the circle within a metre (error ~ (n h)^4 R / 384 = 0.4 m) and mm/s."""
    radius = R_EQ + 400.0
    n = math.sqrt(MU / radius**3)
    t = np.arange(0.0, 5401.0, 60.0)
    circle = lambda s: radius * np.array([np.cos(n * s), np.sin(n * s), 0 * s])  # noqa: E731
    speed = lambda s: radius * n * np.array([-np.sin(n * s), np.cos(n * s), 0 * s])  # noqa: E731
    accel = -(n**2) * circle(t)
    track = Track(t, circle(t), speed(t), accel, np.ones_like(t), np.zeros_like(t), np.zeros(3))
    between = np.arange(30.0, 5400.0, 60.0)
    r, v = track.state(between)
    assert np.abs(r - circle(between)).max() < 1e-3
    assert np.abs(v - speed(between)).max() < 1e-6


def test_the_launch_frame_turns_with_the_earth_once_a_sidereal_day():
    """A point fixed on the Earth comes back to where it was after 86164.1 s, and moves at
    w R cos(lat) eastward: 465.1 m/s on the equator."""
    pad = np.array([R_EQ, 0.0, 0.0])
    r, v = LaunchFrame.from_itrs([0.0, SIDEREAL_DAY_S / 4.0, SIDEREAL_DAY_S], pad)
    assert r[:, 0] == pytest.approx(pad, abs=1e-9)
    assert r[:, 1] == pytest.approx([0.0, R_EQ, 0.0], abs=1e-6)
    assert r[:, 2] == pytest.approx(pad, abs=1e-6)
    assert np.linalg.norm(v[:, 0]) * 1000.0 == pytest.approx(465.10, abs=0.01)
    back, ground_speed = LaunchFrame.to_itrs(SIDEREAL_DAY_S / 4.0, r[:, 1:2], v[:, 1:2])
    assert back[:, 0] == pytest.approx(pad, abs=1e-6)
    assert np.abs(ground_speed).max() < 1e-12
