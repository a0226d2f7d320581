"""Scenario files as users write them: the README's example runs; bad ones fail in one clear line."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from orbitview import shots
from orbitview.cli import main
from orbitview import load_scenario

README = Path(__file__).parent.parent / "README.md"


def readme_example() -> str:
    """The TOML block of the README's "Writing a scenario" section, verbatim."""
    section = README.read_text(encoding="utf-8").split("## Writing a scenario", 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


@pytest.fixture()
def example(tmp_path) -> Path:
    path = tmp_path / "my-launch.toml"
    path.write_text(readme_example(), encoding="utf-8")
    return path


def test_the_documented_example_scenario_runs(example, capsys):
    assert main(["events", str(example), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in rows]
    assert names[0] == "liftoff" and "spacecraft_separation" in names
    scn = load_scenario(example)
    assert scn.spec.site.key == "baikonur-31/6" and scn.camera.model == "fisheye"
    assert abs(scn.ascent.insertion.plane_error_deg) < 0.1
    frame = shots.frame_at(scn, 300.0, size=(96, 96))
    assert frame.shape == (96, 96, 3) and frame.max() > 0


@pytest.mark.parametrize("edit, field", [
    (lambda t: re.sub(r"(?m)^liftoff_utc.*\n", "", t), "liftoff_utc"),            # missing
    (lambda t: t.replace("payload_kg = 7200.0", 'payload_kg = "heavy"'), "payload_kg"),  # mistyped value
    (lambda t: t.replace("end_t_plus_s", "end_t_plus_sec"), "end_t_plus_sec"),     # misspelt key
    (lambda t: t.replace('"soyuz-fg"', '"soyuz-x"'), "vehicle"),                  # unknown vehicle
    (lambda t: t.replace('"baikonur-31/6"', '"baikonur-99"'), "site"),            # unknown site
    (lambda t: t.replace("2019-09-25T13:57:42.7Z", "yesterday"), "liftoff_utc"),
    (lambda t: t.replace("2019-09-25T13:57:42.7Z", "2060-01-01T00:00:00Z"), "liftoff_utc"),  # beyond DE421
    (lambda t: t.replace("fov_deg = 180.0", "fov_deg = 400.0"), "camera.fov_deg"),  # impossible field of view
    (lambda t: t.replace('kind = "fixed"', 'kind = "wobble"'), "camera.pointing.kind"),
    (lambda t: t.replace("rendezvous_h = 5.75", "rendezvous_h = -6.0"), "target.rendezvous_h"),  # before liftoff
])
def test_a_bad_scenario_is_one_line_naming_file_and_field(example, capsys, edit, field):
    example.write_text(edit(example.read_text()), encoding="utf-8")
    assert main(["events", str(example)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if "warning" not in line]
    assert len(err) == 1
    assert err[0].startswith(f"orbitview: error: {example}: {field}")


def test_anchors_out_of_order_are_refused(tmp_path, capsys):
    bundled = Path(load_scenario("progress-ms10").spec.path).read_text(encoding="utf-8")
    path = tmp_path / "reordered.toml"
    path.write_text(bundled.replace('"00:34:05"', '"00:35:05"'), encoding="utf-8")
    assert main(["fit-video", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "video.anchors" in err and "increasing video time" in err


def test_render_refuses_bad_requests_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "frame.png"
    for args in (["--t-plus", "100", "--video-s", "5"],         # two instants
                 ["--event", "no_such_event"],
                 ["--t-plus", "99999"]):                         # outside the scene
        assert main(["render", "progress-ms10", "--out", str(out), *args]) == 1
    assert main(["render", "progress-ms10", "--out", str(tmp_path / "x.gif"), "--t-plus", "100"]) == 1
    assert main(["render", "progress-ms10", "--out", str(tmp_path / "x.mp4"), "--fps", "1000"]) == 1
    assert list(tmp_path.iterdir()) == []
    errors = [line for line in capsys.readouterr().err.splitlines() if "warning" not in line]
    assert len(errors) == 5 and all(e.startswith("orbitview: error: ") for e in errors)


def test_render_cli_writes_stills_at_events_and_never_overwrites(tmp_path, capsys):
    pattern = str(tmp_path / "f-{event}.png")
    assert main(["render", "soyuz-ms15", "--out", pattern, "--event", "liftoff,core_separation",
                 "--size", "64x48"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f-core_separation.png", "f-liftoff.png"]
    before = (tmp_path / "f-liftoff.png").read_bytes()
    assert main(["render", "soyuz-ms15", "--out", pattern, "--event", "liftoff,core_separation",
                 "--size", "64x48"]) == 1
    assert (tmp_path / "f-liftoff.png").read_bytes() == before
    assert "--force" in capsys.readouterr().err


def test_render_cli_video_follows_the_video_clock(tmp_path):
    import imageio_ffmpeg

    out = tmp_path / "clip.mp4"
    assert main(["render", "progress-ms10", "--out", str(out), "--size", "96x54", "--fps", "10",
                 "--video-range", "6:7"]) == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert meta["size"] == (96, 54) and sum(1 for _ in reader) == 10
    scn = load_scenario("progress-ms10")
    t = shots.video_t_plus_s(scn, 10.0, (6.0, 7.0))
    assert np.allclose(scn.video_s(t), np.arange(6.0, 7.0, 0.1))
