"""What a frame shows, as data (render/describe.py, Frame.describe, render --json): against hand
geometry, the sightlines' own projection, and the published description of the Progress MS-10 video."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import orbitview as ov
from orbitview.cli import main
from orbitview.errors import OrbitviewError
from orbitview.render.describe import image_extent, limb, quadrant_shares
from scipy import ndimage

PUBLISHED_VIDEO_S = (7.0, 19.0, 34.0)     # booster separation, core separation, Progress separates


@pytest.fixture(scope="module")
def progress():
    return ov.load_scenario("progress-ms10")


@pytest.fixture(scope="module")
def described(progress):
    """The default Progress MS-10 frames (the scenario's camera and size) at the published moments."""
    return {v: progress.render_frame(video_s=v).describe() for v in PUBLISHED_VIDEO_S}


@pytest.mark.parametrize("tilt_deg", [0.0, 30.0, 60.0, 90.0])
def test_limb_tilt_of_a_straight_horizon(tilt_deg):
    """Ground below a straight line through the centre at a known angle: the fit gives that angle."""
    v, u = np.mgrid[0:300, 0:400] + 0.5
    t = math.radians(tilt_deg)
    below = (u - 200.0) * -math.sin(t) + (v - 150.0) * math.cos(t) > 0.0
    ground = np.where(below, 1000.0, np.inf).astype(np.float32)
    assert limb(ground)["tilt_deg"] == pytest.approx(tilt_deg, abs=0.5)


def test_no_limb_in_all_sky_or_all_ground():
    assert limb(np.full((40, 60), np.inf, dtype=np.float32)) == {"visible": False, "tilt_deg": None}
    assert limb(np.full((40, 60), 500.0, dtype=np.float32))["visible"] is False


def test_quadrant_shares_by_hand():
    u = np.array([10.0, 90.0, 10.0, 90.0, 90.0])
    v = np.array([10.0, 10.0, 70.0, 70.0, 79.0])
    shares = quadrant_shares(u, v, np.array([1.0, 2.0, 3.0, 2.0, 2.0]), 100, 80)
    assert shares == {"upper_left": 0.1, "upper_right": 0.2, "lower_left": 0.3, "lower_right": 0.4}
    assert set(quadrant_shares(u[:0], v[:0], u[:0], 100, 80).values()) == {0.0}


@pytest.mark.parametrize("length, angle_deg", [(1, 0.0), (9, 0.0), (25, 30.0), (40, 90.0)])
def test_extent_of_a_streak(length, angle_deg):
    """A streak of ``length`` one-pixel dots along a line on a dark field measures its length."""
    image = np.full((200, 200), 3, dtype=np.uint8)
    t = math.radians(angle_deg)
    for s in range(length):
        image[int(round(100 + s * math.sin(t))), int(round(60 + s * math.cos(t)))] = 200
    assert image_extent(image, (100, 60), 200) == pytest.approx(length, abs=1.0)


def test_a_faint_body_on_a_long_bright_band_has_no_extent():
    """A point at 90 on a diagonal band at 70 (an airglow layer behind a faint stage) over a 20
    background: its half-peak region is the band, 280 px long, not the point's image."""
    image = np.full((300, 300), 20, dtype=np.uint8)
    for s in range(-140, 141):
        image[150 + s, 150 + s - 2:150 + s + 3] = 70
    image[150, 150] = 90
    assert image_extent(image, (150, 150), 90) == 0.0
    image[150, 150] = 250                     # a bright point on the same band: its own image
    assert image_extent(image, (150, 150), 250) == 1.0


def test_a_crop_has_nothing_to_describe(progress):
    frame = progress.render_frame(t_plus_s=300.0, size=(64, 36))
    assert frame.describe()["t_plus_s"] == 300.0
    with pytest.raises(OrbitviewError, match="no layers"):
        frame[:10].describe()


def test_every_visible_body_sits_on_its_sightline(progress, described):
    """The renderer's projection (ITRS, the frame's inputs) against the sightlines' (GCRS, the
    station frame: what ``geometry --json`` prints) at the scenario's camera size."""
    for video_s, description in described.items():
        names = [b["name"] for b in description["bodies"]]
        assert "vehicle" in names
        t = progress.clock.t_plus(description["t_plus_s"])
        px = progress.sightline(t, names).camera_px
        for k, body in enumerate(description["bodies"]):
            assert np.hypot(*(np.array(body["px"]) - px[:, k])) < 1.0, (video_s, body["name"])


def test_the_published_moments_look_as_the_video_is_described(described):
    """The limb diagonal (15-60 deg), city lights lower left rather than upper right, stars upper
    right rather than lower left, and the rocket bright (reference notes: what a viewer sees)."""
    for video_s, d in described.items():
        assert d["limb"]["visible"] and 15.0 <= d["limb"]["tilt_deg"] <= 60.0, video_s
        lights, stars = d["quadrants"]["city_lights"], d["quadrants"]["stars"]
        assert lights["lower_left"] > lights["upper_right"], video_s
        assert stars["upper_right"] > stars["lower_left"], video_s
        vehicle = next(b for b in d["bodies"] if b["name"] == "vehicle")
        assert vehicle["peak"] >= 200, video_s


def test_core_separation_flash_is_saturated(described):
    """At video 19 s the staging flash (up to ninety times the third stage's flame) fills the full well."""
    core = next(b for b in described[19.0]["bodies"] if b["name"] == "core")
    assert core["saturated"] and core["peak"] == 255


def _body(frame_description: dict, name: str) -> dict:
    return next(b for b in frame_description["bodies"] if b["name"] == name)


def _ring_mean(frame, u: float, v: float, r0: float, r1: float) -> float:
    """Mean brightest-channel value of the pixels between ``r0`` and ``r1`` px of (u, v)."""
    image = np.asarray(frame).max(axis=2).astype(float)
    rows, cols = np.mgrid[0:image.shape[0], 0:image.shape[1]]
    d = np.hypot(cols + 0.5 - u, rows + 0.5 - v)
    return float(image[(d >= r0) & (d < r1)].mean())


@pytest.mark.parametrize("video_s", [7.0, 19.5])
def test_the_rocket_outshines_every_star_and_planet(progress, video_s):
    """Plainly visible without knowing where to look while its flame afterburns in the air (the
    strap-ons' separation at 45 km) and in the staging flash: the vehicle's image is at full well, at
    least 5 px long, and its full-well region is larger than any star's or planet's (every region in
    the sky, the Moon's disc at the frame's edge aside). Big cities may fill more of the full well,
    as they do in the station's night photographs at these settings (ISO 25,600, 0.4 s, f/2.8)."""
    frame = progress.render_frame(video_s=video_s)
    d = frame.describe()
    vehicle = _body(d, "vehicle")
    assert vehicle["saturated"] and vehicle["extent_px"] >= 5.0
    labels, count = ndimage.label(frame.layers.saturated)
    u, v = (int(x) for x in vehicle["px"])
    own = set(labels[v - 2:v + 3, u - 2:u + 3].ravel()) - {0}
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    on_ground = np.bincount(labels.ravel(), weights=np.isfinite(frame.layers.ground_km).ravel(), minlength=count + 1)
    if d["moon"]["in_frame"]:
        mu, mv = (int(x) for x in d["moon"]["px"])
        sizes[labels[mv, mu]] = 0                       # the Moon at the edge (test_framing)
    in_sky = [sizes[i] for i in range(1, count + 1) if i not in own and on_ground[i] == 0]
    assert max(sizes[i] for i in own) > max(in_sky, default=0)


def _saturated_near(frame, u: float, v: float, reach: int = 8) -> int:
    """Pixels at full well within ``reach`` px (a square) of (u, v)."""
    col, row = int(u), int(v)
    return int(frame.layers.saturated[row - reach:row + reach + 1, col - reach:col + reach + 1].sum())


def test_the_core_separation_flash_outshines_the_flame_before_it_and_dissolves(progress):
    """The "spectacular dissolving flash" of the descriptions. At T+287 s (video 19.0 s) it glows
    where its products are hot, within ~30 m of the parting stages (rocketlight.glow_radius_km):
    from the station a point, whose 3-18 MW join the third stage's 0.2 MW. What the camera records
    is its full well: three times the saturated pixels of the core's flame a moment before (0.7 MW
    at 170 km, in near vacuum: video 18.9 s), and none left 38 s in (video 21.5 s, 0.2 % of its
    first light), where the third stage's flame alone stays below full well."""
    sizes = {}
    for video_s in (18.9, 19.0, 21.5):
        frame = progress.render_frame(video_s=video_s)
        sizes[video_s] = _saturated_near(frame, *_body(frame.describe(), "vehicle")["px"])
    assert sizes[18.9] > 0 and sizes[19.0] >= 3 * sizes[18.9]
    assert sizes[21.5] == 0


@pytest.mark.parametrize("video_s", [25.0, 34.0])
def test_the_third_stage_burns_on_as_an_orange_point(progress, video_s):
    """After the flash, the descriptions' "burning" until Progress separates (video 34 s): the third
    stage's vacuum flame, 0.2 MW (magnitude +0.4 to +1.0 at 1,500-1,930 km), a point near full well
    in the flame's orange."""
    frame = progress.render_frame(video_s=video_s)
    u, v = (int(x) for x in _body(frame.describe(), "vehicle")["px"])
    r, g, b = np.asarray(frame)[v - 2:v + 3, u - 2:u + 3].reshape(-1, 3).astype(int).max(axis=0)
    assert r >= 200 and r > g > b


@pytest.mark.parametrize("video_s", [7.0, 19.0, 25.0, 34.0])
def test_the_rocket_is_well_inside_the_frame_and_the_brightest_body(progress, video_s):
    """Not in the frame's outer band (data/framing.toml: a tenth of the short side, 108 px at
    1080p) and the brightest of the launch's bodies in frame, the Moon not being one."""
    d = progress.render_frame(video_s=video_s).describe()
    vehicle = _body(d, "vehicle")
    u, v = vehicle["px"]
    w, h = progress.camera.width_px, progress.camera.height_px
    assert min(u, w - u, v, h - v) >= 0.10 * h
    assert vehicle["peak"] == max(b["peak"] for b in d["bodies"]) >= 200


def test_the_falling_core_glows_at_re_entry(progress):
    """Dark after the flash, the core glows once the air heats it (Techly: "at the 38-second mark
    ... the discarded rocket parts disintegrating in the atmosphere at re-entry"): at video 41 s
    its image stands well above its surroundings, as a short trail."""
    frame = progress.render_frame(video_s=41.0)
    core = _body(frame.describe(), "core")
    u, v = core["px"]
    assert core["peak"] - _ring_mean(frame, u, v, 8, 16) >= 40.0
    assert core["extent_px"] >= 3.0


def test_render_json_prints_each_stills_description(progress, tmp_path, capsys):
    out = tmp_path / "frame-{event}.png"
    code = main(["render", "progress-ms10", "--out", str(out), "--event", "core_separation,booster_separation",
                 "--size", "160x90", "--json"])
    stdout, stderr = capsys.readouterr()
    assert code == 0 and stderr.count("wrote ") == 2
    rows = json.loads(stdout)
    assert [r["file"] for r in rows] == [str(tmp_path / f"frame-{e}.png") for e in ("core_separation", "booster_separation")]
    again = progress.render_frame(t_plus_s=rows[0]["t_plus_s"], size=(160, 90)).describe()
    assert {k: v for k, v in rows[0].items() if k != "file"} == json.loads(json.dumps(again))


def test_render_json_refuses_a_video(tmp_path, capsys):
    code = main(["render", "progress-ms10", "--out", str(tmp_path / "a.mp4"), "--json"])
    assert code != 0 and "--json describes stills" in capsys.readouterr().err
