"""Synthetic but realistic frame inputs, for tests, the benchmark and the notebooks.

The station at 406 km over (47 N, 60 E) looking out towards the eastern horizon, with the real
Sun of the Progress MS-10 launch (2018-11-16 18:14:08 UTC: local midnight, deep night) or of
that morning (08:00 UTC: local noon, the day side). Independent of the scenario wiring.
"""
from __future__ import annotations

import numpy as np

from ..ascent import load_vehicle
from ..rocketlight import flame_visible_w
from ..earth import enu_basis, geodetic_to_itrs, itrs_to_geodetic
from ..frames import gcrs_to_itrs
from ..skydata import ephemeris, timescale
from ..view.camera import Camera
from .compose import FrameInputs
from .objects import SceneObject

OBSERVER_LAT_DEG, OBSERVER_LON_DEG, OBSERVER_ALT_KM = 47.0, 60.0, 406.0
NIGHT_UTC = (2018, 11, 16, 18, 14, 8)
DAY_UTC = (2018, 11, 16, 8, 0, 0)


def look(lat_deg: float, lon_deg: float, azimuth_deg: float, elevation_deg: float,
         roll_deg: float = 0.0) -> np.ndarray:
    """cam_to_itrs (3, 3) for a camera at a place looking at an azimuth/elevation, image level."""
    east, north, up = enu_basis(lat_deg, lon_deg)
    az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
    z = np.cos(el) * np.sin(az) * east + np.cos(el) * np.cos(az) * north + np.sin(el) * up
    x = np.cross(z, up)
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    r = np.radians(roll_deg)
    x, y = np.cos(r) * x + np.sin(r) * y, -np.sin(r) * x + np.cos(r) * y
    return np.stack([x, y, z], axis=1)


def sun_and_rotation(utc: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Unit Sun direction in ITRS and the GCRS -> ITRS rotation at a UTC instant."""
    t = timescale().utc(*utc)
    eph = ephemeris()
    sun_gcrs = (eph["sun"] - eph["earth"]).at(t).position.km
    rot = gcrs_to_itrs(t)[:, :, 0]
    s = rot @ sun_gcrs
    return s / np.linalg.norm(s), rot


def synthetic_inputs(width_px: int = 640, height_px: int = 360, night: bool = True, fov_deg: float = 60.0,
                     azimuth_deg: float = 90.0, elevation_deg: float = -12.0, roll_deg: float = 0.0,
                     with_objects: bool = True, exposure: float | None = None, **kwargs) -> FrameInputs:
    """A frame's inputs for the station over Kazakhstan looking at the horizon."""
    camera = Camera(width_px, height_px, fov_deg, roll_deg=0.0)
    observer = geodetic_to_itrs(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, OBSERVER_ALT_KM)
    cam_to_itrs = look(OBSERVER_LAT_DEG, OBSERVER_LON_DEG, azimuth_deg, elevation_deg, roll_deg)
    sun, rot = sun_and_rotation(NIGHT_UTC if night else DAY_UTC)
    objects = _objects(camera, cam_to_itrs, observer) if with_objects else ()
    if exposure is not None:
        kwargs["exposure"] = exposure
    elif not night:
        kwargs["exposure"] = 1.0
    return FrameInputs(camera, cam_to_itrs, observer, sun, rot, objects=objects, **kwargs)


def _at_pixel(camera: Camera, cam_to_itrs: np.ndarray, observer: np.ndarray, u: float, v: float,
              range_km: float) -> tuple[np.ndarray, float]:
    pos = observer + range_km * (cam_to_itrs @ camera.ray(np.array([u, v])))
    return pos, float(itrs_to_geodetic(pos)[2])


def _objects(camera: Camera, cam_to_itrs: np.ndarray, observer: np.ndarray) -> list[SceneObject]:
    """A burning third stage high over the night side and the core stage falling back, glowing."""
    w, h = camera.width_px, camera.height_px
    stack, stack_alt = _at_pixel(camera, cam_to_itrs, observer, 0.55 * w, 0.62 * h, 700.0)
    core, core_alt = _at_pixel(camera, cam_to_itrs, observer, 0.42 * w, 0.78 * h, 600.0)
    vehicle = load_vehicle("soyuz-fg")
    core_look = next(s.look for s in vehicle.stages if s.key == "core")
    light = vehicle.light
    return [SceneObject("stack", "stack", stack, alt_km=stack_alt),
            SceneObject("stack", "flame", stack, light_w=float(flame_visible_w(light, 2.98e5, 3.197, stack_alt)),
                        temperature_k=light.flame_temperature_k, alt_km=stack_alt),
            SceneObject("core", "core", core, alt_km=core_alt, area_m2=core_look.area_m2, albedo=core_look.albedo),
            SceneObject("core", "entry_glow", core, light_w=light.entry_glow_efficiency * 2e5 * core_look.area_m2,
                        temperature_k=light.entry_glow_temperature_k, alt_km=core_alt,
                        velocity_itrs_kms=cam_to_itrs @ np.array([0.6, 0.8, 0.0]))]
