"""Element-set reading: every malformed input is one TLEError naming file, line and problem."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitview import tle
from orbitview.errors import DataError, EpochRangeError, OrbitviewError, TLEError, UnknownNameError
from orbitview.orbits import Observer
from orbitview.skydata import timescale
from orbitview.tle import StaleElementsWarning

NAME = "ISS (ZARYA)"
L1 = "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997"
L2 = "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"
GOOD = f"{NAME}\n{L1}\n{L2}\n"


def test_reads_three_line_and_two_line_sets():
    three = tle.parse(GOOD)
    two = tle.parse(f"{L1}\n{L2}\n")
    assert three[0].name == NAME and two[0].name == "#25544"
    assert three[0].elements == two[0].elements
    assert three[0].catalog == 25544
    assert three[0].epoch.utc_strftime("%Y-%m-%d %H:%M:%S") == "2018-11-11 10:40:04"


def test_bundled_archive_brackets_the_progress_launch(iss_2018, progress_clock):
    epochs = [s.epoch for s in iss_2018]
    assert len(epochs) == 2
    liftoff = progress_clock.liftoff
    assert (liftoff - epochs[0]) == pytest.approx(5.315, abs=0.01)
    assert (epochs[1] - liftoff) == pytest.approx(7.01, abs=0.01)


def test_blend_reports_the_spread_between_bracketing_sets(iss_2018, progress_clock):
    sel = iss_2018.select(progress_clock.liftoff, mode="blend")
    assert len(sel.sets) == 2 and sum(sel.weights) == pytest.approx(1.0)
    assert sel.weights[0] == pytest.approx(7.01 / 12.33, abs=0.01)  # nearer set weighs more
    assert 10.0 < sel.spread_km < 18.0  # the reference notes: about 14 km
    nearest = iss_2018.select(progress_clock.liftoff, mode="nearest")
    assert nearest.sets == (iss_2018.sets[0],) and nearest.spread_km is None


def test_stale_and_far_instants(iss_2019, progress_clock):
    one_year_earlier = progress_clock.liftoff  # 2018, ten months before the 2019 set
    with pytest.raises(EpochRangeError, match="days from the nearest element set"):
        iss_2019.select(one_year_earlier)
    epoch = iss_2019.sets[0].epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error", StaleElementsWarning)
        iss_2019.select(epoch + 2.0)  # two days: no warning
        with pytest.raises(StaleElementsWarning):
            iss_2019.select(epoch + 4.0)
    assert iss_2019.select(epoch + 40.0, max_age_days=60).epoch_distance_days == pytest.approx(40.0)


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("   \n\n", "empty"),
    (f"{NAME}\n{L2}\n{L1}\n", "line 2 without a line 1"),
    (f"{L1}\n", "not followed by its line 2"),
    (f"{NAME}\n{L1}\n", "not followed by its line 2"),
    (f"{NAME}\n", "not followed by an element set"),
    (f"{L1[:-1]}8\n{L2}\n", "checksum is 8"),
    (f"{L1[:-5]}\n{L2}\n", "has 63 characters: expected 69"),
    (f"{L1}\n{L2[:2]}25545{L2[7:-1]}8\n", "catalog number '25545' differs"),
    (f"{L1}\n{L2.replace('51.6420', '51,6420')}\n", "inclination"),
    (f"{NAME}\u00e9\n{L1}\n{L2}\n", "non-ASCII"),
])
def test_malformed_text_is_one_clear_error(text, message):
    with pytest.raises(TLEError, match=message) as info:
        tle.parse(text, source="bad.tle")
    assert str(info.value).startswith("bad.tle")


def test_errors_name_the_line(tmp_path):
    path = tmp_path / "two.tle"
    path.write_text(GOOD + f"{NAME}\n{L1}\n{L2[:-1]}0\n")
    with pytest.raises(TLEError) as info:
        tle.load(path)
    assert str(info.value).startswith(f"{path}:6: checksum")


def test_binary_and_missing_files(tmp_path):
    binary = tmp_path / "x.tle"
    binary.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(TLEError, match="binary"):
        tle.load(binary)
    latin = tmp_path / "y.tle"
    latin.write_bytes(GOOD.encode() + "\u00e9\n".encode("latin-1"))
    with pytest.raises(TLEError, match=r"y.tle:4: non-ASCII"):
        tle.load(latin)


def test_checksum_matches_published_lines():
    assert tle.checksum(L1) == 7 and tle.checksum(L2) == 7


@settings(max_examples=600, deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.characters(codec="utf-8", exclude_categories=["Cs"]))
def test_any_single_character_corruption_is_refused_or_harmless(position, char):
    """A corrupted set either raises TLEError or parses to the very same elements."""
    corrupted = GOOD[:position] + char + GOOD[position + 1:]
    try:
        sets = tle.parse(corrupted)
    except TLEError:
        return
    reference = tle.parse(GOOD)[0]
    assert len(sets) == 1
    assert sets[0].elements == reference.elements


def _restamped(line: str) -> str:
    """``line`` with its checksum column recomputed, so only the edited field is wrong."""
    return line[:68] + str(tle.checksum(line))


def _edit(line: str, first: int, text: str) -> str:
    return _restamped(line[:first - 1] + text + line[first - 1 + len(text):])


@pytest.mark.parametrize("line1, line2, lineno, field", [
    (_edit(L1, 21, "000.44449074"), L2, 1, "epoch day 000.44449074 .* expected 001 to 365 in 2018"),
    (_edit(L1, 21, "366.44449074"), L2, 1, "epoch day 366.44449074 .* expected 001 to 365 in 2018"),
    (_edit(L1, 19, "20367.00000000"), L2, 1, "epoch day 367.00000000 .* expected 001 to 366 in 2020"),
    (L1, _edit(L2, 9, "180.0001"), 2, "inclination 180.0001 deg .* at most 180"),
    (L1, _edit(L2, 18, "360.0000"), 2, "right ascension of the node 360.0000 deg .* below 360"),
    (L1, _edit(L2, 35, "400.0000"), 2, "argument of perigee 400.0000 deg"),
    (L1, _edit(L2, 44, "999.9999"), 2, "mean anomaly 999.9999 deg"),
    (L1, _edit(L2, 53, " 0.00000000"), 2, "mean motion 0.00000000 rev/day .* must be positive"),
    (L1, _edit(L2, 53, "-1.00000000"), 2, "mean motion '-1.00000000'"),
    (L1, _edit(L2, 27, "-000100"), 2, "eccentricity '-000100'"),
    (L1, _edit(L2, 26, "1.00000"), 2, r"eccentricity '\.00000"),
], ids=["day-000", "day-366", "day-367-leap", "inclination", "node", "perigee", "anomaly", "motion-zero",
        "motion-negative", "eccentricity-negative", "eccentricity-one"])
def test_tle_check_refuses_values_no_orbit_has(tmp_path, line1, line2, lineno, field):
    """One problem line per hostile set, naming file:line and the field (issue 11)."""
    path = tmp_path / "hostile.tle"
    path.write_text(f"{NAME}\n{line1}\n{line2}\n")
    sets, problems = tle.check(path)
    assert sets == [] and len(problems) == 1
    assert str(problems[0]).startswith(f"{path}:{lineno + 1}: ")
    assert re.search(field, str(problems[0]))


def test_a_leap_year_has_a_day_366():
    assert tle.parse(f"{_edit(L1, 19, '20366.50000000')}\n{L2}\n")[0].epoch.utc_strftime("%Y-%m-%d") == "2020-12-31"


def test_a_50_mb_line_is_not_echoed(tmp_path):
    huge = "A" * 50_000_000
    path = tmp_path / "huge.tle"
    path.write_text(f"{huge}\n{L1}\n{L2}\n{L1[:20]}{huge}\n{L2}\n")
    sets, problems = tle.check(path)
    assert len(sets) == 1 and sets[0].name == "#25544"  # the huge "name" is refused, not kept
    assert len(problems) == 2 and all(len(str(p)) < 300 for p in problems)
    assert "50,000,000 characters" in str(problems[0])
    assert str(problems[1]).endswith("huge.tle:4: line 1 has 50000020 characters: expected 69")


@pytest.mark.parametrize("line1, line2", [(L1.encode(), L2.encode()), (None, None), (1, 2)])
def test_observer_from_anything_but_text_is_one_tle_error(line1, line2):
    with pytest.raises(TLEError, match="expected text"):
        Observer.from_tle(line1, line2)
    with pytest.raises(TLEError, match="expected text"):
        tle.parse(GOOD.encode())


def test_empty_and_nan_instants(iss_2019):
    ts = timescale()
    observer = Observer(iss_2019)
    empty = observer.gcrs_state(ts.tt_jd(np.array([])))
    assert empty.position_km.shape == (3, 0) and empty.velocity_km_s.shape == (3, 0)
    epoch = iss_2019.sets[0].epoch.tt
    with pytest.raises(OrbitviewError, match="1 of 2 instants are not finite"):
        observer.gcrs_state(ts.tt_jd(np.array([epoch, np.nan])))
    with pytest.raises(OrbitviewError, match="expected a skyfield Time"):
        observer.gcrs_state(epoch)


def test_archive_select_refuses_with_orbitview_errors(iss_2018, progress_clock):
    t = progress_clock.liftoff
    with pytest.raises(DataError, match="mode = 'closest': expected 'nearest' or 'blend'"):
        iss_2018.select(t, mode="closest")
    with pytest.raises(OrbitviewError, match="one instant: got 2"):
        iss_2018.select(progress_clock.t_plus([0.0, 1.0]))
    with pytest.raises(OrbitviewError, match="not finite"):
        iss_2018.select(timescale().tt_jd(np.nan))
    with pytest.raises(UnknownNameError) as info:
        iss_2018.select(t, catalog=99999)
    message = str(info.value)
    assert "iss-2018-11" in message and "'99999'" in message and message.endswith("expected one of 25544")


def test_selection_uses_the_observers_weights(iss_2018, progress_clock):
    """One blend rule: the archive's chosen weights are those the observer applies."""
    t = progress_clock.liftoff
    sel = iss_2018.select(t)
    whole, fraction = tle.utc_jd(t)
    weights = tle.blend_weights(tle.epoch_jd(iss_2018.sets), whole + fraction, "blend")[:, 0]
    assert sel.weights == tuple(weights)
    # At an epoch exactly, that set alone: no blend, no spread.
    at_epoch = iss_2018.select(iss_2018.sets[1].epoch)
    assert at_epoch.sets == (iss_2018.sets[1],) and at_epoch.spread_km is None
