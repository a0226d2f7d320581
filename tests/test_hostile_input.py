"""Hostile input at the application edge (issue 11): whatever a careless or hostile user types into
the command line, a scenario file or the scene's Python API ends in success or in one line
``orbitview: error: ...`` with exit status 1 (argparse: 2), never a crash, a traceback or a file
left behind; a stop signal ends a render in one line with exit status 128 + signal.

The command line runs in-process through ``main()``; scenes are loaded once per name (a Scene
is immutable once loaded) so that each drawn case costs a tiny frame, not a flight.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from functools import lru_cache
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbitview import OrbitviewError, cli, load_scenario
from orbitview.checks import EXPOSURE_MAX
from orbitview.cli import main
from orbitview.scenario import MAX_SCENARIO_BYTES

ORBITVIEW = str(Path(sys.executable).with_name("orbitview"))
README = Path(__file__).parent.parent / "README.md"
BUNDLED = Path(cli.__file__).parent / "data" / "scenarios"
FAST = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- running the command line -------------------------------------------------------------------

def run(*argv: str) -> tuple[int, str, list[str]]:
    """(exit status, stdout, the lines of stderr that are not warnings or the progress bar)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:             # argparse's usage errors
            code = exc.code
    return code, out.getvalue(), _messages(err.getvalue())


def _messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if line.strip() and "\r" not in line and not line.startswith("orbitview: warning:")
            and not re.search(r"\d+%\|", line)]


def assert_clean(code: int, stderr: list[str], folder: Path | None = None) -> None:
    """Success, one error line with status 1, or argparse's usage error with status 2; no
    traceback; no temporary file left."""
    assert not any("Traceback" in line for line in stderr), stderr
    if code == 0:
        assert stderr == []
    elif code == 1:
        assert len(stderr) == 1 and stderr[0].startswith("orbitview: error: "), stderr
    else:
        assert code == 2 and stderr[-1].startswith("orbitview") and ": error: " in stderr[-1], (code, stderr)
    if folder is not None:
        assert not [p for p in folder.iterdir() if "partial" in p.name]


@pytest.fixture(scope="module", autouse=True)
def scenes_loaded_once():
    """``main()`` loads each bundled scenario once: the drawn cases test options, not flights."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "load_scenario", lru_cache(maxsize=None)(load_scenario))
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def fresh(folder: Path, suffix: str) -> str:
    return str(folder / f"{uuid.uuid4().hex[:8]}{suffix}")


# --- values to draw ----------------------------------------------------------------------------

FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
SPECIAL = st.sampled_from(["nan", "-nan", "inf", "-inf", "1e309", "-0", "0", "1e-320", "", " ", "0x10", "1_0"])
NUMBER_TEXT = st.one_of(FLOATS.map(repr), SPECIAL, st.integers(-10**6, 10**6).map(str), st.text(max_size=12))


@FAST
@given(value=NUMBER_TEXT)
def test_t_plus_for_a_still(folder, value):
    code, _, err = run("render", "soyuz-ms15", "--out", fresh(folder, ".png"), "--size", "32x18", f"--t-plus={value}")
    assert_clean(code, err, folder)


@FAST
@given(values=st.lists(NUMBER_TEXT, max_size=4))
def test_t_plus_for_geometry(values):
    code, out, err = run("geometry", "soyuz-ms15", f"--t-plus={','.join(values)}", "--json")
    assert_clean(code, err)


@FAST
@given(value=NUMBER_TEXT)
def test_video_s(folder, value):
    code, _, err = run("render", "progress-ms10", "--out", fresh(folder, ".png"), "--size", "32x18",
                       f"--video-s={value}")
    assert_clean(code, err, folder)


SIDES = st.one_of(st.integers(-2, 200), st.sampled_from([99999, 10**30]))
SIZES = st.one_of(st.builds(lambda w, h: f"{w}x{h}", SIDES, SIDES), st.text(max_size=12), SPECIAL)


@FAST
@given(value=SIZES)
def test_size(folder, value):
    code, _, err = run("render", "soyuz-ms15", "--out", fresh(folder, ".png"), "--t-plus", "100", f"--size={value}")
    assert_clean(code, err, folder)


@FAST
@given(value=NUMBER_TEXT)
def test_fps(folder, value):
    # one second of T+ at 10x: at most a dozen frames
    code, _, err = run("render", "soyuz-ms15", "--out", fresh(folder, ".mp4"), "--size", "32x18",
                       "--video-range", "100:101", f"--fps={value}")
    assert_clean(code, err, folder)


@FAST
@given(value=NUMBER_TEXT)
def test_exposure(folder, value):
    code, _, err = run("render", "soyuz-ms15", "--out", fresh(folder, ".png"), "--size", "32x18", "--t-plus", "100",
                       f"--exposure={value}")
    assert_clean(code, err, folder)


@FAST
@given(start=NUMBER_TEXT, end=NUMBER_TEXT)
def test_video_range(folder, start, end):
    code, _, err = run("render", "progress-ms10", "--out", fresh(folder, ".mp4"), "--size", "32x18", "--fps", "1",
                       f"--video-range={start}:{end}")
    assert_clean(code, err, folder)


EVENTS = ["liftoff", "core_separation", "fairing_separation", "no_such_event"]


@FAST
@given(value=st.one_of(st.text(max_size=30), st.lists(st.sampled_from(EVENTS + ["", " "]), max_size=3).map(",".join)))
def test_event(folder, value):
    code, _, err = run("render", "soyuz-ms15", "--out", str(folder / f"{uuid.uuid4().hex[:8]}-{{event}}.png"),
                       "--size", "32x18", f"--event={value}")
    assert_clean(code, err, folder)


# --- scenario files ------------------------------------------------------------------------------

def readme_example() -> str:
    """The README's example scenario, with a small camera (the drawn cases render frames)."""
    section = README.read_text(encoding="utf-8").split("## Writing a scenario", 1)[1]
    text = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    return text.replace("width_px = 1280", "width_px = 64").replace("height_px = 1280", "height_px = 64")


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)       # repr: 1e+300, inf, -inf, 5e-324
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return repr(value)


def with_field(text: str, table: str | None, key: str, value) -> str:
    """``text`` with ``key`` (unique in the file) set to ``value``, added under ``[table]`` if absent."""
    line = f"{key} = {toml_value(value)}"
    pattern = re.compile(rf"(?m)^{re.escape(key)} = .*$")
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    if table is None:
        return f"{line}\n{text}"
    header = f"[{table}]\n"
    return text.replace(header, header + line + "\n", 1) if header in text else f"{text}\n{header}{line}\n"


# Plausible numbers as often as hostile ones, so that many drawn scenarios fly and render.
ANY_VALUE = st.one_of(st.floats(-100.0, 1e5), st.integers(0, 3000), FLOATS, st.integers(-10**20, 10**20),
                      st.text(max_size=20), st.booleans())
SCENARIO_FIELDS = [
    (None, "end_t_plus_s"), (None, "payload_kg"), ("target", "perigee_alt_km"), ("target", "apogee_alt_km"),
    ("camera", "width_px"), ("camera", "height_px"), ("camera", "fov_deg"), ("camera", "roll_deg"),
    ("camera", "model"), ("camera.pointing", "azimuth_deg"), ("camera.pointing", "elevation_deg"),
    ("attitude", "mode"), ("attitude", "yaw_deg"), ("attitude", "pitch_deg"), ("attitude", "roll_deg"),
    ("render", "exposure"), ("render", "fps"), ("render", "size"), ("render", "window_frame"),
]


@settings(FAST, max_examples=40)
@given(field=st.sampled_from(SCENARIO_FIELDS), value=ANY_VALUE)
def test_scenario_fields(folder, field, value):
    path = Path(fresh(folder, ".toml"))
    path.write_text(with_field(readme_example(), *field, value), encoding="utf-8")
    out = fresh(folder, ".png")
    code, _, err = run("render", str(path), "--out", out, "--t-plus", "300")
    assert_clean(code, err, folder)


def progress_ms10() -> str:
    return (BUNDLED / "progress-ms10.toml").read_text(encoding="utf-8")


VIDEO_FIELDS = ["duration_s", "frame_rate_fps", "speed_min", "speed_max", "span_s", "at", "event"]


@settings(FAST, max_examples=25)
@given(key=st.sampled_from(VIDEO_FIELDS), value=ANY_VALUE)
def test_video_fields(folder, key, value):
    path = Path(fresh(folder, ".toml"))
    path.write_text(with_field(progress_ms10(), "video", key, value), encoding="utf-8")
    code, _, err = run("fit-video", str(path))
    assert_clean(code, err)


# --- one test per class of issue 11 ---------------------------------------------------------------

@pytest.mark.parametrize("args, status, message", [
    (["--t-plus", "nan"], 1, "t_plus_s = nan: expected a finite number"),
    (["--t-plus", "inf"], 1, "t_plus_s = inf: expected a finite number"),
    (["--video-s", "nan"], 1, "video_s = nan"),
    (["--video-s", "-100"], 1, "video_s = -100: expected 0 to 90 video seconds"),
    (["--t-plus", "287", "--exposure", "0"], 1, "exposure = 0: expected a gain from 1e-06 to 1e+10"),
    (["--t-plus", "287", "--exposure=-1"], 1, "exposure = -1"),
    (["--t-plus", "287", "--exposure", "nan"], 1, "exposure = nan"),
    (["--t-plus", "287", "--exposure", "inf"], 1, "exposure = inf"),
    (["--t-plus", "287", "--exposure", "1e300"], 1, "exposure = 1e+300"),
    (["--t-plus", "287", "--size", "99999x99999"], 1, "image size 99999x99999: expected at most 7680 px a side"),
    (["--t-plus", "287", "--size", "0x0"], 2, "expected WIDTHxHEIGHT in whole pixels > 0"),
    (["--event", ""], 2, "expected event names separated by commas"),
    (["--event", "liftoff,liftoff"], 2, "liftoff named more than once"),
    (["--t-plus", "287", "--fps", "10"], 1, "--fps and --video-range are for a video"),
])
def test_bad_render_options_are_one_line_and_write_nothing(tmp_path, args, status, message):
    code, _, err = run("render", "progress-ms10", "--out", str(tmp_path / "f-{event}.png"), "--size", "32x18", *args)
    assert code == status and message in err[-1]
    assert_clean(code, err, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fps", ["0", "-5", "nan", "inf", "121"])
def test_a_video_at_a_frame_rate_out_of_range_is_refused(tmp_path, fps):
    code, _, err = run("render", "soyuz-ms15", "--out", str(tmp_path / "v.mp4"), "--size", "32x18",
                       "--video-range", "100:101", f"--fps={fps}")
    assert code == 1 and err == [f"orbitview: error: video fps = {float(fps)!r}: expected 1 to 120"]
    assert list(tmp_path.iterdir()) == []


def test_an_empty_t_plus_is_a_usage_error():
    code, _, err = run("geometry", "progress-ms10", "--t-plus", "")
    assert code == 2 and "expected seconds separated by commas" in err[-1]


@pytest.mark.parametrize("call, message", [
    (lambda scn: scn.render_frame(t_plus_s=100, size=(64,)), "size = (64,): expected (width, height)"),
    (lambda scn: scn.render_frame(t_plus_s=float("nan"), size=(32, 18)), "t_plus_s = nan: expected a finite"),
    (lambda scn: scn.render_frame(t_plus_s="100", size=(32, 18)), "t_plus_s = '100': expected a finite"),
    (lambda scn: scn.render_frame(t_plus_s=100, size=(32, 18), exposure=float("nan")), "exposure = nan"),
    (lambda scn: scn.render_frame(t_plus_s=100, size=(0, 18)), "camera width_px = 0"),
    (lambda scn: scn.render_frame(t_plus_s=100, size=(99999, 99999)), "image size 99999x99999"),
    (lambda scn: scn.times([0.0, float("nan")]), "T+ nan s is outside the scene"),
])
def test_the_python_api_refuses_what_the_cli_refuses(call, message):
    with pytest.raises(OrbitviewError, match=re.escape(message)) as info:
        call(load_scenario("soyuz-ms15"))
    assert "\n" not in str(info.value)


def test_the_api_and_the_cli_say_the_same(tmp_path):
    with pytest.raises(OrbitviewError) as info:
        load_scenario("soyuz-ms15").render_frame(t_plus_s=100, size=(32, 18), exposure=float("inf"))
    _, _, err = run("render", "soyuz-ms15", "--out", str(tmp_path / "f.png"), "--t-plus", "100", "--exposure", "inf")
    assert err == [f"orbitview: error: {info.value}"]


def test_a_video_with_a_bad_option_starts_no_encoder(tmp_path):
    scn = load_scenario("soyuz-ms15")
    for options in ({"exposure": float("nan")}, {"video_range": (1.0,)}, {"size": (33, 18)}):
        with pytest.raises(OrbitviewError):
            scn.render_video(tmp_path / "v.mp4", **{"size": (32, 18), **options}, progress=False)
    assert list(tmp_path.iterdir()) == []


def edited(tmp_path: Path, source: str, *replacements: tuple[str, str]) -> Path:
    text = source
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "edited.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("replacements, message", [
    ([('event = "core_separation"', 'event = "nope"')],
     "video.anchors[1].event = 'nope': expected an event flown by end_t_plus_s = 1200 s"),
    ([('kind = "fixed"\nazimuth_deg = 212.0\nelevation_deg = -20.0', 'kind = "track"\nbody = "nope"')],
     "camera.pointing.body = 'nope': expected a body of the flight"),
    ([('elements = "iss-2018-11"', 'elements = "missing.tle"')],
     "observer.elements = 'missing.tle': expected an element file path or a bundled name"),
    ([("catalog = 25544", "catalog = 12345")], "observer.catalog = 12345: expected a catalog number of iss-2018-11.tle"),
    ([("end_t_plus_s = 1200.0", "end_t_plus_s = 100.0")],
     "video.anchors[0].event = 'booster_separation': expected an event flown by end_t_plus_s = 100 s"),
    ([('vehicle = "soyuz-fg"', 'vehicle = "' + "x" * 5000 + '"')], "vehicle = 'xxxx"),
    ([("width_px = 1920", "width_px = 200000")],
     "camera.width_px = [200000, 1080]: expected an image the renderer can hold: at most 7680 px a side"),
    ([("[observer]", "[render]\nexposure = 1e300\n\n[observer]")],
     f"render.exposure = 1e+300: expected a number >= 1e-06 and <= {EXPOSURE_MAX:g}"),
])
def test_a_scenario_names_file_and_field(tmp_path, replacements, message):
    path = edited(tmp_path, progress_ms10(), *replacements)
    code, _, err = run("events", str(path))
    assert code == 1 and err == [err[0]] and err[0].startswith(f"orbitview: error: {path}: ")
    assert message in err[0] and len(err[0]) < 1000


def test_a_huge_scenario_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "huge.toml"
    junk = "".join(f"unknown_key_{i} = {i}\n" for i in range(MAX_SCENARIO_BYTES // 20))
    path.write_text(junk + progress_ms10(), encoding="utf-8")
    code, _, err = run("events", str(path))
    assert code == 1 and err == [f"orbitview: error: {path}: file = '{path.stat().st_size:,} bytes': "
                                 f"expected a scenario file of at most {MAX_SCENARIO_BYTES:,} bytes"]


def test_a_huge_unknown_key_is_cut_in_the_message(tmp_path):
    path = edited(tmp_path, progress_ms10(), ('name = "progress-ms10"', f'"{"k" * 500_000}" = 1\nname = "x"'))
    code, _, err = run("events", str(path))
    assert code == 1 and len(err) == 1 and len(err[0]) <= cli.MAX_ERROR_CHARS + 100


# --- the process: signals, pipes, full devices ----------------------------------------------------

def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_video_leaves_nothing_and_says_so(tmp_path, sig):
    out = tmp_path / "launch.mp4"
    # T-3000 to T+900 at 10x and 30 frames/s: 11,700 frames, far more than the seconds it runs
    proc = subprocess.Popen([ORBITVIEW, "render", "soyuz-ms15", "--out", str(out), "--size", "32x18",
                             "--video-range=-3000:900"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("*partial*")) or not _children(proc.pid):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the video never started"
            time.sleep(0.1)
        time.sleep(0.5)                                 # some frames into the encoder
        encoders = _children(proc.pid)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig
    assert _messages(stderr) == [f"orbitview: interrupted by {signal.Signals(sig).name}"]
    assert list(tmp_path.iterdir()) == []
    assert not [p for p in encoders if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _bad_tle(tmp_path: Path) -> Path:
    good = (Path(cli.__file__).parent.parent / "tle" / "iss-2018-11.tle").read_text()
    path = tmp_path / "bad.tle"
    path.write_text(good + "ISS\n1 25544U broken line\n", encoding="utf-8")
    return path


def test_a_closed_pipe_keeps_the_exit_status(tmp_path):
    """``orbitview tle check BAD.tle | head -1``: the reader is gone, the file still has errors."""
    for target, status in ((_bad_tle(tmp_path), 1), ("iss-2018-11", 0)):
        read_end, write_end = os.pipe()
        os.close(read_end)                              # the reader left before the first line
        try:
            proc = subprocess.run([ORBITVIEW, "tle", "check", str(target)], stdout=write_end,
                                  stderr=subprocess.PIPE, text=True, timeout=60)
        finally:
            os.close(write_end)
        assert proc.returncode == status, proc.stderr
        assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
        assert all(line.startswith("orbitview: error: ") for line in proc.stderr.splitlines())


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_device_is_one_line():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([ORBITVIEW, "scenarios"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 1
    assert _messages(proc.stderr) == ["orbitview: error: cannot write to standard output: No space left on device"]
