"""The text drawn over a frame (render/captions.py): colours and opacities against hand figures."""
from __future__ import annotations

import numpy as np

from orbitview.render.captions import OUTLINE_ALPHA, SHADOW_RGB, TEXT_RGB, blend, text_patch


def test_blending_takes_opaque_colour_keeps_transparent_pixels_and_mixes_the_rest():
    frame = np.full((4, 6, 3), 200, np.uint8)
    patch = np.zeros((2, 3, 4), np.uint8)
    patch[0, 0] = (10, 20, 30, 255)               # opaque: the patch's colour
    patch[0, 1] = (10, 20, 30, 0)                 # transparent: the frame's
    patch[0, 2] = (0, 100, 255, 51)               # a fifth: 200 x 0.8 + c x 0.2, rounded
    patch[1] = (255, 255, 255, 255)
    blend(frame, patch, 4, 3)                     # clipped to the frame: two columns, one row
    assert frame[3, 4].tolist() == [10, 20, 30]
    assert frame[3, 5].tolist() == [200, 200, 200]
    assert np.all(frame[:3] == 200) and np.all(frame[:, :4] == 200)
    blend(frame, patch, -2, 0)                    # the patch's third column lands at (0, 0)
    assert frame[0, 0].tolist() == [160, 180, 211]
    assert frame[1, 0].tolist() == [255, 255, 255]


def test_letters_are_text_coloured_over_a_translucent_dark_outline():
    patch = text_patch("I", 90)
    alpha = patch[:, :, 3]
    stem = alpha == 255
    assert stem.sum() > 200                                           # the I's stem, fully covered
    assert np.all(patch[stem][:, :3] == TEXT_RGB)
    ring = alpha == round(255 * OUTLINE_ALPHA)                        # outline alone: 160
    assert ring.sum() > 100 and np.all(patch[ring][:, :3] == SHADOW_RGB)
    assert alpha[0].max() == 0 and alpha[:, 0].max() == 0             # the box's margin is clear


def test_a_line_is_its_letters_side_by_side():
    """Two lines differing in their last character share every column left of it, and the
    readout's lines stack downwards, the widest setting the width."""
    a, b = text_patch("T+3:50.8", 30), text_patch("T+3:50.9", 30)
    assert a.shape == b.shape
    same = np.all(a == b, axis=(0, 2))
    assert same[: a.shape[1] // 2].all() and not same.all()
    two = text_patch("T+3:50.8\nrange 1,287 km", 30)
    assert two.shape[1] == text_patch("range 1,287 km", 30).shape[1] and two.shape[0] > 2 * a.shape[0] - 10
    np.testing.assert_array_equal(two[: a.shape[0], : a.shape[1]][a[:, :, 3] > 0], a[a[:, :, 3] > 0])


def test_a_lines_colours_are_the_blend_of_its_fill_over_its_outline():
    """The table of colours by coverage (every pair of 8-bit fill and outline values) gives each
    pixel what the colour formula gives it: fully covered pixels text-coloured and opaque, outline
    alone shadow-coloured at the outline's opacity, and in between the formula's blend."""
    from orbitview.render.captions import _glyph, _pad, _rgba

    patch = text_patch("g", 60)
    fill, outline, left, _ = _glyph("g", 60)
    direct = np.empty(fill.shape + (4,), np.uint8)
    _rgba(fill.astype(np.float32) / np.float32(255.0), outline.astype(np.float32) / np.float32(255.0),
          np.float32(OUTLINE_ALPHA), np.array(TEXT_RGB, float), np.array(SHADOW_RGB, float), direct)
    x = _pad(60) + left                                     # the glyph's box on the line
    np.testing.assert_array_equal(patch[:, x:x + fill.shape[1]], direct)
    assert 0 < (direct[:, :, 3] == 255).sum() and 0 < ((direct[:, :, 3] > 0) & (direct[:, :, 3] < 160)).sum()
