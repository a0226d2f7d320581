"""Element-set reading: every malformed input is one TLEError naming file, line and problem."""
from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orbitview import tle
from orbitview.errors import EpochRangeError, TLEError
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
