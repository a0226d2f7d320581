"""The command line: exit codes, one-line errors, JSON shape (run in-process through main())."""
from __future__ import annotations

import json

import pytest

from orbitview.cli import main
from orbitview.scene import scenario_names

L1 = "1 25544U 98067A   18315.44449074  .00003271  00000-0  56997-4 0  9997"
L2 = "2 25544  51.6420   4.8937 0005168  36.0917 153.8179 15.53950133141417"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tle_check_good_file(capsys):
    code, out, err = run(capsys, "tle", "check", "iss-2018-11")
    assert code == 0 and err == ""
    assert "2 valid element sets, 0 problems" in out
    assert "epoch 2018-11-11 10:40:04 UTC" in out and "i=51.6406 deg" in out


def test_tle_check_reports_every_problem_one_line_each(capsys, tmp_path):
    bad = tmp_path / "bad.tle"
    bad.write_text(f"ISS\n{L1[:-1]}8\n{L2}\nfoo\nbar\n{L2}\n")
    code, out, err = run(capsys, "tle", "check", str(bad))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in err
    assert lines[0] == f"orbitview: error: {bad}:2: checksum is 8: the line sums to 7"
    assert ":4: name line 'foo'" in lines[1] and ":6: line 2 without a line 1" in lines[2]


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe binary", "ISS \u00e9\n".encode()])
def test_tle_check_empty_binary_non_ascii(capsys, tmp_path, content):
    path = tmp_path / "x.tle"
    path.write_bytes(content)
    code, _, err = run(capsys, "tle", "check", str(path))
    assert code == 1 and err.count("\n") == 1 and str(path) in err


def test_unknown_names_are_one_line(capsys):
    code, _, err = run(capsys, "geometry", "no-such-launch", "--t-plus", "0")
    assert code == 1
    assert err == ("orbitview: error: unknown scenario file or bundled name 'no-such-launch': "
                   f"expected one of {', '.join(scenario_names())}\n")


def test_scenarios_json(capsys):
    code, out, _ = run(capsys, "scenarios", "--json")
    names = [s["name"] for s in json.loads(out)]
    assert code == 0 and names == scenario_names() == sorted(names)
    assert {"crew-dragon-demo2", "progress-ms10", "soyuz-ms15"} <= set(names)


def test_bad_t_plus_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["geometry", "progress-ms10", "--t-plus", "zero"])
    assert info.value.code == 2
    assert "expected seconds separated by commas" in capsys.readouterr().err


def test_export_writes_oem_and_czml_and_never_overwrites(tmp_path, capsys):
    oem, czml = tmp_path / "launch.oem", tmp_path / "launch.czml"
    assert main(["export", "progress-ms10", "--oem", str(oem), "--czml", str(czml)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert "launch.ISS.oem" in written and "launch.core.oem" in written and "launch.czml" in written
    assert (tmp_path / "launch.core.oem").read_text().startswith("CCSDS_OEM_VERS = 2.0")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    capsys.readouterr()
    assert main(["export", "progress-ms10", "--oem", str(tmp_path / "other.oem"), "--czml", str(czml)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if "warning" not in line]
    assert len(err) == 1 and "launch.czml exists" in err[0]
    assert {p: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before      # nothing new, nothing touched


def test_fit_video_says_what_is_in_view_and_when_the_sky_changes(capsys):
    """The video-clock report lists, at each published moment, what shines in view (the core does
    not yet at 00:34:05) and the sky's own events on the video clock (the Moon sets at video ~38.6 s,
    inside the 90 s video)."""
    assert main(["fit-video", "progress-ms10", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [m["anchor"] for m in report["moments"]] == [a["name"] for a in report["anchors"]]
    burning = next(m for m in report["moments"] if m["event"] == "core_stage_heating")
    assert not any(b["name"] == "core" and b["heat_flux_w_m2"] > 34e3 for b in burning["bodies"])
    moonset = next(e for e in report["sky_events"] if e["name"] == "moonset")
    assert 0.0 < moonset["video_s"] < 90.0
