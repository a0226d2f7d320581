"""Observer tracks on the shared clock: SGP4 from real element sets, rotated into GCRS fast.

``Observer.at(t)`` gives what skyfield's ``EarthSatellite.at(t)`` gives (within 1 mm; see
``tests/test_orbits.py``) at the speed of raw ``sgp4``: the TEME -> GCRS rotation comes from
``orbitview.frames``, which evaluates nutation on an hourly grid instead of at every instant.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from skyfield.timelib import Time

from . import frames
from .bodies import Body, State
from .tle import DEFAULT_MAX_AGE_DAYS, StaleElementsWarning, TLEArchive, check_age, parse_lines


def _utc_jd(t: Time) -> tuple[np.ndarray, np.ndarray]:
    """Two-part UTC Julian date, exactly as skyfield feeds SGP4 (AIAA 2006-6753: UTC epochs)."""
    whole = np.atleast_1d(t.whole)
    fraction = np.atleast_1d(t.tai_fraction - t._leap_seconds() / 86400.0)
    return whole, fraction


@dataclass(frozen=True)
class Uncertainty:
    """How well the element sets pin the observer down at an instant."""

    epoch_distance_days: float
    spread_km: float | None     # between the two bracketing sets' predictions (None: one set)
    sets: tuple[str, ...]       # "file:line" of each set used


class Observer(Body):
    """An Earth satellite (the ISS) propagated with SGP4 from one set or a blended archive."""

    def __init__(self, archive: TLEArchive, catalog: int | None = None, name: str | None = None,
                 mode: str = "blend", max_age_days: float = DEFAULT_MAX_AGE_DAYS):
        self.sets = archive.of(catalog)
        self.archive, self.catalog, self.mode, self.max_age_days = archive, catalog, mode, max_age_days
        self.name = name or self.sets[0].name
        self._epochs = np.array([s.satrec.jdsatepoch + s.satrec.jdsatepochF for s in self.sets])
        self._warned: set[int] = set()   # sets already reported stale: one warning each, not per call

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str = "", **options) -> "Observer":
        """An observer from one element set given as its two lines."""
        return cls(TLEArchive([parse_lines(line1, line2, name)]), name=name or None, **options)

    def uncertainty(self, t: Time) -> Uncertainty:
        """Epoch distance and two-set spread at the scalar instant ``t``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StaleElementsWarning)
            sel = self.archive.select(t, self.catalog, self.mode, self.max_age_days)
        return Uncertainty(sel.epoch_distance_days, sel.spread_km,
                           tuple(f"{s.source}:{s.lineno}" for s in sel.sets))

    def _check_range(self, t: Time, jd: np.ndarray) -> None:
        """Refuse instants too far from every set; warn (once) when the farthest is stale."""
        distance = np.abs(jd[:, None] - self._epochs[None, :])
        worst = int(np.argmax(distance.min(axis=1)))
        nearest = int(np.argmin(distance[worst]))
        when = (t[worst] if t.shape else t).utc_strftime("%Y-%m-%d %H:%M:%S UTC")
        check_age(float(distance[worst, nearest]), when, self.sets[nearest], self.max_age_days,
                  warn=nearest not in self._warned)
        self._warned.add(nearest)

    def gcrs_state(self, t: Time) -> State:
        whole, fraction = _utc_jd(t)
        jd = whole + fraction
        self._check_range(t, jd)
        weights = self._weights(jd)
        r = np.zeros((3, jd.size))
        v = np.zeros((3, jd.size))
        for elements, w in zip(self.sets, weights):
            used = w > 0.0
            if used.any():
                ri, vi = elements.teme_km(whole[used], fraction[used])
                r[:, used] += w[used] * ri
                v[:, used] += w[used] * vi
        rot = frames.teme_to_gcrs(t)
        r, v = frames.mxv(rot, r), frames.mxv(rot, v)
        shape = (3,) + t.shape
        return State(r.reshape(shape), v.reshape(shape))

    def _weights(self, jd: np.ndarray) -> np.ndarray:
        """Per-set weights for each instant: nearest set, or linear between the bracketing pair."""
        n = len(self.sets)
        weights = np.zeros((n, jd.size))
        nearest = np.argmin(np.abs(jd[None, :] - self._epochs[:, None]), axis=0)
        weights[nearest, np.arange(jd.size)] = 1.0
        if self.mode == "blend" and n > 1:
            after = np.searchsorted(self._epochs, jd)
            inside = (after > 0) & (after < n)
            i = np.nonzero(inside)[0]
            a = after[inside]
            w = (jd[inside] - self._epochs[a - 1]) / (self._epochs[a] - self._epochs[a - 1])
            weights[:, i] = 0.0
            weights[a - 1, i] = 1.0 - w
            weights[a, i] = w
        return weights

    def __repr__(self) -> str:
        span = f"{len(self.sets)} element set{'s' if len(self.sets) > 1 else ''}"
        return f"<Observer {self.name!r} #{self.sets[0].catalog}, {span}, {self.mode}>"


