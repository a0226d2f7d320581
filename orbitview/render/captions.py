"""Event captions and the readout (UTC, T+, video time, range), drawn with Pillow.

Text is rendered once per distinct string into a small RGBA patch (cached) and alpha-blended
into the frame with numpy, so a caption costs a few hundred microseconds, not a full-frame copy.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

TEXT_RGB = (235, 235, 225)
SHADOW_RGB = (0, 0, 0)
READOUT_HEIGHT_FRACTION = 0.028     # readout font size as a fraction of the frame height
CAPTION_HEIGHT_FRACTION = 0.042
MARGIN_FRACTION = 0.02


@lru_cache(maxsize=8)
def _font(size_px: int) -> ImageFont.ImageFont:
    """DejaVu Sans from matplotlib's bundled fonts, else Pillow's built-in font at that size."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if path.is_file():
        return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size=size_px)


@lru_cache(maxsize=256)
def text_patch(text: str, size_px: int) -> np.ndarray:
    """RGBA uint8 patch of (possibly multi-line) text with a soft dark outline for legibility."""
    font = _font(size_px)
    pad = max(size_px // 6, 1)
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox((0, 0), text, font=font, stroke_width=pad)
    image = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(image).multiline_text((pad - left, pad - top), text, font=font, fill=TEXT_RGB + (255,),
                                         stroke_width=pad, stroke_fill=SHADOW_RGB + (160,))
    return np.asarray(image)


def blend(frame: np.ndarray, patch: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend an RGBA patch into ``frame`` (H, W, 3 uint8) at (x, y), clipped to the frame."""
    h, w = frame.shape[:2]
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + patch.shape[1], w), min(y + patch.shape[0], h)
    if x1 <= x0 or y1 <= y0:
        return
    p = patch[y0 - y:y1 - y, x0 - x:x1 - x]
    alpha = p[:, :, 3:4].astype(np.float32) / 255.0
    region = frame[y0:y1, x0:x1]
    region[:] = (region * (1.0 - alpha) + p[:, :, :3] * alpha + 0.5).astype(np.uint8)


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
