"""A scene out to the ecosystem: CCSDS Orbit Ephemeris Messages and a CZML document for Cesium.

Both files carry the same samples: every body from its release to its impact (or the scene's
end), the observer over the whole scene, GCRS positions and velocities at instants at most
``step_s`` apart, with a sample on each segment's first and last instant and on every event
(staging switches engines on and off: an interval that straddled it would bend the curve).
Both tell the reader to interpolate them with a cubic Hermite polynomial over each interval
(positions and velocities at its two ends): at the default 2 s step that reproduces the
scene's own trajectories to under 0.1 m everywhere (measured in ``tests/test_export.py``).

References: CCSDS 502.0-B-2, *Orbit Data Messages*, Blue Book, Issue 2 (November 2009), section 5
(the OEM); the CZML guide (github.com/AnalyticalGraphicsInc/czml-writer/wiki/CZML-Guide).
"""
from __future__ import annotations

import math
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import OrbitviewError
from .outputs import atomic_output, check_output

if TYPE_CHECKING:
    from .bodies import Body, State
    from .scene import Scene

STEP_S = 2.0                 # sample spacing: cubic Hermite over 2 s holds the ascent to < 0.1 m
MIN_SPACING_S = 1e-3         # events closer than this to another node add no node (epochs are to 1 us)
# A life's first and last states are its limits from inside: a release adds the separation impulse
# and an impact stops the fall at that very instant, and the clock's round-off (1e-11 s) must not
# pick the other side of either jump. 0.1 us moves a state by under 1 mm.
ONE_SIDED_S = 1e-7
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"     # ISO 8601 to the microsecond: 8 mm along an orbit

# CCSDS 502.0-B-2, section 5.2.2 (Table 5-2, header) and 5.2.3 (Table 5-3, metadata).
OEM_SUFFIXES = (".oem",)
OEM_VERSION = "2.0"
OEM_ORIGINATOR = "ORBITVIEW"
# GCRF, not EME2000: orbitview's states are GCRS, whose axes are the ICRS's; EME2000 (the mean
# equator and equinox of J2000) differs from them by the frame bias, 23 mas: 0.75 m at the ISS.
OEM_REF_FRAME = "GCRF"
OEM_CENTER = "EARTH"
OEM_TIME_SYSTEM = "UTC"
INTERPOLATION = "HERMITE"
INTERPOLATION_DEGREE = 3     # cubic: position and velocity at the two ends of each interval

CZML_SUFFIXES = (".czml",)
CZML_MULTIPLIER = 10.0       # scene seconds per second of playback (the video ran at 8x to 16x)
EVENT_LABEL_S = 20.0         # an event's label shows this long either side of it
OBSERVER_RGBA = [0, 255, 255, 255]       # the station: cyan
LAUNCHED_RGBA = [255, 200, 0, 255]       # the rocket and its stages: amber
EVENT_RGBA = [255, 255, 255, 255]
M_PER_KM = 1000.0
# Kept per sample row (time in s, position in m, velocity in m/s): 1 us, 1 mm, 0.1 mm/s.
CZML_SCALE = 10.0 ** np.array([[6], [3], [3], [3], [4], [4], [4]])


@dataclass(frozen=True)
class Ephemeris:
    """One body's samples: T+ seconds, UTC stamps (``UTC_FORMAT``) and GCRS states ``(3, N)``."""

    name: str
    t_plus_s: np.ndarray
    utc: list[str]
    state: State


def sample_instants(start_s: float, stop_s: float, step_s: float, breaks: np.ndarray) -> np.ndarray:
    """T+ instants from ``start_s`` to ``stop_s``, both included, at most ``step_s`` apart, with one
    on every break strictly inside: each stretch between breaks is cut into equal steps."""
    inside = breaks[(breaks > start_s) & (breaks < stop_s)]
    edges = np.unique(np.concatenate([[start_s], inside, [stop_s]]))
    edges = edges[np.concatenate([[True], np.diff(edges) > MIN_SPACING_S])]
    edges[-1] = stop_s                       # a break just before the stop gives way to it
    pieces = [np.linspace(a, b, max(1, math.ceil((b - a) / step_s)) + 1)[:-1]
              for a, b in zip(edges[:-1], edges[1:])]
    return np.concatenate(pieces + [[stop_s]])


def ephemerides(scene: Scene, step_s: float = STEP_S) -> list[Ephemeris]:
    """The observer over the scene, then every body over its own life, sampled for export."""
    if not step_s > 0:
        raise OrbitviewError(f"step_s = {step_s!r}: expected a positive number of seconds")
    breaks = np.array([event.t_plus_s for event in scene.events], dtype=float)
    spans: list[tuple[str, Body, tuple[float, float]]] = [
        (scene.observer.name, scene.observer, (0.0, scene.end_t_plus_s))]
    spans += [(name, body, scene.lifetime_t_plus_s(name)) for name, body in scene.bodies.items()]
    result = []
    for name, body, (start, stop) in spans:
        t_plus_s = sample_instants(start, stop, step_s, breaks)
        inside = t_plus_s.copy()
        inside[0] += ONE_SIDED_S
        inside[-1] -= ONE_SIDED_S
        stamps = scene.clock.t_plus(t_plus_s).utc_strftime(UTC_FORMAT)
        result.append(Ephemeris(name, t_plus_s, list(stamps), body.gcrs_state(scene.clock.t_plus(inside))))
    return result


# --- CCSDS OEM -------------------------------------------------------------------------------------

def oem_paths(scene: Scene, path: str | Path) -> dict[str, Path]:
    """Where :func:`write_oem` writes each body: ``out/ms10.oem`` gives ``out/ms10.ISS.oem``, ..."""
    path = check_output(path, OEM_SUFFIXES, force=True)      # extension and folder, named as given
    names = [scene.observer.name, *scene.bodies]
    return {name: path.with_name(f"{path.stem}.{name}{path.suffix}") for name in names}


def write_oem(scene: Scene, path: str | Path, *, step_s: float = STEP_S, force: bool = False) -> list[Path]:
    """Write one CCSDS OEM (KVN, version 2.0) per body, next to ``path`` (see :func:`oem_paths`).

    One file per body because an OEM holds the orbit data of a single object (CCSDS 502.0-B-2,
    5.1.3; readers such as the ``oem`` package refuse several). Each holds one segment: the
    body's life (release to impact or scene end; the observer: the whole scene), in GCRF about
    the Earth, UTC epochs, with USEABLE_START/STOP_TIME equal to the first and last samples and
    INTERPOLATION = HERMITE, degree 3. No file is replaced unless ``force``; if any cannot be
    written, none is.
    """
    targets = oem_paths(scene, path)
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    with ExitStack() as stack:
        temporary = {name: stack.enter_context(atomic_output(target, OEM_SUFFIXES, force))
                     for name, target in targets.items()}
        for ephemeris in ephemerides(scene, step_s):
            temporary[ephemeris.name].write_text(oem_text(scene, ephemeris, created), encoding="ascii")
    return list(targets.values())


def oem_text(scene: Scene, ephemeris: Ephemeris, created: str) -> str:
    """The KVN text of one body's OEM: header (5.2.2), metadata (5.2.3), ephemeris data lines
    (5.2.4: epoch, X Y Z in km, X_DOT Y_DOT Z_DOT in km/s)."""
    first, last = ephemeris.utc[0], ephemeris.utc[-1]
    r, v = ephemeris.state
    lines = [
        f"CCSDS_OEM_VERS = {OEM_VERSION}",
        f"COMMENT {scene.title}",
        f"COMMENT {ephemeris.name} from T+{ephemeris.t_plus_s[0]:.3f} s to T+{ephemeris.t_plus_s[-1]:.3f} s "
        f"after liftoff at {scene.clock.utc_iso(0.0)}",
        f"CREATION_DATE = {created}",
        f"ORIGINATOR = {OEM_ORIGINATOR}",
        "",
        "META_START",
        f"OBJECT_NAME = {ephemeris.name}",
        f"OBJECT_ID = {scene.name}/{ephemeris.name}",
        f"CENTER_NAME = {OEM_CENTER}",
        f"REF_FRAME = {OEM_REF_FRAME}",
        f"TIME_SYSTEM = {OEM_TIME_SYSTEM}",
        f"START_TIME = {first}",
        f"USEABLE_START_TIME = {first}",
        f"USEABLE_STOP_TIME = {last}",
        f"STOP_TIME = {last}",
        f"INTERPOLATION = {INTERPOLATION}",
        f"INTERPOLATION_DEGREE = {INTERPOLATION_DEGREE}",
        "META_STOP",
        "",
    ]
    lines += [f"{stamp} {x:.6f} {y:.6f} {z:.6f} {vx:.9f} {vy:.9f} {vz:.9f}"
              for stamp, (x, y, z), (vx, vy, vz) in zip(ephemeris.utc, r.T, v.T)]
    return "\n".join(lines) + "\n"


# --- CZML --------------------------------------------------------------------------------------------

def write_czml(scene: Scene, path: str | Path, *, step_s: float = STEP_S, multiplier: float = CZML_MULTIPLIER,
               force: bool = False) -> Path:
    """Write a CZML document for Cesium: the clock over the scene, one packet per body (sampled
    positions and velocities over its life, a point, a label and its path) and one label per event.

    Positions are ``cartesianVelocity`` in metres and m/s, ``referenceFrame`` INERTIAL (Cesium's
    ICRF axes, which are the GCRS's about the Earth), sample times in seconds from each packet's
    ``epoch``, interpolated as the OEM says: HERMITE, degree 3. Needs ``czml3`` (the ``export`` extra).
    """
    czml3 = _czml3()
    with atomic_output(path, CZML_SUFFIXES, force) as temporary:
        document = czml3.Document(packets=czml_packets(scene, ephemerides(scene, step_s), step_s, multiplier))
        document.save(temporary, indent=None)
    return Path(path)


def czml_packets(scene: Scene, tracks: list[Ephemeris], step_s: float, multiplier: float) -> list[Any]:
    """The document packet, one packet per body, then one label per event: fixed (inertial) where
    its body was at that instant, shown ``EVENT_LABEL_S`` either side of it. A fixed place, not
    the body's packet, because an event may precede its body's own life (a stage's cutoff
    happens while it still rides the stack)."""
    from czml3 import (Clock, Color, Label, Packet, Path as CzmlPath, Point, PolylineMaterial, Position,
                       SolidColorMaterial, TimeInterval)
    from czml3.enums import ClockRanges, ClockSteps, InterpolationAlgorithms, ReferenceFrames

    start, end = scene.clock.t_plus([0.0, scene.end_t_plus_s]).utc_strftime(UTC_FORMAT)
    packets = [Packet(id="document", name=scene.title, version="1.0",
                      clock=Clock(interval=TimeInterval(start=_z(start), end=_z(end)), currentTime=_z(start),
                                  multiplier=multiplier, range=ClockRanges.LOOP_STOP,
                                  step=ClockSteps.SYSTEM_CLOCK_MULTIPLIER))]
    for track in tracks:
        rgba = OBSERVER_RGBA if track.name == scene.observer.name else LAUNCHED_RGBA
        samples = np.vstack([track.t_plus_s - track.t_plus_s[0], np.vstack(track.state) * M_PER_KM])
        samples = np.round(samples * CZML_SCALE) / CZML_SCALE
        packets.append(Packet(
            id=track.name, name=track.name,
            availability=TimeInterval(start=_z(track.utc[0]), end=_z(track.utc[-1])),
            position=Position(epoch=_z(track.utc[0]), referenceFrame=ReferenceFrames.INERTIAL,
                              cartesianVelocity=samples.T.ravel().tolist(),
                              interpolationAlgorithm=InterpolationAlgorithms.HERMITE,
                              interpolationDegree=INTERPOLATION_DEGREE),
            point=Point(pixelSize=6, color=Color(rgba=rgba)),
            label=Label(text=track.name, font="12pt sans-serif", fillColor=Color(rgba=rgba)),
            path=CzmlPath(leadTime=0, trailTime=scene.end_t_plus_s, resolution=step_s, width=1.5,
                          material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=rgba))))))
    bodies = {scene.observer.name: scene.observer, **scene.bodies}
    for event in scene.events:
        t = scene.clock.t_plus([event.t_plus_s - EVENT_LABEL_S, event.t_plus_s, event.t_plus_s + EVENT_LABEL_S])
        where_km = bodies[_event_body(event.body, bodies, scene.observer.name)].gcrs_state(t[1]).position_km
        shown = t[::2].utc_strftime(UTC_FORMAT)
        packets.append(Packet(
            id=f"event/{event.name}", name=event.name,
            description=f"{event.utc} (T+{event.t_plus_s:.1f} s): {event.detail}",
            availability=TimeInterval(start=_z(shown[0]), end=_z(shown[1])),
            position=Position(referenceFrame=ReferenceFrames.INERTIAL, cartesian=(where_km * M_PER_KM).tolist()),
            label=Label(text=f"{event.name} T+{event.t_plus_s:.0f} s", font="11pt sans-serif",
                        fillColor=Color(rgba=EVENT_RGBA), pixelOffset={"cartesian2": [0, -24]})))
    return packets


def _event_body(body: str, known: dict[str, Any], observer: str) -> str:
    """The body whose place marks an event: the first it names (``"booster_1, booster_2"``) that
    the scene holds, else the observer (an event of the sky, not of a body)."""
    return next((name for name in (part.strip() for part in str(body).split(",")) if name in known), observer)


def _z(stamp: str) -> str:
    """A ``UTC_FORMAT`` stamp marked as UTC, as ISO 8601 and CZML want it."""
    return f"{stamp}Z"


def _czml3():
    """The optional ``czml3`` package, or an error that says how to install it."""
    try:
        import czml3
    except ImportError:
        raise OrbitviewError("CZML export needs the czml3 package: pip install 'orbitview[export]'") from None
    return czml3
