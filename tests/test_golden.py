"""A refactor keeps what users see: frames, event and geometry JSON as recorded in tests/golden/.

When the physics or the picture is meant to change, regenerate them with
``tests/golden/regenerate.py`` in the same commit and say why in its message.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

GOLDEN = Path(__file__).parent / "golden"
sys.path.insert(0, str(GOLDEN))
import regenerate  # noqa: E402


@pytest.mark.parametrize("scene", sorted(regenerate.FRAMES))
def test_frames_are_unchanged(scene):
    for t, frame in regenerate.golden_frames(scene):
        expected = np.asarray(Image.open(GOLDEN / f"{scene}-{t:g}.png"))
        assert frame.shape == expected.shape
        diff = np.abs(frame.astype(int) - expected.astype(int))
        assert diff.max() == 0, f"{scene} T+{t:g}: {np.count_nonzero(diff)} values differ, by up to {diff.max()}"


@pytest.mark.parametrize("scene", sorted(regenerate.FRAMES))
def test_event_and_geometry_json_are_unchanged(scene):
    assert regenerate.cli_json("events", scene) == json.loads((GOLDEN / f"{scene}-events.json").read_text())
    geometry = regenerate.cli_json("geometry", scene, "--t-plus", regenerate.GEOMETRY_T_PLUS)
    assert geometry == json.loads((GOLDEN / f"{scene}-geometry.json").read_text())
