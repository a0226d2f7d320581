"""The video-clock fit on its own: bounds, residuals, conflicts, bad anchors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orbitview.errors import OrbitviewError
from orbitview.videoclock import Anchor, VideoClock, fit_video_clock, parse_video_time

FPS = 25.0
ANCHORS = [Anchor("booster separation", 7.0, "b"), Anchor("core separation", 19.0, "c"),
           Anchor("core stage starts burning", parse_video_time("00:34:05", FPS), "h"),
           Anchor("Progress separation", parse_video_time("00:34:19", FPS), "s")]


def test_parse_video_time():
    assert parse_video_time("00:07", FPS) == 7.0
    assert parse_video_time("00:34:05", FPS) == pytest.approx(34.2)
    assert parse_video_time("01:02:24", FPS) == pytest.approx(62.96)
    for bad in ("34", "00:61", "00:34:25", "a:b"):
        with pytest.raises(OrbitviewError, match="video time"):
            parse_video_time(bad, FPS)


def test_consistent_anchors_are_reproduced_exactly_within_bounds():
    """Times generated from a known 12x clock come back with zero residual and 12x speeds."""
    truth = VideoClock(np.array([0.0, 90.0]), np.array([40.0, 40.0 + 12.0 * 90.0]))
    model = {a.event: float(truth.to_t_plus(a.video_s)) for a in ANCHORS}
    fit = fit_video_clock(ANCHORS, model, 90.0, 1080.0)
    assert all(abs(a["residual_s"]) < 1e-3 for a in fit.anchors)
    assert np.allclose(fit.clock.speeds, 12.0, atol=1e-3)
    assert fit.clock.t_plus_s[0] == pytest.approx(40.0, abs=0.05)
    assert fit.conflicts == []


def test_conflicting_anchors_are_named():
    model = {"b": 118.0, "c": 287.0, "h": 500.0, "s": 528.0}  # 28 s apart in 0.56 video s
    fit = fit_video_clock(ANCHORS, model, 90.0, 900.0)
    assert np.all((fit.clock.speeds >= 8.0 - 1e-9) & (fit.clock.speeds <= 16.0 + 1e-9))
    assert any("core stage starts burning -> Progress separation" in c and "50.0x" in c for c in fit.conflicts)
    out = fit.as_dict()
    assert set(out) >= {"segments", "anchors", "video_start_t_plus_s", "video_end_t_plus_s", "undetermined"}
    assert len(out["segments"]) == 5 and out["segments"][0]["video_start_s"] == 0.0


def test_one_inconsistent_anchor_is_set_aside_and_the_rest_are_met():
    """A moment the model puts after the next one is left out, named, and placed on the clock."""
    model = {"b": 118.0, "c": 287.0, "h": 566.6, "s": 530.3}
    fit = fit_video_clock(ANCHORS, model, 90.0, 900.0)
    used = {a["event"]: a for a in fit.anchors}
    assert [e for e, a in used.items() if not a["used"]] == ["h"]
    assert all(abs(a["residual_s"]) < 1.0 for e, a in used.items() if e != "h")
    assert used["h"]["residual_s"] > 3.0                   # the model's onset falls later in the video
    assert np.all((fit.clock.speeds >= 8.0 - 1e-9) & (fit.clock.speeds <= 16.0 + 1e-9))
    assert any(c.startswith("core stage starts burning set aside") for c in fit.conflicts)


def test_anchors_out_of_order_are_refused():
    swapped = [ANCHORS[1], ANCHORS[0]]
    with pytest.raises(OrbitviewError, match="strictly increasing"):
        fit_video_clock(swapped, {"b": 118.0, "c": 287.0}, 90.0, 900.0)


@given(st.lists(st.floats(8.0, 16.0), min_size=5, max_size=5), st.floats(-100.0, 100.0))
def test_inverse_maps_round_trip(speeds, start):
    knots = np.array([0.0, 7.0, 19.0, 34.2, 34.76, 90.0])
    clock = VideoClock(knots, start + np.concatenate([[0.0], np.cumsum(np.diff(knots) * speeds)]))
    video = np.linspace(-5.0, 95.0, 41)
    assert np.allclose(clock.to_video(clock.to_t_plus(video)), video, atol=1e-9)
