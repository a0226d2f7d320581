"""The target orbit (an observer's plane with a chosen perigee and apogee) and the launch azimuth.

The plane is given in GCRS (the observer's state at liftoff) and carried into the launch frame,
whose z axis is the Earth's: inclinations and nodes below are measured against the true
equator of date, as the TLE's are. The plane regresses under J2 during the ascent
(about -5 deg/day for the ISS), so the guidance aims at where the plane will be.

**The rendezvous plane.** A chaser inserted below its target and phasing up to it over hours or
days regresses its node faster than the target does (the rate goes as a^-3.5), so to share the
target's plane at docking it is inserted with its node east of the target's by the integral of
the difference (:func:`rendezvous_node_lead_rad`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..earth import GM_EARTH_KM3_S2, J2_EARTH, WGS84_A_KM, enu_basis, spin_km_s
from ..errors import OrbitviewError


@dataclass(frozen=True)
class TargetOrbit:
    """Insertion target: a plane (unit normal, GCRS) and perigee/apogee heights above the equatorial radius."""

    normal_gcrs: np.ndarray
    perigee_alt_km: float = 200.0
    apogee_alt_km: float = 240.0
    plane_sma_km: float | None = None          # semi-major axis of the orbit that owns the plane
    plane_eccentricity: float = 0.0
    rendezvous_s: float = 0.0                  # insertion to docking (0: the target's own plane)

    @classmethod
    def from_observer_state(cls, r_gcrs_km, v_gcrs_km_s, perigee_alt_km: float = 200.0,
                            apogee_alt_km: float = 240.0, rendezvous_s: float = 0.0) -> "TargetOrbit":
        """The plane of an observer (the ISS) from its GCRS state at liftoff; with ``rendezvous_s``,
        the plane a chaser docking with it that long after liftoff is inserted into."""
        r, v = np.asarray(r_gcrs_km, float).reshape(3), np.asarray(v_gcrs_km_s, float).reshape(3)
        h = np.cross(r, v)
        if not perigee_alt_km <= apogee_alt_km:
            raise OrbitviewError(f"target perigee {perigee_alt_km} km above apogee {apogee_alt_km} km: "
                                 "expected perigee_alt_km <= apogee_alt_km")
        orbit = elements(r, v)
        return cls(h / np.linalg.norm(h), perigee_alt_km, apogee_alt_km, orbit["sma_km"], orbit["eccentricity"],
                   rendezvous_s)

    @property
    def perigee_radius_km(self) -> float:
        return WGS84_A_KM + self.perigee_alt_km

    @property
    def apogee_radius_km(self) -> float:
        return WGS84_A_KM + self.apogee_alt_km

    @property
    def energy_km2_s2(self) -> float:
        return -GM_EARTH_KM3_S2 / (self.perigee_radius_km + self.apogee_radius_km)

    @property
    def perigee_speed_km_s(self) -> float:
        rp, ra = self.perigee_radius_km, self.apogee_radius_km
        return math.sqrt(2.0 * GM_EARTH_KM3_S2 * ra / (rp * (rp + ra)))

    @property
    def insertion_sma_km(self) -> float:
        return 0.5 * (self.perigee_radius_km + self.apogee_radius_km)

    def node_lead_rad(self, cos_inclination: float) -> float:
        """How far east of the target's node the chaser's is at insertion (rad): see
        :func:`rendezvous_node_lead_rad`; 0 for the target's own plane."""
        if self.rendezvous_s == 0.0 or self.plane_sma_km is None:
            return 0.0
        return rendezvous_node_lead_rad(self.insertion_sma_km, self.plane_sma_km, self.plane_eccentricity,
                                        cos_inclination, self.rendezvous_s)

    def plane(self, normal_launch_frame: np.ndarray) -> "TargetPlane":
        """The plane to insert into, in the launch frame, with its J2 nodal regression rate: the
        target's, turned east about the Earth's axis by the rendezvous lead."""
        n = normal_launch_frame / np.linalg.norm(normal_launch_frame)
        sma = self.plane_sma_km or self.insertion_sma_km
        rate = node_rate_rad_s(sma, self.plane_eccentricity, n[2])
        return TargetPlane(n, rate).turned(self.node_lead_rad(n[2]))


def node_rate_rad_s(sma_km: float, eccentricity: float, cos_inclination: float) -> float:
    """The secular J2 regression of the node, dOmega/dt = -1.5 n J2 (Re/p)^2 cos i (Vallado,
    Fundamentals of Astrodynamics and Applications, eq. 9-41)."""
    p = sma_km * (1.0 - eccentricity**2)
    return -1.5 * math.sqrt(GM_EARTH_KM3_S2 / sma_km**3) * J2_EARTH * (WGS84_A_KM / p) ** 2 * cos_inclination


def rendezvous_node_lead_rad(insertion_sma_km: float, target_sma_km: float, target_eccentricity: float,
                             cos_inclination: float, rendezvous_s: float) -> float:
    """The node lead (rad, east positive) a chaser needs at insertion to be in the target's plane
    ``rendezvous_s`` later: minus the integral of its node rate less the target's.

    [est] The phasing profile: the chaser's orbit circular, its semi-major axis rising linearly
    from the insertion orbit's to the target's over the rendezvous (the real profile raises it in
    a few burns, the last ones near the end). The rate goes as a^-3.5, whose mean over a linear
    rise from a0 to a1 is (a0^-2.5 - a1^-2.5) / (2.5 (a1 - a0)).
    """
    a0, a1 = insertion_sma_km, target_sma_km
    at_target = node_rate_rad_s(a1, target_eccentricity, cos_inclination)
    scale = node_rate_rad_s(1.0, 0.0, cos_inclination)        # the rate is scale * a^-3.5
    if abs(a1 - a0) < 1e-9 * a1:
        mean_chaser = scale * a1**-3.5
    else:
        mean_chaser = scale * (a0**-2.5 - a1**-2.5) / (2.5 * (a1 - a0))
    return -(mean_chaser - at_target) * rendezvous_s


@dataclass(frozen=True)
class TargetPlane:
    normal0: np.ndarray                # unit normal at liftoff, launch frame
    node_rate_rad_s: float             # J2 regression of the node

    def normal_at(self, t_plus_s: float) -> np.ndarray:
        return self.turned(self.node_rate_rad_s * t_plus_s).normal0

    def turned(self, angle_rad: float) -> "TargetPlane":
        """The plane with its node moved east by ``angle_rad`` (turned about the Earth's axis)."""
        c, s = math.cos(angle_rad), math.sin(angle_rad)
        n = self.normal0
        return TargetPlane(np.array([c * n[0] - s * n[1], s * n[0] + c * n[1], n[2]]), self.node_rate_rad_s)


def launch_azimuth_deg(pad_km: np.ndarray, lat_deg: float, lon_deg: float, normal: np.ndarray,
                       insertion_speed_km_s: float) -> tuple[float, float]:
    """Inertial and Earth-relative launch azimuths (deg) that fly parallel to the plane.

    The inertial direction is the plane's direction of motion over the pad (normal x up); the
    rocket steers relative to the turning Earth, so the pad's eastward speed is taken off the
    insertion velocity (the classical azimuth correction).
    """
    east, north, up = enu_basis(lat_deg, lon_deg)
    along = np.cross(normal, pad_km / np.linalg.norm(pad_km))
    inertial = np.degrees(math.atan2(along @ east, along @ north)) % 360.0
    relative = insertion_speed_km_s * along / np.linalg.norm(along) - spin_km_s(pad_km)
    return inertial, np.degrees(math.atan2(relative @ east, relative @ north)) % 360.0


def elements(r_km: np.ndarray, v_km_s: np.ndarray) -> dict[str, float]:
    """Osculating two-body perigee/apogee heights (above the equatorial radius), inclination and node."""
    h = np.cross(r_km, v_km_s)
    r = np.linalg.norm(r_km)
    energy = 0.5 * v_km_s @ v_km_s - GM_EARTH_KM3_S2 / r
    sma = -GM_EARTH_KM3_S2 / (2.0 * energy)
    ecc = math.sqrt(max(0.0, 1.0 - (h @ h) / (GM_EARTH_KM3_S2 * sma)))
    return {"perigee_alt_km": sma * (1 - ecc) - WGS84_A_KM, "apogee_alt_km": sma * (1 + ecc) - WGS84_A_KM,
            "inclination_deg": plane_angles_deg(h)[0], "node_deg": plane_angles_deg(h)[1],
            "eccentricity": ecc, "sma_km": sma}


def plane_angles_deg(normal: np.ndarray) -> tuple[float, float]:
    """Inclination and right ascension (in the launch frame) of the ascending node of a plane."""
    n = normal / np.linalg.norm(normal)
    return (math.degrees(math.acos(max(-1.0, min(1.0, n[2])))),
            math.degrees(math.atan2(n[0], -n[1])) % 360.0)
