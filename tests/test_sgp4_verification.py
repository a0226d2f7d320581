"""The published SGP4 verification set through orbitview's own path, against the published output.

Source: Vallado, Crawford, Hujsak and Kelso, "Revisiting Spacetrack Report #3", AIAA 2006-6753
(Rev 2), appendix: the 33 element sets of ``SGP4-VER.TLE`` (each with its start, stop and step in
minutes after column 69) and ``tcppver.out``, the reference C++ code's TEME positions (km, 8
decimals) and velocities (km/s, 9 decimals). Both files ship inside the ``sgp4`` wheel; the
tolerance, 2e-7 in the printed units, is the one python-sgp4's own test uses for these files.

Seven sets are there to make SGP4 fail (decay, eccentricity out of range...): published are the
lines before the failure, and the error codes python-sgp4's test lists, in file order
(1, 1, 6, 6, 4, 3, 6). Three lines of the published file carry wrong checksums (their cases
were added by hand): those three checksums are re-stamped here, nothing else is changed.
"""
from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from skyfield.sgp4lib import TEME

from orbitview import tle
from orbitview.errors import PropagationError, TLEError
from orbitview.orbits import Observer
from orbitview.skydata import timescale
from orbitview.tle import ElementSet

TOLERANCE = 2e-7                     # km and km/s, python-sgp4's tolerance for tcppver.out
FAILING = [(22312, 1), (28350, 1), (28872, 6), (29141, 6), (33333, 4), (33334, 3), (20413, 6)]
AT_EPOCH = 33334     # fails at minute 0: its one published line repeats the previous case's data


def _restamp(line: str) -> str:
    return line[:68] + str(tle.checksum(line))


def _cases() -> list[tuple[ElementSet | None, int, tuple[float, float, float], np.ndarray]]:
    """(element set or None for ``AT_EPOCH``, catalog, (start, stop, step) minutes, published rows
    [tsince, r, v]) in file order."""
    lines = (files("sgp4") / "SGP4-VER.TLE").read_text().splitlines()
    published: list[tuple[int, list[list[float]]]] = []
    for row in (files("sgp4") / "tcppver.out").read_text().splitlines():
        if row.endswith("xx"):
            published.append((int(row.split()[0]), []))
        elif row.strip():
            published[-1][1].append([float(x) for x in row.split()[:7]])
    cases = []
    for lineno, line1 in enumerate(lines, start=1):
        if line1.startswith("1 "):
            line2 = lines[lineno]
            elements = tle.parse_lines(_restamp(line1[:69]), _restamp(line2[:69]), source="SGP4-VER.TLE",
                                       lineno=lineno) if not line2.startswith(f"2 {AT_EPOCH}") else None
            catalog, rows = published[len(cases)]
            schedule = tuple(float(x) for x in line2[69:].split())
            cases.append((elements, catalog, schedule, np.array(rows)))
    return cases


CASES = _cases()
PROPAGATED = [c for c in CASES if c[0] is not None]


def _jd(elements: ElementSet, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Epoch plus minutes, split as python-sgp4's test does (whole days to the first part)."""
    whole, fraction = np.divmod(minutes / 1440.0, 1.0)
    return elements.satrec.jdsatepoch + whole, elements.satrec.jdsatepochF + fraction


def _next_minute(schedule: tuple[float, float, float], last: float) -> float:
    """The instant the reference driver would have printed after ``last`` (start, stop, step)."""
    start, stop, step = schedule
    return start if last == 0.0 and start != 0.0 else min(last + step, stop)


def test_the_file_holds_the_published_cases():
    assert len(CASES) == 33 and sum(len(rows) for *_, rows in CASES) == 700 - 33
    assert [c[1] for c in CASES if c[0] is None] == [AT_EPOCH]


@pytest.mark.parametrize("case", PROPAGATED, ids=lambda c: str(c[1]))
def test_positions_and_velocities_match_tcppver(case):
    elements, catalog, schedule, rows = case
    assert elements.catalog == catalog
    whole, fraction = _jd(elements, rows[:, 0])
    r, v = elements.teme_km(whole, fraction)
    assert np.abs(r.T - rows[:, 1:4]).max() < TOLERANCE
    assert np.abs(v.T - rows[:, 4:7]).max() < TOLERANCE


@pytest.mark.parametrize("catalog, code", [f for f in FAILING if f[0] != AT_EPOCH], ids=str)
def test_sets_that_fail_raise_propagation_error_at_the_published_instant(catalog, code):
    """The published output stops at the failure; orbitview refuses the next instant, and only it."""
    elements, _, schedule, rows = [c for c in PROPAGATED if c[1] == catalog][-1]   # 20413's second case
    minutes = np.append(rows[:, 0], _next_minute(schedule, rows[-1, 0]))
    with pytest.raises(PropagationError) as info:
        elements.teme_km(*_jd(elements, minutes))
    error = info.value
    assert error.code == code and error.message in str(error)
    assert error.failed.tolist() == [False] * len(rows) + [True]
    assert str(error).startswith(f"#{catalog} (SGP4-VER.TLE:")


def test_a_set_that_fails_at_its_epoch_is_refused_when_read():
    """33334 (mean motion 0.00001 rev/day): SGP4 fails already at the epoch, error 3."""
    lines = (files("sgp4") / "SGP4-VER.TLE").read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(f"1 {AT_EPOCH}"))
    with pytest.raises(TLEError, match=r"SGP4-VER.TLE:\d+: SGP4 cannot propagate this set even at its "
                                       r"epoch \(error 3: perturbed eccentricity"):
        tle.parse_lines(_restamp(lines[i][:69]), _restamp(lines[i + 1][:69]), source="SGP4-VER.TLE", lineno=i + 1)


def test_the_observer_path_rotates_the_published_teme_states():
    """00005 through ``Observer.gcrs_state`` (blend, frames' hourly grid), rotated back to TEME with
    skyfield's own per-instant TEME frame: the published numbers within 1 mm and 1 um/s."""
    elements, _, _, rows = CASES[0]
    observer = Observer.from_tle(elements.line1, elements.line2)
    ts = timescale()
    jd_whole, jd_fraction = _jd(elements, rows[:, 0])
    leap_s = ts.tai_jd(jd_whole, jd_fraction)._leap_seconds()      # 32 s all through 2000
    t = ts.tai_jd(jd_whole, jd_fraction + leap_s / 86400.0)           # UTC Julian dates, as SGP4's
    r, v = observer.gcrs_state(t)
    to_teme = TEME.rotation_at(t)
    r_teme = np.einsum("ij...,j...->i...", to_teme, r)
    v_teme = np.einsum("ij...,j...->i...", to_teme, v)
    assert np.abs(r_teme.T - rows[:, 1:4]).max() < 1e-6
    assert np.abs(v_teme.T - rows[:, 4:7]).max() < 1e-9
