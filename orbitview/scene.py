"""The scene: one object that holds the clock, the observer, every body, the events and the camera.

"What is in the scene at time t" has one answer, here: which bodies exist (from their release to
their impact), where they are, which events happened, how the station and its camera are turned.
Everything is built lazily and once: the ascent is flown the first time a rocket body or event is
asked for, the camera's fitted aim the first time a camera is needed.

    scn = load_scenario("progress-ms10")
    t = scn.clock.t_plus([0, 118, 287])
    (scn.body("vehicle") - scn.observer).at(t)      # Skyfield algebra: the line of sight
    scn.sightline(t, "vehicle").camera_px           # where it stands in the picture
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from skyfield.timelib import Time

from . import checks, tle
from .bodies import Body, State
from .clock import Clock
from .errors import OrbitviewError, UnknownNameError, shorten
from .frames import mxm, transpose
from .moon import Moon, MoonSight, SkyEvent, moon_sight, sky_events
from .orbits import Observer
from .resources import bundled_names, resolve
from .scenario import MAX_SCENE_S, ScenarioSpec, check_flight_names, read_scenario
from .table import html_table
from .videoclock import VideoFit, fit_video_clock
from .view.camera import Camera, Pointing, camera_to_station
from .view.sightline import Sightlines, compute_sightlines
from .view.station import station_axes, to_station

if TYPE_CHECKING:
    from .ascent import Ascent, TargetOrbit
    from .ascent.vehicle import PartLook
    from .render.png import Frame

FIT_SAMPLES = 241   # directions sampled over the video to fit a fixed camera pointing
SKY_EVENT_STEP_S = 10.0   # grid of the sky's events, refined to 0.1 s: no two moonsets or umbra entries lie closer


@dataclass(frozen=True)
class Orientation:
    """The observer, its station axes and its camera at N instants (GCRS).

    ``station_axes`` ``(3, 3, N)``: rows are the station's axes. ``camera_to_station`` ``(3, 3)``
    for a camera fixed on the station, ``(3, 3, N)`` for one that turns; None without a camera.
    """

    observer: State
    station_axes: np.ndarray
    camera_to_station: np.ndarray | None

    @property
    def camera_to_gcrs(self) -> np.ndarray:
        """Camera -> GCRS rotations ``(3, 3, N)``: camera -> station -> GCRS."""
        rotation = self.camera_to_station
        if rotation.ndim == 2:
            rotation = np.repeat(rotation[:, :, None], self.station_axes.shape[2], axis=2)
        return mxm(transpose(self.station_axes), rotation)


@dataclass(frozen=True)
class TimelineEvent:
    """An event of the flown ascent placed on the scene's clocks."""

    name: str
    t_plus_s: float
    body: str            # the body (or bodies, comma-separated) the event is about
    detail: str
    utc: str
    video_s: float | None


class Timeline(list):
    """The events of a scene: a plain list of ``TimelineEvent``, shown as a table in Jupyter."""

    def _repr_html_(self) -> str:
        rows = [{"event": e.name, "T+ s": f"{e.t_plus_s:.1f}", "UTC": e.utc[11:19],
                 "video s": "" if e.video_s is None else f"{e.video_s:.1f}", "body": e.body, "detail": e.detail}
                for e in self]
        return html_table(rows, ["event", "T+ s", "UTC", "video s", "body", "detail"], caption="Timeline")


class Scene:
    """A launch seen from an orbiting observer, on one clock (see README: "Writing a scenario")."""

    def __init__(self, spec: ScenarioSpec):
        self.spec = spec
        self.clock = Clock(spec.liftoff)

    # --- what the scenario names --------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def end_t_plus_s(self) -> float:
        return self.spec.end_t_plus_s

    @property
    def camera(self) -> Camera | None:
        return self.spec.camera

    # --- bodies -------------------------------------------------------------------------------
    @cached_property
    def observer(self) -> Observer:
        """The orbiting observer (the ISS), SGP4 from the scenario's element sets."""
        spec = self.spec.observer
        return Observer(tle.load(spec.elements), spec.catalog, name=spec.name, mode=spec.selection,
                        max_age_days=spec.max_age_days)

    @cached_property
    def target(self) -> "TargetOrbit":
        """The orbit the vehicle is flown into: the observer's plane at liftoff (turned east by the
        node lead of the scenario's rendezvous), at the scenario's perigee and apogee."""
        from .ascent import TargetOrbit

        spec = self.spec
        r, v = self.observer.gcrs_state(self.clock.liftoff)
        return TargetOrbit.from_observer_state(r, v, perigee_alt_km=spec.perigee_alt_km,
                                               apogee_alt_km=spec.apogee_alt_km,
                                               rendezvous_s=spec.rendezvous_h * 3600.0)

    @cached_property
    def ascent(self) -> "Ascent":
        """The vehicle's flight and its falling parts, flown once into the target plane."""
        from .ascent import fly, load_vehicle

        spec = self.spec
        ascent = fly(spec.site, load_vehicle(spec.vehicle_file), payload_kg=spec.payload_kg, clock=self.clock,
                     target=self.target, end_t_plus_s=spec.end_t_plus_s)
        check_flight_names(spec, [e.name for e in ascent.events], list(ascent.bodies))
        return ascent

    def ignition_offset_km(self) -> float:
        """How far from the target plane (km) the guided stage lights: zero when the scene lifts off
        on time (``ascent.launch.ignition_offset_km``); flies only the open-loop stages."""
        from .ascent import load_vehicle
        from .ascent.launch import ignition_offset_km

        spec = self.spec
        return ignition_offset_km(spec.site, load_vehicle(spec.vehicle_file), spec.payload_kg, self.clock, self.target)

    @cached_property
    def moon(self) -> Moon:
        """The Moon (DE421, geometric GCRS), a body like the others: also ``scn.body("moon")``."""
        return Moon()

    def moon_sight(self, t: Time) -> MoonSight:
        """The Moon as the observer sees it at ``t``: apparent direction, phase, light, and its
        height above the Earth's limb (``orbitview.moon``)."""
        return moon_sight(self.observer, t)

    @property
    def vehicle(self) -> Body:
        """The rocket stack; after spacecraft separation, the spacecraft."""
        return self.body("vehicle")

    @property
    def bodies(self) -> dict[str, Body]:
        """Every body of the launch by name: the stack, boosters, core, third stage, fairing..."""
        return self.ascent.bodies

    def body(self, name: str) -> Body:
        """The body of that name (``orbitview events`` names them; also ``moon`` and the
        observer's name), a Skyfield vector function."""
        if name == self.moon.name:
            return self.moon
        if name == self.observer.name:
            return self.observer
        try:
            return self.bodies[name]
        except KeyError:
            raise UnknownNameError("body", name, [*self.bodies, self.moon.name]) from None

    def lifetime_t_plus_s(self, name: str) -> tuple[float, float]:
        """When a body exists on its own (T+ s), within the scene: from its release (liftoff for
        the stack) to its impact, else to the end of the scene."""
        start, end = self._life(name)
        return max(start, 0.0), min(end, self.end_t_plus_s)

    def shown(self, name: str, t_plus_s: np.ndarray) -> np.ndarray:
        """Whether the body is there to be seen at each instant: released and not yet landed (the
        stack stands on the pad before liftoff)."""
        start, end = self._life(name)
        return (t_plus_s >= start) & (t_plus_s < end)

    def look(self, name: str, t_plus_s: float) -> "PartLook":
        """How a body looks at ``t_plus_s`` (render kind, size, albedo, from the vehicle file): the
        vehicle is the stack until the payload's release, the spacecraft after."""
        self.body(name)
        return self.ascent.look_at(name, t_plus_s)

    def _life(self, name: str) -> tuple[float, float]:
        self.body(name)
        return self.ascent.life_t_plus_s(name)

    # --- time -----------------------------------------------------------------------------------
    @cached_property
    def sky_events(self) -> list[SkyEvent]:
        """Moonrise, moonset and the observer's umbra entry and exit within the scene."""
        grid = np.append(np.arange(0.0, self.end_t_plus_s, SKY_EVENT_STEP_S), self.end_t_plus_s)
        return sky_events(self.observer, self.clock, grid)

    @cached_property
    def events(self) -> Timeline:
        """The timeline, sorted by T+: the flight's events (liftoff, separations, cutoff, core stage
        entry...) and the sky's (moonrise, moonset, the observer entering and leaving the Earth's
        shadow), each with its UTC and, when the scene has a video clock, its video time."""
        sky_body = {"moonrise": self.moon.name, "moonset": self.moon.name}
        merged = sorted([(e.name, e.t_plus_s, e.body, e.detail) for e in self.ascent.events]
                        + [(e.name, e.t_plus_s, sky_body.get(e.name, self.observer.name), e.detail)
                           for e in self.sky_events], key=lambda e: e[1])
        video = self.video_s([e[1] for e in merged]) if merged else None
        return Timeline(TimelineEvent(name, t_plus_s, body, detail, self.clock.utc_iso(t_plus_s),
                                      None if video is None else float(video[i]))
                        for i, (name, t_plus_s, body, detail) in enumerate(merged))

    def event_t_plus_s(self, name: str) -> float:
        """T+ seconds of a named event of the timeline (the flight's or the sky's)."""
        happened = [*self.ascent.events, *self.sky_events]
        for event in happened:
            if event.name == name:
                return event.t_plus_s
        raise UnknownNameError("event", name, [e.name for e in happened])

    def instant_t_plus_s(self, t_plus_s: float | None = None, video_s: float | None = None,
                         event: str | None = None) -> float:
        """T+ seconds of an instant given as exactly one of ``t_plus_s``, ``video_s`` (on the video
        clock) or ``event`` (a name of the timeline)."""
        if sum(x is not None for x in (t_plus_s, video_s, event)) != 1:
            raise OrbitviewError(f"{self.name}: give one instant: t_plus_s, video_s or event")
        if event is not None:
            return self.event_t_plus_s(event)
        if video_s is None:
            return checks.number("t_plus_s", t_plus_s, "a finite number of seconds from liftoff")
        if self.video_fit is None:
            raise OrbitviewError(f"video_s = {shorten(repr(video_s))}: {self.name} has no video clock ([video] table)")
        checks.within("video_s", video_s, 0.0, self.spec.video.duration_s, f"video seconds (the video of {self.name})")
        return float(self.video_fit.clock.to_t_plus(video_s))

    def times(self, t_plus_s) -> Time:
        """The instants ``t_plus_s`` (seconds from liftoff), checked against the scene's span."""
        try:
            seconds = np.asarray(t_plus_s, dtype=float)
        except (TypeError, ValueError):
            raise OrbitviewError(f"T+ {shorten(repr(t_plus_s))}: expected seconds from liftoff") from None
        outside = ~((seconds >= -MAX_SCENE_S) & (seconds <= self.end_t_plus_s))     # NaN is outside
        if outside.any():
            raise OrbitviewError(
                f"T+ {seconds[outside].flat[0]:g} s is outside the scene of {self.name} "
                f"(from {-MAX_SCENE_S:g} s to end_t_plus_s = {self.end_t_plus_s:g} s)")
        return self.clock.t_plus(seconds)

    @cached_property
    def video_fit(self) -> VideoFit | None:
        """The video clock fitted to the published moments (None without a ``[video]`` table)."""
        spec = self.spec.video
        if spec is None:
            return None
        model = {a.event: self.event_t_plus_s(a.event) for a in spec.anchors}
        return fit_video_clock(list(spec.anchors), model, spec.duration_s, spec.span_s,
                               (spec.speed_min, spec.speed_max))

    def video_s(self, t_plus_s) -> np.ndarray | None:
        """Video seconds of T+ instants, or None without a video clock."""
        return None if self.video_fit is None else self.video_fit.clock.to_video(t_plus_s)

    def video_span_t_plus_s(self) -> tuple[float, float]:
        """The span the video covers (T+ s), or the whole scene without a video clock."""
        if self.video_fit is None:
            return 0.0, self.end_t_plus_s
        knots = self.video_fit.clock.t_plus_s
        return float(max(knots[0], 0.0)), float(min(knots[-1], self.end_t_plus_s))

    # --- the station and its camera ---------------------------------------------------------------
    @cached_property
    def pointing(self) -> Pointing | None:
        """The camera's pointing, a ``fit`` pointing fixed once over the whole video span."""
        pointing = self.spec.pointing
        if pointing is None or pointing.kind != "fit":
            return pointing
        start, end = self.video_span_t_plus_s()
        t = self.clock.t_plus(np.linspace(start, end, FIT_SAMPLES))
        r, v = self.observer.gcrs_state(t)
        axes = station_axes(r, v, self.spec.attitude)
        return pointing.resolved(self._station_directions(t, r, axes, pointing.bodies), self.camera)

    def orientation(self, t: Time) -> Orientation:
        """The observer's state, its station axes and its camera's rotation at the instants ``t``
        (flattened to N): the one place where the camera is turned to the sky."""
        r, v = (a.reshape(3, -1) for a in self.observer.gcrs_state(t))
        axes = station_axes(r, v, self.spec.attitude)
        rotation = None
        if self.camera is not None:
            pointing = self.pointing
            dirs = self._station_directions(t, r, axes, pointing.bodies)
            rotation = camera_to_station(pointing, self.camera, dirs or None)
        return Orientation(State(r, v), axes, rotation)

    def _station_directions(self, t: Time, observer_r_km: np.ndarray, axes: np.ndarray,
                            names) -> dict[str, np.ndarray]:
        """Unit directions ``(3, N)`` in the station frame from the observer to each named body."""
        dirs = {}
        for name in names:
            line = self.body(name).gcrs_state(t).position_km.reshape(observer_r_km.shape) - observer_r_km
            dirs[name] = to_station(axes, line / np.linalg.norm(line, axis=0))
        return dirs

    def sightline(self, t: Time, body: str | list[str] = "vehicle") -> Sightlines:
        """Lines of sight from the observer to one body (arrays shaped like ``t``) or to a list of
        bodies (``t.shape + (B,)``)."""
        names = [body] if isinstance(body, str) else list(body)
        orientation = self.orientation(t)
        n = orientation.station_axes.shape[2]
        targets = np.stack([self.body(name).gcrs_state(t).position_km.reshape(3, n) for name in names], axis=-1)
        lines = compute_sightlines(t, orientation.observer.position_km, targets, orientation.station_axes,
                                   camera=self.camera, camera_to_station=orientation.camera_to_station)
        shape = np.shape(t.tt) + (() if isinstance(body, str) else (len(names),))
        return Sightlines(**{f.name: _reshaped(getattr(lines, f.name), shape) for f in fields(Sightlines)})

    # --- pictures and files ---------------------------------------------------------------------
    def render_frame(self, t_plus_s: float | None = None, video_s: float | None = None,
                     size: tuple[int, int] | None = None, **options) -> "Frame":
        """The camera's view at ``t_plus_s`` (or at ``video_s`` on the video clock) as an image;
        ``options``: ``style``, ``exposure``, ``window_frame`` (see ``orbitview.shots``)."""
        from .shots import frame_at

        return frame_at(self, self.instant_t_plus_s(t_plus_s, video_s), size, **options)

    def render_video(self, path: str | Path, size: tuple[int, int] | None = None, fps: float | None = None,
                     video_range: tuple[float, float] | None = None, force: bool = False, **options) -> Path:
        """The scene to an H.264 MP4 with a progress bar (see ``orbitview.shots.render_video``)."""
        from .shots import render_video

        return render_video(self, path, size, fps, video_range, force=force, **options)

    def to_oem(self, path: str | Path, force: bool = False) -> list[Path]:
        """CCSDS OEM files (502.0-B-2, KVN, GCRF) of the observer and every body over its life:
        ``F.oem`` becomes ``F.<body>.oem``, one object per file as the standard asks."""
        from .export import write_oem

        return write_oem(self, path, force=force)

    def to_czml(self, path: str | Path, force: bool = False) -> Path:
        """A CZML document (Cesium) of every body and event on the scene's clock."""
        from .export import write_czml

        return write_czml(self, path, force=force)

    def _repr_html_(self) -> str:
        spec = self.spec
        rows = [{"field": "liftoff (UTC)", "value": self.clock.utc_iso(0.0)},
                {"field": "site", "value": spec.site_name},
                {"field": "vehicle", "value": f"{spec.vehicle_name}, payload {spec.payload_kg:,.0f} kg"},
                {"field": "observer", "value": f"{spec.observer.name} #{spec.observer.catalog} from "
                                               f"{spec.observer.elements.name} ({spec.observer.selection})"},
                {"field": "scene", "value": f"T+0 to T+{self.end_t_plus_s:g} s"}]
        return html_table(rows, ["field", "value"], caption=self.title)

    def __repr__(self) -> str:
        return f"<Scene {self.name!r}: liftoff {self.clock.utc_iso(0.0)}, {self.spec.site_name}, {self.spec.vehicle_name}>"


def _reshaped(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A sightline field computed over (instants, bodies) given the caller's ``shape`` (a leading
    vector axis, such as ``direction_station``'s 3 or ``camera_px``'s 2, is kept)."""
    return values.reshape(values.shape[:-2] + shape)


def load_scenario(name_or_path: str | Path) -> Scene:
    """A bundled scenario by name (``orbitview scenarios`` lists them) or a TOML file path."""
    return Scene(read_scenario(resolve("scenario", name_or_path)))


def scenario_names() -> list[str]:
    """The bundled scenarios' names."""
    return bundled_names("scenario")
