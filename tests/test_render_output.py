"""PNG and MP4 outputs: round trip, no overwrite without force, nothing left by a failure."""
from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from orbitview.errors import OrbitviewError
from orbitview.render.png import write_png
from orbitview.render.video import VideoWriter, frame_buffers, write_video


def _frames(n: int, w: int = 64, h: int = 48):
    for i in range(n):
        frame = np.zeros((h, w, 3), dtype=np.uint8)
        frame[:, : (i * 7) % w] = (200, 120, 40)
        yield frame


def test_mp4_reads_back_with_its_frame_count_and_size(tmp_path):
    path = write_video(tmp_path / "clip.mp4", _frames(7), fps=30, width=64, height=48, total=7, progress=False)
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    assert tuple(meta["size"]) == (64, 48)
    assert sum(1 for _ in reader) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_frames_drawn_into_the_video_buffers_reach_the_mp4_as_drawn(tmp_path, monkeypatch):
    """A video's frames are drawn into ``frame_buffers`` in turn while ffmpeg takes earlier ones: with
    ffmpeg's feed slowed so that the queue stays full, each frame is still the one drawn (a buffer
    drawn over before it was written would show a later frame's grey)."""
    import time

    feed = VideoWriter._feed

    def slow_feed(self):
        take = self._queue.get

        def slowly():
            frame = take()
            time.sleep(0.02)                 # the frame held, as a busy pipe holds it
            return frame
        self._queue.get = slowly
        feed(self)

    monkeypatch.setattr(VideoWriter, "_feed", slow_feed)
    greys = [20 + 15 * i for i in range(12)]
    buffers = frame_buffers(64, 48)

    def frames():
        for grey in greys:
            frame = next(buffers)
            frame[:] = grey
            yield frame

    path = write_video(tmp_path / "ring.mp4", frames(), fps=30, width=64, height=48, progress=False)
    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)
    shown = [np.frombuffer(raw, np.uint8).mean() for raw in reader]
    np.testing.assert_allclose(shown, greys, atol=3)


def test_png_is_not_overwritten_without_force(tmp_path):
    path = tmp_path / "f.png"
    first, second = list(_frames(2))
    write_png(path, first)
    with pytest.raises(OrbitviewError, match="force"):
        write_png(path, second)
    assert np.array_equal(np.asarray(Image.open(path)), first)
    write_png(path, second, force=True)
    assert np.array_equal(np.asarray(Image.open(path)), second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.png"]


def test_mp4_is_not_overwritten_without_force(tmp_path):
    path = tmp_path / "v.mp4"
    path.write_bytes(b"keep")
    with pytest.raises(OrbitviewError, match="exists"):
        VideoWriter(path, 64, 48, 30)
    assert path.read_bytes() == b"keep"
    write_video(path, _frames(2), fps=30, width=64, height=48, force=True, progress=False)
    assert path.stat().st_size > 100


def test_a_failed_video_leaves_nothing(tmp_path):
    path = tmp_path / "broken.mp4"

    def frames():
        yield from _frames(3)
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="crashed"):
        write_video(path, frames(), fps=30, width=64, height=48, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_frame_leaves_nothing(tmp_path):
    with pytest.raises(OrbitviewError, match="expected uint8"):
        write_video(tmp_path / "bad.mp4", [np.zeros((10, 10, 3), np.uint8)], fps=30, width=64, height=48,
                    progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, width, height, fps, message", [
    ("v.avi", 64, 48, 30, "unknown extension"),
    ("v", 64, 48, 30, "unknown extension"),
    ("missing/v.mp4", 64, 48, 30, "does not exist"),
    ("v.mp4", 63, 48, 30, "even number"),
    ("v.mp4", 64, 8, 30, "even number"),
    ("v.mp4", 64, 48, 0, "fps"),
    ("v.mp4", 64, 48, 1000, "fps"),
])
def test_bad_video_requests_fail_clearly_before_any_work(tmp_path, name, width, height, fps, message):
    with pytest.raises(OrbitviewError, match=message):
        VideoWriter(tmp_path / name, width, height, fps)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_reported(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        import os
        if os.access(folder, os.W_OK):
            pytest.skip("running with privileges that ignore folder permissions")
        with pytest.raises(OrbitviewError, match="not writable"):
            write_png(folder / "f.png", next(_frames(1)))
    finally:
        folder.chmod(0o700)


def test_plots_draw_from_plain_arrays(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from orbitview.render.plots import geometry_timeline, ground_track_map

    t = np.linspace(0.0, 600.0, 61)
    lat, lon = 45.9 + t / 100.0, 63.3 + t / 30.0
    visible = (t > 100) & (t < 400)
    fig = ground_track_map({"ISS": (lat - 2, (lon + 170) % 360 - 180), "rocket": (lat, lon)}, pad=(45.92, 63.34),
                           impacts={"core": (49.8, 80.2)}, visible={"rocket": visible})
    fig.savefig(tmp_path / "map.png")
    fig = geometry_timeline(t, visible, range_km=2000 - t, sunlit=t > 300, events=[("core_separation", 287.0)])
    fig.savefig(tmp_path / "timeline.png")
    assert (tmp_path / "map.png").stat().st_size > 10_000 and (tmp_path / "timeline.png").stat().st_size > 5_000


def test_a_long_legal_name_gets_a_temporary_name_within_the_limit(tmp_path):
    from orbitview.outputs import NAME_MAX_BYTES, temporary_path

    for stem in ("a" * 251, "é" * 120):                  # 255 bytes; 244 bytes of two-byte characters
        path = tmp_path / f"{stem}.png"
        tmp = temporary_path(path)
        assert len(tmp.name.encode()) <= NAME_MAX_BYTES and tmp.name.endswith(".partial.png")
        tmp.name.encode().decode()                      # no character cut in half
        write_png(path, next(_frames(1)))
    video = tmp_path / f"{'v' * 251}.mp4"
    write_video(video, _frames(3), fps=30, width=64, height=48, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{'a' * 251}.png", f"{'é' * 120}.png", video.name])


@pytest.mark.parametrize("target", ["/proc/orbitview-test.png", "rename"])
def test_a_file_system_that_refuses_the_write_or_rename_is_one_line(tmp_path, monkeypatch, target):
    import errno
    import os

    if target == "rename":
        def refuse(*args):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "link", refuse)
        monkeypatch.setattr(os, "replace", refuse)
        target = str(tmp_path / "f.png")
    elif not os.access("/proc", os.W_OK):
        pytest.skip("/proc is refused up front for this user (not writable)")
    with pytest.raises(OrbitviewError, match=rf"^{target}: cannot (write|move the finished file into place): \w"):
        write_png(target, next(_frames(1)))
    assert list(tmp_path.iterdir()) == []


_STOPPED = """
import signal, sys, time
import numpy as np
from orbitview.render.video import VideoWriter

signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))      # as the CLI turns them into exceptions
signal.signal(signal.SIGHUP, lambda *a: sys.exit(129))
frame = np.zeros((48, 64, 3), np.uint8)
with VideoWriter(sys.argv[1], 64, 48, 30) as video:
    print(video._process.pid, flush=True)
    while True:
        video.write(frame)
        time.sleep(0.002)
"""


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs /proc to see processes")
@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_video_stopped_by_a_signal_leaves_no_file_and_no_ffmpeg(tmp_path, sig):
    import signal
    import subprocess
    import sys
    import time

    run = subprocess.Popen([sys.executable, "-c", _STOPPED, str(tmp_path / "v.mp4")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        line = run.stdout.readline()
        assert line.strip().isdigit(), run.stderr.read()
        ffmpeg = int(line)
        deadline = time.monotonic() + 30
        while not any(p.name.endswith(".partial.mp4") and p.stat().st_size for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "the video never started"
            time.sleep(0.05)
        assert _running(ffmpeg)
        run.send_signal(getattr(signal, sig))
        run.wait(30)
    finally:
        run.kill()
        run.communicate()
    assert run.returncode != 0
    assert list(tmp_path.iterdir()) == []
    assert not _running(ffmpeg)


def test_a_video_whose_frame_queue_an_interrupted_write_left_locked_still_stops(tmp_path):
    """A Ctrl-C can land inside ``queue.Queue.put`` after it took the queue's lock and before the
    ``with`` that would release it is set up, leaving the lock held by the main thread. Leaving the
    block then still kills and reaps ffmpeg and removes the file within seconds, instead of waiting
    on the lock for ever. The block runs on a thread of its own, so that a hang fails the test
    instead of stopping the suite."""
    import threading

    from orbitview.render.video import VideoWriter

    seen: dict = {}

    def interrupted() -> None:
        try:
            with VideoWriter(tmp_path / "v.mp4", 64, 48, 30) as video:
                video.write(next(_frames(1)))
                seen["ffmpeg"] = video._process
                video._queue.mutex.acquire()           # as the interrupted put leaves it
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            seen["stopped"] = True

    stopping = threading.Thread(target=interrupted, daemon=True)
    stopping.start()
    stopping.join(20)
    assert not stopping.is_alive() and seen.get("stopped")
    assert seen["ffmpeg"].poll() is not None
    assert list(tmp_path.iterdir()) == []


_DISK_FULL = """
import functools, resource, signal, subprocess, sys
import numpy as np
from orbitview.errors import OrbitviewError
from orbitview.render.video import write_video

# A full disk, simulated by a file-size limit: ffmpeg's writes fail (EFBIG) past 50 kB.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
subprocess.Popen = functools.partial(subprocess.Popen, restore_signals=False)
resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
rng = np.random.default_rng(0)
frames = (rng.integers(0, 256, (240, 320, 3), dtype=np.uint8) for _ in range(60))
try:
    write_video(sys.argv[1], frames, fps=30, width=320, height=240, progress=False)
except OrbitviewError as error:
    print(error)
"""


def test_a_video_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "full.mp4"
    run = subprocess.run([sys.executable, "-c", _DISK_FULL, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{path}: ffmpeg failed: ") and run.stdout.count("\n") == 1, run.stdout
    assert "large" in run.stdout.lower()                  # ffmpeg's own word: "File too large"
    assert run.stderr == ""                               # no ffmpeg log, no command line
    assert list(tmp_path.iterdir()) == []
