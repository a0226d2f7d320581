"""Sampled trajectories and the bodies built on them, evaluated fast for arrays of instants.

A :class:`Track` holds the integrator's samples (launch frame) and evaluates position by cubic
Hermite interpolation of (position, velocity) and velocity by Hermite interpolation of
(velocity, acceleration): both are exact to the integrator's tolerance at the samples and
fourth order between them. Before its first sample a track stands on an Earth-fixed point
(the pad), after its last one either on an Earth-fixed point (its impact) or nowhere (the
scene has ended).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skyfield.timelib import Time

from ..bodies import Body, State
from ..clock import Clock
from ..errors import OrbitviewError
from .dynamics import heat_flux_w_m2
from .launchframe import LaunchFrame


@dataclass
class Track:
    """Samples in the launch frame; duplicated instants mark jumps (staging, separation)."""

    t_s: np.ndarray            # (N,) T+ seconds, non-decreasing
    r_km: np.ndarray           # (3, N)
    v_km_s: np.ndarray         # (3, N)
    a_km_s2: np.ndarray        # (3, N)
    mass_kg: np.ndarray        # (N,)
    thrust_n: np.ndarray       # (N,)
    start_itrs_km: np.ndarray  # Earth-fixed point before the first sample (the pad)
    rest_itrs_km: np.ndarray | None = None   # Earth-fixed point after the last sample, if landed
    # (N,) exhaust velocity (km/s) of the engines firing, thrust-weighted; None: never fires.
    exhaust_km_s: np.ndarray | None = None

    def _exhaust_samples(self) -> np.ndarray:
        return np.zeros(len(self.t_s)) if self.exhaust_km_s is None else self.exhaust_km_s

    @staticmethod
    def join(parts: list["Track"]) -> "Track":
        """Concatenate consecutive tracks (the first's start point, the last's rest point)."""
        cat = lambda name, axis: np.concatenate([getattr(p, name) for p in parts], axis=axis)  # noqa: E731
        return Track(cat("t_s", 0), cat("r_km", 1), cat("v_km_s", 1), cat("a_km_s2", 1), cat("mass_kg", 0),
                     cat("thrust_n", 0), parts[0].start_itrs_km, parts[-1].rest_itrs_km,
                     np.concatenate([p._exhaust_samples() for p in parts]))

    def until(self, t_plus_s: float) -> "Track":
        """The samples up to and including ``t_plus_s`` (the last of equal instants excluded)."""
        n = int(np.searchsorted(self.t_s, t_plus_s, side="left")) + 1
        return Track(self.t_s[:n], self.r_km[:, :n], self.v_km_s[:, :n], self.a_km_s2[:, :n],
                     self.mass_kg[:n], self.thrust_n[:n], self.start_itrs_km, None,
                     self._exhaust_samples()[:n])

    @property
    def end_t_plus_s(self) -> float:
        return float(self.t_s[-1])

    def _index(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i = np.clip(np.searchsorted(self.t_s, t, side="right") - 1, 0, len(self.t_s) - 2)
        h = self.t_s[i + 1] - self.t_s[i]
        s = np.where(h > 0, (t - self.t_s[i]) / np.where(h > 0, h, 1.0), 0.0)
        return i, h, s

    def state(self, t_plus_s) -> tuple[np.ndarray, np.ndarray]:
        """Launch-frame position (km) and velocity (km/s), ``(3,) + shape``."""
        t = np.asarray(t_plus_s, dtype=float)
        flat = np.atleast_1d(t).ravel()
        if flat.size and flat.max() > self.end_t_plus_s + 1e-9 and self.rest_itrs_km is None:
            raise OrbitviewError(f"T+{flat.max():.1f} s is after the end of the computed scene "
                                 f"(T+{self.end_t_plus_s:.1f} s): extend end_t_plus_s")
        i, h, s = self._index(flat)
        s2, s3 = s * s, s * s * s
        h00, h10, h01, h11 = 2 * s3 - 3 * s2 + 1, s3 - 2 * s2 + s, -2 * s3 + 3 * s2, s3 - s2
        r = (h00 * self.r_km[:, i] + h10 * h * self.v_km_s[:, i]
             + h01 * self.r_km[:, i + 1] + h11 * h * self.v_km_s[:, i + 1])
        v = (h00 * self.v_km_s[:, i] + h10 * h * self.a_km_s2[:, i]
             + h01 * self.v_km_s[:, i + 1] + h11 * h * self.a_km_s2[:, i + 1])
        for mask, point in ((flat < self.t_s[0], self.start_itrs_km),
                            (flat > self.end_t_plus_s, self.rest_itrs_km)):
            if point is not None and mask.any():
                r[:, mask], v[:, mask] = LaunchFrame.from_itrs(flat[mask], point)
        return r.reshape((3,) + t.shape), v.reshape((3,) + t.shape)

    def _linear(self, values: np.ndarray, t_plus_s) -> np.ndarray:
        t = np.asarray(t_plus_s, dtype=float)
        i, _, s = self._index(np.atleast_1d(t).ravel())
        s = np.clip(s, 0.0, 1.0)
        return ((1 - s) * values[i] + s * values[i + 1]).reshape(t.shape)

    def mass(self, t_plus_s) -> np.ndarray:
        return self._linear(self.mass_kg, t_plus_s)

    def _while_sampled(self, values: np.ndarray, t_plus_s) -> np.ndarray:
        """``values`` interpolated at ``t_plus_s``; zero outside the samples (on the pad before
        ignition, after impact)."""
        t = np.asarray(t_plus_s, dtype=float)
        inside = (t >= self.t_s[0]) & (t <= self.end_t_plus_s)
        return np.where(inside, self._linear(values, t), 0.0)

    def thrust(self, t_plus_s) -> np.ndarray:
        """Thrust (N); zero outside the samples."""
        return self._while_sampled(self.thrust_n, t_plus_s)

    def exhaust_speed(self, t_plus_s) -> np.ndarray:
        """Exhaust velocity (km/s) of the engines firing, thrust-weighted; zero when none fires."""
        return self._while_sampled(self._exhaust_samples(), t_plus_s)


class AscentBody(Body):
    """A body of the ascent (the stack, a stage, a fairing half) on the shared clock.

    Every method takes a skyfield ``Time`` or T+ seconds (scalar or array).
    """

    def __init__(self, name: str, track: Track, clock: Clock, frame: LaunchFrame, nose_radius_m: float):
        self.name, self.track, self.clock, self.frame = name, track, clock, frame
        self.nose_radius_m = nose_radius_m

    def t_plus_s(self, t) -> np.ndarray:
        return np.asarray(self.clock.t_plus_s(t) if isinstance(t, Time) else t, dtype=float)

    def gcrs_state(self, t: Time) -> State:
        return State(*self.frame.to_gcrs(*self.track.state(self.t_plus_s(t))))

    def launch_frame_state(self, t) -> tuple[np.ndarray, np.ndarray]:
        """Position (km) and velocity (km/s) in the launch frame (see ``launchframe``)."""
        return self.track.state(self.t_plus_s(t))

    def thrust_n(self, t) -> np.ndarray:
        """Thrust of this body's own engines (N); for the stack, of every engine firing."""
        return self.track.thrust(self.t_plus_s(t))

    def exhaust_speed_km_s(self, t) -> np.ndarray:
        """Velocity of the exhaust relative to the body (km/s): the thrust-weighted vacuum
        Isp x g0 of the engines firing; zero when none fires."""
        return self.track.exhaust_speed(self.t_plus_s(t))

    def burning(self, t) -> np.ndarray:
        return self.thrust_n(t) > 0.0

    def mass_kg(self, t) -> np.ndarray:
        return self.track.mass(self.t_plus_s(t))

    def heat_flux_w_m2(self, t) -> np.ndarray:
        """Sutton-Graves stagnation-point heat flux (W/m2) at this body's nose radius."""
        r, v = self.track.state(self.t_plus_s(t))
        return heat_flux_w_m2(r, v, self.nose_radius_m)
