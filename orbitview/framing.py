"""The framing a published video shows, fitted: a fixed camera's aim, roll and lens.

Gerst's aim, roll and lens are not published; what is published is what the video shows: the
rocket in frame throughout, the limb diagonal across the centre, the Earth and its city lights at
lower left, stars at upper right, a falling lower stage in view for part of the video; and what it
does not show: no description mentions the Moon, which a long night exposure would show as the
frame's largest, brightest thing, so the fit prefers it out of frame (or at its edge); from video
20 s it is 8-14 deg from the rocket, so with the rocket kept off the frame's edge it cannot always be. Each of those is geometry of the scene seen through a candidate camera: where the vehicle's and the core's
directions fall on the image, the image of the WGS84 limb (``view.sightline.ellipsoid_limb``) and
which share of each image quadrant sees the Earth. The fit is a grid search (``data/framing.toml``):

* hard: the vehicle inside the image, ``margin_fraction`` of its short side from every edge, at
  every sampled video instant (a point in the frame's outer band is not found by a viewer who does
  not know where to look); the falling core counts as in view only inside the same margin;
* minimised: the weighted sum of the clauses' residuals, each from 0 (holds) to about 1 (see
  :data:`CLAUSES`), over a coarse grid of aims (azimuth, elevation in the station frame), rolls and
  lenses, then refined by the degree around each lens's best.

Everything is evaluated on rotations built from the station frame (``view.camera.rolled_rotation``),
so thousands of candidate cameras cost one array operation, not a scene each.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .datafile import load_toml
from .errors import OrbitviewError
from .frames import gcrs_to_itrs, mxv, transpose
from .resources import data_file
from .view import station
from .view.camera import MODELS, Camera, Lens, Pointing, rolled_rotation
from .view.sightline import ellipsoid_limb

if TYPE_CHECKING:
    from .scene import Scene

QUADRANTS = ("upper_left", "upper_right", "lower_left", "lower_right")
CLAUSES = {
    "tilt": "the limb's tilt from the image horizontal outside the band, worst moment, / 45 deg "
            "(1: the limb not in frame)",
    "centre": "the limb's nearest point from the image centre / half the short side, mean of the moments",
    "earth_lower_left": "1 - the Earth's share of the lower-left quadrant, mean of the moments",
    "sky_upper_right": "the Earth's share of the upper-right quadrant, mean of the moments",
    "core": "1 - the share of the core's visible video time it spends in frame",
    "moon": "the share of the Moon's visible video time its centre spends in frame, further inside than "
            "moon_edge_fraction of the short side (a Moon at the edge is tolerated)",
    "focal": "1 - focal length / the longest lens's (a longer lens shows a larger rocket)",
}
_CHUNK = 400            # candidate rotations evaluated per array operation (memory ~ 100 MB)


@dataclass(frozen=True)
class LensOption:
    """A lens the fit may choose: the maker's name, focal length, widest aperture, projection."""

    name: str
    focal_mm: float
    f_number: float
    model: str


@dataclass(frozen=True)
class FramingRules:
    """``data/framing.toml``: the search grid, the clauses' band and weights, the lenses."""

    step_deg: float
    refine_step_deg: float
    samples_per_video_s: float
    margin_fraction: float
    moon_edge_fraction: float
    limb_headings: int
    grid_px: tuple[int, int]
    tilt_deg: tuple[float, float]
    weights: dict[str, float]
    lenses: tuple[LensOption, ...]


@lru_cache(maxsize=1)
def framing_rules() -> FramingRules:
    """The shipped rules, read and checked once."""
    table = load_toml(data_file("orbitview", "data/framing.toml"))
    search, clauses, weights = table.table("search"), table.table("clauses"), table.table("weights")
    grid = search.numbers("grid_px", length=2)
    tilt = clauses.numbers("tilt_deg", length=2)
    if not 0.0 <= tilt[0] < tilt[1] <= 90.0:
        raise clauses.error("tilt_deg", tilt, "[low, high] degrees with 0 <= low < high <= 90")
    rules = FramingRules(
        step_deg=search.number("step_deg", above=0.0, max=45.0),
        refine_step_deg=search.number("refine_step_deg", above=0.0, max=45.0),
        samples_per_video_s=search.number("samples_per_video_s", above=0.0, max=100.0),
        margin_fraction=search.number("margin_fraction", min=0.0, max=0.4),
        moon_edge_fraction=search.number("moon_edge_fraction", min=0.0, max=0.4),
        limb_headings=int(search.number("limb_headings", min=36, max=36000)),
        grid_px=(int(grid[0]), int(grid[1])), tilt_deg=(tilt[0], tilt[1]),
        weights={name: weights.number(name, min=0.0) for name in CLAUSES},
        lenses=tuple(LensOption(e.string("name"), e.number("focal_mm", above=0.0), e.number("f_number", above=0.0),
                                e.string("model", choices=list(MODELS))) for e in table.tables("lenses")))
    table.reject_unknown()
    return rules


@dataclass(frozen=True)
class VideoGeometry:
    """What a fixed camera must frame, in the station frame: the vehicle's, the core's and the
    Moon's directions ``(3, N)`` at the sampled video instants, when the core and the Moon can be
    seen (above the Earth's limb), and the limb
    at each published moment (its directions ``(3, K, M)`` at headings ``2 pi k / K`` about the
    local vertical, their angles from nadir ``(K, M)``, the vertical and the heading's basis)."""

    video_s: np.ndarray
    vehicle: np.ndarray
    core: np.ndarray
    core_seen: np.ndarray
    moon: np.ndarray
    moon_seen: np.ndarray
    moments_video_s: np.ndarray
    limb: np.ndarray
    limb_nadir_rad: np.ndarray
    up: np.ndarray
    east: np.ndarray
    north: np.ndarray


def video_geometry(scn: "Scene", rules: FramingRules) -> VideoGeometry:
    """The scene's geometry over its video and at its published moments (the video's anchors)."""
    if scn.video_fit is None:
        raise OrbitviewError(f"{scn.spec.path}: [video] is missing: a framing is fitted to a video's description")
    video = scn.spec.video
    video_s = np.linspace(0.0, video.duration_s, int(round(video.duration_s * rules.samples_per_video_s)) + 1)
    t_plus = scn.video_fit.clock.to_t_plus(video_s)
    lines = scn.sightline(scn.clock.t_plus(t_plus), ["vehicle", "core", "moon"])
    core_seen = lines.visible[:, 1] & scn.shown("core", t_plus)

    moments = np.array([a.video_s for a in video.anchors])
    t = scn.clock.t_plus(scn.video_fit.clock.to_t_plus(moments))
    orientation = scn.orientation(t)
    axes, m = orientation.station_axes, moments.size
    to_itrs = gcrs_to_itrs(t)
    to_itrs = np.broadcast_to(to_itrs, (3, 3, m)) if to_itrs.ndim == 3 else np.repeat(to_itrs[:, :, None], m, 2)
    observer = mxv(to_itrs, orientation.observer.position_km)
    up = observer / np.linalg.norm(observer, axis=0)
    forward = mxv(to_itrs, transpose(axes)[:, 0])                      # station +x in ITRS
    east = forward - np.sum(forward * up, axis=0) * up
    east /= np.linalg.norm(east, axis=0)
    north = np.cross(up, east, axis=0)
    heading = np.linspace(0.0, 2.0 * np.pi, rules.limb_headings, endpoint=False)[:, None]
    h = np.cos(heading) * east[:, None, :] + np.sin(heading) * north[:, None, :]          # (3, K, M)
    dip_deg, _ = ellipsoid_limb(np.repeat(observer[:, None, :], heading.size, 1).reshape(3, -1), h.reshape(3, -1))
    e = -np.radians(dip_deg).reshape(heading.size, m)
    limb_itrs = np.cos(e) * h + np.sin(e) * up[:, None, :]

    def in_station(v_itrs: np.ndarray) -> np.ndarray:
        gcrs = np.einsum("jim,j...m->i...m", to_itrs, v_itrs)
        return np.einsum("ijm,j...m->i...m", axes, gcrs)

    dirs = lines.direction_station
    return VideoGeometry(video_s, dirs[:, :, 0], dirs[:, :, 1], core_seen, dirs[:, :, 2], lines.visible[:, 2],
                         moments, in_station(limb_itrs), np.pi / 2 - e, in_station(up), in_station(east),
                         in_station(north))


def _earth_mask(geo: VideoGeometry, dirs: np.ndarray) -> np.ndarray:
    """Whether station directions ``(3, P, M, ...)`` (one set per moment) meet the Earth: nearer to
    nadir than the limb at their heading."""
    def dot(v: np.ndarray) -> np.ndarray:
        return np.einsum("ipm...,im->pm...", dirs, v)

    heading = np.arctan2(dot(geo.north), dot(geo.east)) % (2.0 * np.pi)
    nadir_angle = np.arccos(np.clip(-dot(geo.up), -1.0, 1.0))
    k = geo.limb_nadir_rad.shape[0]
    step = 2.0 * np.pi / k
    i = np.floor(heading / step).astype(int) % k
    w = heading / step - np.floor(heading / step)
    m = np.arange(geo.up.shape[1]).reshape((1, -1) + (1,) * (dirs.ndim - 3))
    limb = (1.0 - w) * geo.limb_nadir_rad[i, m] + w * geo.limb_nadir_rad[(i + 1) % k, m]
    return nadir_angle < limb


def _project(camera: Camera, rotation: np.ndarray, dirs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixels ``(2, ..., C)`` and in-frame flags of station directions ``(3, ...)`` through the
    candidate rotations ``(3, 3, C)`` (camera -> station)."""
    return camera.project(np.einsum("jic,j...->i...c", rotation, dirs))


def _inset_px(camera: Camera, rotation: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """How far (px) inside the image's nearest edge station directions ``(3, N)`` fall, per
    candidate rotation ``(3, 3, C)``: ``(N, C)``, -inf outside the frame."""
    px, inside = _project(camera, rotation, dirs)
    edge = np.minimum(np.minimum(px[0], camera.width_px - px[0]), np.minimum(px[1], camera.height_px - px[1]))
    return np.where(inside, edge, -np.inf)


def vehicle_margin_px(geo: VideoGeometry, camera: Camera, rotation: np.ndarray) -> np.ndarray:
    """The vehicle's closest approach (px) to an image edge over the video, per candidate rotation
    ``(3, 3, C)``; -inf where it leaves the frame."""
    return np.min(_inset_px(camera, rotation, geo.vehicle), axis=0)


def assess(geo: VideoGeometry, camera: Camera, rotation: np.ndarray, rules: FramingRules) -> dict[str, np.ndarray]:
    """Every clause's measure and residual for candidate rotations ``(3, 3, C)`` of one camera:
    arrays over C (or over moments and C), and ``score`` (inf where the vehicle leaves the frame)."""
    w, h = camera.width_px, camera.height_px
    margin = vehicle_margin_px(geo, camera, rotation)
    frame_ok = margin >= rules.margin_fraction * min(w, h)

    # The falling core counts as in frame only inside the same margin: a stage at the edge is not "in view".
    core_in = _inset_px(camera, rotation, geo.core) >= rules.margin_fraction * min(w, h)
    seen = geo.core_seen[:, None]
    core_share = np.sum(core_in & seen, axis=0) / max(int(geo.core_seen.sum()), 1)
    # The Moon counts as in frame when its centre is further inside than the vehicle's margin: a
    # Moon at the frame's edge (a part of its disc, its glare) is what the clause tolerates.
    moon_in = _inset_px(camera, rotation, geo.moon) >= rules.moon_edge_fraction * min(w, h)
    moon_share = np.sum(moon_in & geo.moon_seen[:, None], axis=0) / max(int(geo.moon_seen.sum()), 1)

    limb_px, limb_in = _project(camera, rotation, geo.limb)                          # (2, K, M, C)
    n = limb_in.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(limb_in, limb_px, 0.0).sum(axis=1) / n
        d = np.where(limb_in, limb_px - mean[:, None], 0.0)
        cov = np.einsum("ikmc,jkmc->ijmc", d, d)
        angle = 0.5 * np.degrees(np.arctan2(2.0 * cov[0, 1], cov[0, 0] - cov[1, 1]))
    tilt = np.where(n >= 2, np.abs(angle), np.nan)                                   # (M, C)
    lo, hi = rules.tilt_deg
    outside = np.where(np.isnan(tilt), 45.0, np.maximum(0.0, np.maximum(lo - tilt, tilt - hi)))
    centre = np.fmin.reduce(np.hypot(limb_px[0] - w / 2.0, limb_px[1] - h / 2.0), axis=0) / (min(w, h) / 2.0)
    centre = np.where(np.isnan(centre), np.inf, centre)                              # the limb behind a pinhole

    gx, gy = rules.grid_px
    u, v = np.meshgrid((np.arange(gx) + 0.5) * w / gx, (np.arange(gy) + 0.5) * h / gy)
    rays = camera.ray(np.array([u.ravel(), v.ravel()]))                              # (3, P)
    station_rays = np.einsum("ijc,jp->ipc", rotation, rays)
    earth = _earth_mask(geo, np.repeat(station_rays[:, :, None, :], geo.up.shape[1], axis=2))  # (P, M, C)
    left, upper = u.ravel() < w / 2.0, v.ravel() < h / 2.0
    shares = {name: earth[q].mean(axis=0) for name, q in
              zip(QUADRANTS, (upper & left, upper & ~left, ~upper & left, ~upper & ~left))}

    longest = max(lens.focal_mm for lens in rules.lenses)
    residuals = {"tilt": outside.max(axis=0) / 45.0, "centre": np.minimum(centre.mean(axis=0), 1.0),
                 "earth_lower_left": 1.0 - shares["lower_left"].mean(axis=0),
                 "sky_upper_right": shares["upper_right"].mean(axis=0), "core": 1.0 - core_share,
                 "moon": moon_share,
                 "focal": np.full(margin.shape, 1.0 - (camera.lens.focal_mm if camera.lens else 0.0) / longest)}
    score = sum(rules.weights[name] * r for name, r in residuals.items())
    # The Moon is a weighted preference, not a condition: 8-14 deg from the rocket from video 20 s, it
    # cannot stay out of frame while the rocket keeps its margin from the edge it lies beyond.
    holds = (frame_ok & np.all(outside == 0.0, axis=0) & (core_share > 0.0)
             & np.all(shares["lower_left"] > shares["upper_right"], axis=0))
    return {"score": np.where(frame_ok, score, np.inf), "frame_ok": frame_ok, "margin_px": margin, "holds": holds,
            "tilt_deg": tilt, "centre": centre, "shares": shares, "core_share": core_share, "moon_share": moon_share,
            "residuals": residuals}


@dataclass(frozen=True)
class Framing:
    """One candidate framing and how it meets the description."""

    lens: LensOption
    camera: Camera
    azimuth_deg: float
    elevation_deg: float
    roll_deg: float
    measures: dict

    @property
    def score(self) -> float:
        return float(self.measures["score"])

    @property
    def holds(self) -> bool:
        return bool(self.measures["holds"])

    def failures(self, rules: FramingRules) -> list[str]:
        """The clauses this framing breaks, in words."""
        m, out = self.measures, []
        if not m["frame_ok"]:
            out.append(f"the vehicle leaves the frame or comes within {rules.margin_fraction:.0%} of its edge "
                       f"(closest {m['margin_px']:.0f} px)" if np.isfinite(m["margin_px"]) else
                       "the vehicle leaves the frame")
        tilt = np.asarray(m["tilt_deg"])
        lo, hi = rules.tilt_deg
        if np.any(np.isnan(tilt) | (tilt < lo) | (tilt > hi)):
            out.append("limb tilt " + ", ".join("not in frame" if np.isnan(x) else f"{x:.0f}" for x in tilt)
                       + f" deg, outside {lo:g}-{hi:g}")
        if not np.all(np.asarray(m["shares"]["lower_left"]) > np.asarray(m["shares"]["upper_right"])):
            out.append("no more Earth lower left than upper right")
        if m["core_share"] <= 0.0:
            out.append("the core never in view")
        if m["moon_share"] > 0.0:
            out.append(f"the Moon in frame {m['moon_share']:.0%} of the time it is up")
        return out

    def as_dict(self, rules: FramingRules) -> dict:
        m = self.measures
        return {"lens": self.lens.name, "focal_mm": self.lens.focal_mm, "model": self.lens.model,
                "f_number": self.lens.f_number, "fov_deg": round(self.camera.fov_deg, 2),
                "azimuth_deg": self.azimuth_deg, "elevation_deg": self.elevation_deg, "roll_deg": self.roll_deg,
                "score": None if not np.isfinite(self.score) else round(self.score, 4), "holds": self.holds,
                "vehicle_margin_px": None if not np.isfinite(m["margin_px"]) else round(float(m["margin_px"]), 1),
                "limb_tilt_deg": [None if np.isnan(x) else round(float(x), 1) for x in m["tilt_deg"]],
                "limb_from_centre": [round(float(x), 3) for x in m["centre"]],
                "earth_share": {q: round(float(np.mean(m["shares"][q])), 3) for q in QUADRANTS},
                "core_in_view": round(float(m["core_share"]), 3),
                "moon_in_view": round(float(m["moon_share"]), 3),
                "residuals": {k: round(float(v), 4) for k, v in m["residuals"].items()},
                "fails": self.failures(rules)}


def _lens_camera(like: Camera, lens: LensOption) -> Camera:
    return Camera.from_lens(like.width_px, like.height_px, Lens(lens.focal_mm), lens.model)


def _best_framing(geo: VideoGeometry, camera: Camera, lens: LensOption, aims: tuple[np.ndarray, np.ndarray],
                  rolls: np.ndarray, rules: FramingRules) -> Framing | None:
    """The lowest-scoring framing of every aim (azimuths, elevations) with every roll, None if none
    holds the vehicle. Cheap tests first: aims farther from a vehicle direction than the image's
    corner are dropped, then rotations that lose the vehicle; the rest are assessed in full."""
    corner = camera.ray(np.array([0.0, 0.0]))[2]
    bore = station.direction(*aims)
    near = np.flatnonzero(np.min(bore.T @ geo.vehicle, axis=1) >= corner)
    aim_i, roll_i = (a.ravel() for a in np.meshgrid(near, np.arange(rolls.size), indexing="ij"))
    rotations = rolled_rotation(bore[:, aim_i], rolls[roll_i])
    margin = np.concatenate([vehicle_margin_px(geo, camera, rotations[:, :, i:i + _CHUNK])
                             for i in range(0, aim_i.size, _CHUNK)]) if aim_i.size else np.empty(0)
    keep = margin >= rules.margin_fraction * min(camera.width_px, camera.height_px)
    aim_i, roll_i, rotations = aim_i[keep], roll_i[keep], rotations[:, :, keep]
    best: Framing | None = None
    for start in range(0, aim_i.size, _CHUNK):
        m = assess(geo, camera, rotations[:, :, start:start + _CHUNK], rules)
        c = int(np.argmin(m["score"]))
        if best is None or m["score"][c] < best.score:
            a, r = aim_i[start + c], roll_i[start + c]
            best = Framing(lens, camera, float(aims[0][a]), float(aims[1][a]), float(rolls[r]), _pick(m, c))
    return best


def _pick(measures: dict, c: int) -> dict:
    """One candidate's measures out of a batch's arrays (the last axis)."""
    return {k: _pick(v, c) if isinstance(v, dict) else v[..., c] for k, v in measures.items()}


def _grid(centre: tuple[float, float, float] | None, rules: FramingRules) -> tuple[tuple[np.ndarray, np.ndarray],
                                                                                    np.ndarray]:
    """Aims (azimuths, elevations) and rolls of the coarse grid, or of the refined one within a
    coarse step of ``centre`` (azimuth, elevation, roll)."""
    if centre is None:
        s = rules.step_deg
        az, el, roll = np.arange(0.0, 360.0, s), np.arange(-90.0, 90.0 + s / 2, s), np.arange(-180.0, 180.0, s)
    else:
        r = np.arange(-rules.step_deg, rules.step_deg + rules.refine_step_deg / 2, rules.refine_step_deg)
        az, el, roll = centre[0] + r, np.unique(np.clip(centre[1] + r, -90.0, 90.0)), centre[2] + r
    aims = np.meshgrid(az, el, indexing="ij")
    return (aims[0].ravel(), aims[1].ravel()), roll


@dataclass(frozen=True)
class FramingFit:
    """The fitted framing, each lens's best (the rejected ones and why), the minimal-cone aim."""

    best: Framing
    by_lens: list[Framing | None]
    minimal_cone: Framing
    rules: FramingRules

    def as_dict(self) -> dict:
        rules = self.rules
        rejected = []
        for lens, f in zip(rules.lenses, self.by_lens):
            if f is self.best:
                continue
            why = ([f"no aim and roll keeps the vehicle {rules.margin_fraction:.0%} of the short side inside the frame"]
                   if f is None else f.failures(rules)
                   or [f"holds the description, but scores {f.score:.3f} against {self.best.score:.3f}"])
            rejected.append({"lens": lens.name, "framing": None if f is None else f.as_dict(rules), "why": why})
        cone = self.minimal_cone
        return {"objective": "minimise the weighted sum of the clauses' residuals, the vehicle in frame "
                             f"{rules.margin_fraction:.0%} of the short side from every edge at every "
                             "sampled video instant",
                "vehicle_margin_fraction": rules.margin_fraction,
                "clauses": CLAUSES, "weights": rules.weights, "tilt_band_deg": list(rules.tilt_deg),
                "best": self.best.as_dict(rules), "rejected": rejected,
                "minimal_cone": {"framing": cone.as_dict(rules),
                                 "why": cone.failures(rules) or [f"scores {cone.score:.3f}"]}}


def fit_framing(scn: "Scene", rules: FramingRules | None = None) -> FramingFit:
    """The framing of the scene's video: for each lens the best aim and roll on the coarse grid,
    refined by the degree; the best of all lenses (lowest score) is the fit."""
    rules = rules or framing_rules()
    if scn.camera is None:
        raise OrbitviewError(f"{scn.spec.path}: [camera] is missing: a framing is fitted for a camera's image size")
    geo = video_geometry(scn, rules)
    by_lens: list[Framing | None] = []
    for lens in rules.lenses:
        camera = _lens_camera(scn.camera, lens)
        best = _best_framing(geo, camera, lens, *_grid(None, rules), rules)
        if best is not None:
            fine = _best_framing(geo, camera, lens, *_grid((best.azimuth_deg, best.elevation_deg, best.roll_deg),
                                                           rules), rules)
            best = fine if fine is not None and fine.score < best.score else best
        by_lens.append(best)
    found = [f for f in by_lens if f is not None]
    if not found:
        raise OrbitviewError(f"{scn.name}: no lens of data/framing.toml keeps the vehicle in frame over the video")
    best = min(found, key=lambda f: f.score)
    axis = Pointing.fit(["vehicle"]).resolved({"vehicle": geo.vehicle}).boresight()
    az, el = (float(a) for a in station.azimuth_elevation(axis))
    cone = assess(geo, best.camera, rolled_rotation(axis[:, None], 0.0), rules)
    cone_framing = Framing(best.lens, best.camera, az, el, 0.0, _pick(cone, 0))
    return FramingFit(best, by_lens, cone_framing, rules)
