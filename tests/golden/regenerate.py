"""Regenerate the golden outputs that tests/test_golden.py compares against.

Run only when the physics or the picture is meant to change (and say so in the commit):
    .venv/bin/python tests/golden/regenerate.py
A refactor must leave these files untouched: the frames, the event and geometry JSON.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).parent
SIZE = (192, 108)
FRAMES = {"progress-ms10": [0.0, 118.0, 287.0, 560.0], "soyuz-ms15": [300.0]}
GEOMETRY_T_PLUS = "0,118,287,530"


def cli_json(*args: str):
    out = subprocess.run([sys.executable, "-m", "orbitview.cli", *args, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def golden_frames(scene_name: str):
    """(T+, frame uint8 (H, W, 3)) for the golden instants of a scene."""
    import orbitview as ov

    scn = ov.load_scenario(scene_name)
    return [(t, np.asarray(scn.render_frame(t_plus_s=t, size=SIZE))) for t in FRAMES[scene_name]]


def main() -> None:
    for name in FRAMES:
        for t, frame in golden_frames(name):
            Image.fromarray(frame).save(HERE / f"{name}-{t:g}.png")
        (HERE / f"{name}-events.json").write_text(json.dumps(cli_json("events", name), indent=1) + "\n")
        (HERE / f"{name}-geometry.json").write_text(
            json.dumps(cli_json("geometry", name, "--t-plus", GEOMETRY_T_PLUS), indent=1) + "\n")


if __name__ == "__main__":
    main()
