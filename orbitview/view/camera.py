"""Cameras (pinhole and equidistant fisheye) and where they point in the station frame.

Camera frame (OpenCV convention): ``+z`` the boresight, ``+x`` to the right in the image,
``+y`` down in the image. Pixel coordinates ``(u, v)``: ``u`` along ``x`` (columns), ``v``
along ``y`` (rows); the centre of pixel column ``i`` is at ``u = i + 0.5``, so the image spans
``0 <= u < width`` and the optical axis meets it at ``(width / 2, height / 2)``.

A :class:`Pointing` turns the camera frame into the station frame (``camera_to_station``):
a fixed direction, one tracked body, several bodies framed at every instant, or one fixed
direction fitted to keep bodies in frame over a whole interval (the minimal enclosing cone of
their directions: the narrowest view that holds them all, so it is derived, not guessed).
With zero roll the image is level with the station: its "up" points as near to zenith
(station ``-z``) as the boresight allows; looking straight down or up, "up" is forward (``+x``).

A camera may also say what it is physically (:class:`Lens`: focal length and sensor, from which
the field of view follows) and how it exposed (:class:`PhotoSettings`: ISO, f-number, shutter,
frame interval, white balance), from which the exposure gain over a daylight exposure follows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..errors import OrbitviewError
from . import station

MODELS = ("pinhole", "fisheye")
POINTING_KINDS = ("fixed", "track", "frame", "fit")
PINHOLE_MAX_FOV_DEG = 180.0     # tan(fov/2) diverges: a pinhole cannot see a hemisphere
FISHEYE_MAX_FOV_DEG = 360.0     # equidistant r = f * theta reaches theta = 180 deg
_CONE_TOLERANCE = 1e-12         # cosine slack for points on the cone's rim

# The daylight exposure the renderer's gain 1 stands for: the "sunny 16" rule (Kodak's film
# instructions; ISO 2720's metering calibration gives the same to a third of a stop): f/16 and a
# shutter of 1/ISO s on a sunlit scene, here at ISO 100 and 1/100 s (render/tonemap.py).
SUNNY16_F_NUMBER = 16.0
SUNNY16_SHUTTER_S = 0.01
SUNNY16_ISO = 100.0
FULL_FRAME_MM = (36.0, 24.0)    # the 35 mm film frame, the "full-frame" digital sensor (ISO 1007 format 135)
# What a real camera can be set to; outside, a value can only be a mistake.
ISO_RANGE = (50.0, 3_280_000.0)         # Nikon D5 (the ISS's night camera of 2018): Lo 1 to Hi 5
F_NUMBER_RANGE = (0.5, 64.0)            # N >= 1/(2 NA) with NA <= 1 in air (Abbe's sine condition);
                                        # f/64 the smallest stop of large-format lenses [est]
SHUTTER_S_RANGE = (1.0 / 8000.0, 30.0)  # Nikon D5's timed shutter speeds, 1/8000 s to 30 s
FOCAL_MM_RANGE = (4.0, 2000.0)          # [est] below Sigma's 4.5 mm circular fisheye, beyond the 800 mm
                                        # lens with teleconverter flown on the ISS
SENSOR_MM_MAX = 100.0                   # [est] beyond the largest digital backs (54 x 40 mm)
WHITE_BALANCE_K_RANGE = (2500.0, 10000.0)   # Nikon D5's colour-temperature setting, 2,500 to 10,000 K
FOV_AGREEMENT_DEG = 0.06        # a field of view written to 0.1 deg agrees with its lens's
# The largest image: 8K UHD's pixel count, at most 7680 px a side (either way up). The renderer
# holds about 100 bytes a pixel at its peak (float32 radiance, rays, ground distance, the window
# mask while it is built, the uint8 frame): 3.4 GB at this size (measured: max RSS 4.1 GB with the
# textures), where 16384 x 16384 would need some 27 GB. A scenario's camera is refused beyond it.
MAX_SIDE_PX = 7680
MAX_PIXELS = 7680 * 4320
IMAGE_SIZE_EXPECTED = f"at most {MAX_SIDE_PX} px a side and {MAX_PIXELS:,} px in all (8K UHD, 7680x4320)"


def lens_fov_deg(focal_mm: float, sensor_width_mm: float, model: str) -> float:
    """Horizontal field of view (deg) of a lens across a sensor's width: a rectilinear (pinhole)
    lens maps an angle theta to r = f tan(theta), an equidistant fisheye to r = f theta."""
    half = sensor_width_mm / 2.0 / focal_mm
    return float(np.degrees(2.0 * (np.arctan(half) if model == "pinhole" else half)))



def image_fits(width_px: int, height_px: int) -> bool:
    """Whether the renderer can hold an image this size in memory (``MAX_SIDE_PX``, ``MAX_PIXELS``)."""
    return width_px <= MAX_SIDE_PX and height_px <= MAX_SIDE_PX and width_px * height_px <= MAX_PIXELS

@dataclass(frozen=True)
class Lens:
    """A lens on a sensor: focal length and sensor size (mm, width x height). The image spans
    the sensor's width; an image of another aspect ratio is a crop of its height."""

    focal_mm: float
    sensor_mm: tuple[float, float] = FULL_FRAME_MM

    def __post_init__(self) -> None:
        _check_range("focal_mm", self.focal_mm, FOCAL_MM_RANGE)
        if len(self.sensor_mm) != 2:
            raise OrbitviewError(f"camera sensor_mm = {self.sensor_mm!r}: expected [width, height] in mm")
        for size in self.sensor_mm:
            _check_range("sensor_mm", size, (1e-3, SENSOR_MM_MAX))

    def fov_deg(self, model: str) -> float:
        return lens_fov_deg(self.focal_mm, self.sensor_mm[0], model)


@dataclass(frozen=True)
class PhotoSettings:
    """How a still was exposed: ISO, f-number, shutter time (s), the interval between frames (s;
    None for a single still) and the white balance (kelvin; None = daylight).

    ``white_balance_k`` is a pass-through for the renderer: the radiance it draws is balanced for
    daylight; a kelvin value asks it to scale each channel by the daylight white's camera RGB over
    that of a Planckian radiator at ``white_balance_k`` (both normalised in green).
    """

    iso: float
    f_number: float
    shutter_s: float
    frame_interval_s: float | None = None
    white_balance_k: float | None = None

    def __post_init__(self) -> None:
        _check_range("iso", self.iso, ISO_RANGE)
        _check_range("f_number", self.f_number, F_NUMBER_RANGE)
        _check_range("shutter_s", self.shutter_s, SHUTTER_S_RANGE)
        if self.frame_interval_s is not None:
            _check_range("frame_interval_s", self.frame_interval_s, (SHUTTER_S_RANGE[0], np.inf))
            if self.shutter_s > self.frame_interval_s:
                raise OrbitviewError(f"camera shutter_s = {self.shutter_s!r}: expected a shutter no longer than "
                                     f"the frame interval (frame_interval_s = {self.frame_interval_s:g} s)")
        if self.white_balance_k is not None:
            _check_range("white_balance", self.white_balance_k, WHITE_BALANCE_K_RANGE)

    @property
    def gain(self) -> float:
        """The exposure over a sunny-16 daylight exposure: light through the aperture goes as
        1/N^2, the charge as the shutter time and the sensor's gain as the ISO."""
        return ((SUNNY16_F_NUMBER / self.f_number) ** 2 * (self.shutter_s / SUNNY16_SHUTTER_S)
                * (self.iso / SUNNY16_ISO))


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    """Raise naming the field unless ``value`` is a finite number within ``bounds``."""
    if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
            or not bounds[0] <= value <= bounds[1]):
        raise OrbitviewError(f"camera {name} = {value!r}: expected a number from {bounds[0]:g} to {bounds[1]:g}")


@dataclass(frozen=True)
class Camera:
    """An ideal camera: size in pixels, horizontal field of view (deg), projection, roll (deg),
    and optionally its lens (the field of view must then be the lens's) and exposure settings.

    ``roll_deg`` turns the camera about its boresight, right-handed about ``+z`` (``+x``
    towards ``+y``: clockwise as seen from behind the camera, so the scene turns
    counter-clockwise in the image). It adds to the pointing's own roll.
    """

    width_px: int
    height_px: int
    fov_deg: float
    model: str = "pinhole"
    roll_deg: float = 0.0
    lens: Lens | None = None
    photo: PhotoSettings | None = None

    @classmethod
    def from_lens(cls, width_px: int, height_px: int, lens: Lens, model: str = "pinhole",
                  roll_deg: float = 0.0, photo: PhotoSettings | None = None) -> "Camera":
        """A camera whose field of view is its lens's across the sensor's width."""
        if model not in MODELS:
            raise OrbitviewError(f"camera model {model!r}: expected one of {', '.join(MODELS)}")
        return cls(width_px, height_px, lens.fov_deg(model), model, roll_deg, lens, photo)

    def __post_init__(self) -> None:
        for name in ("width_px", "height_px"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise OrbitviewError(f"camera {name} = {value!r}: expected a whole number of pixels > 0")
        if self.model not in MODELS:
            raise OrbitviewError(f"camera model {self.model!r}: expected one of {', '.join(MODELS)}")
        limit = PINHOLE_MAX_FOV_DEG if self.model == "pinhole" else FISHEYE_MAX_FOV_DEG
        fov = self.fov_deg
        if (isinstance(fov, bool) or not isinstance(fov, (int, float, np.floating)) or not np.isfinite(fov)
                or fov <= 0.0 or fov > limit or (self.model == "pinhole" and fov >= limit)):
            bound = f"< {limit:g}" if self.model == "pinhole" else f"<= {limit:g}"
            raise OrbitviewError(f"camera fov_deg = {fov!r}: a {self.model} camera needs a horizontal "
                                 f"field of view > 0 and {bound} deg")
        if not np.isfinite(self.roll_deg):
            raise OrbitviewError(f"camera roll_deg = {self.roll_deg!r}: expected a finite number")
        if self.lens is not None and abs(self.lens.fov_deg(self.model) - fov) > FOV_AGREEMENT_DEG:
            raise OrbitviewError(f"camera fov_deg = {fov!r}: a {self.lens.focal_mm:g} mm {self.model} lens "
                                 f"across {self.lens.sensor_mm[0]:g} mm sees {self.lens.fov_deg(self.model):.2f} deg")

    @property
    def exposure_gain(self) -> float | None:
        """The exposure settings' gain over a daylight exposure, None without settings."""
        return None if self.photo is None else self.photo.gain

    @property
    def focal_px(self) -> float:
        """Focal length in pixels (the horizontal field of view spans the image width)."""
        half_fov = np.radians(self.fov_deg) / 2.0
        scale = np.tan(half_fov) if self.model == "pinhole" else half_fov
        return self.width_px / 2.0 / scale

    @property
    def pixel_scale_rad(self) -> float:
        """Angle subtended by one pixel at the image centre (rad)."""
        return 1.0 / self.focal_px

    @property
    def centre_px(self) -> tuple[float, float]:
        return self.width_px / 2.0, self.height_px / 2.0

    @property
    def inscribed_half_angle_deg(self) -> float:
        """Half-angle of the widest cone about the boresight that the image holds whole."""
        half_px = min(self.width_px, self.height_px) / 2.0
        angle = np.arctan(half_px / self.focal_px) if self.model == "pinhole" else half_px / self.focal_px
        return float(np.degrees(angle))

    def project(self, dirs_cam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates ``(2, ...)`` of directions ``(3, ...)`` and whether each is in frame.

        A pinhole camera gives NaN for directions at or behind its image plane.
        """
        d = np.asarray(dirs_cam, dtype=float)
        x, y, z = d[0], d[1], d[2]
        cx, cy = self.centre_px
        f = self.focal_px
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.model == "pinhole":
                ahead = z > 0.0
                scale = np.where(ahead, f / np.where(ahead, z, 1.0), np.nan)
            else:
                rho = np.hypot(x, y)
                theta = np.arctan2(rho, z)
                scale = np.where(rho > 0.0, f * theta / np.where(rho > 0.0, rho, 1.0), 0.0)
                scale = np.where(np.isfinite(theta), scale, np.nan)
            u, v = cx + scale * x, cy + scale * y
            in_frame = (u >= 0.0) & (u < self.width_px) & (v >= 0.0) & (v < self.height_px)
        return np.array([u, v]), in_frame

    def ray(self, px: np.ndarray) -> np.ndarray:
        """Unit directions ``(3, ...)`` in the camera frame through pixel coordinates ``(2, ...)``.

        The inverse of :meth:`project`. A fisheye pixel beyond 180 deg from the axis is NaN.
        """
        p = np.asarray(px, dtype=float)
        cx, cy = self.centre_px
        xn, yn = (p[0] - cx) / self.focal_px, (p[1] - cy) / self.focal_px
        if self.model == "pinhole":
            d = np.array([xn, yn, np.ones_like(xn)])
            return d / np.linalg.norm(d, axis=0)
        theta = np.hypot(xn, yn)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(theta > 0.0, np.sin(theta) / np.where(theta > 0.0, theta, 1.0), 1.0)
        d = np.array([s * xn, s * yn, np.cos(theta)])
        return np.where(theta <= np.pi, d, np.nan)

    def pixel_rays(self, block: int = 1) -> np.ndarray:
        """Unit directions ``(H, W, 3)`` in the camera frame through every pixel centre, or with
        ``block`` > 1 through the centres of block x block pixel squares ``(H//block, W//block, 3)``."""
        u = block * np.arange(self.width_px // block) + block / 2.0
        v = block * np.arange(self.height_px // block) + block / 2.0
        uu, vv = np.meshgrid(u, v)
        return np.moveaxis(self.ray(np.array([uu, vv])), 0, -1)


def minimal_enclosing_cone(dirs: np.ndarray) -> tuple[np.ndarray, float]:
    """Axis (unit, ``(3,)``) and half-angle (deg) of the narrowest cone holding all directions.

    Welzl's move-to-front algorithm on the sphere (expected linear time); ``dirs`` is
    ``(3, ...)``, NaN columns are ignored. The directions must lie in an open hemisphere.
    """
    p = np.asarray(dirs, dtype=float).reshape(3, -1).T
    p = p[np.all(np.isfinite(p), axis=1)]
    if len(p) == 0:
        raise OrbitviewError("cannot frame an empty set of directions")
    p = p / np.linalg.norm(p, axis=1, keepdims=True)
    p = np.unique(p, axis=0)
    p = p[np.random.default_rng(0).permutation(len(p))]
    axis, cos_half = _cone_with(p, [])
    if cos_half <= 0.0:
        raise OrbitviewError("the directions span a hemisphere or more: no single view can frame them")
    # The half-angle from atan2 of the farthest direction: arccos loses digits near 0.
    half = np.arctan2(np.linalg.norm(np.cross(p, axis), axis=1), p @ axis).max()
    return axis, float(np.degrees(half))


def _cone_through(rim: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """The narrowest cone with one, two or three given directions on its rim."""
    if len(rim) == 1:
        return rim[0], 1.0
    if len(rim) == 2:
        axis = rim[0] + rim[1]
    else:
        axis = np.cross(rim[1] - rim[0], rim[2] - rim[0])
        axis = axis if axis @ rim[0] >= 0.0 else -axis
    norm = np.linalg.norm(axis)
    if norm == 0.0:
        raise OrbitviewError("the directions span a hemisphere or more: no single view can frame them")
    axis = axis / norm
    return axis, float(axis @ rim[0])


def _cone_with(p: np.ndarray, rim: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """Narrowest cone holding ``p`` with every direction of ``rim`` on its rim (Welzl step)."""
    start = 0
    if rim:
        axis, cos_half = _cone_through(rim)
    else:
        axis, cos_half, start = p[0], 1.0, 1
    while start < len(p):
        outside = np.flatnonzero(p[start:] @ axis < cos_half - _CONE_TOLERANCE)
        if len(outside) == 0:
            break
        i = start + outside[0]
        if len(rim) == 2:
            axis, cos_half = _cone_through(rim + [p[i]])
        else:
            axis, cos_half = _cone_with(p[:i], rim + [p[i]])
        start = i + 1
    return axis, cos_half


@dataclass(frozen=True)
class Pointing:
    """Where a camera looks, in the station frame.

    * ``fixed``: a constant boresight (``boresight_station``),
    * ``track``: the direction to one body at every instant,
    * ``frame``: the axis of the minimal enclosing cone of several bodies at every instant,
    * ``fit``: one constant boresight, the minimal enclosing cone of the bodies' directions over
      every instant given (e.g. the whole video: how a time-lapse camera on a bracket is set up).

    ``roll_deg`` turns the camera about the boresight (see :class:`Camera`).
    """

    kind: str
    boresight_station: tuple[float, float, float] | None = None
    bodies: tuple[str, ...] = ()
    roll_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in POINTING_KINDS:
            raise OrbitviewError(f"pointing {self.kind!r}: expected one of {', '.join(POINTING_KINDS)}")
        if self.kind == "fixed":
            b = np.asarray(self.boresight_station, dtype=float)
            if b.shape != (3,) or not np.all(np.isfinite(b)) or np.linalg.norm(b) == 0.0:
                raise OrbitviewError(f"fixed pointing {self.boresight_station!r}: expected a non-zero 3-vector")
        elif not self.bodies or (self.kind == "track" and len(self.bodies) != 1):
            count = "one body" if self.kind == "track" else "at least one body"
            raise OrbitviewError(f"{self.kind} pointing with bodies {list(self.bodies)!r}: expected {count}")
        if not np.isfinite(self.roll_deg):
            raise OrbitviewError(f"pointing roll_deg = {self.roll_deg!r}: expected a finite number")

    @classmethod
    def fixed(cls, azimuth_deg: float, elevation_deg: float, roll_deg: float = 0.0) -> "Pointing":
        """A constant boresight at an azimuth/elevation of the station frame (see ``station``)."""
        return cls.along(station.direction(azimuth_deg, elevation_deg), roll_deg)

    @classmethod
    def along(cls, vector_station, roll_deg: float = 0.0) -> "Pointing":
        """A constant boresight along a station-frame vector."""
        return cls("fixed", tuple(float(c) for c in np.ravel(vector_station)), roll_deg=roll_deg)

    @classmethod
    def track(cls, body: str, roll_deg: float = 0.0) -> "Pointing":
        return cls("track", bodies=(body,), roll_deg=roll_deg)

    @classmethod
    def frame(cls, bodies, roll_deg: float = 0.0) -> "Pointing":
        return cls("frame", bodies=tuple(bodies), roll_deg=roll_deg)

    @classmethod
    def fit(cls, bodies, roll_deg: float = 0.0) -> "Pointing":
        return cls("fit", bodies=tuple(bodies), roll_deg=roll_deg)

    def boresight(self, dirs_by_body: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """The boresight in the station frame: ``(3,)`` if constant, else ``(3, N)``.

        ``dirs_by_body`` maps body names to station-frame directions ``(3, N)`` (any length).
        """
        if self.kind == "fixed":
            b = np.array(self.boresight_station)
            return b / np.linalg.norm(b)
        dirs = _body_directions(self.bodies, dirs_by_body)
        if self.kind == "track":
            return dirs[:, :, 0] / np.linalg.norm(dirs[:, :, 0], axis=0)
        if self.kind == "fit":
            return minimal_enclosing_cone(dirs)[0]
        return np.array([minimal_enclosing_cone(dirs[:, n])[0] for n in range(dirs.shape[1])]).T

    def resolved(self, dirs_by_body: Mapping[str, np.ndarray], camera: Camera | None = None) -> "Pointing":
        """A ``fit`` pointing turned into the fixed one it stands for (others are returned as-is).

        With a camera, checks that its field of view holds every direction it was fitted to.
        """
        if self.kind != "fit":
            return self
        fixed = Pointing.along(self.boresight(dirs_by_body), self.roll_deg)
        if camera is not None:
            check_in_frame(camera, camera_to_station(fixed, camera),
                           _body_directions(self.bodies, dirs_by_body), self.bodies)
        return fixed


def _body_directions(bodies: tuple[str, ...], dirs_by_body: Mapping[str, np.ndarray] | None) -> np.ndarray:
    """Directions ``(3, N, B)`` of the named bodies; unknown names raise a clear error."""
    known = dict(dirs_by_body or {})
    missing = [b for b in bodies if b not in known]
    if missing:
        raise OrbitviewError(f"pointing needs directions of {', '.join(missing)}: "
                             f"given {', '.join(sorted(known)) or 'none'}")
    return np.stack([np.asarray(known[b], dtype=float).reshape(3, -1) for b in bodies], axis=-1)


def camera_to_station(pointing: Pointing, camera: Camera | None = None,
                      dirs_by_body: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Rotation camera -> station frame, ``(3, 3)`` or ``(3, 3, N)``: columns are the camera axes.

    ``dirs_station = R @ dirs_cam``; ``dirs_cam = R.T @ dirs_station``. Roll is the pointing's
    plus the camera's. For ``frame`` pointing with a camera, every body must be in frame.
    """
    roll = pointing.roll_deg + (camera.roll_deg if camera is not None else 0.0)
    rotation = rolled_rotation(pointing.boresight(dirs_by_body), roll)
    if pointing.kind == "frame" and camera is not None:
        dirs = _body_directions(pointing.bodies, dirs_by_body)
        check_in_frame(camera, rotation, dirs, pointing.bodies)
    return rotation


def rolled_rotation(boresight_station: np.ndarray, roll_deg=0.0) -> np.ndarray:
    """Camera -> station rotations ``(3, 3, ...)`` for boresights ``(3, ...)`` (or ``(3,)``), level
    (image "down" towards nadir, or backwards looking straight up or down) and then turned by
    ``roll_deg`` (a number or an array broadcast against the boresights' trailing shape)."""
    b = np.asarray(boresight_station, dtype=float)
    b = b / np.linalg.norm(b, axis=0)
    nadir = np.array([0.0, 0.0, 1.0]).reshape((3,) + (1,) * (b.ndim - 1))
    back = np.array([-1.0, 0.0, 0.0]).reshape(nadir.shape)
    down = nadir - np.sum(b * nadir, axis=0) * b
    level = np.linalg.norm(down, axis=0) > 1e-9
    down = np.where(level, down, back - np.sum(b * back, axis=0) * b)
    down = down / np.linalg.norm(down, axis=0)
    right = np.cross(down, b, axis=0)
    roll = np.radians(roll_deg)
    x = np.cos(roll) * right + np.sin(roll) * down
    y = -np.sin(roll) * right + np.cos(roll) * down
    return np.stack(np.broadcast_arrays(x, y, b), axis=1)


def station_to_camera(rotation: np.ndarray, dirs_station: np.ndarray) -> np.ndarray:
    """Camera-frame components of station directions ``(3, N)`` or ``(3, N, B)``."""
    if rotation.ndim == 2:
        return np.tensordot(rotation.T, dirs_station, axes=1)
    spec = "jin,jnb->inb" if dirs_station.ndim == 3 else "jin,jn->in"
    return np.einsum(spec, rotation, dirs_station)


def check_in_frame(camera: Camera, rotation: np.ndarray, dirs_station: np.ndarray,
                   bodies: tuple[str, ...]) -> None:
    """Raise if any of the directions ``(3, N, B)`` falls outside the camera's image."""
    _, in_frame = camera.project(station_to_camera(rotation, dirs_station))
    finite = np.all(np.isfinite(dirs_station), axis=0)
    if np.all(in_frame | ~finite):
        return
    _, half_deg = minimal_enclosing_cone(dirs_station)
    raise OrbitviewError(
        f"camera ({camera.width_px}x{camera.height_px} px, {camera.fov_deg:g} deg {camera.model}) cannot "
        f"frame {', '.join(bodies)}: they span a cone of {2 * half_deg:.1f} deg, the image holds "
        f"{2 * camera.inscribed_half_angle_deg:.1f} deg across its short side")
