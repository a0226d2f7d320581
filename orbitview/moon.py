"""The Moon as a body of the scene, its light, and the sky's own events seen from an orbiting
observer: moonrise and moonset over the Earth's limb, and the observer entering and leaving the
Earth's umbra.

Positions come from JPL DE421 (``skydata.ephemeris()``). The apparent Moon (light time,
aberration by the observer's barycentric velocity, gravitational deflection) is Skyfield's own
``(earth + observer).at(t).observe(moon).apparent()``: every orbitview ``Body`` is a Skyfield
vector function centred on the Earth, so this works as it does for ``EarthSatellite``.

The Earth's limb is the WGS84 ellipsoid's, exact (:func:`angle_above_limb`). Near the limb the air
lifts what lies behind it (:func:`refracted_above_limb_deg`): the Moon's centre sets when its
refracted image reaches the solid limb. The observer's shadow is the solid Earth's umbra, without
refraction (as Skyfield's ``is_sunlit``), unless a raised ``Limb`` stands in for the air.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from skyfield.constants import AU_KM
from skyfield.functions import angle_between
from skyfield.timelib import Time

from .bodies import Body, State
from .clock import Clock
from .earth import WGS84_A_KM, WGS84_B_KM
from .errors import EphemerisRangeError
from .frames import gcrs_to_itrs, mxv
from .skydata import SUN_RADIUS_KM, ephemeris

# Mean radius of the Moon, IAU Working Group on Cartographic Coordinates and Rotational Elements
# (Archinal et al. 2018, Celest. Mech. Dyn. Astr. 130:22, table 5); JPL Horizons' "Radius (IAU)".
MOON_RADIUS_KM = 1737.4
# The Moon's visual magnitude: V = V(1,0) + 5 log10(r D) + 0.026 |a| + 4.0e-9 a^4, r and D the
# Sun-Moon and observer-Moon distances in au, a the phase angle in degrees. The phase law is
# Allen, Astrophysical Quantities, 3rd ed. (1973), p. 144 (also Krisciunas & Schaefer 1991,
# PASP 103, 1033, eq. 9, and the law JPL Horizons uses); V(1,0) = +0.21 is JPL Horizons' physical
# data for the Moon (301). It gives -12.74 at full Moon at the mean distance (Allen: -12.73) and
# -10.14 at quarter (Allen's tabulated phase law: -12.73 + 2.63 = -10.10). Allen warns it fails
# beyond a phase angle of about 150 deg (a thin crescent).
MOON_V_1_0 = 0.21
MOON_PHASE_MAG_PER_DEG = 0.026
MOON_PHASE_MAG_PER_DEG4 = 4.0e-9
# The Sun's apparent V magnitude at 1 au: Allen, Astrophysical Quantities, 3rd ed. (1973), sec. 78.
SUN_V_MAG = -26.74
# Refraction of a ray from space that grazes the ground and leaves again: twice the horizontal
# refraction of a ground observer (the ray is symmetric about its tangent point), 2 x 34.5' =
# 1.15 deg (Bennett 1982, J. Navigation 35:255, at 1010 hPa and 10 C). The bending of a ray of
# tangent height h falls with the air's density, exp(-h / H): H = 8 km, between the U.S. Standard
# Atmosphere 1976's density scale heights at the ground (10.4 km) and above the tropopause (6.3 km).
# The exponential atmosphere's bending nu0 sqrt(2 pi R / H) (nu0 = 2.8e-4) gives 1.13 deg: the same.
REFRACTION_GRAZING_DEG = 2.0 * 34.5 / 60.0
REFRACTION_SCALE_HEIGHT_KM = 8.0
NEWTON_STEPS = 8              # refracted_above_limb_deg: to 1e-12 deg for limbs up to 42,000 km away (GEO)
EVENT_RESOLUTION_S = 0.1      # event instants are refined to this


def check_in_ephemeris(t: Time) -> None:
    """Raise ``EphemerisRangeError`` naming the first instant outside DE421 and its span: Skyfield
    would fail deep inside an evaluation with a message that does not say which ephemeris."""
    segments = ephemeris().spk.segments
    start, end = min(s.start_jd for s in segments), max(s.end_jd for s in segments)
    tdb = np.atleast_1d(t.tdb)
    outside = (tdb < start) | (tdb > end)
    if outside.any():
        first = t[int(np.argmax(outside))] if t.shape else t
        span = t.ts.tdb_jd(np.array([start, end])).tdb_strftime("%Y-%m-%d")
        raise EphemerisRangeError(f"{first.utc_strftime('%Y-%m-%d %H:%M:%S UTC')} is outside the "
                                  f"DE421 ephemeris, {span[0]} to {span[1]}")


def sun_gcrs_km(t: Time) -> np.ndarray:
    """Geometric Earth -> Sun vector (km, GCRS), ``(3,) + t.shape``, as Skyfield's ``is_sunlit``."""
    check_in_ephemeris(t)
    eph = ephemeris()
    return (eph["sun"] - eph["earth"]).at(t).position.km


class Moon(Body):
    """The Moon, geometric and geocentric (GCRS) from DE421: a body like the others, so
    ``(moon - observer).at(t)`` is the geometric line of sight. What an observer sees (light time,
    aberration) is :func:`moon_sight`."""

    name = "moon"

    def gcrs_state(self, t: Time) -> State:
        check_in_ephemeris(t)
        eph = ephemeris()
        position = (eph["moon"] - eph["earth"]).at(t)
        return State(position.position.km, position.velocity.km_per_s)


def v_magnitude(phase_angle_deg: ArrayLike, sun_distance_au: ArrayLike, distance_au: ArrayLike) -> np.ndarray:
    """The Moon's visual magnitude (Allen's phase law, see ``MOON_V_1_0``), before any extinction."""
    a = np.abs(np.asarray(phase_angle_deg, dtype=float))
    return (MOON_V_1_0 + 5.0 * np.log10(np.asarray(sun_distance_au) * np.asarray(distance_au))
            + MOON_PHASE_MAG_PER_DEG * a + MOON_PHASE_MAG_PER_DEG4 * a**4)


def moonlight_ratio(v_mag: ArrayLike) -> np.ndarray:
    """The Moon's irradiance over the Sun's at 1 au (V band), 10^(-0.4 (V - V_sun)): what scales
    sunlight into moonlight in the shading (a full Moon: 2.5e-6, about 1/400,000)."""
    return 10.0 ** (-0.4 * (np.asarray(v_mag, dtype=float) - SUN_V_MAG))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.sqrt(np.sum(v * v, axis=0))


@dataclass(frozen=True)
class Limb:
    """The Earth's outline a limb is taken on: an ellipsoid of equatorial and polar radii (WGS84
    by default; equal radii make a sphere, e.g. Skyfield's ``ERAD`` for ``is_sunlit``) raised by
    ``height_km`` (0: the solid Earth; 100: the Karman line)."""

    height_km: float = 0.0
    radii_km: tuple[float, float] = (WGS84_A_KM, WGS84_B_KM)

    def semi_axes_km(self, ndim: int) -> np.ndarray:
        """The x, y, z semi-axes shaped ``(3, 1, ...)`` to broadcast on ``ndim``-dimensional vectors."""
        a, b = self.radii_km
        return (np.array([a, a, b]) + self.height_km).reshape((3,) + (1,) * (ndim - 1))


SOLID_EARTH = Limb()


def angle_above_limb(observer_itrs_km: np.ndarray, direction_itrs: np.ndarray,
                     limb: Limb = SOLID_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Angle (deg) of directions above the Earth's limb seen from observers (negative below it),
    and the distance (km) to the limb that way.

    Measured in the plane through the observer, the direction and the Earth's centre, exactly:
    scaling the ITRS axes by the ellipsoid's semi-axes makes it the unit sphere and keeps planes
    through the centre and tangency, so the limb point is the unit circle's tangent point, scaled
    back. Arrays ``(3, ...)`` broadcast against each other.
    """
    o_true = np.asarray(observer_itrs_km, dtype=float)
    d_true = np.asarray(direction_itrs, dtype=float)
    semi = limb.semi_axes_km(max(o_true.ndim, d_true.ndim))
    o, d = o_true / semi, d_true / semi
    r = np.sqrt(np.sum(o * o, axis=0))
    e1 = o / r
    e2 = _unit(d - np.sum(d * e1, axis=0) * e1)
    tangent = e1 / r + np.sqrt(np.maximum(1.0 - 1.0 / r**2, 0.0)) * e2
    to_limb = tangent * semi - o_true
    angle = np.degrees(angle_between(-o_true, d_true) - angle_between(-o_true, to_limb))
    return angle, np.sqrt(np.sum(to_limb * to_limb, axis=0))


def refracted_above_limb_deg(geometric_deg: ArrayLike, limb_distance_km: ArrayLike,
                             refraction_deg: float = REFRACTION_GRAZING_DEG) -> np.ndarray:
    """Where the air shows an object whose geometric angle above the solid limb is
    ``geometric_deg``: its image's angle above the limb (negative: hidden behind the Earth).

    The ray seen at ``e`` above the limb grazes the air at height ``h = e L`` (``L`` the distance
    to the limb) and is bent by ``refraction_deg exp(-h / H)`` on its way through, so the object
    stands at ``e - refraction exp(-e L / H)``; that is solved for ``e`` (Newton from ``e = 0``:
    the function is increasing and concave, so the steps climb to the root without overshooting).
    An object more than ``refraction_deg`` below the limb stays hidden, by ``geometric + refraction``.
    """
    geometric = np.radians(np.asarray(geometric_deg, dtype=float))
    bend = np.radians(refraction_deg)
    k = np.asarray(limb_distance_km, dtype=float) / REFRACTION_SCALE_HEIGHT_KM
    e = np.zeros(np.broadcast(geometric, k).shape)
    for _ in range(NEWTON_STEPS):
        lift = bend * np.exp(-e * k)
        e = e - (e - lift - geometric) / (1.0 + k * lift)
    return np.degrees(np.where(geometric + bend < 0.0, geometric + bend, e))


@dataclass(frozen=True)
class MoonSight:
    """The Moon seen from an observer at instants, arrays shaped like ``t`` (vectors ``(3,) + t.shape``).

    ``direction_gcrs``: unit vector to the apparent Moon (light time, aberration);
    ``sun_direction_gcrs``: unit vector from the Moon to the Sun, to orient the terminator;
    ``above_limb_deg``: the refracted angle of the Moon's centre above the solid Earth's limb
    (negative: hidden); ``geometric_above_limb_deg`` the same without the air;
    ``moonlight_ratio``: the Moon's irradiance over the Sun's at 1 au.
    """

    direction_gcrs: np.ndarray
    distance_km: np.ndarray
    sun_direction_gcrs: np.ndarray
    phase_angle_deg: np.ndarray
    illuminated_fraction: np.ndarray
    angular_radius_deg: np.ndarray
    v_mag: np.ndarray
    moonlight_ratio: np.ndarray
    geometric_above_limb_deg: np.ndarray
    above_limb_deg: np.ndarray

    @property
    def visible(self) -> np.ndarray:
        """The Moon's centre stands above the Earth's limb (refraction included)."""
        return self.above_limb_deg > 0.0


def angle_above_limb_from(observer: Body, t: Time, target_gcrs: np.ndarray,
                          limb: Limb = SOLID_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Geometric angle (deg) above the limb of GCRS directions from the observer, and the
    distance (km) to the limb that way, both shaped like ``t``."""
    rotation = gcrs_to_itrs(t)
    observer_itrs = mxv(rotation, observer.gcrs_state(t).position_km.reshape(3, -1))
    direction_itrs = mxv(rotation, target_gcrs.reshape(3, -1))
    angle, limb_km = angle_above_limb(observer_itrs, direction_itrs, limb)
    return angle.reshape(t.shape), limb_km.reshape(t.shape)


def moon_sight(observer: Body, t: Time, refraction_deg: float = REFRACTION_GRAZING_DEG) -> MoonSight:
    """The Moon from ``observer`` at ``t`` (scalar or array): direction, phase, light, and how high
    it stands above the Earth's limb."""
    check_in_ephemeris(t)
    eph = ephemeris()
    earth, moon, sun = eph["earth"], eph["moon"], eph["sun"]
    astrometric = (earth + observer).at(t).observe(moon)
    apparent = astrometric.apparent()
    to_moon_au = astrometric.position.au
    moon_to_sun_au = sun.at(t).position.au - (astrometric.center_barycentric.position.au + to_moon_au)
    phase = np.degrees(angle_between(-to_moon_au, moon_to_sun_au))
    distance_au = np.sqrt(np.sum(to_moon_au**2, axis=0))
    magnitude = v_magnitude(phase, np.sqrt(np.sum(moon_to_sun_au**2, axis=0)), distance_au)
    direction = _unit(apparent.position.au)
    geometric, limb_km = angle_above_limb_from(observer, t, direction)
    return MoonSight(
        direction_gcrs=direction, distance_km=distance_au * AU_KM, sun_direction_gcrs=_unit(moon_to_sun_au),
        phase_angle_deg=phase, illuminated_fraction=0.5 * (1.0 + np.cos(np.radians(phase))),
        angular_radius_deg=np.degrees(np.arcsin(MOON_RADIUS_KM / (distance_au * AU_KM))),
        v_mag=magnitude, moonlight_ratio=moonlight_ratio(magnitude),
        geometric_above_limb_deg=geometric,
        above_limb_deg=refracted_above_limb_deg(geometric, limb_km, refraction_deg))


def sun_above_limb_deg(observer: Body, t: Time, limb: Limb = SOLID_EARTH) -> tuple[np.ndarray, np.ndarray]:
    """Geometric angle (deg) of the Sun's centre above the Earth's limb seen from the observer,
    and the Sun's angular radius (deg) there."""
    to_sun = sun_gcrs_km(t) - observer.gcrs_state(t).position_km
    distance = np.sqrt(np.sum(to_sun * to_sun, axis=0))
    return angle_above_limb_from(observer, t, to_sun, limb)[0], np.degrees(np.arcsin(SUN_RADIUS_KM / distance))


class SkyEvent(NamedTuple):
    """An instant of the sky's own timeline, for the scene's: name, T+ seconds, what happens."""

    name: str
    t_plus_s: float
    detail: str


def _crossings(height: Callable[[np.ndarray], np.ndarray], t_plus_s: ArrayLike) -> list[tuple[float, bool]]:
    """Where ``height(T+ s)`` changes sign on the grid ``t_plus_s``, refined by bisection to
    ``EVENT_RESOLUTION_S``: (T+ s, rising) pairs. Two crossings within one grid step are missed."""
    grid = np.sort(np.asarray(t_plus_s, dtype=float).ravel())
    above = height(grid) > 0.0
    first = np.flatnonzero(above[:-1] != above[1:])
    lo, hi = grid[first], grid[first + 1]
    rising = ~above[first]
    while first.size and np.max(hi - lo) > EVENT_RESOLUTION_S / 2.0:
        mid = 0.5 * (lo + hi)
        past = (height(mid) > 0.0) == rising
        lo, hi = np.where(past, lo, mid), np.where(past, mid, hi)
    return [(round(float(s), 1), bool(r)) for s, r in zip(0.5 * (lo + hi), rising)]


def _moon_crossings(observer: Body, clock: Clock, t_plus_s: ArrayLike,
                    refraction_deg: float) -> list[tuple[float, bool]]:
    return _crossings(lambda s: moon_sight(observer, clock.t_plus(s), refraction_deg).above_limb_deg, t_plus_s)


def _umbra_crossings(observer: Body, clock: Clock, t_plus_s: ArrayLike, limb: Limb,
                     whole_disc: bool) -> list[tuple[float, bool]]:
    def upper_limb(seconds: np.ndarray) -> np.ndarray:
        centre, radius = sun_above_limb_deg(observer, clock.t_plus(seconds), limb)
        return centre + radius if whole_disc else centre

    return _crossings(upper_limb, t_plus_s)


def _moon_events(crossings: list[tuple[float, bool]], rising: bool, observer: Body,
                 refraction_deg: float) -> list[SkyEvent]:
    name, verb = ("moonrise", "rises over") if rising else ("moonset", "sets behind")
    detail = (f"the Moon's centre {verb} the Earth's limb seen from {observer.name} "
              f"(refraction {refraction_deg:.2f} deg at the limb)")
    return [SkyEvent(name, s, detail) for s, up in crossings if up == rising]


def _shadow_events(crossings: list[tuple[float, bool]], entry: bool, observer: Body,
                   whole_disc: bool) -> list[SkyEvent]:
    sun = "the Sun's upper limb" if whole_disc else "the Sun's centre"
    name, what = (("observer_shadow_entry", f"enters the Earth's umbra: {sun} sets behind the limb") if entry else
                  ("observer_shadow_exit", f"leaves the Earth's umbra: {sun} rises over the limb"))
    return [SkyEvent(name, s, f"{observer.name} {what}") for s, up in crossings if up != entry]


def moonrise(observer: Body, clock: Clock, t_plus_s: ArrayLike,
             refraction_deg: float = REFRACTION_GRAZING_DEG) -> list[SkyEvent]:
    """The instants on the T+ grid ``t_plus_s`` (refined to 0.1 s) when the Moon's centre rises
    over the Earth's limb seen from the observer, refraction included."""
    return _moon_events(_moon_crossings(observer, clock, t_plus_s, refraction_deg), True, observer, refraction_deg)


def moonset(observer: Body, clock: Clock, t_plus_s: ArrayLike,
            refraction_deg: float = REFRACTION_GRAZING_DEG) -> list[SkyEvent]:
    """The instants when the Moon's centre sets behind the Earth's limb (see :func:`moonrise`)."""
    return _moon_events(_moon_crossings(observer, clock, t_plus_s, refraction_deg), False, observer, refraction_deg)


def observer_shadow_entry(observer: Body, clock: Clock, t_plus_s: ArrayLike, limb: Limb = SOLID_EARTH,
                          whole_disc: bool = True) -> list[SkyEvent]:
    """The instants on the T+ grid (refined to 0.1 s) when the observer enters the Earth's umbra:
    the Sun's whole disc behind the limb (``whole_disc=False``: its centre, Skyfield's sense of
    ``is_sunlit``); no refraction, the solid Earth unless ``limb`` is raised."""
    crossings = _umbra_crossings(observer, clock, t_plus_s, limb, whole_disc)
    return _shadow_events(crossings, True, observer, whole_disc)


def observer_shadow_exit(observer: Body, clock: Clock, t_plus_s: ArrayLike, limb: Limb = SOLID_EARTH,
                         whole_disc: bool = True) -> list[SkyEvent]:
    """The instants when the observer leaves the umbra: the Sun's first light over the limb
    (see :func:`observer_shadow_entry`)."""
    crossings = _umbra_crossings(observer, clock, t_plus_s, limb, whole_disc)
    return _shadow_events(crossings, False, observer, whole_disc)


def sky_events(observer: Body, clock: Clock, t_plus_s: ArrayLike) -> list[SkyEvent]:
    """Moonrise, moonset and the observer's umbra entry and exit on the grid, by T+: the records
    the scene merges into its timeline (each crossing computed once)."""
    moon = _moon_crossings(observer, clock, t_plus_s, REFRACTION_GRAZING_DEG)
    umbra = _umbra_crossings(observer, clock, t_plus_s, SOLID_EARTH, True)
    events = (_moon_events(moon, True, observer, REFRACTION_GRAZING_DEG)
              + _moon_events(moon, False, observer, REFRACTION_GRAZING_DEG)
              + _shadow_events(umbra, True, observer, True) + _shadow_events(umbra, False, observer, True))
    return sorted(events, key=lambda e: e.t_plus_s)
