"""Frames to PNG files, never overwriting without ``force`` and never leaving half a file."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import OrbitviewError
from ..outputs import atomic_output
from .describe import FrameLayers, describe_frame


def write_png(path: str | Path, frame: np.ndarray, force: bool = False) -> Path:
    """Write an (H, W, 3) uint8 frame to ``path`` (.png); returns the path."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise OrbitviewError(f"{path}: a frame must be an (H, W, 3) uint8 array, got {frame.dtype} {frame.shape}")
    with atomic_output(path, (".png",), force) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")
    return Path(path)


class Frame(np.ndarray):
    """A rendered image, (H, W, 3) uint8: a numpy array that saves itself, shows inline in Jupyter
    and, when the renderer kept its layers, says what it shows (:meth:`describe`)."""

    layers: FrameLayers | None

    @classmethod
    def of(cls, image: np.ndarray, layers: FrameLayers | None = None) -> "Frame":
        frame = np.asarray(image, dtype=np.uint8).view(cls)
        frame.layers = layers
        return frame

    def __array_finalize__(self, obj: object) -> None:
        self.layers = None          # a crop, copy or sum of a frame is not described by its layers

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write it to a PNG (never over an existing file without ``force``)."""
        return write_png(path, np.asarray(self), force)

    def describe(self) -> dict:
        """What the frame shows, as data (``orbitview.render.describe``): the limb and its tilt, each
        quadrant's share of the city lights and of the stars, the Moon, each body's place, peak,
        saturation and extent; plain values, JSON-ready."""
        if self.layers is None:
            raise OrbitviewError("this frame has no layers to describe (a crop or copy of a frame, or an image "
                                 "not rendered by orbitview): describe the frame render_frame returned")
        return describe_frame(np.asarray(self), self.layers)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(self)).save(buffer, format="PNG")
        return buffer.getvalue()
