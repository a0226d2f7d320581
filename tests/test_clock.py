"""The mission clock against facts that do not depend on orbitview.

- IERS Bulletin C 52 (July 2016): a positive leap second 2016-12-31 23:59:60 UTC, so TAI-UTC went
  from 36 s to 37 s; T+ counts SI seconds, so a minute of UTC across it lasts 61 s.
- J2000.0 is JD 2451545.0 TT (IAU 1994), i.e. 2000-01-01 11:58:55.816 UTC, since
  TT - TAI = 32.184 s and TAI - UTC = 32 s that day.
- The Julian date of 2018-11-16 18:14:08 UTC (Progress MS-10's liftoff) is
  2458438.5 + 65648 / 86400 = 2458439.259814815 (UTC), by the calendar alone.
"""
from __future__ import annotations

import numpy as np
import pytest

from orbitview.clock import Clock, parse_utc
from orbitview.errors import OrbitviewError


def test_t_plus_counts_the_leap_second_of_2016():
    clock = Clock.from_utc("2016-12-31T23:59:00Z")
    assert clock.t_plus_s(parse_utc("2017-01-01T00:00:00Z")) == pytest.approx(61.0, abs=1e-6)
    assert clock.utc_iso([59.0, 60.0, 61.0]) == ["2016-12-31T23:59:59Z", "2016-12-31T23:59:60Z",
                                                 "2017-01-01T00:00:00Z"]
    assert clock.t_plus([0.0, 61.0])._leap_seconds().tolist() == [36.0, 37.0]   # TAI - UTC


def test_j2000_is_jd_2451545_tt():
    assert Clock.from_utc("2000-01-01T11:58:55.816Z").liftoff.tt == pytest.approx(2451545.0, abs=1e-9)


def test_a_known_julian_date_and_time_zones():
    liftoff = parse_utc("2018-11-16T18:14:08Z")
    tai_minus_utc_s = 37.0                                                # since 2017-01-01
    assert liftoff.tai - tai_minus_utc_s / 86400.0 == pytest.approx(2458439.259814815, abs=1e-9)  # 0.1 ms
    assert parse_utc("2018-11-16T21:14:08+03:00").tt == liftoff.tt        # Moscow time, UTC+3
    assert parse_utc("2018-11-16T18:14:08").tt == liftoff.tt              # no zone: UTC


def test_utc_iso_round_trips_over_a_day():
    clock = Clock.from_utc("2019-09-25T13:57:43Z")
    seconds = np.arange(-3600.0, 86400.0, 997.0)
    stamps = clock.utc_iso(seconds)
    back = np.array([clock.t_plus_s(parse_utc(s)) for s in stamps])
    assert np.abs(back - seconds).max() < 1e-6


@pytest.mark.parametrize("text", [
    "yesterday", "2018-13-01T00:00:00Z", "",
    None,
])
def test_unreadable_times_are_one_orbitview_error(text):
    with pytest.raises(OrbitviewError, match="expected ISO-8601 UTC"):
        parse_utc(text)
