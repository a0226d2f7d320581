"""The mission clock: one anchor (liftoff, UTC) and seconds from it (T+), both ways, vectorised.

This is the one place where instants are made. Everything downstream takes a skyfield ``Time``
(scalar or array) or plain T+ seconds; video time lives only at the edges (see ``videoclock``).
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from skyfield.timelib import Time

from .errors import OrbitviewError
from .skydata import timescale

DAY_S = 86400.0


def parse_utc(text: str) -> Time:
    """A skyfield ``Time`` from an ISO-8601 UTC string such as ``2018-11-16T18:14:08Z``."""
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):     # not text, or not a time
        raise OrbitviewError(f"time {text!r}: expected ISO-8601 UTC such as 2018-11-16T18:14:08Z") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    stamp = stamp.astimezone(timezone.utc)
    second = stamp.second + stamp.microsecond * 1e-6
    return timescale().utc(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, second)


class Clock:
    """Seconds from liftoff (``T+``) on the TT scale, so differences are true elapsed SI seconds."""

    def __init__(self, liftoff: Time):
        self.liftoff = liftoff

    @classmethod
    def from_utc(cls, text: str) -> "Clock":
        return cls(parse_utc(text))

    def t_plus(self, seconds) -> Time:
        """The instant(s) ``seconds`` after liftoff, as a skyfield ``Time``."""
        s = np.asarray(seconds, dtype=float)
        return timescale().tt_jd(self.liftoff.whole, self.liftoff.tt_fraction + s / DAY_S)

    def t_plus_s(self, t: Time) -> np.ndarray | float:
        """Seconds from liftoff of ``t`` (keeps the two-part Julian date's precision)."""
        return ((t.whole - self.liftoff.whole) + (t.tt_fraction - self.liftoff.tt_fraction)) * DAY_S

    def utc_iso(self, seconds) -> list[str] | str:
        """ISO-8601 UTC stamps (to the second, ``Z`` suffix) for T+ seconds."""
        return self.t_plus(seconds).utc_strftime("%Y-%m-%dT%H:%M:%SZ")

    def __repr__(self) -> str:
        return f"Clock(liftoff={self.liftoff.utc_strftime('%Y-%m-%dT%H:%M:%S.%fZ')})"
