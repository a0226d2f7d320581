"""Frames streamed to H.264 MP4 through the ffmpeg binary of ``imageio-ffmpeg``.

Nothing goes to disk but the video itself, written under a temporary name and renamed into
place when complete. Frames are handed to ffmpeg from a background thread, so the next frame is
rendered (numba kernels release the GIL) while ffmpeg takes the previous one.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Iterable

import imageio_ffmpeg
import numpy as np
from tqdm import tqdm

from ..errors import OrbitviewError
from ..outputs import atomic_output, check_output

SUFFIXES = (".mp4",)
MIN_SIZE_PX, MAX_WIDTH_PX, MAX_HEIGHT_PX = 16, 7680, 4320      # up to 8K UHD
MIN_FPS, MAX_FPS = 1.0, 120.0
CRF = 20                        # x264 constant quality: visually clean for star fields and text
PRESET = "superfast"            # x264 speed/size trade: leaves most of the CPU to the renderer
# One encoder thread: it keeps up (60+ frames/s at 1080p) and does not fight the renderer's
# threads for the cores (with x264's default threads, frames to MP4 were 20 % slower).
ENCODER_THREADS = 1
_QUEUE_FRAMES = 3


def check_video(path: str | Path, width: int, height: int, fps: float, force: bool = False) -> Path:
    """Validate the output before any frame is rendered."""
    for name, value, top in (("width", width, MAX_WIDTH_PX), ("height", height, MAX_HEIGHT_PX)):
        if not isinstance(value, (int, np.integer)) or not MIN_SIZE_PX <= value <= top or value % 2:
            raise OrbitviewError(f"video {name} = {value!r}: expected an even number of pixels "
                                 f"from {MIN_SIZE_PX} to {top} (H.264 with yuv420p)")
    if not isinstance(fps, (int, float, np.number)) or not MIN_FPS <= fps <= MAX_FPS:
        raise OrbitviewError(f"video fps = {fps!r}: expected {MIN_FPS:g} to {MAX_FPS:g}")
    return check_output(path, SUFFIXES, force)


class VideoWriter:
    """Context manager: ``with VideoWriter(path, w, h, fps) as v: v.write(frame)``."""

    def __init__(self, path: str | Path, width: int, height: int, fps: float, force: bool = False,
                 crf: int = CRF, preset: str = PRESET):
        self.path = check_video(path, width, height, fps, force)
        self.width, self.height, self.fps, self.force = width, height, float(fps), force
        self.crf, self.preset = crf, preset
        self.frames_written = 0

    def __enter__(self) -> "VideoWriter":
        self._output = atomic_output(self.path, SUFFIXES, self.force)
        tmp = self._output.__enter__()
        self._encoder = imageio_ffmpeg.write_frames(
            str(tmp), (self.width, self.height), fps=self.fps, codec="libx264", pix_fmt_out="yuv420p",
            quality=None, macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-preset", self.preset, "-crf", str(self.crf), "-threads", str(ENCODER_THREADS),
                           "-movflags", "+faststart"])
        self._encoder.send(None)
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()
        return self

    def _feed(self) -> None:
        while (frame := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._encoder.send(frame)
                except BaseException as exc:       # reported to the caller on the next write/close
                    self._error = exc

    def write(self, frame: np.ndarray) -> None:
        """Queue one (H, W, 3) uint8 frame."""
        if self._error is not None:
            raise OrbitviewError(f"{self.path}: ffmpeg failed: {self._error}")
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise OrbitviewError(f"{self.path}: frame {frame.dtype} {frame.shape}: expected uint8 "
                                 f"({self.height}, {self.width}, 3)")
        self._queue.put(np.ascontiguousarray(frame))
        self.frames_written += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        self._queue.put(None)
        self._thread.join()
        try:
            self._encoder.close()
        except BaseException as close_error:
            self._error = self._error or close_error
        if exc_type is None and self._error is not None:
            exc = OrbitviewError(f"{self.path}: ffmpeg failed: {self._error}")
            self._output.__exit__(type(exc), exc, None)
            raise exc
        if exc_type is None and self.frames_written == 0:
            exc = OrbitviewError(f"{self.path}: no frames to write")
            self._output.__exit__(type(exc), exc, None)
            raise exc
        self._output.__exit__(exc_type, exc, tb)


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float, width: int, height: int,
                total: int | None = None, force: bool = False, progress: bool = True) -> Path:
    """Render-and-encode loop with a progress bar (frames/s and ETA); returns the path."""
    with VideoWriter(path, width, height, fps, force) as video:
        for frame in tqdm(frames, total=total, unit="frame", desc=Path(path).name, disable=not progress):
            video.write(frame)
    return Path(path)
