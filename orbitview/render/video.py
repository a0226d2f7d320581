"""Frames streamed to H.264 MP4 through the ffmpeg binary of ``imageio-ffmpeg``.

Nothing goes to disk but the video itself, written under a temporary name and renamed into
place when complete. Frames are handed to ffmpeg from a background thread, so the next frame is
rendered (numba kernels release the GIL) while ffmpeg takes the previous one.

The writer runs ffmpeg itself (not through ``imageio_ffmpeg.write_frames``) so that it owns the
process: whatever ends the run early (an error, KeyboardInterrupt, SystemExit raised by a signal
handler), ``__exit__`` kills and reaps ffmpeg and deletes the temporary file, and a failing ffmpeg
is reported in one line (its last message) instead of its whole log and command line.
"""
from __future__ import annotations

import collections
import contextlib
import itertools
import queue
import re
import signal
import subprocess
import threading
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Iterator

import imageio_ffmpeg
import numpy as np
from tqdm import tqdm

from ..errors import OrbitviewError, shorten
from ..outputs import atomic_output, check_output
from ..view.camera import MAX_PIXELS, MAX_SIDE_PX

SUFFIXES = (".mp4",)
MIN_SIZE_PX, MAX_WIDTH_PX, MAX_HEIGHT_PX = 16, MAX_SIDE_PX, MAX_PIXELS // MAX_SIDE_PX    # up to 8K UHD
MIN_FPS, MAX_FPS = 1.0, 120.0
CRF = 20                        # x264 constant quality: visually clean for star fields and text
PRESET = "superfast"            # x264 speed/size trade: leaves most of the CPU to the renderer
# One encoder thread: it keeps up (60+ frames/s at 1080p) and does not fight the renderer's
# threads for the cores (with x264's default threads, frames to MP4 were 20 % slower).
ENCODER_THREADS = 1
_QUEUE_FRAMES = 3
_STDERR_LINES = 20              # ffmpeg's last lines kept, to report the one that says what failed
_WAIT_S = 10.0                  # for ffmpeg to exit once it failed or was killed
_LOCK_WAIT_S = 1.0              # for the frame queue's lock, which the feeder holds for microseconds
_FFMPEG_PREFIX = re.compile(r"^\[[^]]*@ 0x[0-9a-f]+\]\s*")    # "[out#0/mp4 @ 0x55d0...] "


def frame_buffers(width: int, height: int) -> Iterator[np.ndarray]:
    """(H, W, 3) uint8 buffers to draw a video's frames into (``render_frame``'s ``out``), in turn:
    as many as may be in flight, so none is drawn over before ffmpeg has it (one drawn, the queue's,
    one being written). A new 6 MB array a 1080p frame was faulted in afresh whenever the process had
    given memory back to the system in between (`docs/PERFORMANCE.md`)."""
    return itertools.cycle([np.empty((height, width, 3), dtype=np.uint8) for _ in range(_QUEUE_FRAMES + 2)])


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
    """Context manager: ``with VideoWriter(path, w, h, fps) as v: v.write(frame)``.

    On leaving the block normally the video is finished and renamed into place; on leaving it by
    any exception (BaseException included) ffmpeg is killed and waited for and the temporary file
    deleted, before the exception goes on.
    """

    def __init__(self, path: str | Path, width: int, height: int, fps: float, force: bool = False,
                 crf: int = CRF, preset: str = PRESET):
        self.path = check_video(path, width, height, fps, force)
        self.width, self.height, self.fps, self.force = width, height, float(fps), force
        self.crf, self.preset = crf, preset
        self.frames_written = 0

    def _command(self, tmp: Path) -> list[str]:
        return [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-f", "rawvideo", "-vcodec", "rawvideo",
                "-s", f"{self.width}x{self.height}", "-pix_fmt", "rgb24",
                "-r", str(Fraction(self.fps).limit_denominator()), "-i", "-", "-an",
                "-vcodec", "libx264", "-pix_fmt", "yuv420p", "-v", "error",
                "-preset", self.preset, "-crf", str(self.crf), "-threads", str(ENCODER_THREADS),
                "-movflags", "+faststart", str(tmp)]

    def __enter__(self) -> "VideoWriter":
        self._output = atomic_output(self.path, SUFFIXES, self.force)
        tmp = self._output.__enter__()
        try:
            # Its own process group: a Ctrl-C at the terminal reaches Python, which stops ffmpeg.
            self._process = subprocess.Popen(self._command(tmp), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, process_group=0)
        except OSError as exc:
            failure = OrbitviewError(f"{self.path}: cannot start ffmpeg: {exc.strerror or exc}")
            self._output.__exit__(OrbitviewError, failure, None)
            raise failure from None
        except BaseException as exc:
            self._output.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES)
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_FRAMES)
        self._error: OSError | ValueError | None = None
        self._threads = [threading.Thread(target=self._feed, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for thread in self._threads:
            thread.start()
        return self

    def _feed(self) -> None:
        """Frames from the queue to ffmpeg's stdin; after a failed write, drain the queue unsent."""
        while (frame := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._process.stdin.write(frame)
                except (OSError, ValueError) as exc:    # ffmpeg exited (or was stopped): reported on
                    self._error = exc                    # the next write or at the end

    def _read_stderr(self) -> None:
        for line in self._process.stderr:
            self._stderr.append(line.decode(errors="replace").strip())

    def write(self, frame: np.ndarray) -> None:
        """Queue one (H, W, 3) uint8 frame."""
        if self._error is not None:
            raise self._failure()
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise OrbitviewError(f"{self.path}: frame {frame.dtype} {frame.shape}: expected uint8 "
                                 f"({self.height}, {self.width}, 3)")
        self._queue.put(np.ascontiguousarray(frame))
        self.frames_written += 1

    def _failure(self) -> OrbitviewError:
        """ffmpeg's own last word on what failed, in one line (after it has exited)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(_WAIT_S)
        self._threads[1].join(_WAIT_S)
        said = [_FFMPEG_PREFIX.sub("", line) for line in self._stderr]
        said = [line for line in said if line and line != "Conversion failed!"]
        status = self._process.returncode
        if said:
            reason = said[-1]
        elif status is not None and status < 0:
            reason = f"killed by {signal.Signals(-status).name}"
        elif status:
            reason = f"exit status {status}"
        else:
            reason = str(self._error)
        return OrbitviewError(f"{self.path}: ffmpeg failed: {shorten(reason)}")

    def _finish(self) -> None:
        """Send the end of the stream and wait for ffmpeg to write the file; errors if it failed."""
        if self.frames_written == 0:
            raise OrbitviewError(f"{self.path}: no frames to write")
        self._queue.put(None)
        self._threads[0].join()
        if self._error is None:
            try:
                self._process.stdin.close()
            except OSError as exc:
                self._error = exc
        if self._process.wait() != 0 or self._error is not None:
            raise self._failure()

    def _stop(self) -> None:
        """Kill and reap ffmpeg, unblock and end the feeding thread, close the pipes. An exception (a
        Ctrl-C) that lands inside ``Queue.put`` just after it took the queue's lock can leave the lock
        held: the end of the stream is then not queued (that would wait on the lock for ever), and
        the feeder, blocked on it, is left to end with the process (a daemon thread)."""
        try:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait(_WAIT_S)
        finally:
            threads = self._threads[1:]            # the stderr reader ends as ffmpeg's pipe closes
            if self._queue.mutex.acquire(timeout=_LOCK_WAIT_S):
                self._queue.mutex.release()
                with contextlib.suppress(queue.Full):
                    self._queue.put(None, timeout=_WAIT_S)     # the feeder drains: every write now fails fast
                threads = self._threads
            for thread in threads:
                thread.join(_WAIT_S)
            for pipe in (self._process.stdin, self._process.stderr):
                with contextlib.suppress(OSError):
                    pipe.close()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._finish()
        except BaseException as failure:
            exc_type, exc, tb = type(failure), failure, failure.__traceback__
            raise
        finally:
            try:
                self._stop()
            finally:
                self._output.__exit__(exc_type, exc, tb)


def write_video(path: str | Path, frames: Iterable[np.ndarray], fps: float, width: int, height: int,
                total: int | None = None, force: bool = False, progress: bool = True) -> Path:
    """Render-and-encode loop with a progress bar (frames/s and ETA); returns the path."""
    with VideoWriter(path, width, height, fps, force) as video:
        for frame in tqdm(frames, total=total, unit="frame", desc=Path(path).name, disable=not progress):
            video.write(frame)
    return Path(path)
