"""Frames to PNG files, never overwriting without ``force`` and never leaving half a file."""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import OrbitviewError
from ..outputs import atomic_output


def write_png(path: str | Path, frame: np.ndarray, force: bool = False) -> Path:
    """Write an (H, W, 3) uint8 frame to ``path`` (.png); returns the path."""
    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise OrbitviewError(f"{path}: a frame must be an (H, W, 3) uint8 array, got {frame.dtype} {frame.shape}")
    with atomic_output(path, (".png",), force) as tmp:
        Image.fromarray(frame).save(tmp, format="PNG")
    return Path(path)


class Frame(np.ndarray):
    """A rendered image, (H, W, 3) uint8: a numpy array that saves itself and shows inline in Jupyter."""

    @classmethod
    def of(cls, image: np.ndarray) -> "Frame":
        return np.asarray(image, dtype=np.uint8).view(cls)

    def save(self, path: str | Path, force: bool = False) -> Path:
        """Write it to a PNG (never over an existing file without ``force``)."""
        return write_png(path, np.asarray(self), force)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(self)).save(buffer, format="PNG")
        return buffer.getvalue()
