"""Lines of sight from the station: blocked by the Earth or not, how low they graze the air,
what lies behind the target, how it is lit, and where it stands in the station, the Cupola and
a camera.

The Earth is the WGS84 ellipsoid, tested exactly: in ITRS, scaling ``z`` by ``a/b`` turns the
ellipsoid into a sphere of radius ``a`` and keeps straight lines straight, so the segment test is
one quadratic. Everything is vectorised over instants ``N`` and bodies ``B``: targets are
``(3, N)`` or ``(3, N, B)`` and results come shaped ``(N,)`` or ``(N, B)``.
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np
from skyfield.timelib import Time

from ..earth import KARMAN_LINE_KM, WGS84_A_KM, WGS84_B_KM, itrs_to_geodetic, to_sphere
from ..errors import OrbitviewError
from ..frames import gcrs_to_itrs
from . import light
from .camera import Camera, station_to_camera
from .cupola import Cupola, default_cupola
from .station import azimuth_elevation, to_station

# A pad or an impact point stands on the ground, and the ground (the geoid, EGM96) lies up to 106 m
# below the WGS84 ellipsoid: a line of sight that meets the ellipsoid this close to its target meets
# the ground the target stands on, not the Earth in between.
GROUND_CONTACT_KM = 0.2



@dataclass
class Sightlines:
    """Lines of sight from the observer to every (instant, body); arrays shaped ``(N,)`` or ``(N, B)``.

    ``grazing_alt_km``: the lowest geodetic height along the segment observer -> target where it is
    below 100 km (NaN otherwise; negative when the segment passes through the Earth).
    ``against``: ``"earth"`` when the ray through the target meets the Earth (the target is
    seen against the Earth's disc, or is hidden by it), ``"space"`` otherwise.
    ``illumination``: fraction of the Sun's disc the body sees; ``sunlit``: the Sun's centre is
    above the Earth's limb as seen from the body. Station-frame angles as in ``view.station``;
    ``camera_px`` is ``(2, ...)`` and NaN out of frame (or when no camera is given).
    """

    visible: np.ndarray
    range_km: np.ndarray
    grazing_alt_km: np.ndarray
    against: np.ndarray
    illumination: np.ndarray
    sunlit: np.ndarray
    sun_elevation_subpoint_deg: np.ndarray
    sunlit_over_dark_ground: np.ndarray
    direction_station: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    window: np.ndarray
    camera_px: np.ndarray

    @property
    def shadow(self) -> np.ndarray:
        """``"sunlit"``, ``"penumbra"`` or ``"umbra"``."""
        return light.shadow_name(self.illumination)


def segment_vs_ellipsoid(observer_itrs_km: np.ndarray, target_itrs_km: np.ndarray):
    """Exact WGS84 tests on segments ``(3, ...)``: blocked, whether the ray through the target
    meets the Earth, and the point of the segment nearest the scaled Earth's centre (where it
    grazes lowest) with its scaled distance (1 = on the ellipsoid)."""
    o = to_sphere(observer_itrs_km)
    d = to_sphere(target_itrs_km - observer_itrs_km)
    a = np.sum(d * d, axis=0)
    b = np.sum(o * d, axis=0)
    c = np.sum(o * o, axis=0) - 1.0
    disc = b * b - a * c
    with np.errstate(invalid="ignore"):
        first = (-b - np.sqrt(disc)) / a             # the ray's first contact, in segment units
    meets = (disc > 0.0) & (first > 0.0)
    short_of_target = 1.0 - GROUND_CONTACT_KM / np.sqrt(np.sum((target_itrs_km - observer_itrs_km) ** 2, axis=0))
    blocked = (meets & (first < short_of_target)) | (c < 0.0)
    s_low = np.clip(-b / a, 0.0, 1.0)
    lowest = observer_itrs_km + s_low * (target_itrs_km - observer_itrs_km)
    scaled_radius = np.sqrt(np.maximum(c + 1.0 + s_low * (2.0 * b + s_low * a), 0.0))
    return blocked, meets | (c < 0.0), lowest, scaled_radius


def grazing_altitude_km(lowest_itrs_km: np.ndarray, scaled_radius: np.ndarray) -> np.ndarray:
    """Geodetic height (km) at the lowest point of each segment, NaN where it stays above 100 km.

    The nearest point to the centre in the scaled frame is within ~1 km of the true lowest point
    (normals of similar and of parallel ellipsoids differ by ~1e-4 rad), so the height there is
    exact to centimetres (the error is second order). Only candidates are converted: a scaled
    radius above (a + 100 km) / b bounds the height from below by 100 km.
    """
    alt = np.full(scaled_radius.shape, np.nan)
    low = scaled_radius < (WGS84_A_KM + KARMAN_LINE_KM) / WGS84_B_KM
    _, _, alt[low] = itrs_to_geodetic(lowest_itrs_km[:, low])
    return np.where(alt < KARMAN_LINE_KM, alt, np.nan)


def compute_sightlines(t: Time, observer_r_gcrs_km: np.ndarray, targets_r_gcrs_km: np.ndarray,
                       station_axes: np.ndarray, camera: Camera | None = None,
                       camera_to_station: np.ndarray | None = None, cupola: Cupola | None = None,
                       shadow_atmosphere_km: float = light.EARTH_SHADOW_ATMOSPHERE_KM) -> Sightlines:
    """Sightlines from the observer (GCRS ``(3, N)`` km) to targets ``(3, N)`` or ``(3, N, B)``.

    ``station_axes`` ``(3, 3, N)`` (rows: the station's axes in GCRS, ``view.station``) and the
    camera's rotation to the station frame (``(3, 3)`` or ``(3, 3, N)``, ``view.camera``) come
    from the scene, which owns the observer's attitude and the camera's pointing.
    """
    observer = np.asarray(observer_r_gcrs_km, dtype=float).reshape(3, -1)
    n = observer.shape[1]
    targets = np.asarray(targets_r_gcrs_km, dtype=float)
    several = targets.ndim == 3
    if targets.shape[:2] != (3, n) and not (targets.ndim == 1 and n == 1):
        raise OrbitviewError(f"targets shaped {targets.shape}: expected (3, {n}) or (3, {n}, B) "
                             f"to match the observer's {n} instants")
    targets = targets.reshape(3, n, -1)
    rotation = gcrs_to_itrs(t)
    rotation = np.broadcast_to(rotation, (3, 3, n)) if rotation.ndim == 3 else rotation
    obs_itrs = np.einsum("ijn,jn->in", rotation, observer)[:, :, None]
    tgt_itrs = np.einsum("ijn,jnb->inb", rotation, targets)

    blocked, meets_earth, lowest, scaled_radius = segment_vs_ellipsoid(obs_itrs, tgt_itrs)
    grazing = grazing_altitude_km(lowest, scaled_radius)
    sun = light.sun_itrs_km(t, rotation)[:, :, None]
    fraction, sunlit = light.illumination(tgt_itrs, sun, shadow_atmosphere_km)
    sun_el = light.sun_elevation_subpoint_deg(tgt_itrs, sun)

    line = targets - observer[:, :, None]
    range_km = np.sqrt(np.sum(line * line, axis=0))
    dirs_station = to_station(station_axes, line / range_km)
    az, el = azimuth_elevation(dirs_station)
    window = (cupola or default_cupola()).window_for(dirs_station)
    camera_px = _camera_pixels(camera, camera_to_station, dirs_station)

    shape = (n, targets.shape[2]) if several else (n,)
    shaped = lambda a: a.reshape(a.shape[:-2] + shape) if a.ndim > 2 else a.reshape(shape)  # noqa: E731
    return Sightlines(
        visible=shaped(~blocked), range_km=shaped(range_km), grazing_alt_km=shaped(grazing),
        against=shaped(np.where(meets_earth, "earth", "space")), illumination=shaped(fraction),
        sunlit=shaped(sunlit), sun_elevation_subpoint_deg=shaped(sun_el),
        sunlit_over_dark_ground=shaped(light.over_dark_ground(sunlit, sun_el)),
        direction_station=shaped(dirs_station), azimuth_deg=shaped(az), elevation_deg=shaped(el),
        window=shaped(window), camera_px=shaped(camera_px))


def _camera_pixels(camera: Camera | None, camera_to_station: np.ndarray | None,
                   dirs_station: np.ndarray) -> np.ndarray:
    """Pixel coordinates ``(2, N, B)`` of the directions, NaN out of frame or without a camera."""
    if camera is None:
        return np.full((2,) + dirs_station.shape[1:], np.nan)
    if camera_to_station is None:
        raise OrbitviewError("a camera needs its rotation to the station frame (view.camera.camera_to_station)")
    px, in_frame = camera.project(station_to_camera(camera_to_station, dirs_station))
    return np.where(in_frame, px, np.nan)


def horizon_dip_deg(alt_km, radius_km: float = WGS84_A_KM):
    """Angle (deg) of a spherical Earth's limb below the horizontal, seen from ``alt_km``."""
    return np.degrees(np.arccos(radius_km / (radius_km + np.asarray(alt_km, dtype=float))))


def limb_distance_km(alt_km, radius_km: float = WGS84_A_KM):
    """Distance (km) to a spherical Earth's limb from ``alt_km``: sqrt((R + h)^2 - R^2)."""
    r = radius_km + np.asarray(alt_km, dtype=float)
    return np.sqrt(r * r - radius_km * radius_km)


def ellipsoid_limb(observer_itrs_km: np.ndarray, horizontal_itrs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dip (deg below the plane perpendicular to the geocentric radius) and distance (km) of the
    WGS84 limb, looking from ``observer_itrs_km`` ``(3, N)`` towards ``horizontal_itrs`` ``(3, N)``.

    Exact: in the scaled frame the rays of the vertical plane through that heading are
    ``cos e h + sin e u``; tangency (a zero discriminant in the segment test) is a quadratic in
    ``tan e`` whose negative root is the limb ahead.
    """
    r = np.asarray(observer_itrs_km, dtype=float).reshape(3, -1)
    up = r / np.linalg.norm(r, axis=0)
    h = np.asarray(horizontal_itrs, dtype=float).reshape(3, -1)
    h = h - np.sum(h * up, axis=0) * up
    h = h / np.linalg.norm(h, axis=0)
    o, p, q = to_sphere(r), to_sphere(h), to_sphere(up)
    c = np.sum(o * o, axis=0) - 1.0
    op, oq = np.sum(o * p, axis=0), np.sum(o * q, axis=0)
    alpha = op * op - c * np.sum(p * p, axis=0)
    beta = op * oq - c * np.sum(p * q, axis=0)
    gamma = oq * oq - c * np.sum(q * q, axis=0)
    tan_e = (-beta - np.sqrt(beta * beta - alpha * gamma)) / gamma
    e = np.arctan(tan_e)
    d = np.cos(e) * h + np.sin(e) * up
    ds = to_sphere(d)
    distance = -np.sum(o * ds, axis=0) / np.sum(ds * ds, axis=0)
    return -np.degrees(e), distance
