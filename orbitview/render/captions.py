"""Event captions and the readout (UTC, T+, video time, range), drawn with Pillow.

Each character is rendered once (fill and outline masks, cached) and lines are composed from
them (the masks laid with numpy; the colours looked up from a table of every pair of 8-bit
coverages, the stacking of lines and the alpha blend into the frame in small compiled loops): a
readout that changes every frame costs a fraction of a millisecond, not a Pillow layout per frame.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from numba import njit
from PIL import Image, ImageDraw, ImageFont

TEXT_RGB = (235, 235, 225)
SHADOW_RGB = (0, 0, 0)
READOUT_HEIGHT_FRACTION = 0.028     # readout font size as a fraction of the frame height
CAPTION_HEIGHT_FRACTION = 0.042
MARGIN_FRACTION = 0.02
OUTLINE_ALPHA = 160 / 255           # the dark outline's opacity
LINE_SPACING_PX = 4


@lru_cache(maxsize=8)
def _font(size_px: int) -> ImageFont.ImageFont:
    """DejaVu Sans from matplotlib's bundled fonts, else Pillow's built-in font at that size."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if path.is_file():
        return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size=size_px)


def _pad(size_px: int) -> int:
    """Width of the dark outline around the letters (px)."""
    return max(size_px // 6, 1)


@lru_cache(maxsize=1024)
def _glyph(char: str, size_px: int) -> tuple[np.ndarray, np.ndarray, int, float]:
    """One character's fill and outline alpha masks on the line's box (uint8, 0-255: Pillow's
    coverage), the column of the box's left edge relative to the pen position, and the pen's
    advance (px)."""
    font = _font(size_px)
    pad = _pad(size_px)
    ascent, descent = font.getmetrics()
    left, _, right, _ = font.getbbox(char, stroke_width=pad, anchor="la")
    shape = (max(right - left, 1), ascent + descent + 2 * pad)
    masks = []
    for stroke in (0, pad):
        image = Image.new("L", shape, 0)
        ImageDraw.Draw(image).text((-left, pad), char, font=font, fill=255, anchor="la",
                                   stroke_width=stroke, stroke_fill=255)
        masks.append(np.asarray(image, dtype=np.uint8))
    return masks[0], masks[1], left, font.getlength(char)


@lru_cache(maxsize=64)
def _line_patch(text: str, size_px: int) -> np.ndarray:
    """RGBA uint8 patch of one line, composed from cached glyphs: the readout changes every frame,
    its characters do not. Outlines go under every fill, so neighbours never darken a letter."""
    pad = _pad(size_px)
    glyphs, pen, starts = [], float(pad), []
    for char in text:
        glyph = _glyph(char, size_px)
        glyphs.append(glyph)
        starts.append(int(round(pen)) + glyph[2])
        pen += glyph[3]
    height = glyphs[0][0].shape[0] if glyphs else 1
    width = max([pad + 1] + [x + g[0].shape[1] for x, g in zip(starts, glyphs)]) + pad
    fill = np.zeros((height, width), np.uint8)
    outline = np.zeros((height, width), np.uint8)
    for x, (f, o, _, _) in zip(starts, glyphs):
        x0 = max(x, 0)
        cut = x0 - x
        np.maximum(fill[:, x0:x + f.shape[1]], f[:, cut:], out=fill[:, x0:x + f.shape[1]])
        np.maximum(outline[:, x0:x + o.shape[1]], o[:, cut:], out=outline[:, x0:x + o.shape[1]])
    patch = np.empty((height, width), np.uint32)
    _look_up(fill, outline, _rgba_of_coverage(), patch)
    return patch.view(np.uint8).reshape(height, width, 4)


@lru_cache(maxsize=1)
def _rgba_of_coverage() -> np.ndarray:
    """The RGBA of every pair of fill and outline coverages (0-255), each as one uint32 (256, 256):
    a line's colours are a look-up, its masks being Pillow's 8-bit coverages laid side by side."""
    coverage = np.arange(256, dtype=np.float32) / np.float32(255.0)
    fill, outline = np.meshgrid(coverage, coverage, indexing="ij")
    table = np.empty((256, 256, 4), np.uint8)
    _rgba(fill, outline, np.float32(OUTLINE_ALPHA), np.array(TEXT_RGB, dtype=np.float64),
          np.array(SHADOW_RGB, dtype=np.float64), table)
    return table.view(np.uint32)[:, :, 0]


@njit(cache=True, nogil=True)
def _look_up(fill, outline, table, patch):
    """``patch`` := ``table[fill, outline]``, pixel by pixel (an RGBA pixel as one uint32)."""
    for i in range(fill.shape[0]):
        for j in range(fill.shape[1]):
            patch[i, j] = table[fill[i, j], outline[i, j]]


@njit(cache=True, nogil=True)
def _rgba(fill, outline, outline_alpha, text_rgb, shadow_rgb, patch):
    """The RGBA of text over its outline, pixel by pixel (coverages 0-1): the outline's opacity
    ``outline_alpha`` under the fill's; colour the two's mean by their weights. The float32 and
    float64 steps of numpy's array expression (IEEE, no fast-math), the codes rounded half to even."""
    for i in range(fill.shape[0]):
        for j in range(fill.shape[1]):
            f = fill[i, j]
            under = outline[i, j] * outline_alpha * (np.float32(1.0) - f)
            alpha = f + under
            weight = np.float64(max(alpha, np.float32(1e-6)))
            for c in range(3):
                patch[i, j, c] = np.uint8(np.rint((np.float64(f) * text_rgb[c] + np.float64(under) * shadow_rgb[c]) / weight))
            patch[i, j, 3] = np.uint8(np.rint(np.float64(alpha * np.float32(255.0))))


def text_patch(text: str, size_px: int) -> np.ndarray:
    """RGBA uint8 patch of (possibly multi-line) text with a soft dark outline for legibility."""
    lines = [_line_patch(line, size_px) for line in text.split("\n")]
    ascent, descent = _font(size_px).getmetrics()
    step = ascent + descent + LINE_SPACING_PX
    patch = np.zeros((step * (len(lines) - 1) + lines[-1].shape[0], max(p.shape[1] for p in lines), 4), np.uint8)
    for i, line in enumerate(lines):
        _stack_line(patch[i * step:i * step + line.shape[0], :line.shape[1]], line)
    return patch


@njit(cache=True, nogil=True)
def _stack_line(region, line):
    """Lay a line's RGBA over ``region`` where it is at least as opaque (a line's outline may
    reach into the next one's box)."""
    for i in range(region.shape[0]):
        for j in range(region.shape[1]):
            if line[i, j, 3] >= region[i, j, 3]:
                for c in range(4):
                    region[i, j, c] = line[i, j, c]


def blend(frame: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend an RGBA patch into ``frame`` (H, W, 3 uint8) at (x, y), clipped to the frame."""
    h, w = frame.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + patch.shape[1], w), min(y + patch.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return
    _blend_kernel(frame[y0:y1, x0:x1], patch[y0 - y:y1 - y, x0 - x:x1 - x])


@njit(cache=True, nogil=True)
def _blend_kernel(region, patch):
    """``region`` (h, w, 3) uint8 := region (1 - a) + rgb a + 0.5 truncated, a = alpha / 255, in
    float32 (IEEE, no fast-math: the codes numpy's expression gave); transparent pixels, most of
    a line's box, are left as they are (the expression gives them back unchanged)."""
    for i in range(region.shape[0]):
        for j in range(region.shape[1]):
            if patch[i, j, 3] == 0:
                continue
            alpha = np.float32(patch[i, j, 3]) / np.float32(255.0)
            for c in range(3):
                value = (np.float32(region[i, j, c]) * (np.float32(1.0) - alpha)
                         + np.float32(patch[i, j, c]) * alpha + np.float32(0.5))
                region[i, j, c] = np.uint8(value)


def format_readout(utc: str | None, t_plus_s: float | None, video_s: float | None,
                   range_km: float | None) -> str:
    """The readout lines: UTC, T+ (m:ss), video time (m:ss.s) when known, range to the rocket."""
    lines = []
    if utc:
        lines.append(f"UTC {utc}")
    if t_plus_s is not None:
        sign = "-" if t_plus_s < 0 else "+"
        m, s = divmod(abs(t_plus_s), 60.0)
        lines.append(f"T{sign}{int(m)}:{s:04.1f}")
    if video_s is not None:
        m, s = divmod(video_s, 60.0)
        lines.append(f"video {int(m):02d}:{s:04.1f}")
    if range_km is not None:
        lines.append(f"range {range_km:,.0f} km")
    return "\n".join(lines)


def draw_text(frame: np.ndarray, readout: str, captions) -> None:
    """Readout at the top left, event captions centred near the bottom."""
    h, w = frame.shape[:2]
    margin = int(MARGIN_FRACTION * h)
    if readout:
        blend(frame, text_patch(readout, max(int(READOUT_HEIGHT_FRACTION * h), 8)), margin, margin)
    y = h - margin
    for line in reversed(list(captions)):
        patch = text_patch(line, max(int(CAPTION_HEIGHT_FRACTION * h), 8))
        y -= patch.shape[0]
        blend(frame, patch, (w - patch.shape[1]) // 2, y)
