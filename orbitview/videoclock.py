"""The video clock: a monotonic piecewise-linear map from video seconds to T+ seconds.

A time-lapse is still frames played back faster than life; an edited one may change speed. We
put a knot at every published moment, give each segment between knots its own playback speed
``s_j`` (bounded, e.g. 8-16x), and solve for the speeds and the video's start in T+ by bounded
linear least squares (``scipy.optimize.lsq_linear``) against the model's event times:

    T+(v_k) = T0 + sum_{j<k} s_j (v_{j+1} - v_j)       (linear in T0 and the s_j)

Residuals are weighted by 1/s so they are in video seconds. Two weak priors make the problem
determined where the anchors say nothing: neighbouring speeds alike (a time-lapse runs at one
rate unless edited) and the whole video spanning the stated real time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import OrbitviewError

SMOOTHNESS_WEIGHT = 0.05   # video s per (x of speed change): weak next to a 1/25 s anchor
SPAN_WEIGHT = 0.02         # per video s of span mismatch: weaker still, a rounded figure


def parse_video_time(text: str, frame_rate_fps: float) -> float:
    """Video seconds from ``mm:ss`` or ``mm:ss:ff`` (ff counts frames at ``frame_rate_fps``)."""
    match = re.fullmatch(r"(\d+):(\d{1,2})(?::(\d{1,2}))?", text.strip())
    if not match:
        raise OrbitviewError(f"video time {text!r}: expected mm:ss or mm:ss:ff")
    minutes, seconds, frames = int(match[1]), int(match[2]), int(match[3] or 0)
    if seconds >= 60 or frames >= frame_rate_fps:
        raise OrbitviewError(f"video time {text!r}: seconds must be < 60 and frames < {frame_rate_fps:g}")
    return minutes * 60.0 + seconds + frames / frame_rate_fps


@dataclass(frozen=True)
class VideoClock:
    """Knots (video s, T+ s), strictly increasing in both: the map and its inverse."""

    video_s: np.ndarray
    t_plus_s: np.ndarray

    def to_t_plus(self, video_s) -> np.ndarray:
        return self._line(np.asarray(video_s, dtype=float), self.video_s, self.t_plus_s)

    def to_video(self, t_plus_s) -> np.ndarray:
        return self._line(np.asarray(t_plus_s, dtype=float), self.t_plus_s, self.video_s)

    @staticmethod
    def _line(x: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """Piecewise-linear through the knots, extended linearly beyond the ends."""
        i = np.clip(np.searchsorted(xs, x) - 1, 0, len(xs) - 2)
        return ys[i] + (x - xs[i]) * (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])

    @property
    def speeds(self) -> np.ndarray:
        return np.diff(self.t_plus_s) / np.diff(self.video_s)


@dataclass(frozen=True)
class Anchor:
    """A published moment: its name, video time, and the model event it is matched to."""

    name: str
    video_s: float
    event: str


@dataclass(frozen=True)
class VideoFit:
    clock: VideoClock
    anchors: list[dict]
    duration_s: float
    span_target_s: float
    speed_bounds: tuple[float, float]
    conflicts: list[str]
    undetermined: list[str]

    def as_dict(self) -> dict:
        c = self.clock
        return {
            "segments": [{"video_start_s": round(float(a), 3), "video_end_s": round(float(b), 3),
                          "speed": round(float(s), 3)}
                         for a, b, s in zip(c.video_s[:-1], c.video_s[1:], c.speeds)],
            "anchors": self.anchors,
            "video_start_t_plus_s": round(float(c.t_plus_s[0]), 2),
            "video_end_t_plus_s": round(float(c.t_plus_s[-1]), 2),
            "span_s": round(float(c.t_plus_s[-1] - c.t_plus_s[0]), 1),
            "span_target_s": self.span_target_s,
            "speed_bounds": list(self.speed_bounds),
            "conflicts": self.conflicts,
            "undetermined": self.undetermined,
        }


def fit_video_clock(anchors: list[Anchor], model_t_plus_s: dict[str, float], duration_s: float,
                    span_target_s: float, speed_bounds: tuple[float, float] = (8.0, 16.0),
                    tolerance_s: float = 1.0) -> VideoFit:
    """Fit the video clock to anchors whose model times are ``model_t_plus_s[anchor.event]``.

    If the anchors cannot all be met within ``tolerance_s`` and the speed bounds, and leaving out
    one of them (at least two remaining) lets the rest be met, that anchor is set aside: the clock
    is fitted to the others and the report says where the model puts the set-aside moment.
    """
    order = [a.video_s for a in anchors]
    if any(b <= a for a, b in zip(order, order[1:])):
        raise OrbitviewError("video anchors must be in strictly increasing video time: "
                             + ", ".join(f"{a.name} {a.video_s:g} s" for a in anchors))
    if not 0.0 < order[0] or order[-1] >= duration_s:
        raise OrbitviewError(f"video anchors must lie inside the video (0-{duration_s:g} s)")
    model = np.array([model_t_plus_s[a.event] for a in anchors])
    clock = _solve(np.array(order), model, duration_s, span_target_s, speed_bounds)
    set_aside = None
    if _worst_residual(clock, order, model) > tolerance_s and len(anchors) > 2:
        trials = []
        for k in range(len(anchors)):
            keep = np.arange(len(anchors)) != k
            trial = _solve(np.array(order)[keep], model[keep], duration_s, span_target_s, speed_bounds)
            worst = _worst_residual(trial, np.array(order)[keep], model[keep])
            if worst <= tolerance_s:
                trials.append((worst, k, trial))
        if trials:
            _, set_aside, clock = min(trials, key=lambda trial: trial[0])

    fitted_video = clock.to_video(model)
    report = [{"name": a.name, "event": a.event, "video_s": round(a.video_s, 3),
               "t_plus_s": round(float(m), 2), "residual_s": round(float(f - a.video_s), 3),
               "used": k != set_aside}
              for k, (a, m, f) in enumerate(zip(anchors, model, fitted_video))]
    conflicts = _conflicts(anchors, model, clock, speed_bounds, span_target_s, tolerance_s, set_aside)
    first, last = anchors[0], anchors[-1]
    undetermined = [
        f"the speed before the first anchor ({first.name}, video 0-{first.video_s:g} s) and after "
        f"the last ({last.name}, video {last.video_s:g}-{duration_s:g} s) are set only by the "
        "priors (alike neighbouring speeds, the stated span), so the real times of the video's first "
        "and last frames are uncertain by the 8-16x range over those stretches",
        "the frame interval of the still camera and any cuts in the edited video are not published",
    ]
    return VideoFit(clock, report, duration_s, span_target_s, speed_bounds, conflicts, undetermined)


def _solve(order: np.ndarray, model: np.ndarray, duration_s: float, span_target_s: float,
           speed_bounds: tuple[float, float]) -> VideoClock:
    """Bounded least squares for the video's start T0 and each segment's speed (knots at anchors)."""
    from scipy.optimize import lsq_linear   # here, not at import: scipy.optimize takes 0.4 s to load
    knots = np.concatenate([[0.0], order, [duration_s]])
    widths = np.diff(knots)
    n_seg = len(widths)
    lo, hi = speed_bounds
    nominal = np.clip(np.diff(model).sum() / np.diff(order).sum(), lo, hi)
    # Unknowns x = [T0, s_0 .. s_{n-1}]; T+(knot k) = T0 + sum_{j<k} s_j w_j.
    rows, targets = [], []
    for k, tau in enumerate(model, start=1):
        row = np.zeros(n_seg + 1)
        row[0], row[1:k + 1] = 1.0, widths[:k]
        rows.append(row / nominal)
        targets.append(tau / nominal)
    for j in range(n_seg - 1):
        row = np.zeros(n_seg + 1)
        row[j + 1], row[j + 2] = SMOOTHNESS_WEIGHT, -SMOOTHNESS_WEIGHT
        rows.append(row)
        targets.append(0.0)
    rows.append(np.concatenate([[0.0], widths]) * SPAN_WEIGHT / nominal)
    targets.append(span_target_s * SPAN_WEIGHT / nominal)
    bounds = ([-np.inf] + [lo] * n_seg, [np.inf] + [hi] * n_seg)
    solution = lsq_linear(np.array(rows), np.array(targets), bounds=bounds, method="bvls")
    t0, speeds = solution.x[0], solution.x[1:]
    return VideoClock(knots, t0 + np.concatenate([[0.0], np.cumsum(speeds * widths)]))


def _worst_residual(clock: VideoClock, order, model: np.ndarray) -> float:
    return float(np.max(np.abs(clock.to_video(model) - np.asarray(order))))


def _conflicts(anchors: list[Anchor], model: np.ndarray, clock: VideoClock, speed_bounds: tuple[float, float],
               span_target_s: float, tolerance_s: float, set_aside: int | None) -> list[str]:
    """Plain statements of which published constraints cannot all hold with the model's times."""
    notes = []
    lo, hi = speed_bounds
    for (a, b), (ta, tb) in zip(zip(anchors, anchors[1:]), zip(model, model[1:])):
        needed = (tb - ta) / (b.video_s - a.video_s)
        if not lo <= needed <= hi:
            notes.append(f"{a.name} -> {b.name}: the model puts them {tb - ta:.1f} s apart but the "
                         f"video {b.video_s - a.video_s:.2f} s apart, a {needed:.1f}x speed outside "
                         f"{lo:g}-{hi:g}x")
    if set_aside is not None:
        a = anchors[set_aside]
        notes.append(f"{a.name} set aside: the clock fitted to the other moments puts the model's "
                     f"{a.event} (T+{model[set_aside]:.1f} s) at video {float(clock.to_video(model[set_aside])):.2f} s, "
                     f"not the published {a.video_s:.2f} s")
    span = clock.t_plus_s[-1] - clock.t_plus_s[0]
    if abs(span - span_target_s) > 0.1 * span_target_s:
        notes.append(f"the anchors' speeds make the video span {span / 60:.1f} min of real time, "
                     f"not the stated {span_target_s / 60:.0f} min")
    used = [k for k in range(len(anchors)) if k != set_aside]
    residuals = {k: float(clock.to_video(model[k]) - anchors[k].video_s) for k in used}
    worst = max(residuals, key=lambda k: abs(residuals[k]))
    if abs(residuals[worst]) > tolerance_s:
        notes.append(f"{anchors[worst].name} misses its published moment by {residuals[worst]:+.2f} video s")
    return notes
