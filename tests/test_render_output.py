"""PNG and MP4 outputs: round trip, no overwrite without force, nothing left by a failure."""
from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from orbitview.errors import OrbitviewError
from orbitview.render.png import write_png
from orbitview.render.video import VideoWriter, write_video


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
