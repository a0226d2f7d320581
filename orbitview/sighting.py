"""When and how an orbiting observer sees a launch: intervals in view, lighting, the best moments, a score.

A body is *seen* at an instant when it exists (from its release to its impact), the line of sight
from the observer clears the Earth (``view.sightline``), and it gives light: sunlit, or in the
Earth's shadow with its engines firing. Its lighting is one of

- ``twilight``: sunlit over ground where the Sun has set, the "jellyfish" plume of a dusk launch;
- ``night``: in the Earth's shadow, the flame alone (the entry glows of falling stages are left out);
- ``daylight``: sunlit over sunlit ground.

The score (``orbitview/data/survey.toml``) is the integral over the vehicle's seen seconds of
``weight[lighting] x (reference_range_km / range_km)^2``: the inverse-square law for how bright it
appears, and a weight for how well that kind of light can be seen and photographed against what
lies behind it. Only the vehicle (the stack, then the spacecraft) scores: the falling parts are
reported, but in daylight every sunlit part would add to the score though none stands out from
the sunlit Earth, and at night they give no light. The best moments are the vehicle's instants
of highest instantaneous score.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import tle
from .ascent import VEHICLE_BODY, Ascent
from .bodies import Body
from .datafile import load_toml
from .errors import OrbitviewError
from .orbits import Observer
from .resources import data_file
from .view.sightline import compute_sightlines
from .view.station import Attitude, station_axes

if TYPE_CHECKING:
    from .scene import Scene

LIGHTING = ("twilight", "night", "daylight")
BEST_MOMENTS = 3
BEST_MIN_GAP_S = 20.0        # best moments are at least this far apart, so they show different things


@dataclass(frozen=True)
class ScoreRules:
    """The sampling and scoring of ``data/survey.toml``."""

    step_s: float
    end_t_plus_s: float
    reference_range_km: float
    weights: dict[str, float]


@lru_cache(maxsize=1)
def score_rules() -> ScoreRules:
    """The bundled rules, read and checked once."""
    table = load_toml(data_file("orbitview", "data/survey.toml"))
    weights = table.table("lighting_weights")
    rules = ScoreRules(step_s=table.number("step_s", above=0.0, max=60.0),
                       end_t_plus_s=table.number("end_t_plus_s", above=0.0, max=86400.0),
                       reference_range_km=table.number("reference_range_km", above=0.0),
                       weights={name: weights.number(name, min=0.0) for name in LIGHTING})
    weights.reject_unknown()
    table.reject_unknown()
    return rules


@dataclass(frozen=True)
class Interval:
    """A stretch of T+ during which the observer sees one body."""

    body: str
    start_t_plus_s: float
    end_t_plus_s: float
    min_range_km: float
    lighting: str            # the lighting of most of the stretch
    against: str             # "earth" or "space", most of the stretch
    windows: tuple[str, ...]  # the Cupola windows it crosses, in order (none: outside them all)

    @property
    def duration_s(self) -> float:
        return self.end_t_plus_s - self.start_t_plus_s


@dataclass(frozen=True)
class Moment:
    """An instant worth photographing: the vehicle seen, with its instantaneous score (per second)."""

    t_plus_s: float
    utc: str
    range_km: float
    lighting: str
    against: str
    window: str | None
    score_per_s: float


@dataclass(frozen=True)
class ObserverView:
    """What one observer sees of one launch."""

    observer: str
    liftoff_utc: str
    intervals: tuple[Interval, ...]
    best: tuple[Moment, ...]
    visible_s: float         # the vehicle's seen seconds: its intervals' total length
    min_range_km: float | None
    lighting: str            # the vehicle's lighting for most of its seen time ("none" unseen)
    score: float

    @property
    def verdict(self) -> str:
        """One line: whether, how long, how near, in what light, and when best."""
        if not self.best:
            parts = sorted({i.body for i in self.intervals})
            tail = f"; only falling parts ({', '.join(parts)})" if parts else ""
            return f"{self.observer} does not see the vehicle{tail}"
        best = self.best[0]
        where = f", {best.window} window" if best.window else ", outside the Cupola windows"
        return (f"{self.observer} sees the vehicle for {self.visible_s:.0f} s, {self.lighting}, nearest "
                f"{self.min_range_km:.0f} km; best at T+{best.t_plus_s:.0f} s ({best.range_km:.0f} km, "
                f"against {best.against}{where}); score {self.score:.0f}")

    def row(self) -> dict:
        """The survey's row (liftoff, observer, seconds seen, nearest range, lighting, best instant,
        window, score)."""
        best = self.best[0] if self.best else None
        return {"liftoff_utc": self.liftoff_utc, "observer": self.observer, "visible_s": round(self.visible_s, 1),
                "min_range_km": None if self.min_range_km is None else round(self.min_range_km, 1),
                "lighting": self.lighting, "best_t_plus_s": None if best is None else round(best.t_plus_s, 1),
                "window": None if best is None else best.window, "score": round(self.score, 2)}

    def as_dict(self) -> dict:
        """Everything, for ``--json``."""
        return {**self.row(), "verdict": self.verdict,
                "intervals": [{"body": i.body, "start_t_plus_s": round(i.start_t_plus_s, 1),
                               "end_t_plus_s": round(i.end_t_plus_s, 1), "duration_s": round(i.duration_s, 1),
                               "min_range_km": round(i.min_range_km, 1), "lighting": i.lighting,
                               "against": i.against, "windows": list(i.windows)} for i in self.intervals],
                "best": [{"t_plus_s": round(m.t_plus_s, 1), "utc": m.utc, "range_km": round(m.range_km, 1),
                          "lighting": m.lighting, "against": m.against, "window": m.window,
                          "score_per_s": round(m.score_per_s, 3)} for m in self.best]}


def _lighting(sunlit: np.ndarray, over_dark: np.ndarray, burning: np.ndarray) -> np.ndarray:
    """Per (instant, body): ``twilight``, ``night``, ``daylight``, or ``""`` (dark and unlit)."""
    return np.where(sunlit, np.where(over_dark, "twilight", "daylight"), np.where(burning, "night", ""))


def _most(values: np.ndarray, weights: np.ndarray | None = None) -> str:
    """The value with the largest total weight (count by default)."""
    names, index = np.unique(values, return_inverse=True)
    return str(names[np.argmax(np.bincount(index, weights=weights))])


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[first, last]`` index pairs of the runs of True."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1))


def _in_order(windows: np.ndarray) -> tuple[str, ...]:
    """The distinct non-empty window names in the order they are first crossed."""
    seen: list[str] = []
    for name in windows:
        if name and name not in seen:
            seen.append(str(name))
    return tuple(seen)


def observe(observer: Body, ascent: Ascent, attitude: Attitude = Attitude(),
            rules: ScoreRules | None = None) -> ObserverView:
    """What ``observer`` sees of the flown ``ascent`` (on the ascent's own clock)."""
    rules = rules or score_rules()
    end = min(rules.end_t_plus_s, ascent.end_t_plus_s)
    grid = np.append(np.arange(0.0, end, rules.step_s), end)
    dt = np.gradient(grid)          # each sample stands for the time around it
    t = ascent.clock.t_plus(grid)
    names = list(ascent.bodies)
    r, v = observer.gcrs_state(t)
    targets = np.stack([ascent.bodies[name].gcrs_state(t).position_km for name in names], axis=-1)
    lines = compute_sightlines(t, r, targets, station_axes(r, v, attitude))
    lives = [ascent.life_t_plus_s(name) for name in names]
    life = np.stack([(grid >= start) & (grid < end) for start, end in lives], axis=-1)
    burning = np.stack([ascent.bodies[name].thrust_n(grid) > 0.0 for name in names], axis=-1)
    lighting = _lighting(lines.sunlit, lines.sunlit_over_dark_ground, burning)
    seen = life & lines.visible & (lighting != "")
    weight = np.vectorize(lambda name: rules.weights.get(name, 0.0), otypes=[float])(lighting)
    per_s = np.where(seen, weight * (rules.reference_range_km / lines.range_km) ** 2, 0.0)

    intervals = []
    for b, name in enumerate(names):
        for first, last in _runs(seen[:, b]):
            span = slice(first, last + 1)
            intervals.append(Interval(name, float(grid[first]), float(grid[last]),
                                      float(lines.range_km[span, b].min()), _most(lighting[span, b], dt[span]),
                                      _most(lines.against[span, b], dt[span]), _in_order(lines.window[span, b])))
    intervals.sort(key=lambda i: (i.start_t_plus_s, i.body))

    k = names.index(VEHICLE_BODY)
    vehicle_seen = seen[:, k]
    visible_s = float(sum(i.duration_s for i in intervals if i.body == VEHICLE_BODY))
    utc = t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")
    best: list[Moment] = []
    for i in np.argsort(-per_s[:, k], kind="stable"):
        if len(best) == BEST_MOMENTS or per_s[i, k] <= 0.0:
            break
        if all(abs(grid[i] - m.t_plus_s) >= BEST_MIN_GAP_S for m in best):
            best.append(Moment(float(grid[i]), utc[i], float(lines.range_km[i, k]), str(lighting[i, k]),
                               str(lines.against[i, k]), str(lines.window[i, k]) or None, float(per_s[i, k])))
    return ObserverView(
        observer=observer.name, liftoff_utc=ascent.clock.utc_iso(0.0), intervals=tuple(intervals), best=tuple(best),
        visible_s=visible_s, min_range_km=float(lines.range_km[vehicle_seen, k].min()) if vehicle_seen.any() else None,
        lighting=_most(lighting[vehicle_seen, k], dt[vehicle_seen]) if vehicle_seen.any() else "none",
        score=float((per_s[:, k] * dt).sum()))


def visibility(scenario: "str | Path | Scene | None" = None, *, site: str | None = None, vehicle: str | None = None,
               liftoff: str | None = None, elements: str | None = None, catalog: int | None = None,
               payload_kg: float | None = None, rendezvous_h: float | None = None) -> list[ObserverView]:
    """What every observer of the scenario's element file sees of its launch, one view each (the
    scenario's own observer first). Give a scenario (a bundled name, a file or a loaded scene), or
    the launch inline: ``site``, ``vehicle``, ``liftoff`` (ISO 8601 UTC) and ``elements``, with
    ``catalog`` naming whose plane it targets when the file holds several satellites and
    ``rendezvous_h`` the hours from liftoff to docking (the plane a chaser is inserted into)."""
    from .clock import parse_utc
    from .launches import launch_defaults, launch_spec
    from .scene import Scene, load_scenario

    inline = {"site": site, "vehicle": vehicle, "liftoff": liftoff, "elements": elements}
    if scenario is None:
        missing = [name for name, value in inline.items() if value is None]
        if missing:
            raise OrbitviewError(f"a launch given inline needs {', '.join(missing)} (or give a scenario)")
        payload, rendezvous = launch_defaults(payload_kg, rendezvous_h)
        spec = launch_spec(site, vehicle, parse_utc(liftoff), elements, catalog, payload, rendezvous_h=rendezvous)
        scn = Scene(spec)
    else:
        given = [name for name, value in {**inline, "catalog": catalog, "payload_kg": payload_kg,
                                          "rendezvous_h": rendezvous_h}.items() if value is not None]
        if given:
            raise OrbitviewError(f"give a scenario or a launch inline, not both (got {', '.join(given)} "
                                 "with a scenario)")
        scn = scenario if isinstance(scenario, Scene) else load_scenario(scenario)
    observer = scn.spec.observer
    views = [observe(scn.observer, scn.ascent, scn.spec.attitude)]
    archive = tle.load(observer.elements)
    for number in archive.catalogs():
        if number != observer.catalog:
            other = Observer(archive, number, mode=observer.selection, max_age_days=observer.max_age_days)
            views.append(observe(other, scn.ascent, scn.spec.attitude))
    return views
