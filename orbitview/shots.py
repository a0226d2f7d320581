"""A scene seen through its camera: the renderer's inputs filled from the scene, stills, videos.

The renderer (``orbitview.render``) knows only plain arrays; this module turns a
:class:`~orbitview.scene.Scene` (and nothing else) into them: the camera's orientation, the bodies
shown, the Sun, the exhaust, the captions and the video clock. A whole run of instants is computed
at once, vectorised, and then handed out frame by frame.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from . import checks
from .ascent import VEHICLE_BODY
from .errors import OrbitviewError
from .exhaust import Puffs, exhaust_puffs
from .frames import gcrs_to_itrs, mxm, mxv
from .outputs import check_output
from .render import NIGHT_EXPOSURE, FrameInputs, MoonLight, RenderStyle, SceneObject, render_frame
from .render.compose import check_image_size, render_layers
from .render.globe import Shutter
from .render.png import Frame
from .render.stars import planet_sight
from .render.video import check_video, frame_buffers, write_video
from .rocketlight import BodyLight, body_light
from .scenario import MAX_SCENE_S
from .view.camera import Camera
from .view.light import illumination, sun_itrs_km

if TYPE_CHECKING:
    from .scene import Scene

CAPTION_HOLD_VIDEO_S = 3.0      # an event's caption stays this long on screen (video seconds)
CAPTION_HOLD_T_PLUS_S = 40.0    # ... or this long in scene time without a video clock
DEFAULT_PLAYBACK_SPEED = 10.0   # x real time, for videos of scenes without a video clock


def sized_camera(scn: "Scene", size: tuple[int, int] | None) -> Camera:
    """The scenario's camera at ``size``, else at its ``[render]`` size, else as it is (a new size
    keeps the horizontal field of view), refused before any work if the renderer cannot hold it."""
    if scn.camera is None:
        raise OrbitviewError(f"{scn.spec.path}: [camera] is missing: a render needs a camera")
    size = checks.size(size) or scn.spec.render.size
    camera = scn.camera if size is None else dataclasses.replace(scn.camera, width_px=size[0], height_px=size[1])
    check_image_size(camera.width_px, camera.height_px)
    return camera


def _captions(scn: "Scene") -> list[tuple[float, str]]:
    """(video s, or T+ s without a video clock; text) for every event worth a caption:
    separations, cutoffs, entry, heating."""
    published = {a.event: a.name for a in scn.spec.video.anchors} if scn.spec.video else {}
    out = []
    for event in scn.events:
        if event.name.endswith("_impact") or event.name == "liftoff" or event.t_plus_s > scn.end_t_plus_s:
            continue
        text = published.get(event.name, event.name.replace("_", " "))
        m, s = divmod(event.t_plus_s, 60.0)
        when = event.t_plus_s if event.video_s is None else event.video_s
        out.append((when, f"{text[0].upper()}{text[1:]}  (T+{int(m)}:{s:02.0f})"))
    return out


@dataclass(frozen=True)
class _BodyTrack:
    """One body's drawable state at every instant of a run, and when it is shown (after it left
    the stack, before it landed)."""

    shown: np.ndarray
    itrs_km: np.ndarray
    velocity_itrs_kms: np.ndarray
    light: BodyLight
    sunlit: np.ndarray
    alt_km: np.ndarray


def _body_tracks(scn: "Scene", t, seconds: np.ndarray, sun: np.ndarray) -> dict[str, _BodyTrack]:
    n = seconds.size
    tracks = {}
    for name, body in scn.bodies.items():
        shown = scn.shown(name, seconds)
        if not shown.any():
            continue
        pos, vel = (a.reshape(3, n) for a in body.itrs_state(t))
        alt = body.alt_km(t).reshape(n)
        tracks[name] = _BodyTrack(shown, pos, vel, body_light(scn.ascent, name, seconds, alt),
                                  illumination(pos, sun)[0], alt)
    return tracks


def _lights(name: str, b: _BodyTrack, i: int) -> list[SceneObject]:
    """The light body ``name`` emits at instant ``i`` (``orbitview.rocketlight``): its flame, the
    afterburning plume, a staging flash (the burning residuals, and the stack's exhaust on its end,
    a point at its stagnation temperature), an entry glow (each only while it shines)."""
    light, at, alt = b.light, b.itrs_km[:, i], float(b.alt_km[i])
    flame_k, entry_k = light.flame_temperature_k, light.entry_glow_temperature_k
    sources = [("flame", light.flame_w[i], flame_k, 0.0), ("glow", light.plume_w[i], flame_k, light.plume_radius_km[i]),
               ("glow", light.flash_w[i], flame_k, light.flash_radius_km[i]),
               ("flame", light.impingement_w[i], light.impingement_temperature_k, 0.0),
               ("entry_glow", light.entry_glow_w[i], entry_k, 0.0)]
    return [SceneObject(name, kind, at, float(watts), kelvin, alt_km=alt, velocity_itrs_kms=b.velocity_itrs_kms[:, i],
                        radius_km=float(radius))
            for kind, watts, kelvin, radius in sources if watts > 0.0]


def _objects(scn: "Scene", tracks: dict[str, _BodyTrack], puffs: Puffs, puff_lit: np.ndarray,
             t_plus_s: float, i: int) -> list[SceneObject]:
    """What the renderer draws at instant ``i``: the shown bodies, looking as the vehicle file
    says, the light they emit, and the sunlit exhaust clouds."""
    objects = [SceneObject(name, look.kind, b.itrs_km[:, i], sunlit=float(b.sunlit[i]), alt_km=float(b.alt_km[i]),
                           velocity_itrs_kms=b.velocity_itrs_kms[:, i], area_m2=look.area_m2, albedo=look.albedo)
               for name, b in tracks.items() if b.shown[i] for look in [scn.look(name, t_plus_s)]]
    lights = [o for name, b in tracks.items() if b.shown[i] for o in _lights(name, b, i)]
    return objects + lights + [
        SceneObject("exhaust", "exhaust", puffs.itrs_km[:, i, k], sunlit=float(puff_lit[i, k]),
                    alt_km=float(puffs.alt_km[i, k]), radius_km=float(puffs.radius_km[i, k]),
                    cross_section_m2=float(puffs.cross_section_m2[i, k]))
        for k in np.flatnonzero(puff_lit[i] > 0.0)]


def frame_series(scn: "Scene", t_plus_s, size: tuple[int, int] | None = None,
                 exposure: float | None = None, window_frame: bool | None = None) -> Iterator[FrameInputs]:
    """The renderer's inputs at each instant ``t_plus_s`` (seconds from liftoff), in order: checked
    and computed for every instant now (before a video file is opened), handed out frame by frame.
    A camera with photo settings exposes each still for its ``shutter_s`` centred on the instant:
    the inputs carry the camera at the shutter's opening and closing (``render.globe.Shutter``)."""
    render = scn.spec.render
    exposure = next(x for x in (checks.exposure(exposure), render.exposure, scn.camera and scn.camera.exposure_gain,
                                NIGHT_EXPOSURE) if x is not None)     # option > [render] > camera settings > night
    window_frame = render.window_frame if window_frame is None else window_frame
    camera = sized_camera(scn, size)
    seconds = np.atleast_1d(np.asarray(t_plus_s, dtype=float))
    n = seconds.size
    t = scn.times(seconds)
    to_itrs, cam_to_itrs, observer_itrs = _pose(scn, t, n)
    shutters = [None] * n if camera.photo is None else _shutters(scn, seconds, camera.photo.shutter_s)
    sun = sun_itrs_km(t, to_itrs)
    sun_dir = sun / np.linalg.norm(sun, axis=0)

    moon = _moon_light(scn, t, to_itrs)
    planet_dirs, planet_mags = planet_sight(scn.observer, t)
    tracks = _body_tracks(scn, t, seconds, sun)
    puffs = exhaust_puffs(scn.vehicle, seconds)
    puff_lit = np.where(puffs.present, illumination(puffs.itrs_km, sun[:, :, None])[0], 0.0)
    vehicle_range = np.linalg.norm(tracks[VEHICLE_BODY].itrs_km - observer_itrs, axis=0)

    video = scn.video_s(seconds)
    now, hold = (video, CAPTION_HOLD_VIDEO_S) if video is not None else (seconds, CAPTION_HOLD_T_PLUS_S)
    captions = _captions(scn)
    utc = np.atleast_1d(t.utc_strftime("%Y-%m-%d %H:%M:%S"))
    return (FrameInputs(camera, cam_to_itrs[:, :, i], observer_itrs[:, i], sun_dir[:, i], to_itrs[:, :, i],
                        objects=_objects(scn, tracks, puffs, puff_lit, float(seconds[i]), i),
                        captions=[text for when, text in captions if 0.0 <= now[i] - when < hold],
                        utc=str(utc[i]), t_plus_s=float(seconds[i]),
                        video_s=None if video is None else float(video[i]),
                        range_km=float(vehicle_range[i]), exposure=exposure, window_frame=window_frame,
                        moon=moon[i], planets=(planet_dirs[:, :, i], planet_mags[:, i]), shutter=shutters[i])
            for i in range(n))


def _pose(scn: "Scene", t, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GCRS -> ITRS (3, 3, n), the camera's turn to ITRS (3, 3, n) and the observer (ITRS km, (3, n))
    at the ``n`` instants ``t``."""
    orientation = scn.orientation(t)
    to_itrs = gcrs_to_itrs(t)
    to_itrs = np.broadcast_to(to_itrs, (3, 3, n)) if to_itrs.ndim == 3 else np.repeat(to_itrs[:, :, None], n, 2)
    return to_itrs, mxm(to_itrs, orientation.camera_to_gcrs), mxv(to_itrs, orientation.observer.position_km)


def _shutters(scn: "Scene", seconds: np.ndarray, shutter_s: float) -> list[Shutter]:
    """The camera at each still's shutter opening and closing, half the shutter either side of its
    instant, within the scene (a still at its last instant is exposed up to the scene's end only)."""
    n = seconds.size
    ends = [_pose(scn, scn.times(np.clip(seconds + side * 0.5 * shutter_s, -MAX_SCENE_S, scn.end_t_plus_s)), n)
            for side in (-1.0, 1.0)]
    return [Shutter(shutter_s, (ends[0][1][:, :, i], ends[1][1][:, :, i]), (ends[0][2][:, i], ends[1][2][:, i]),
                    (ends[0][0][:, :, i], ends[1][0][:, :, i])) for i in range(n)]


def _moon_light(scn: "Scene", t, to_itrs: np.ndarray) -> list[MoonLight]:
    """The Moon at each instant: geocentric position, the Sun's direction from it, and its light
    at the Earth (``orbitview.moon``)."""
    sight = scn.moon_sight(t)
    position = mxv(to_itrs, scn.moon.gcrs_state(t).position_km.reshape(3, -1))
    sun_dir = mxv(to_itrs, sight.sun_direction_gcrs.reshape(3, -1))
    ratio = np.atleast_1d(sight.moonlight_ratio)
    return [MoonLight(position[:, i], sun_dir[:, i], float(ratio[i])) for i in range(position.shape[1])]


def frame_at(scn: "Scene", t_plus_s: float, size: tuple[int, int] | None = None,
             style: RenderStyle | None = None, **options) -> Frame:
    """One frame (H, W, 3) uint8 at ``t_plus_s``, shown inline in Jupyter; ``.save(path)`` writes a PNG,
    ``.describe()`` says what it shows."""
    return Frame.of(*render_layers(next(frame_series(scn, [t_plus_s], size, **options)), style))


def render_still(scn: "Scene", path: str | Path, t_plus_s: float, size: tuple[int, int] | None = None,
                 force: bool = False, **options) -> Frame:
    """Render one frame to a PNG (the path is checked before the frame is rendered); returns the
    frame written (``.describe()`` says what it shows)."""
    check_output(path, (".png",), force)
    frame = frame_at(scn, t_plus_s, size, **options)
    frame.save(path, force)
    return frame


def video_t_plus_s(scn: "Scene", fps: float, video_range: tuple[float, float] | None = None,
                   speed: float = DEFAULT_PLAYBACK_SPEED) -> np.ndarray:
    """The T+ instant of every frame: through the video clock if the scene has one (``video_range``
    in video seconds), else ``video_range`` is in T+ seconds played at ``speed`` x real time."""
    fit = scn.video_fit
    if fit is not None:
        duration = scn.spec.video.duration_s
        start, end = checks.span("video range", (0.0, duration) if video_range is None else video_range,
                                 0.0, duration, "video seconds")
        return fit.clock.to_t_plus(np.arange(start, end, 1.0 / fps))
    start, end = checks.span("video range", (0.0, scn.end_t_plus_s) if video_range is None else video_range,
                             -MAX_SCENE_S, scn.end_t_plus_s, "T+ seconds (this scene has no video clock)")
    return np.arange(start, end, speed / fps)


def render_video(scn: "Scene", path: str | Path, size: tuple[int, int] | None = None, fps: float | None = None,
                 video_range: tuple[float, float] | None = None, force: bool = False, progress: bool = True,
                 style: RenderStyle | None = None, **options) -> Path:
    """Render the scene to an H.264 MP4, streamed to ffmpeg with a progress bar (size and frame
    rate default to the scenario's ``[render]`` table)."""
    fps = scn.spec.render.fps if fps is None else fps
    camera = sized_camera(scn, size)
    check_video(path, camera.width_px, camera.height_px, fps, force)
    seconds = video_t_plus_s(scn, fps, video_range)
    buffers = frame_buffers(camera.width_px, camera.height_px)
    frames = (render_frame(inputs, style, sequence=True, out=next(buffers))
              for inputs in frame_series(scn, seconds, size, **options))
    return write_video(path, frames, fps, camera.width_px, camera.height_px, total=seconds.size,
                       force=force, progress=progress)
