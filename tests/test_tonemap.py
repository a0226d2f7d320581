"""The tone map's runs (render/tonemap.py): a run of values that share a code is coded at once,
which must give the codes value-by-value coding gives, whatever the values."""
from __future__ import annotations

import numpy as np
import pytest

from orbitview.render.tonemap import TONE_RUN, tone_lut, tonemap


def _scene(rng: np.random.Generator, height: int, width: int, scale: float) -> np.ndarray:
    """Night-like light: black sky, dark ground in flat patches, ramps across code edges, bright
    points, and the hostile values (NaN, infinities, negatives, -0) scattered in."""
    image = np.zeros((height, width, 3), dtype=np.float32)
    image[height // 3:] = (rng.random((height - height // 3, width, 3)) ** 6 * scale).astype(np.float32)
    image[height // 2:, : width // 2] = image[height // 2, 0]                 # one value over long runs
    image[: height // 4, width // 2:] = np.linspace(0.0, 3.0 * scale, width - width // 2)[None, :, None]
    spots = rng.random(image.shape)
    image[spots < 0.002] = np.nan
    image[(spots >= 0.002) & (spots < 0.004)] = np.inf
    image[(spots >= 0.004) & (spots < 0.006)] = -1.0
    image[(spots >= 0.006) & (spots < 0.008)] = -0.0
    image[(spots >= 0.008) & (spots < 0.010)] = 50.0 * scale
    return image


@pytest.mark.parametrize("gain", [3.3e5, 1.0, 0.0, 1e39])
def test_runs_are_coded_as_each_value_alone(gain):
    """Codes of whole rows (runs of ``TONE_RUN`` values, most of them one code) equal the codes of
    each pixel tone-mapped alone (3 values: no run), at a night gain, a day gain and the limits."""
    rng = np.random.default_rng(11)
    scale = 1.4 / gain if 0.0 < gain < 1e30 else 1.0
    image = _scene(rng, 90, 4 * TONE_RUN + 17, scale)          # rows of whole runs and a tail
    whole = tonemap(image, gain)
    alone = np.concatenate([tonemap(image[:, x:x + 1], gain) for x in range(image.shape[1])], axis=1)
    np.testing.assert_array_equal(whole, alone)
    if 0.0 < gain < 1e30:
        assert len(np.unique(whole)) > 100                  # the ramps cross most codes


def test_the_lut_never_falls():
    """The runs' shortcut (a run's least and greatest value share a code, so all do) holds only for
    a curve that never falls."""
    lut = tone_lut().astype(int)
    assert np.all(np.diff(lut) >= 0) and lut[0] == 0 and lut[-1] == 255
