"""Manifests: every good launch is flown at its first opportunity after NET, bad ones are listed
one line each after the rows, and the exit status says some were bad."""
from __future__ import annotations

import json

from orbitview.cli import main
from orbitview.resources import bundled_names

GOOD = """
[[launch]]
name = "Progress MS-10"
site = "baikonur-1/5"
vehicle = "soyuz-fg"
net = "2018-11-16T18:00:00Z"     # the real liftoff was 18:14:08
rendezvous_h = 49.2              # docked 2018-11-18 ~19:28 UTC
"""
BAD = """
[[launch]]
name = "nowhere"
site = "cape-nowhere"
vehicle = "soyuz-fg"
net = "2018-11-17"

[[launch]]
name = "no such rocket"
site = "baikonur-31/6"
vehicle = "soyuz-99"
net = "2018-11-18"
"""


def test_manifest_runs_good_rows_and_lists_bad_ones(capsys, tmp_path):
    path = tmp_path / "next-month.toml"
    path.write_text(BAD + GOOD)
    code = main(["survey", "--manifest", str(path), "--elements", "iss-2018-11", "--json"])
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert code == 1
    (row,) = result["rows"]
    # on time for its two-day rendezvous: measured 41.6 s before the real liftoff
    assert row["name"] == "Progress MS-10" and row["liftoff_utc"].startswith("2018-11-16T18:13")
    assert row["lighting"] == "night" and row["visible_s"] > 500.0
    assert [f"orbitview: error: {b}" for b in result["bad_rows"]] == err.strip().splitlines()
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"orbitview: error: {path}: launch[0].site = 'cape-nowhere': expected a site of")
    assert lines[1] == (f"orbitview: error: {path}: launch[1].vehicle = 'soyuz-99': expected a bundled vehicle "
                        f"({', '.join(bundled_names('vehicle'))}) or a vehicle file")


def test_csv_manifest_and_a_target_the_file_lacks(capsys, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("name,site,vehicle,net,target\n"
                    "Progress MS-10,baikonur-1/5,soyuz-fg,2018-11-16T18:00:00Z,25544\n"
                    "Tiangong visit,baikonur-1/5,soyuz-fg,2018-11-16,48274\n")
    code = main(["survey", "--manifest", str(path), "--elements", "iss-2018-11"])
    out, err = capsys.readouterr()
    assert code == 1 and "Progress MS-10" in out
    assert err == (f"orbitview: error: {path}: row 3: target = 48274.0: expected a satellite of the element "
                   "file (25544)\n")


def test_a_rendezvous_before_liftoff_is_refused_in_its_row(capsys, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("name,site,vehicle,net,rendezvous_h\n"
                    "Soyuz MS-15,baikonur-1/5,soyuz-fg,2018-11-16T18:00:00Z,-6\n")
    assert main(["survey", "--manifest", str(path), "--elements", "iss-2018-11"]) == 1
    err = capsys.readouterr().err
    assert err == f"orbitview: error: {path}: row 2: rendezvous_h = -6.0: expected a number >= 0 and <= 744\n"
