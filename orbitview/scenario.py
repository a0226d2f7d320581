"""Scenario files: TOML in, a frozen :class:`ScenarioSpec` out, every field checked on the way.

Reading a scenario computes nothing: it names the launch (time, site, vehicle, payload, target),
the observer (element sets), the station's attitude, the camera and the video. ``orbitview.scene``
turns a spec into a :class:`~orbitview.scene.Scene`. The schema is in README.md ("Writing a
scenario"); every error names the file, the field, the value and what was expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from skyfield.timelib import Time

from . import checks, tle
from .clock import parse_utc
from .datafile import Table, load_toml
from .errors import MISSING, DataError, EphemerisRangeError, OrbitviewError, UnknownNameError, shorten
from .moon import check_in_ephemeris
from .resources import bundled_names, resolve
from .sites import Site, load_site
from .videoclock import Anchor, parse_video_time
from .view.camera import (F_NUMBER_RANGE, FISHEYE_MAX_FOV_DEG, FOCAL_MM_RANGE, FOV_AGREEMENT_DEG, FULL_FRAME_MM,
                          IMAGE_SIZE_EXPECTED, ISO_RANGE, MODELS, PINHOLE_MAX_FOV_DEG, POINTING_KINDS, SENSOR_MM_MAX,
                          SHUTTER_S_RANGE, WHITE_BALANCE_K_RANGE, Camera, Lens, PhotoSettings, Pointing, image_fits)
from .view.station import ATTITUDES, Attitude

MAX_SCENE_S = 86400.0          # a scene spans at most a day after liftoff (and a day before)
# A scenario is a page of TOML (the bundled ones are under 3 kB): a file a thousand times larger is
# not a scenario, and parsing 74 MB of it took half a minute and 700 MB before the first error.
MAX_SCENARIO_BYTES = 1_000_000
MAX_NAME_CHARS, MAX_TITLE_CHARS = 80, 200      # names and titles are echoed in tables and messages
# The heaviest payload any rocket has lifted to low orbit is 140 t (Saturn V): a thousand tonnes is
# beyond every vehicle, and far smaller payloads are refused by the ascent with their shortfall.
MAX_PAYLOAD_KG = 1.0e6
MAX_ALT_KM = 1.0e6             # Earth's sphere of influence (Hill sphere) ends at 1.5 million km
MAX_PLAYBACK_SPEED = MAX_SCENE_S   # a day of scene in one second of video
# The longest rendezvous of a spacecraft with the ISS: ATV-1 "Jules Verne", launched 2008-03-09, docked
# 2008-04-03 after its demonstrations, 25 days; a month covers every profile flown.
MAX_RENDEZVOUS_H = 31 * 24.0


@dataclass(frozen=True)
class ObserverSpec:
    """Which satellite watches, from which element sets, and how they are used."""

    name: str
    catalog: int
    elements: Path
    selection: str
    max_age_days: float
    published_speed_kmh: float | None


@dataclass(frozen=True)
class VideoSpec:
    """A published video: its length, frame rate, playback speed bounds, real span and anchors."""

    duration_s: float
    frame_rate_fps: float
    speed_min: float
    speed_max: float
    span_s: float
    anchors: tuple[Anchor, ...]


@dataclass(frozen=True)
class RenderDefaults:
    """How renders look unless told otherwise: exposure (gain over a daylight exposure; None:
    the renderer's night default), window frame, image size and frame rate."""

    exposure: float | None
    window_frame: bool
    size: tuple[int, int] | None
    fps: float


@dataclass(frozen=True)
class ScenarioSpec:
    """Everything a scenario file says, validated."""

    path: Path | None
    name: str
    title: str
    liftoff: Time
    site: Site
    vehicle_file: Path
    payload_kg: float
    end_t_plus_s: float
    perigee_alt_km: float
    apogee_alt_km: float
    rendezvous_h: float          # liftoff to docking; 0: into the observer's own plane
    observer: ObserverSpec
    attitude: Attitude
    camera: Camera | None
    pointing: Pointing | None
    render: RenderDefaults
    video: VideoSpec | None

    @property
    def site_name(self) -> str:
        return self.site.key

    @property
    def vehicle_name(self) -> str:
        return self.vehicle_file.stem


def parse_size(text: str) -> tuple[int, int]:
    """An image size ``"1280x720"`` -> (1280, 720), each side at least one pixel."""
    match = re.fullmatch(r"0*([1-9]\d{0,8})x0*([1-9]\d{0,8})", text.strip())
    if not match:
        raise OrbitviewError(f"size {shorten(repr(text))}: expected WIDTHxHEIGHT in whole pixels > 0, such as 1280x720")
    return int(match[1]), int(match[2])


def read_scenario(path: str | Path) -> ScenarioSpec:
    """The scenario in the TOML file ``path``, validated (one :class:`DataError` per problem)."""
    size = Path(path).stat().st_size if Path(path).is_file() else 0
    if size > MAX_SCENARIO_BYTES:
        raise DataError(path, "file", f"{size:,} bytes", f"a scenario file of at most {MAX_SCENARIO_BYTES:,} bytes")
    table = load_toml(path)
    beside = Path(table.path).parent if table.path else None
    liftoff_text = table.string("liftoff_utc")
    try:
        liftoff = parse_utc(liftoff_text)
    except OrbitviewError:
        raise table.error("liftoff_utc", liftoff_text, "an ISO-8601 UTC time such as 2018-11-16T18:14:08Z") from None
    try:
        check_in_ephemeris(liftoff)
    except EphemerisRangeError as exc:
        raise table.error("liftoff_utc", liftoff_text, f"a time the Sun and Moon are known at ({exc})") from None
    site_name = table.string("site")
    try:
        site = load_site(site_name)
    except UnknownNameError as exc:
        raise table.error("site", site_name, f"a site of orbitview/data/sites.toml "
                                             f"({', '.join(sorted(exc.known))})") from None
    vehicle_file = _named_file(table, "vehicle", "vehicle", "a vehicle", beside)
    name = table.string("name")
    if len(name) > MAX_NAME_CHARS:
        raise table.error("name", name, f"a name of at most {MAX_NAME_CHARS} characters")
    title = table.string("title", name)
    if len(title) > MAX_TITLE_CHARS:
        raise table.error("title", title, f"a title of at most {MAX_TITLE_CHARS} characters")
    target = table.table("target", {})
    perigee = target.number("perigee_alt_km", 200.0, min=100.0, max=MAX_ALT_KM)
    camera_table = table.table("camera", None)
    video_table = table.table("video", None)
    spec = ScenarioSpec(
        path=table.path, name=name, title=title, liftoff=liftoff, site=site,
        vehicle_file=vehicle_file, payload_kg=table.number("payload_kg", above=0.0, max=MAX_PAYLOAD_KG),
        end_t_plus_s=table.number("end_t_plus_s", 1200.0, above=0.0, max=MAX_SCENE_S),
        perigee_alt_km=perigee, apogee_alt_km=target.number("apogee_alt_km", 240.0, min=perigee, max=MAX_ALT_KM),
        rendezvous_h=target.number("rendezvous_h", 0.0, min=0.0, max=MAX_RENDEZVOUS_H),
        observer=_observer(table.table("observer"), beside),
        attitude=_attitude(table.table("attitude", {})),
        camera=_camera(camera_table) if camera_table is not None else None,
        pointing=_pointing(camera_table.table("pointing")) if camera_table is not None else None,
        render=_render_defaults(table.table("render", {})),
        video=_video(video_table) if video_table is not None else None)
    table.reject_unknown()
    return spec


def _named_file(table: Table, key: str, kind: str, what: str, folder: Path | None) -> Path:
    """The file a field names: a path relative to the scenario's folder, else any path, else a
    bundled name; anything else (a missing file, a name too long for a path) names the field."""
    name = table.string(key)
    try:
        candidate = folder / name if folder is not None else None
        return resolve(kind, candidate if candidate is not None and candidate.is_file() else name)
    except (UnknownNameError, OSError):
        raise table.error(key, name, f"{what} file path or a bundled name ({', '.join(bundled_names(kind))})") from None


def _observer(table: Table, folder: Path | None) -> ObserverSpec:
    catalog = table.number("catalog", min=1, max=339999)
    if catalog != int(catalog):
        raise table.error("catalog", catalog, "a whole NORAD catalog number")
    path = _named_file(table, "elements", "tle", "an element", folder)
    known = tle.load(path).catalogs()
    if int(catalog) not in known:
        raise table.error("catalog", int(catalog), f"a catalog number of {path.name} "
                                                   f"({', '.join(map(str, known)) or 'none'})")
    return ObserverSpec(
        name=table.string("name", "ISS"), catalog=int(catalog), elements=path,
        selection=table.string("selection", "blend", choices=["blend", "nearest"]),
        max_age_days=table.number("max_age_days", tle.DEFAULT_MAX_AGE_DAYS, above=0.0),
        published_speed_kmh=table.number("published_speed_kmh", None, above=0.0))


def _attitude(table: Table) -> Attitude:
    return Attitude(mode=table.string("mode", "+XVV", choices=list(ATTITUDES)),
                    yaw_deg=table.number("yaw_deg", 0.0, min=-180.0, max=180.0),
                    pitch_deg=table.number("pitch_deg", 0.0, min=-180.0, max=180.0),
                    roll_deg=table.number("roll_deg", 0.0, min=-180.0, max=180.0))


def _camera(table: Table) -> Camera:
    """``width_px``, ``height_px``, ``model``, ``roll_deg``; the field of view as ``fov_deg`` or as
    ``focal_mm`` on ``sensor_mm`` (both: they must agree); the exposure settings (see
    :func:`_photo`)."""
    width, height = table.number("width_px", above=0), table.number("height_px", above=0)
    if width != int(width) or height != int(height):
        raise table.error("width_px", [width, height], "whole numbers of pixels")
    if not image_fits(int(width), int(height)):
        raise table.error("width_px", [int(width), int(height)], f"an image the renderer can hold: {IMAGE_SIZE_EXPECTED}")
    model = table.string("model", "pinhole", choices=list(MODELS))
    limit = PINHOLE_MAX_FOV_DEG if model == "pinhole" else FISHEYE_MAX_FOV_DEG
    focal = table.number("focal_mm", None, min=FOCAL_MM_RANGE[0], max=FOCAL_MM_RANGE[1])
    sensor = table.numbers("sensor_mm", list(FULL_FRAME_MM), length=2)
    if not all(0.0 < side <= SENSOR_MM_MAX for side in sensor):
        raise table.error("sensor_mm", sensor, f"[width, height] in mm, each > 0 and <= {SENSOR_MM_MAX:g}")
    lens = Lens(focal, (sensor[0], sensor[1])) if focal is not None else None
    fov = table.number("fov_deg", None if lens else MISSING, above=0, max=limit)
    if model == "pinhole" and fov is not None and fov >= limit:
        raise table.error("fov_deg", fov, f"a number > 0 and < {limit:g} for a pinhole camera")
    if lens is not None:
        if fov is not None and abs(fov - lens.fov_deg(model)) > FOV_AGREEMENT_DEG:
            raise table.error("fov_deg", fov, f"the lens's field of view, {lens.fov_deg(model):.2f} deg "
                                              f"({focal:g} mm {model} across {sensor[0]:g} mm), or no fov_deg")
        if lens.fov_deg(model) > limit or (model == "pinhole" and lens.fov_deg(model) >= limit):
            raise table.error("focal_mm", focal, f"a lens whose {model} field of view is within {limit:g} deg")
        fov = lens.fov_deg(model)
    return Camera(int(width), int(height), fov, model, table.number("roll_deg", 0.0, min=-360.0, max=360.0),
                  lens, _photo(table))


def _photo(table: Table) -> PhotoSettings | None:
    """``iso``, ``f_number``, ``shutter_s`` (all three or none), ``frame_interval_s`` (not shorter
    than the shutter) and ``white_balance`` (kelvin or "daylight")."""
    given = [key for key in ("iso", "f_number", "shutter_s") if key in table]
    iso = table.number("iso", None, min=ISO_RANGE[0], max=ISO_RANGE[1])
    f_number = table.number("f_number", None, min=F_NUMBER_RANGE[0], max=F_NUMBER_RANGE[1])
    shutter = table.number("shutter_s", None, min=SHUTTER_S_RANGE[0], max=SHUTTER_S_RANGE[1])
    interval = table.number("frame_interval_s", None, min=SHUTTER_S_RANGE[0], max=MAX_SCENE_S)
    if isinstance(table.data.get("white_balance"), str):        # "daylight": the renderer's own balance
        balance = table.string("white_balance", choices=["daylight"]) and None
    else:
        balance = table.number("white_balance", None, min=WHITE_BALANCE_K_RANGE[0], max=WHITE_BALANCE_K_RANGE[1])
    if not given and interval is None and "white_balance" not in table:
        return None
    for key in ("iso", "f_number", "shutter_s"):
        if key not in given:
            raise table.error(key, MISSING, "a value (iso, f_number and shutter_s go together)")
    if interval is not None and shutter > interval:
        raise table.error("shutter_s", shutter, f"a shutter no longer than frame_interval_s = {interval:g} s")
    return PhotoSettings(iso, f_number, shutter, interval, balance)


def _pointing(table: Table) -> Pointing:
    """``kind`` and ``azimuth_deg``/``elevation_deg`` (fixed) or ``body``/``bodies``."""
    kind = table.string("kind", choices=list(POINTING_KINDS))
    roll = table.number("roll_deg", 0.0, min=-360.0, max=360.0)
    if kind == "fixed":
        return Pointing.fixed(table.number("azimuth_deg", min=-360.0, max=360.0),
                              table.number("elevation_deg", min=-90, max=90), roll)
    if kind == "track":
        return Pointing.track(table.string("body"), roll)
    return Pointing(kind, bodies=tuple(table.strings("bodies", ["vehicle"])), roll_deg=roll)


def _render_defaults(table: Table) -> RenderDefaults:
    size = table.string("size", None)
    try:
        parsed = parse_size(size) if size is not None else None
    except OrbitviewError:
        raise table.error("size", size, "WIDTHxHEIGHT in pixels, such as 1280x720") from None
    return RenderDefaults(exposure=table.number("exposure", None, min=checks.EXPOSURE_MIN, max=checks.EXPOSURE_MAX),
                          window_frame=table.boolean("window_frame", False), size=parsed,
                          fps=table.number("fps", 30.0, min=1.0, max=120.0))


def _video(table: Table) -> VideoSpec:
    fps = table.number("frame_rate_fps", above=0.0, max=240.0)
    speed_min = table.number("speed_min", 8.0, above=0.0, max=MAX_PLAYBACK_SPEED)
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
    return VideoSpec(duration_s=table.number("duration_s", above=0.0, max=MAX_SCENE_S), frame_rate_fps=fps,
                     speed_min=speed_min,
                     speed_max=table.number("speed_max", 16.0, above=speed_min, max=MAX_PLAYBACK_SPEED),
                     span_s=table.number("span_s", above=0.0, max=2 * MAX_SCENE_S), anchors=tuple(anchors))


def check_flight_names(spec: ScenarioSpec, events: list[str], bodies: list[str]) -> None:
    """The names a scenario gives to things of the flight (its anchors' events, the bodies its
    camera points at) exist once the ascent has flown: a scenario cannot know them before."""
    if spec.video is not None:
        for i, anchor in enumerate(spec.video.anchors):
            if anchor.event not in events:
                raise DataError(spec.path, f"video.anchors[{i}].event", anchor.event,
                                f"an event flown by end_t_plus_s = {spec.end_t_plus_s:g} s ({', '.join(events)}; "
                                "a later event needs a larger end_t_plus_s)")
    if spec.pointing is not None:
        field = "camera.pointing.body" if spec.pointing.kind == "track" else "camera.pointing.bodies"
        for name in spec.pointing.bodies:
            if name not in bodies:
                raise DataError(spec.path, field, name, f"a body of the flight ({', '.join(bodies)})")
