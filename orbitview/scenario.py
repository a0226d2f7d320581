"""A scenario file -> a Scene: the one place where the modules are wired together.

Everything is built lazily and once: loading a scenario reads and validates its file, the
ascent is flown the first time a rocket body or event is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from skyfield.timelib import Time

from . import tle
from .bodies import Body
from .clock import Clock, parse_utc
from .datafile import Table, load_toml
from .errors import OrbitviewError, UnknownNameError
from .orbits import Observer
from .render.tonemap import NIGHT_EXPOSURE
from .videoclock import Anchor, VideoFit, fit_video_clock, parse_video_time
from .view.camera import Camera, Pointing, parse_size
from .view.sightline import Sightlines, compute_sightlines
from .view.station import ATTITUDES, Attitude, station_axes, to_station
from .resources import bundled_names, resolve
from .sites import load_site
from .table import html_table

if TYPE_CHECKING:
    from .render.png import Frame


FIT_SAMPLES = 241   # directions sampled over the video to fit a fixed camera pointing


@dataclass(frozen=True)
class VideoSpec:
    duration_s: float
    frame_rate_fps: float
    speed_min: float
    speed_max: float
    span_s: float
    anchors: list[Anchor]


def _video_spec(table: Table) -> VideoSpec:
    fps = table.number("frame_rate_fps", above=0.0, max=240.0)
    speed_min = table.number("speed_min", 8.0, above=0.0)
    anchors = []
    for entry in table.tables("anchors"):
        text = entry.string("at")
        try:
            video_s = parse_video_time(text, fps)
        except OrbitviewError as exc:
            raise entry.error("at", text, str(exc).split(": ", 1)[1]) from None
        anchors.append(Anchor(entry.string("name"), video_s, entry.string("event")))
    times = [a.video_s for a in anchors]
    if any(b <= a for a, b in zip(times, times[1:])):
        raise table.error("anchors", [a.name for a in anchors], "anchors in increasing video time")
    return VideoSpec(duration_s=table.number("duration_s", above=0.0), frame_rate_fps=fps,
                     speed_min=speed_min, speed_max=table.number("speed_max", 16.0, above=speed_min),
                     span_s=table.number("span_s", above=0.0), anchors=anchors)


@dataclass(frozen=True)
class RenderDefaults:
    """How renders look unless told otherwise: exposure (gain over a daylight exposure), window
    frame, video size and frame rate."""

    exposure: float
    window_frame: bool
    size: tuple[int, int] | None
    fps: float


def _render_defaults(table: Table) -> RenderDefaults:
    size = table.string("size", None)
    try:
        parsed = parse_size(size) if size is not None else None
    except OrbitviewError:
        raise table.error("size", size, "WIDTHxHEIGHT in pixels, such as 1280x720") from None
    return RenderDefaults(exposure=table.number("exposure", NIGHT_EXPOSURE, above=0.0),
                          window_frame=table.boolean("window_frame", False), size=parsed,
                          fps=table.number("fps", 30.0, min=1.0, max=120.0))


def _attitude(table: Table) -> Attitude:
    return Attitude(mode=table.string("mode", "+XVV", choices=list(ATTITUDES)),
                    yaw_deg=table.number("yaw_deg", 0.0, min=-180.0, max=180.0),
                    pitch_deg=table.number("pitch_deg", 0.0, min=-180.0, max=180.0),
                    roll_deg=table.number("roll_deg", 0.0, min=-180.0, max=180.0))


@dataclass(frozen=True)
class ObserverSpec:
    name: str
    catalog: int
    elements: str
    selection: str
    max_age_days: float
    published_speed_kmh: float | None


def _observer_spec(table: Table) -> ObserverSpec:
    catalog = table.number("catalog", min=1, max=339999)
    if catalog != int(catalog):
        raise table.error("catalog", catalog, "a whole NORAD catalog number")
    return ObserverSpec(
        name=table.string("name", "ISS"),
        catalog=int(catalog),
        elements=table.string("elements"),
        selection=table.string("selection", "blend", choices=["blend", "nearest"]),
        max_age_days=table.number("max_age_days", tle.DEFAULT_MAX_AGE_DAYS, above=0.0),
        published_speed_kmh=table.number("published_speed_kmh", None, above=0.0),
    )


class Scenario:
    """A launch seen from an orbiting observer, on one clock (see README: "Writing a scenario")."""

    def __init__(self, table: Table):
        self.path = table.path
        self.name = table.string("name")
        self.title = table.string("title", self.name)
        liftoff_text = table.string("liftoff_utc")
        try:
            self.clock = Clock(parse_utc(liftoff_text))
        except OrbitviewError:
            raise table.error("liftoff_utc", liftoff_text, "an ISO-8601 UTC time such as 2018-11-16T18:14:08Z") from None
        self.site_name = table.string("site")
        self.vehicle_name = table.string("vehicle")
        try:
            self.site = load_site(self.site_name)
        except UnknownNameError as exc:
            raise table.error("site", self.site_name, f"a site of orbitview/data/sites.toml "
                                                      f"({', '.join(sorted(exc.known))})") from None
        try:
            self.vehicle_file = resolve("vehicle", self._relative(self.vehicle_name))
        except UnknownNameError as exc:
            raise table.error("vehicle", self.vehicle_name, f"a vehicle file path or a bundled vehicle "
                                                            f"({', '.join(exc.known)})") from None
        self.payload_kg = table.number("payload_kg", above=0.0)
        self.end_t_plus_s = table.number("end_t_plus_s", 1200.0, above=0.0, max=86400.0)
        self.observer_spec = _observer_spec(table.table("observer"))
        self.attitude = _attitude(table.table("attitude", {}))
        camera = table.table("camera", None)
        self.camera = Camera.from_table(camera) if camera is not None else None
        self.pointing = Pointing.from_table(camera.table("pointing")) if camera is not None else None
        self.render_defaults = _render_defaults(table.table("render", {}))
        video = table.table("video", None)
        self.video_spec = _video_spec(video) if video is not None else None
        target = table.table("target", {})
        self.perigee_alt_km = target.number("perigee_alt_km", 200.0, min=100.0)
        self.apogee_alt_km = target.number("apogee_alt_km", 240.0, min=self.perigee_alt_km)
        table.reject_unknown()

    @cached_property
    def observer(self) -> Observer:
        spec = self.observer_spec
        archive = tle.load(resolve("tle", self._relative(spec.elements)))
        return Observer(archive, spec.catalog, name=spec.name, mode=spec.selection,
                        max_age_days=spec.max_age_days)

    @cached_property
    def ascent(self):
        """The vehicle's flight and its falling stages, flown once into the observer's plane."""
        from .ascent import TargetOrbit, fly, load_vehicle

        r, v = self.observer.gcrs_state(self.clock.liftoff)
        target = TargetOrbit.from_observer_state(r, v, perigee_alt_km=self.perigee_alt_km,
                                                 apogee_alt_km=self.apogee_alt_km)
        vehicle = load_vehicle(self.vehicle_file)
        return fly(self.site, vehicle, payload_kg=self.payload_kg, clock=self.clock, target=target,
                   end_t_plus_s=self.end_t_plus_s)

    @property
    def vehicle(self) -> Body:
        """The rocket stack; after spacecraft separation, the spacecraft."""
        return self.ascent.bodies["vehicle"]

    @property
    def bodies(self) -> dict[str, Body]:
        """Every tracked body of the launch: the stack, boosters, core, third stage, fairing..."""
        return self.ascent.bodies

    @cached_property
    def events(self) -> "Timeline":
        """The timeline (liftoff, separations, cutoff, core stage entry...), sorted by T+, each
        event with its UTC and, when the scene has a video clock, its video time."""
        flown = self.ascent.events
        seconds = [e.t_plus_s for e in flown]
        video = self.video_s(seconds) if flown else None
        return Timeline(TimelineEvent(e.name, e.t_plus_s, e.body, e.detail, self.clock.utc_iso(e.t_plus_s),
                                      None if video is None else float(video[i]))
                        for i, e in enumerate(flown))

    def event_t_plus_s(self, name: str) -> float:
        for event in self.ascent.events:
            if event.name == name:
                return event.t_plus_s
        raise UnknownNameError("event", name, [e.name for e in self.ascent.events])

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

    def instant_t_plus_s(self, t_plus_s: float | None = None, video_s: float | None = None) -> float:
        """T+ seconds of an instant given as exactly one of ``t_plus_s`` or ``video_s`` (on the video clock)."""
        if (t_plus_s is None) == (video_s is None):
            raise OrbitviewError(f"{self.name}: give one instant, t_plus_s or video_s")
        if video_s is None:
            return float(t_plus_s)
        if self.video_fit is None:
            raise OrbitviewError(f"video_s = {video_s:g}: {self.name} has no video clock ([video] table)")
        return float(self.video_fit.clock.to_t_plus(video_s))

    def lifetime_t_plus_s(self, name: str) -> tuple[float, float]:
        """When a body exists on its own (T+ s): from its release (liftoff for the stack) to its
        impact, else to the end of the scene."""
        self.body(name)
        impact = self.ascent.impacts.get(name)
        return (max(self.ascent.released.get(name, 0.0), 0.0),
                impact.t_plus_s if impact is not None else self.end_t_plus_s)

    def body(self, name: str) -> Body:
        try:
            return self.bodies[name]
        except KeyError:
            raise UnknownNameError("body", name, list(self.bodies)) from None

    def sightline(self, t: Time, body: str | list[str] = "vehicle") -> Sightlines:
        """Lines of sight from the observer to one body (arrays ``(N,)``) or several (``(N, B)``)."""
        names = [body] if isinstance(body, str) else list(body)
        pointing = self.resolved_pointing
        # A tracking camera needs its bodies' directions even when they are not asked for.
        aiming = [b for b in (pointing.bodies if pointing is not None else ()) if b not in names]
        every = names + aiming
        targets = np.stack([self.body(n).gcrs_state(t)[0].reshape(3, -1) for n in every], axis=-1)
        r, v = self.observer.gcrs_state(t)
        lines = compute_sightlines(t, r.reshape(3, -1), v.reshape(3, -1), targets, attitude=self.attitude,
                                   camera=self.camera, pointing=pointing, body_names=every)
        pick = (lambda a: a[..., 0]) if isinstance(body, str) else (lambda a: a[..., :len(names)])
        return Sightlines(**{f.name: pick(getattr(lines, f.name)) for f in fields(Sightlines)})

    @cached_property
    def resolved_pointing(self) -> Pointing | None:
        """The camera pointing, with a ``fit`` pointing fixed once over the whole video span."""
        if self.pointing is None or self.pointing.kind != "fit":
            return self.pointing
        start, end = self.video_span_t_plus_s()
        t = self.clock.t_plus(np.linspace(start, end, FIT_SAMPLES))
        r, v = self.observer.gcrs_state(t)
        return self.pointing.resolved(self.station_directions(t, r, station_axes(r, v, self.attitude),
                                                              self.pointing.bodies), self.camera)

    def station_directions(self, t: Time, observer_r_km: np.ndarray, axes: np.ndarray,
                           names) -> dict[str, np.ndarray]:
        """Unit directions ``(3, N)`` in the station frame (``axes`` from ``station_axes``) from the
        observer at GCRS ``observer_r_km`` ``(3, N)`` to each named body."""
        dirs = {}
        for name in names:
            line = self.body(name).gcrs_state(t)[0].reshape(observer_r_km.shape) - observer_r_km
            dirs[name] = to_station(axes, line / np.linalg.norm(line, axis=0))
        return dirs

    def video_span_t_plus_s(self) -> tuple[float, float]:
        """The span the video covers (T+ s), or the whole scene without a video clock."""
        if self.video_fit is None:
            return 0.0, self.end_t_plus_s
        knots = self.video_fit.clock.t_plus_s
        return float(max(knots[0], 0.0)), float(min(knots[-1], self.end_t_plus_s))

    @cached_property
    def video_fit(self) -> VideoFit | None:
        """The video clock fitted to the published moments (None without a ``[video]`` table)."""
        spec = self.video_spec
        if spec is None:
            return None
        model = {a.event: self.event_t_plus_s(a.event) for a in spec.anchors}
        return fit_video_clock(spec.anchors, model, spec.duration_s, spec.span_s,
                               (spec.speed_min, spec.speed_max))

    def video_s(self, t_plus_s) -> np.ndarray | None:
        """Video seconds of T+ instants, or None without a video clock."""
        return None if self.video_fit is None else self.video_fit.clock.to_video(t_plus_s)

    def _relative(self, name: str) -> str | Path:
        """A file named in the scenario: relative to the scenario's folder, else bundled."""
        beside = Path(self.path).parent / name if self.path else None
        return beside if beside is not None and beside.is_file() else name

    def times(self, t_plus_s) -> Time:
        """The instants ``t_plus_s`` (seconds from liftoff), checked against the scene's span."""
        seconds = np.asarray(t_plus_s, dtype=float)
        if seconds.size and (seconds.min() < -86400.0 or seconds.max() > self.end_t_plus_s):
            raise OrbitviewError(
                f"T+ {seconds.min():g}..{seconds.max():g} s is outside the scene of {self.name} "
                f"(from -86400 s to end_t_plus_s = {self.end_t_plus_s:g} s)")
        return self.clock.t_plus(seconds)

    def _repr_html_(self) -> str:
        spec = self.observer_spec
        rows = [{"field": "liftoff (UTC)", "value": self.clock.utc_iso(0.0)},
                {"field": "site", "value": self.site_name},
                {"field": "vehicle", "value": f"{self.vehicle_name}, payload {self.payload_kg:,.0f} kg"},
                {"field": "observer", "value": f"{spec.name} #{spec.catalog} from {spec.elements} ({spec.selection})"},
                {"field": "scene", "value": f"T+0 to T+{self.end_t_plus_s:g} s"}]
        return html_table(rows, ["field", "value"], caption=self.title)

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}: liftoff {self.clock.utc_iso(0.0)}, {self.site_name}, {self.vehicle_name}>"


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


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A bundled scenario by name (``orbitview scenarios`` lists them) or a TOML file path."""
    return Scenario(load_toml(resolve("scenario", name_or_path)))


def scenario_names() -> list[str]:
    return bundled_names("scenario")
