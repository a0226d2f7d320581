"""Observer tracks on the shared clock: SGP4 from real element sets, rotated into GCRS fast.

``Observer.at(t)`` gives what skyfield's ``EarthSatellite.at(t)`` gives (within 1 mm; see
``tests/test_frames_and_observer.py``) at the speed of raw ``sgp4``: the TEME -> GCRS rotation
comes from ``orbitview.frames``, which evaluates nutation on an hourly grid instead of at every
instant. Which element set(s) weigh at an instant is ``tle.blend_weights``, the archive's rule.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from skyfield.timelib import Time

from . import frames
from .bodies import Body, State
from .tle import (DEFAULT_MAX_AGE_DAYS, StaleElementsWarning, TLEArchive, blend_weights, check_age, check_mode,
                  epoch_jd, nearest_epoch, parse_lines, utc_jd)


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
        self.archive, self.catalog, self.mode, self.max_age_days = archive, catalog, check_mode(mode), max_age_days
        self.name = name or self.sets[0].name
        self._epochs = epoch_jd(self.sets)
        self._warned: set[int] = set()   # sets already reported stale: one warning each, not per call

    @classmethod
    def from_tle(cls, line1: str, line2: str, name: str = "", **options) -> "Observer":
        """An observer from one element set given as its two lines (text; anything else is a TLEError)."""
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
        worst, nearest, age = nearest_epoch(self._epochs, jd)
        when = (t[worst] if t.shape else t).utc_strftime("%Y-%m-%d %H:%M:%S UTC")
        check_age(age, when, self.sets[nearest], self.max_age_days, warn=nearest not in self._warned)
        self._warned.add(nearest)

    def gcrs_state(self, t: Time) -> State:
        """GCRS position (km) and velocity (km/s), ``(3,) + t.shape``: an empty ``t`` gives empty arrays."""
        whole, fraction = utc_jd(t)
        shape = (3,) + t.shape
        if whole.size == 0:
            return State(np.zeros(shape), np.zeros(shape))
        jd = whole + fraction
        self._check_range(t, jd)
        weights = blend_weights(self._epochs, jd, self.mode)
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
        return State(r.reshape(shape), v.reshape(shape))

    def __repr__(self) -> str:
        span = f"{len(self.sets)} element set{'s' if len(self.sets) > 1 else ''}"
        return f"<Observer {self.name!r} #{self.sets[0].catalog}, {span}, {self.mode}>"


