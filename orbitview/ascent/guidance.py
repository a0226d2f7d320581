"""Steering: the open-loop ascent through the atmosphere and closed-loop steering to orbit.

- Open loop (the stages that burn from the pad): vertical rise, a pitch-over kick towards the
  launch azimuth, then a gravity turn (thrust along the air-relative velocity, zero angle of
  attack, as a Soyuz flies through the dense air to keep aerodynamic loads low).
- Closed loop (the guided stage): Powered Explicit Guidance in its classic linear-steering form
  (the Shuttle/Apollo family; see e.g. Jaggers, "An explicit solution to the exoatmospheric
  powered flight guidance and trajectory optimization problem for rocket propelled vehicles",
  AIAA 77-1051). The radial and out-of-plane thrust fractions are linear in time on top of the
  gravity-minus-centrifugal balance, their coefficients solved from the thrust integrals so
  that radius, radial speed, plane offset and plane speed hit the target at cutoff, and the
  time-to-go follows from the angular momentum still to gain. (Where the classic form expands
  the horizontal fraction to second order, we integrate it by quadrature: the Soyuz third
  stage lights with a thrust-to-weight near 0.9 and needs ~75 % of its thrust radially at
  first, where that expansion fails.) Re-solved every guidance cycle from the current state:
  that is what closes the loop.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..earth import GM_EARTH_KM3_S2, WGS84_A_KM, WGS84_B_KM
from ..errors import OrbitviewError
from .targeting import TargetOrbit, TargetPlane
from .vehicle import Guidance


# [est] A closed-loop burn shorter than this (a relight's circularisation) steers on the rates
# alone: in a few seconds the thrust cannot move the stack's radius or plane by the kilometres the
# coast has left, and asking it to turns the thrust sideways. Below the 8 s freeze of the bundled
# vehicles, so their single-burn ascents never reach it.
SHORT_BURN_S = 5.0


class OpenLoopSteering:
    """Vertical rise, pitch-over towards ``azimuth_deg`` (Earth-relative), gravity turn."""

    def __init__(self, guidance: Guidance, azimuth_deg: float):
        self.g = guidance
        self.sin_az, self.cos_az = math.sin(math.radians(azimuth_deg)), math.cos(math.radians(azimuth_deg))
        self.kick_rad = math.radians(guidance.pitchover_deg)
        self.bias_cos, self.bias_sin = 1.0, 0.0     # pitch above the velocity, once lit (see bias_on)

    def bias_on(self) -> None:
        """Above the dense air, fly the guidance's pitch bias above the velocity vector."""
        b = math.radians(self.g.pitch_bias_deg)
        self.bias_cos, self.bias_sin = math.cos(b), math.sin(b)

    def direction(self, t: float, x: float, y: float, z: float,
                  vrx: float, vry: float, vrz: float) -> tuple[float, float, float]:
        # Up is the ellipsoid normal (the pad's plumb line): the radial direction differs by
        # 0.19 deg at Baikonur, and a rise along it drifts south before the turn begins.
        nx, ny, nz = x / WGS84_A_KM**2, y / WGS84_A_KM**2, z / WGS84_B_KM**2
        norm = math.sqrt(nx * nx + ny * ny + nz * nz)
        ux, uy, uz = nx / norm, ny / norm, nz / norm
        if t <= self.g.vertical_rise_s:
            return ux, uy, uz
        speed = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        cos_tilt = (vrx * ux + vry * uy + vrz * uz) / speed
        if cos_tilt <= math.cos(self.kick_rad) and t >= self.g.vertical_rise_s + self.g.pitchover_duration_s:
            if self.bias_sin == 0.0:
                return vrx / speed, vry / speed, vrz / speed
            px, py, pz = ux - cos_tilt * vrx / speed, uy - cos_tilt * vry / speed, uz - cos_tilt * vrz / speed
            p = math.sqrt(px * px + py * py + pz * pz)
            return (self.bias_cos * vrx / speed + self.bias_sin * px / p,
                    self.bias_cos * vry / speed + self.bias_sin * py / p,
                    self.bias_cos * vrz / speed + self.bias_sin * pz / p)
        rho = math.hypot(x, y)
        ex, ey = -y / rho, x / rho                              # east
        nx, ny, nz = -uz * ey, uz * ex, ux * ey - uy * ex       # north = up x east
        hx, hy, hz = self.cos_az * nx + self.sin_az * ex, self.cos_az * ny + self.sin_az * ey, self.cos_az * nz
        ramp = min(1.0, (t - self.g.vertical_rise_s) / self.g.pitchover_duration_s)
        c, s = math.cos(ramp * self.kick_rad), math.sin(ramp * self.kick_rad)
        return c * ux + s * hx, c * uy + s * hy, c * uz + s * hz


@dataclass
class Steering:
    """One guidance cycle's solution, valid from ``t0``: fractions A + B (t - t0)."""

    t0: float
    a_radial: float
    b_radial: float
    a_normal: float
    b_normal: float
    time_to_go_s: float
    velocity_to_go_km_s: float
    normal: np.ndarray               # the target plane's normal at the predicted cutoff


def _frame(r: np.ndarray, normal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Radial, down-range (in the target plane) and cross-range unit vectors at ``r``."""
    up = r / np.linalg.norm(r)
    along = np.cross(normal, up)
    along /= np.linalg.norm(along)
    return up, along, np.cross(up, along)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)


class PoweredExplicitGuidance:
    """Closed-loop steering of the last stage into ``target`` (insertion at perigee)."""

    def __init__(self, target: TargetOrbit, plane: TargetPlane, exhaust_speed_km_s: float,
                 mass_flow_kg_s: float, thrust_n: float):
        self.r_target = target.perigee_radius_km
        self.v_target = target.perigee_speed_km_s
        self.plane = plane
        self.ve = exhaust_speed_km_s
        self.mdot = mass_flow_kg_s
        self.thrust_n = thrust_n
        self.steering: Steering | None = None

    def update(self, t: float, r: np.ndarray, v: np.ndarray, mass_kg: float, iterations: int = 1) -> Steering:
        """Re-solve the steering from the current state (more iterations on the first call)."""
        tau = mass_kg / self.mdot
        big_t = self.steering.time_to_go_s - (t - self.steering.t0) if self.steering else 0.5 * tau
        normal = self.plane.normal_at(t + big_t)
        up, along, cross = _frame(r, normal)
        radius = float(np.linalg.norm(r))
        rdot, vt = float(v @ up), float(v @ along)
        offset, odot = float(r @ normal), float(v @ normal)
        accel = self.thrust_n / mass_kg / 1000.0
        gravity_now = (GM_EARTH_KM3_S2 / radius**2 - vt**2 / radius) / accel
        plane_pull = GM_EARTH_KM3_S2 * offset / radius**3 / accel
        needed = (self.r_target * self.v_target - radius * vt) / (0.5 * (radius + self.r_target))
        for _ in range(iterations):
            big_t = min(max(big_t, 1.0), 0.999 * tau)
            b0 = -self.ve * math.log(1.0 - big_t / tau)
            b1 = b0 * tau - self.ve * big_t
            c0 = b0 * big_t - b1
            c1 = c0 * tau - self.ve * big_t**2 / 2.0
            if big_t < SHORT_BURN_S:
                # Too short to move the stack: null the radial and out-of-plane rates only (PEG's
                # velocity-only end game); asking for the position too saturates the steering.
                a_r, b_r, a_n, b_n = -rdot / b0, 0.0, -odot / b0, 0.0
            else:
                m = np.array([[b0, b1], [c0, c1]])
                a_r, b_r = np.linalg.solve(m, [-rdot, self.r_target - radius - rdot * big_t])
                a_n, b_n = np.linalg.solve(m, [-odot, -offset - odot * big_t])
            gravity_end = (GM_EARTH_KM3_S2 / self.r_target**2 - self.v_target**2 / self.r_target) * (
                1.0 - big_t / tau) / accel
            # Horizontal thrust fraction along the burn, and the speed it adds (Gauss-Legendre).
            tq = 0.5 * big_t * (1.0 + _GL_X)
            fr = a_r + b_r * tq + gravity_now + (gravity_end - gravity_now) * tq / big_t
            fn = a_n + b_n * tq + plane_pull * (1.0 - tq / big_t)
            ft = np.sqrt(np.clip(1.0 - fr * fr - fn * fn, 0.0, None))
            gained = 0.5 * big_t * float(np.sum(_GL_W * accel * ft / (1.0 - tq / tau)))
            rate_end = accel / (1.0 - big_t / tau) * max(float(ft[-1]), 0.1)
            big_t += (needed - gained) / rate_end
        dv = -self.ve * math.log(1.0 - min(big_t, 0.999 * tau) / tau)
        if not all(map(math.isfinite, (a_r, b_r, a_n, b_n, big_t))):
            raise OrbitviewError("closed-loop guidance failed to converge: the target orbit is "
                                 "not reachable from the state at the guided stage's ignition")
        self.steering = Steering(t, a_r, b_r, a_n, b_n, big_t, dv, normal)
        return self.steering

    def direction(self, t: float, x: float, y: float, z: float, vx: float, vy: float, vz: float,
                  mass_kg: float) -> tuple[float, float, float]:
        """Thrust unit vector: the cycle's linear fractions plus today's gravity balance."""
        s = self.steering
        n = s.normal
        r = math.sqrt(x * x + y * y + z * z)
        ux, uy, uz = x / r, y / r, z / r
        ax, ay, az = n[1] * uz - n[2] * uy, n[2] * ux - n[0] * uz, n[0] * uy - n[1] * ux   # n x up
        a_norm = math.sqrt(ax * ax + ay * ay + az * az)
        ax, ay, az = ax / a_norm, ay / a_norm, az / a_norm
        cx, cy, cz = uy * az - uz * ay, uz * ax - ux * az, ux * ay - uy * ax                # up x along
        vt = vx * ax + vy * ay + vz * az
        accel = self.thrust_n / mass_kg / 1000.0
        dt = t - s.t0
        fr = s.a_radial + s.b_radial * dt + (GM_EARTH_KM3_S2 / r**2 - vt * vt / r) / accel
        offset = x * n[0] + y * n[1] + z * n[2]
        fn = s.a_normal + s.b_normal * dt + GM_EARTH_KM3_S2 * offset / r**3 / accel
        side2 = fr * fr + fn * fn
        if side2 > 1.0:
            # More than the whole thrust asked for radially and sideways (a target beyond the
            # stage's reach): thrust is a unit direction, so scale those two down, none along.
            k = 1.0 / math.sqrt(side2)
            fr, fn = fr * k, fn * k
        ft = math.sqrt(max(0.0, 1.0 - fr * fr - fn * fn))
        return (fr * ux + ft * ax + fn * cx, fr * uy + ft * ay + fn * cy, fr * uz + ft * az + fn * cz)
